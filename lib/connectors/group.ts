// The connectors page: one row per bank, its methods beneath it, the worst method first. A bank's failure figures
// are counted once (Basiq jobs do not say which method ran, so every method of a bank shares them); sorting by
// "most failures" sorts banks by those real counts, not per-method copies of them.
import { byOrder, CONNECTOR_STATUS, term } from "@/lib/vocabulary";

export interface MethodRow {
  id: string;
  method: string;
  name: string;
  shortName: string | null;
  logoUrl: string | null;
  tier: string | null;
  stage: string | null;
  status: string;
  statusSince: string;
  /** True when the console saw the change to this status; false when it is the first status it ever saw. */
  statusSinceObserved: boolean;
  scopes: string[];
  failed24h: number;
  failed7d: number;
  connections: number;
  failingConnections: number;
  spike: boolean;
}

export interface BankRow<M extends MethodRow = MethodRow> {
  id: string;
  name: string;
  logoUrl: string | null;
  tier: string | null;
  /** The worst status of its methods. */
  status: string;
  /** Worst status first. */
  methods: M[];
  failed24h: number;
  failed7d: number;
  connections: number;
  failingConnections: number;
  spike: boolean;
}

export type BankSort = "attention" | "name" | "failures" | "tier";

const byStatus = byOrder(CONNECTOR_STATUS);
const needsAttention = (b: BankRow) => b.status !== "operational" || b.spike;

export function groupByBank<M extends MethodRow>(rows: readonly M[], sort: BankSort = "attention"): BankRow<M>[] {
  const banks = new Map<string, M[]>();
  for (const r of rows) {
    const list = banks.get(r.id);
    if (list) list.push(r);
    else banks.set(r.id, [r]);
  }
  const grouped = [...banks.values()].map((methods): BankRow<M> => {
    const sorted = [...methods].sort((a, b) => byStatus(a.status, b.status) || a.method.localeCompare(b.method));
    const first = sorted[0]!;
    return {
      id: first.id,
      name: first.name,
      logoUrl: sorted.find((m) => m.logoUrl)?.logoUrl ?? null,
      tier: first.tier,
      status: first.status,
      methods: sorted,
      // Per institution already (the same figures on every method): counted once.
      failed24h: first.failed24h,
      failed7d: first.failed7d,
      connections: first.connections,
      failingConnections: first.failingConnections,
      spike: sorted.some((m) => m.spike),
    };
  });
  const sorters: Record<BankSort, (a: BankRow<M>, b: BankRow<M>) => number> = {
    attention: (a, b) =>
      Number(!needsAttention(a)) - Number(!needsAttention(b)) ||
      term(CONNECTOR_STATUS, a.status).order - term(CONNECTOR_STATUS, b.status).order ||
      b.failed24h - a.failed24h ||
      a.name.localeCompare(b.name),
    name: (a, b) => a.name.localeCompare(b.name),
    failures: (a, b) =>
      b.failed24h - a.failed24h || b.failed7d - a.failed7d || b.failingConnections - a.failingConnections || a.name.localeCompare(b.name),
    tier: (a, b) => (a.tier ?? "9").localeCompare(b.tier ?? "9") || a.name.localeCompare(b.name),
  };
  return grouped.sort(sorters[sort]);
}
