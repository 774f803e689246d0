// Fixed reference data: institutions, connectors and the job failure catalogue.
// The catalogue does not depend on the seed (the seed changes people, not banks), and is chosen so that
// every connector status, stage, tier and authorization type appears at least once.

export const CONNECTOR_STATUSES = [
  "operational",
  "degraded-performance",
  "partial-outage",
  "major-outage",
  "under-maintenance",
] as const;
export type ConnectorStatus = (typeof CONNECTOR_STATUSES)[number];

export const CONNECTOR_STAGES = ["alpha", "beta", "live"] as const;
export type ConnectorStage = (typeof CONNECTOR_STAGES)[number];

/** Connector and connection methods as the spec's connector enum spells them ("openbanking", no hyphen). */
export const CONNECTOR_METHODS = ["web", "openbanking", "csv", "pdf"] as const;
export type ConnectorMethod = (typeof CONNECTOR_METHODS)[number];

export const AUTHORIZATION_TYPES = ["user", "token", "other", "user-mfa", "user-mfa-intermittent"] as const;
export type AuthorizationType = (typeof AUTHORIZATION_TYPES)[number];

export const INSTITUTION_TIERS = ["1", "2", "3", "4"] as const;
export type InstitutionTier = (typeof INSTITUTION_TIERS)[number];

export type InstitutionType = "Bank" | "Test Bank" | "Credit Union" | "Building Society" | "Government";

export interface Institution {
  id: string;
  name: string;
  shortName: string;
  type: InstitutionType;
  tier: InstitutionTier;
  primaryColor: string;
  /** Relative popularity among the randomly generated users' connections. */
  weight: number;
}

/** Hooli (AU00000) and HooliGov (AU00004) are Basiq's own sandbox institutions; the other ids are invented. */
export const INSTITUTIONS: readonly Institution[] = [
  {
    id: "AU00000",
    name: "Hooli",
    shortName: "Hooli",
    type: "Test Bank",
    tier: "4",
    primaryColor: "#1C6EF2",
    weight: 3,
  },
  {
    id: "AU00004",
    name: "HooliGov",
    shortName: "HooliGov",
    type: "Government",
    tier: "4",
    primaryColor: "#0B3D91",
    weight: 1,
  },
  {
    id: "AU00101",
    name: "Commonwealth Bank of Australia",
    shortName: "CommBank",
    type: "Bank",
    tier: "1",
    primaryColor: "#FFCC00",
    weight: 16,
  },
  {
    id: "AU00201",
    name: "Westpac Banking Corporation",
    shortName: "Westpac",
    type: "Bank",
    tier: "1",
    primaryColor: "#D5002B",
    weight: 12,
  },
  {
    id: "AU00301",
    name: "Australia and New Zealand Banking Group",
    shortName: "ANZ",
    type: "Bank",
    tier: "1",
    primaryColor: "#004165",
    weight: 11,
  },
  {
    id: "AU00401",
    name: "National Australia Bank",
    shortName: "NAB",
    type: "Bank",
    tier: "1",
    primaryColor: "#C20000",
    weight: 10,
  },
  {
    id: "AU00501",
    name: "ING Australia",
    shortName: "ING",
    type: "Bank",
    tier: "2",
    primaryColor: "#FF6200",
    weight: 6,
  },
  {
    id: "AU00601",
    name: "Macquarie Bank",
    shortName: "Macquarie",
    type: "Bank",
    tier: "2",
    primaryColor: "#000000",
    weight: 5,
  },
  {
    id: "AU00701",
    name: "Bendigo Bank",
    shortName: "Bendigo",
    type: "Bank",
    tier: "2",
    primaryColor: "#8B0C3C",
    weight: 4,
  },
  {
    id: "AU00801",
    name: "Teachers Mutual Bank",
    shortName: "Teachers Mutual",
    type: "Credit Union",
    tier: "3",
    primaryColor: "#00857C",
    weight: 2,
  },
  {
    id: "AU00901",
    name: "Newcastle Permanent Building Society",
    shortName: "Newcastle Permanent",
    type: "Building Society",
    tier: "3",
    primaryColor: "#005EB8",
    weight: 2,
  },
  {
    id: "AU01001",
    name: "Hume Bank",
    shortName: "Hume",
    type: "Bank",
    tier: "4",
    primaryColor: "#E35205",
    weight: 1,
  },
];

export interface StepDurations {
  verifyCredentials: number;
  retrieveAccounts: number;
  retrieveTransactions: number;
  retrieveMeta: number;
}

export interface ConnectorSpec {
  institutionId: string;
  method: ConnectorMethod;
  stage: ConnectorStage;
  /** Status at start-up; `POST /__sandbox/faults {kind:"connector-status"}` overrides it until reset. */
  status: ConnectorStatus;
  authorization: AuthorizationType;
  averageDurationMs: StepDurations;
}

const WEB_SCOPES = [
  "account.basic",
  "account.detail",
  "transaction.basic",
  "transaction.detail",
  "customer.basic",
];
const OPEN_BANKING_SCOPES = [
  "bank:accounts.basic:read",
  "bank:accounts.detail:read",
  "bank:transactions:read",
  "common:customer.basic:read",
];
const STATEMENT_SCOPES = ["account.basic", "transaction.basic"];

