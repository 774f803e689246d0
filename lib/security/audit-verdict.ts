// Reads `npm audit --json` output for `npm run audit:prod` (SECURITY.md NX-4). Pure, so the verdict is tested
// without a registry. Only high and critical advisories fail; a registry without an advisories database (this
// machine's answers 405) gives no verdict, said loudly, and fails only under AUDIT_STRICT=1.

export type AuditVerdict =
  | { kind: "unavailable"; reason: string }
  | {
      kind: "report";
      counts: Record<"info" | "low" | "moderate" | "high" | "critical", number>;
      blocking: string[];
    };

const severities = ["info", "low", "moderate", "high", "critical"] as const;

export function auditVerdict(stdout: string): AuditVerdict {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return { kind: "unavailable", reason: "npm audit printed no JSON report" };
  }
  const report = json as {
    message?: string;
    error?: { summary?: string };
    metadata?: { vulnerabilities?: Partial<Record<(typeof severities)[number], number>> };
    vulnerabilities?: Record<string, { severity?: string; range?: string }>;
  };
  const counted = report.metadata?.vulnerabilities;
  if (!counted)
    return {
      kind: "unavailable",
      reason: report.message ?? report.error?.summary ?? "no advisories in the answer",
    };
  const counts = Object.fromEntries(severities.map((s) => [s, counted[s] ?? 0])) as Record<
    (typeof severities)[number],
    number
  >;
  const blocking = Object.entries(report.vulnerabilities ?? {})
    .filter(([, v]) => v.severity === "high" || v.severity === "critical")
    .map(([name, v]) => `${name} (${v.severity}${v.range ? `, ${v.range}` : ""})`);
  // The per-package list can be empty while the counts are not (e.g. an older report format): trust the counts.
  if (blocking.length === 0 && counts.high + counts.critical > 0)
    blocking.push(`${counts.high} high, ${counts.critical} critical`);
  return { kind: "report", counts, blocking };
}

/** The exit code of `npm run audit:prod` for a verdict. */
export function auditExitCode(verdict: AuditVerdict, strict: boolean): number {
  if (verdict.kind === "unavailable") return strict ? 1 : 0;
  return verdict.blocking.length > 0 ? 1 : 0;
}
