// The signed-in person for data-access tests, in place of next-auth: every DAL function asks
// requirePermission, which here answers from `actAs` with the real policy. Use in a test file as
//   vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());
import type { CurrentStaff } from "@/lib/auth/session";
import type { Role } from "@/lib/auth/policy";

let current: CurrentStaff | null = null;

/** Who calls from now on (null = nobody signed in). The object is kept by reference. */
export function actAs(staff: CurrentStaff | null): void {
  current = staff;
}

export function staffWithRole(role: Role, id = "00000000-0000-4000-8000-000000000001"): CurrentStaff {
  return { id, email: `${role}@corp.example`, name: role, role, signedInAt: Date.now() };
}

export async function mockedSessionModule() {
  const { ForbiddenError, UnauthenticatedError } = await import("@/lib/errors");
  const { can } = await import("@/lib/auth/policy");
  const requireStaff = async (): Promise<CurrentStaff> => {
    if (!current) throw new UnauthenticatedError();
    return current;
  };
  return {
    getCurrentStaff: async () => current,
    requireStaff,
    // The stand-in has no one-time-password sessions: every caller is a complete session.
    callerFor: async () => requireStaff(),
    requirePermission: async (permission: Parameters<typeof can>[1]) => {
      const who = await requireStaff();
      if (!can(who.role, permission)) throw new ForbiddenError(permission);
      return who;
    },
  };
}
