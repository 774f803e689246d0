import { describe, expect, it } from "vitest";

import { auditExitCode, auditVerdict } from "./audit-verdict";

// What `npm audit --omit=dev --json` printed on this machine (the registry has no advisories endpoint).
const registry405 = JSON.stringify({
  message: "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk",
  method: "POST",
  statusCode: 405,
  body: "",
  error: { summary: "", detail: "" },
});

function report(vulnerabilities: Record<string, { severity: string; range?: string }>) {
  const counts = { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 };
  for (const v of Object.values(vulnerabilities)) {
    counts[v.severity as "low"] += 1;
    counts.total += 1;
  }
  return JSON.stringify({ auditReportVersion: 2, vulnerabilities, metadata: { vulnerabilities: counts } });
}

describe("npm audit verdict", () => {
  it("a registry without an advisories database: no verdict, passes unless strict", () => {
    const v = auditVerdict(registry405);
    expect(v).toEqual({ kind: "unavailable", reason: expect.stringContaining("405") });
    expect(auditExitCode(v, false)).toBe(0);
    expect(auditExitCode(v, true)).toBe(1);
  });

  it("no JSON at all (npm crashed, offline): no verdict either", () => {
    expect(auditVerdict("").kind).toBe("unavailable");
  });

  it("a clean report passes", () => {
    const v = auditVerdict(report({}));
    expect(v).toMatchObject({ kind: "report", blocking: [] });
    expect(auditExitCode(v, true)).toBe(0);
  });

  it("low and moderate advisories are reported but do not fail", () => {
    const v = auditVerdict(report({ cookie: { severity: "low" }, postcss: { severity: "moderate" } }));
    expect(v).toMatchObject({
      kind: "report",
      counts: { low: 1, moderate: 1, high: 0, critical: 0 },
      blocking: [],
    });
    expect(auditExitCode(v, false)).toBe(0);
  });

  it("a high or critical advisory fails and is named", () => {
    const v = auditVerdict(
      report({ next: { severity: "critical", range: "16.0.0 - 16.0.6" }, zod: { severity: "high" } }),
    );
    expect(v).toMatchObject({ kind: "report", blocking: ["next (critical, 16.0.0 - 16.0.6)", "zod (high)"] });
    expect(auditExitCode(v, false)).toBe(1);
  });
});
