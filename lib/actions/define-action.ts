import "server-only";

// The one way to write a server action (STYLE.md §5): parse the input with zod, check the permission from the
// database, run, and return an ActionResult. Server actions are public POST endpoints: nothing here trusts the
// client. Unknown errors are logged and turned into a generic message: no stack trace reaches the browser.
// Order (issue 14 items 4 and 5): the session (a caller without a complete one is refused, counted and logged —
// never written to the append-only audit table), then a same-origin Origin header for EVERY action (refused with
// a 403 result and audited with the actor), then the permission, then the input.
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";

import { recordAudit } from "@/lib/audit";
import { can, type Permission } from "@/lib/auth/policy";
import { callerFor, type CurrentStaff } from "@/lib/auth/session";
import { BasiqError } from "@/lib/basiq/errors";
import {
  ForbiddenError,
  NotFoundError,
  PasswordChangeRequiredError,
  SecondFactorRequiredError,
  UnauthenticatedError,
  UserFacingError,
} from "@/lib/errors";
import { log } from "@/lib/log";
import { isSameOriginRequest } from "@/lib/security/origin";
import { countAnonymousRefusal } from "@/lib/security/refusals";

import type { ActionResult } from "./result";

export function toActionError(e: unknown, actionName: string): ActionResult<never> {
  unstable_rethrow(e);
  if (e instanceof SecondFactorRequiredError) return { ok: false, message: "Complete the second factor first." };
  if (e instanceof PasswordChangeRequiredError) return { ok: false, message: "Choose a new password first." };
  if (e instanceof UnauthenticatedError) return { ok: false, message: "Your session has ended. Sign in again." };
  if (e instanceof ForbiddenError) return { ok: false, message: e.message };
  if (e instanceof NotFoundError || e instanceof UserFacingError) return { ok: false, message: e.message };
  if (e instanceof BasiqError) {
    return {
      ok: false,
      message: `Basiq could not complete the request (${e.code ?? e.status ?? "no answer"}). Reference: ${e.correlationId ?? "none"}.`,
    };
  }
  log.error({ action: actionName, err: e instanceof Error ? { name: e.name, message: e.message } : String(e) }, "action failed");
  return { ok: false, message: "Something went wrong. Try again, or contact an administrator if it keeps happening." };
}

/**
 * Action inputs are plain objects (or FormData, read as one). zod's z.object also accepts a Date, Map, Blob or
 * Promise as an object with no fields, so `startSweepAction(new Date())` would have run: refuse such inputs here.
 */
function isPlainOrPrimitive(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return true; // left to the schema
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function parseInput<S extends z.ZodType>(schema: S, source: unknown, actionName: string): z.ZodSafeParseResult<z.infer<S>> | null {
  if (!isPlainOrPrimitive(source)) return null;
  try {
    return schema.safeParse(source);
  } catch (e) {
    // safeParse can throw on hostile input (a Promise, which a forged POST can encode, reaching a preprocess
    // step makes zod 4 throw a TypeError): that is invalid input, not an internal error. Fail closed.
    log.warn({ action: actionName, err: e instanceof Error ? e.name : "unknown" }, "action input made the parser throw");
    return null;
  }
}

export function defineAction<S extends z.ZodType, T>(options: {
  name: string;
  permission: Permission;
  input: S;
  run: (input: z.infer<S>, caller: CurrentStaff) => Promise<ActionResult<T>>;
  /**
   * Told about every refusal of a signed-in caller before `run` (no permission, foreign origin, invalid input), to
   * audit it under the action's own name. Without it, origin refusals are audited as `action.refused`.
   */
  onRefused?: (refusal: { reason: "forbidden" | "origin" | "invalid-input"; raw: unknown; caller: CurrentStaff }) => Promise<void>;
}): (input: unknown) => Promise<ActionResult<T>> {
  const refused = async (reason: "forbidden" | "origin" | "invalid-input", raw: unknown, caller: CurrentStaff) => {
    try {
      if (options.onRefused) await options.onRefused({ reason, raw, caller });
      else if (reason === "origin") {
        await recordAudit({
          actor: { id: caller.id, email: caller.email, role: caller.role },
          action: "action.refused",
          outcome: "denied",
          details: { reason, action: options.name },
        });
      }
    } catch (err) {
      log.error({ action: options.name, err: (err as Error).message }, "refusal not audited");
    }
  };
  return async (raw: unknown) => {
    const source = raw instanceof FormData ? Object.fromEntries(raw) : raw;
    let caller: CurrentStaff;
    try {
      caller = await callerFor(options.permission);
    } catch (e) {
      if (e instanceof UnauthenticatedError || e instanceof SecondFactorRequiredError) countAnonymousRefusal(options.name, "unauthenticated");
      return toActionError(e, options.name);
    }
    try {
      // Next.js lets a request without Origin through, and answers a foreign one with a 500 (proxy.ts strips a
      // foreign Origin from action requests so that it arrives here as missing, to be refused and audited).
      if (!(await isSameOriginRequest().catch(() => false))) {
        await refused("origin", source, caller);
        return {
          ok: false,
          status: 403,
          message: "This request did not come from the console itself (HTTP 403). Reload the page and try again.",
        };
      }
      if (!can(caller.role, options.permission)) {
        await refused("forbidden", source, caller);
        return toActionError(new ForbiddenError(options.permission), options.name);
      }
      const parsed = parseInput(options.input, source, options.name);
      if (!parsed?.success) {
        await refused("invalid-input", source, caller);
        return {
          ok: false,
          message: "Some fields are not valid.",
          fieldErrors: parsed ? (z.flattenError(parsed.error).fieldErrors as Record<string, string[]>) : {},
        };
      }
      return await options.run(parsed.data, caller);
    } catch (e) {
      return toActionError(e, options.name);
    }
  };
}
