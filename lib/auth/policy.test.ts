import { describe, expect, it } from "vitest";

import { can, permissionList, roles, type Permission } from "./policy";

// The README's role table, cell by cell. Changing the policy means changing this table and the README together.
const expected: Record<string, Record<(typeof roles)[number], boolean>> = {
  "overview.read": { staff: true, support: true, admin: true },
  "account.password": { staff: true, support: true, admin: true },
  "users.read": { staff: true, support: true, admin: true },
  "connections.read": { staff: true, support: true, admin: true },
  "connectors.read": { staff: true, support: true, admin: true },
  "pii.reveal": { staff: false, support: true, admin: true },
  "users.sync": { staff: false, support: true, admin: true },
  "users.import": { staff: false, support: true, admin: true },
  "jobs.summary": { staff: true, support: true, admin: true },
  "jobs.read": { staff: false, support: true, admin: true },
  "jobs.export": { staff: false, support: true, admin: true },
  "accounts.details": { staff: false, support: true, admin: true },
  "connectors.refresh": { staff: false, support: true, admin: true },
  "connections.refresh": { staff: false, support: true, admin: true },
  "connections.purge": { staff: false, support: false, admin: true },
  "consents.read": { staff: false, support: true, admin: true },
  "consents.revoke": { staff: false, support: false, admin: true },
  "apiKeys.manage": { staff: false, support: false, admin: true },
  "sweep.run": { staff: false, support: false, admin: true },
  "integration.health": { staff: false, support: false, admin: true },
  "operations.manage": { staff: false, support: false, admin: true },
  "webhooks.manage": { staff: false, support: false, admin: true },
  "audit.read": { staff: false, support: false, admin: true },
  "staff.manage": { staff: false, support: false, admin: true },
  "alerts.manage": { staff: false, support: false, admin: true },
  "alerts.watch": { staff: false, support: true, admin: true },
};

describe("permission policy", () => {
  it("covers exactly the permissions of the table", () => {
    expect(permissionList.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const permission of permissionList) {
    for (const role of roles) {
      it(`${role} ${expected[permission]![role] ? "may" : "may not"} ${permission}`, () => {
        expect(can(role, permission)).toBe(expected[permission]![role]);
      });
    }
  }

  it("fails closed for unknown roles and permissions", () => {
    expect(can("root", "users.read")).toBe(false);
    expect(can(undefined, "users.read")).toBe(false);
    expect(can("admin", "nope" as Permission)).toBe(false);
  });
});
