// Basiq's vocabulary, in one place: connection statuses, connector statuses, stages and methods, job step titles
// and statuses — each with a label, a tone and an order. The wire schemas (schemas.ts), the URL parsers
// (lib/search-params.ts), the badges and the sort orders all read from here. Client-safe: no server imports.
//
// Basiq adds values without notice (BASIQ.md: connection states `init`, `deleted`, `revoked` beyond the spec's
// four). Readers keep whatever string Basiq sent; `term()` says whether this console knows it, and an unknown
// value is shown raw: "status: suspended (not known to this console)".

export type Tone = "neutral" | "good" | "warn" | "bad" | "info";

export interface TermInfo {
  label: string;
  tone: Tone;
  /** Lower sorts first ("needs attention first" orders). */
  order: number;
  /** One sentence for staff, where the term needs one. */
  explanation?: string;
}

export interface Term extends TermInfo {
  /** Exactly what Basiq sent. */
  value: string;
  known: boolean;
}

type Vocabulary<K extends string> = Readonly<Record<K, TermInfo>>;

const keysOf = <K extends string>(v: Vocabulary<K>) => Object.keys(v) as [K, ...K[]];

/** Connection statuses: the spec's four, plus the three Basiq documents elsewhere. Worst first. */
export const CONNECTION_STATUS = {
  invalid: {
    label: "invalid",
    tone: "bad",
    order: 0,
    explanation:
      "Broken: the bank refused the stored credentials or consent (for example a changed password). The user must reconnect through Basiq's Consent UI.",
  },
  revoked: {
    label: "revoked",
    tone: "bad",
    order: 1,
    explanation:
      "Revoked: the user (or the partner, from Basiq's dashboard) withdrew the consent. No data is fetched; the user must connect again.",
  },
  pending: {
    label: "pending",
    tone: "warn",
    order: 2,
    explanation:
      "Being set up or refreshed: a job is still running, or the user has not finished connecting.",
  },
  init: {
    label: "init",
    tone: "warn",
    order: 3,
    explanation:
      "Open banking, mid-consent: the user passed the bank's authorisation and Basiq is finishing the connection. Temporary.",
  },
  "pre-init": {
    label: "pre-init",
    tone: "neutral",
    order: 4,
    explanation: "Created but never used: the user started connecting and did not finish.",
  },
  active: {
    label: "active",
    tone: "good",
    order: 5,
    explanation: "Working: Basiq can fetch data through this connection.",
  },
  deleted: {
    label: "deleted",
    tone: "neutral",
    order: 6,
    explanation: "Deleted: the connection was removed; Basiq keeps no data for it.",
  },
} as const satisfies Vocabulary<string>;
export type ConnectionStatus = keyof typeof CONNECTION_STATUS;
export const CONNECTION_STATUSES = keysOf(CONNECTION_STATUS);

/**
 * Which bucket of the directory's "worst connection status" (lib/db/schema.ts connectionStatusRank, indexed in
 * SQL) a status counts as: revoked is as broken as invalid, init is still pending, a deleted connection does
 * not count. A status this console does not know counts as pending.
 */
export const DIRECTORY_STATUS_BUCKET: Readonly<
  Record<ConnectionStatus, "invalid" | "pending" | "pre-init" | "active" | null>
> = {
  invalid: "invalid",
  revoked: "invalid",
  pending: "pending",
  init: "pending",
  "pre-init": "pre-init",
  active: "active",
  deleted: null,
};

/** Connector statuses (Basiq's status page). Needs-attention first. */
export const CONNECTOR_STATUS = {
  "major-outage": { label: "major outage", tone: "bad", order: 0 },
  "partial-outage": { label: "partial outage", tone: "warn", order: 1 },
  "degraded-performance": { label: "degraded performance", tone: "warn", order: 2 },
  "under-maintenance": { label: "under maintenance", tone: "info", order: 3 },
  operational: { label: "operational", tone: "good", order: 4 },
} as const satisfies Vocabulary<string>;
export type ConnectorStatus = keyof typeof CONNECTOR_STATUS;
export const CONNECTOR_STATUSES = keysOf(CONNECTOR_STATUS);