export function connectorScopes(method: ConnectorMethod): string[] {
  if (method === "openbanking") return [...OPEN_BANKING_SCOPES];
  if (method === "web") return [...WEB_SCOPES];
  return [...STATEMENT_SCOPES];
}

const durations = (verify: number, accounts: number, transactions: number, meta: number): StepDurations => ({
  verifyCredentials: verify,
  retrieveAccounts: accounts,
  retrieveTransactions: transactions,
  retrieveMeta: meta,
});

const web = (
  institutionId: string,
  status: ConnectorStatus,
  stage: ConnectorStage,
  authorization: AuthorizationType,
  averageDurationMs: StepDurations,
): ConnectorSpec => ({ institutionId, method: "web", status, stage, authorization, averageDurationMs });

const openBanking = (
  institutionId: string,
  status: ConnectorStatus,
  stage: ConnectorStage,
  averageDurationMs: StepDurations,
): ConnectorSpec => ({
  institutionId,
  method: "openbanking",
  status,
  stage,
  authorization: "other",
  averageDurationMs,
});

const statement = (
  institutionId: string,
  method: "csv" | "pdf",
  stage: ConnectorStage,
  averageDurationMs: StepDurations,
): ConnectorSpec => ({
  institutionId,
  method,
  status: "operational",
  stage,
  authorization: "other",
  averageDurationMs,
});

/** Every institution has a web and an open-banking connector; a few also accept CSV or PDF statements. */
export const CONNECTORS: readonly ConnectorSpec[] = [
  web("AU00000", "operational", "live", "user", durations(2100, 3200, 6900, 900)),
  openBanking("AU00000", "operational", "live", durations(900, 1400, 3100, 400)),
  web("AU00004", "operational", "beta", "user", durations(2600, 3900, 7400, 1100)),
  openBanking("AU00004", "degraded-performance", "alpha", durations(1800, 2600, 5900, 700)),
  web("AU00101", "operational", "live", "user-mfa-intermittent", durations(4200, 5100, 14800, 1300)),
  openBanking("AU00101", "operational", "live", durations(1100, 1700, 4200, 500)),
  statement("AU00101", "pdf", "live", durations(0, 2300, 5200, 600)),
  web("AU00201", "degraded-performance", "live", "user-mfa", durations(7600, 9100, 26400, 2100)),
  openBanking("AU00201", "operational", "live", durations(1300, 1900, 4600, 500)),
  statement("AU00201", "csv", "beta", durations(0, 900, 2100, 300)),
  web("AU00301", "operational", "live", "user", durations(3900, 4700, 12900, 1200)),
  openBanking("AU00301", "partial-outage", "live", durations(5200, 6100, 15800, 1900)),
  statement("AU00301", "csv", "live", durations(0, 1000, 2300, 300)),
  web("AU00401", "major-outage", "live", "user-mfa", durations(12800, 15100, 41200, 3900)),
  openBanking("AU00401", "operational", "live", durations(1200, 1800, 4400, 500)),
  statement("AU00401", "pdf", "beta", durations(0, 2500, 5600, 700)),
  web("AU00501", "operational", "live", "token", durations(3100, 3600, 9800, 1000)),
  openBanking("AU00501", "operational", "live", durations(1000, 1500, 3900, 400)),
  web("AU00601", "under-maintenance", "live", "user-mfa", durations(4600, 5200, 13700, 1400)),
  openBanking("AU00601", "operational", "live", durations(1100, 1600, 4100, 500)),
  web("AU00701", "operational", "live", "user-mfa-intermittent", durations(4400, 5300, 14100, 1500)),
  openBanking("AU00701", "under-maintenance", "beta", durations(1500, 2100, 5000, 600)),
  web("AU00801", "operational", "beta", "user", durations(3700, 4500, 11800, 1200)),
  openBanking("AU00801", "operational", "live", durations(1400, 2000, 4800, 600)),
  web("AU00901", "operational", "alpha", "user", durations(5100, 6200, 16900, 1700)),
  openBanking("AU00901", "operational", "beta", durations(1600, 2200, 5300, 600)),
  web("AU01001", "partial-outage", "beta", "user", durations(6900, 8100, 22500, 2300)),
  openBanking("AU01001", "operational", "live", durations(1500, 2100, 5100, 600)),
];

export function findInstitution(id: string): Institution | undefined {
  return INSTITUTIONS.find((institution) => institution.id === id);
}

export function findConnector(institutionId: string, method: string): ConnectorSpec | undefined {
  return CONNECTORS.find(
    (connector) => connector.institutionId === institutionId && connector.method === method,
  );
}

export function requireInstitution(id: string): Institution {
  const institution = findInstitution(id);
  if (!institution) throw new Error(`Unknown institution ${id} in the sandbox catalogue`);
  return institution;
}

export function requireConnector(institutionId: string, method: string): ConnectorSpec {
  const connector = findConnector(institutionId, method);
  if (!connector) throw new Error(`Unknown connector ${institutionId}/${method} in the sandbox catalogue`);
  return connector;
}
