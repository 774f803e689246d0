// Issue 18 item 10: the users list exports its current search as CSV, masked, for every role, and says so in the
// audit trail. Also: a job or connection id typed in the search box names its page, for the role that may open it.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { TestDatabase } from "@/test/db";
import { actAs, staffWithRole } from "@/test/session-mock";

vi.mock("@/lib/auth/session", async () => (await import("@/test/session-mock")).mockedSessionModule());

const { createTestDatabase } = await import("@/test/db");
const { useDatabaseForTests } = await import("@/lib/db/client");
const { auditEvents, jobRuns } = await import("@/lib/db/schema");
const { recordDirectoryUser } = await import("@/lib/directory/record");
const { exportUsersCsv } = await import("./users-export");
const { resolveSearchTarget } = await import("./search-target");

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabaseForTests(t.db);
  await recordDirectoryUser(
    t.db,
    {
      id: "u-monica",
      firstName: "Monica",
      lastName: "Hall",
      email: "monica.hall@piedpiper.example",
      mobile: "0412 345 678",
      connections: [{ id: "conn-monica-1", status: "invalid", method: "open-banking", institutionId: "AU00201", institutionName: null }],
    },
    "sync",
  );
  await recordDirectoryUser(t.db, { id: "u-richard", firstName: "Richard", lastName: "Hendricks", email: "richard@piedpiper.example", connections: [] }, "sync");
  await t.db.insert(jobRuns).values({ id: "job-monica-1", userId: "u-monica", connectionId: "conn-monica-1", outcome: "failed" });
});
afterAll(async () => {
  await t?.close();
});

describe("users CSV export", () => {
  for (const role of ["staff", "support", "admin"] as const) {
    it(`gives ${role} the filtered list with e-mails and mobiles masked, and audits it`, async () => {
      actAs(staffWithRole(role));
      const { csv, rows } = await exportUsersCsv({ q: "mon", sort: "id" });
      expect(rows).toBe(1);
      const [header, line] = csv.trim().split("\r\n");
      expect(header).toBe("user_id,name,email_masked,mobile_masked,connections,banks,worst_status,last_synced");
      expect(line).toContain('"u-monica","Monica Hall"');
      expect(csv).not.toContain("monica.hall@piedpiper.example");
      expect(csv).not.toContain("412345678");
      expect(csv).not.toContain("0412 345 678");
      expect(csv).toMatch(/"m[^"]*@[^"]*"/); // a masked e-mail is there
      const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "users.export")).orderBy(auditEvents.id).limit(1).offset(["staff", "support", "admin"].indexOf(role));
      expect(event).toMatchObject({ actorRole: role, outcome: "success", details: { rows: 1, filter: { q: "(search)" } } });
    });
  }

  it("refuses a caller without a session", async () => {
    actAs(null);
    await expect(exportUsersCsv({})).rejects.toThrow();
  });
});

describe("resolveSearchTarget", () => {
  it("sends support and admin to the job page, staff (no jobs.read) to the job's connection", async () => {
    actAs(staffWithRole("support"));
    expect(await resolveSearchTarget("JOB-MONICA-1")).toEqual({ href: "/jobs/job-monica-1", label: "Job job-monica-1" });
    actAs(staffWithRole("staff"));
    expect(await resolveSearchTarget("job-monica-1")).toEqual({
      href: "/users/u-monica/connections/conn-monica-1",
      label: "Connection conn-monica-1",
    });
  });

  it("sends everyone to a connection's page from its id", async () => {
    actAs(staffWithRole("staff"));
    expect(await resolveSearchTarget("conn-monica-1")).toEqual({ href: "/users/u-monica/connections/conn-monica-1", label: "Connection conn-monica-1" });
    expect(await resolveSearchTarget("Monica")).toBeNull();
  });
});