export const CONNECTOR_STAGE = {
  live: { label: "live", tone: "good", order: 0 },
  beta: { label: "beta", tone: "info", order: 1 },
  alpha: { label: "alpha", tone: "warn", order: 2 },
} as const satisfies Vocabulary<string>;
export type ConnectorStage = keyof typeof CONNECTOR_STAGE;
export const CONNECTOR_STAGES = keysOf(CONNECTOR_STAGE);

export const CONNECTOR_METHOD = {
  web: { label: "Web", tone: "neutral", order: 0 },
  openbanking: { label: "Open banking", tone: "neutral", order: 1 },
  csv: { label: "CSV upload", tone: "neutral", order: 2 },
  pdf: { label: "PDF statement", tone: "neutral", order: 3 },
} as const satisfies Vocabulary<string>;
export type ConnectorMethod = keyof typeof CONNECTOR_METHOD;
export const CONNECTOR_METHODS = keysOf(CONNECTOR_METHOD);

/** Job step titles, in the order a job runs them. */
export const JOB_STEP_TITLE = {
  "verify-credentials": { label: "verify credentials", tone: "neutral", order: 0 },
  "retrieve-accounts": { label: "retrieve accounts", tone: "neutral", order: 1 },
  "retrieve-transactions": { label: "retrieve transactions", tone: "neutral", order: 2 },
  "retrieve-statements": { label: "retrieve statements", tone: "neutral", order: 3 },
} as const satisfies Vocabulary<string>;
export type JobStepTitle = keyof typeof JOB_STEP_TITLE;
export const JOB_STEP_TITLES = keysOf(JOB_STEP_TITLE);

export const JOB_STEP_STATUS = {
  failed: { label: "failed", tone: "bad", order: 0 },
  "in-progress": { label: "in progress", tone: "info", order: 1 },
  pending: { label: "pending", tone: "neutral", order: 2 },
  success: { label: "success", tone: "good", order: 3 },
} as const satisfies Vocabulary<string>;
export type JobStepStatus = keyof typeof JOB_STEP_STATUS;
export const JOB_STEP_STATUSES = keysOf(JOB_STEP_STATUS);

/** Suffix of a value this console does not know (shown with the raw value, never hidden). */
export const UNKNOWN_SUFFIX = "(not known to this console)";

/** What `raw` means in `vocabulary`; an unknown value keeps its raw text, a neutral tone and sorts last. */
export function term<K extends string>(vocabulary: Vocabulary<K>, raw: string | null | undefined): Term {
  const value = raw ?? "";
  if (Object.hasOwn(vocabulary, value)) return { ...vocabulary[value as K], value, known: true };
  return {
    value,
    known: false,
    label: value === "" ? `none ${UNKNOWN_SUFFIX}` : `${value} ${UNKNOWN_SUFFIX}`,
    tone: "neutral",
    order: Object.keys(vocabulary).length,
  };
}

/** The raw value as Basiq sent it, marked when this console does not know it: "retrieve-meta (not known to this console)". */
export function shown<K extends string>(vocabulary: Vocabulary<K>, raw: string | null | undefined): string {
  const t = term(vocabulary, raw);
  return t.known ? t.value : t.label;
}

export const isKnown = <K extends string>(
  vocabulary: Vocabulary<K>,
  raw: string | null | undefined,
): raw is K => raw != null && Object.hasOwn(vocabulary, raw);

/** A comparator by a vocabulary's order (unknown values last, then alphabetically). */
export function byOrder<K extends string>(vocabulary: Vocabulary<K>) {
  return (a: string, b: string) =>
    term(vocabulary, a).order - term(vocabulary, b).order || a.localeCompare(b);
}
