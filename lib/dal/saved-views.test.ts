// Issue 18 item 10: saved views are kept per staff member, hold only the list's own filters, and respect the
// permission of the list they belong to.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { createStaff } = await import("@/lib/staff/accounts");
const { deleteView, listSavedViews, saveView } = await import("./saved-views");
const { SAVED_VIEWS_PER_LIST } = await import("@/lib/list/saved-views");

let t: TestDatabase;
const ids: Record<"staff" | "support" | "admin", string> = { staff: "", support: "", admin: "" };

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  for (const role of ["staff", "support", "admin"] as const) {
    ids[role] = (await createStaff(t.db, { email: `${role}@corp.example`, name: role, role, password: `a long ${role} password` })).id;
  }
});
afterAll(async () => {
  await t?.close();
});

describe("saved views", () => {
  it("saves a named filter set, canonical (no page, defaults dropped), and lists it for its owner only", async () => {
    actAs(staffWithRole("support", ids.support));
    const view = await saveView("users", "Invalid at Hooli", "?status=invalid&institution=AU00201&page=7&sort=recent&bogus=1");
    expect(view).toMatchObject({ name: "Invalid at Hooli", href: "/users?status=invalid&institution=AU00201" });
    expect(await listSavedViews("users")).toEqual([view]);
    actAs(staffWithRole("admin", ids.admin));
    expect(await listSavedViews("users")).toEqual([]);
  });

  it("replaces a view saved again under the same name", async () => {
    actAs(staffWithRole("support", ids.support));
    await saveView("users", "Invalid at Hooli", "?status=invalid");
    const views = await listSavedViews("users");
    expect(views.map((v) => v.href)).toEqual(["/users?status=invalid"]);
  });

  it("keeps views of the error log with their typed dates and presets, never the cursor", async () => {
    actAs(staffWithRole("support", ids.support));
    const v = await saveView("jobs", "Today's auth failures", "code=invalid-credentials&range=today&before=2026-01-01T00:00:00Z|abc");
    expect(v.href).toBe("/jobs?code=invalid-credentials&range=today");
    const back = await saveView("jobs", "Failures, a page back", "code=invalid-credentials&after=2026-01-01T00:00:00Z|abc");
    expect(back.href).toBe("/jobs?code=invalid-credentials");
    const typed = await saveView("jobs", "December", "from=2026-12-01&to=2026-12-31&from=garbage");
    expect(typed.href).toBe("/jobs?from=2026-12-01&to=2026-12-31");
  });

  it("refuses a view of a list the role cannot open", async () => {
    actAs(staffWithRole("staff", ids.staff));
    await expect(saveView("jobs", "Nope", "code=x")).rejects.toThrow();
    await expect(listSavedViews("audit")).rejects.toThrow();
  });

  it("deletes only the caller's own views", async () => {
    actAs(staffWithRole("support", ids.support));
    const [view] = await listSavedViews("users");
    actAs(staffWithRole("admin", ids.admin));
    await expect(deleteView(view!.id)).rejects.toThrow(/No such saved view/);
    actAs(staffWithRole("support", ids.support));
    await deleteView(view!.id);
    expect(await listSavedViews("users")).toEqual([]);
  });

  it(`keeps at most ${SAVED_VIEWS_PER_LIST} views per list`, async () => {
    actAs(staffWithRole("staff", ids.staff));
    for (let i = 0; i < SAVED_VIEWS_PER_LIST; i++) await saveView("users", `View ${i}`, `?q=v${i}`);
    await expect(saveView("users", "One too many", "?q=x")).rejects.toThrow(/At most/);
    await saveView("users", "View 3", "?q=replaced"); // replacing one is fine
  });
});
