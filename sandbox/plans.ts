// Connection plans: which connections a user has, and the outcome of each of their jobs. Basiq's personas and
// the failing personas have fixed plans; everyone else gets a seeded random one.
import { INSTITUTIONS, requireConnector, type ConnectorMethod, type ConnectorSpec } from "./catalogue";
import type { AccountClass, ConnectionStatus } from "./data";
import { JOB_FAILURES, requireFailure, type JobFailure, type JobFailureCode } from "./failures";
import { ODD_STATES_LOGIN, PERSONAS } from "./personas";
import { type Rng } from "./random";
import { DAY, HOUR, MINUTE } from "./time";

export type JobOutcome =
  { kind: "success" } | { kind: "failed"; failure: JobFailure } | { kind: "in-progress" };

export interface ConnectionPlan {
  institutionId: string;
  method: ConnectorMethod;
  status: ConnectionStatus;
  /** Ages (ms before anchor) of the connection's creation. */
  createdAgo: number;
  /** Outcomes oldest first; the number of jobs is its length. */
  outcomes: JobOutcome[];
  accountClasses: AccountClass[];
  /** The newest job gets a trailing step with a title the console does not know (odd-states persona). */
  unknownStepInNewestJob?: boolean;
}

export const SUCCESS: JobOutcome = { kind: "success" };
export const IN_PROGRESS: JobOutcome = { kind: "in-progress" };
const failed = (code: JobFailureCode): JobOutcome => ({ kind: "failed", failure: requireFailure(code) });

export function personaPlans(index: number, rng: Rng, userAgeMs: number): ConnectionPlan[] {
  const connectedAgo = () => Math.min(userAgeMs - HOUR, rng.int(60 * DAY, 180 * DAY));
  const live = (
    institutionId: string,
    method: ConnectorMethod,
    outcomes: JobOutcome[],
    accountClasses: AccountClass[],
    status: ConnectionStatus = "active",
  ): ConnectionPlan => ({
    institutionId,
    method,
    status,
    createdAgo: connectedAgo(),
    outcomes,
    accountClasses,
  });

  if (PERSONAS[index]?.loginId === ODD_STATES_LOGIN) {
    // One connection in each state Basiq documents, and a job with a step title this console does not know.
    return [
      {
        ...live("AU00000", "web", [SUCCESS, SUCCESS, SUCCESS], ["transaction", "savings"]),
        unknownStepInNewestJob: true,
      },
      {
        institutionId: "AU00201",
        method: "openbanking",
        status: "pending",
        createdAgo: 25 * MINUTE,
        outcomes: [IN_PROGRESS],
        accountClasses: [],
      },
      live("AU00004", "web", [SUCCESS, failed("invalid-credentials")], ["transaction"], "invalid"),
      {
        institutionId: "AU00301",
        method: "openbanking",
        status: "init",
        createdAgo: 3 * MINUTE,
        outcomes: [IN_PROGRESS],
        accountClasses: [],
      },
      live("AU00000", "openbanking", [SUCCESS, SUCCESS], ["transaction"], "revoked"),
      live("AU00101", "web", [SUCCESS], ["savings"], "deleted"),
    ];
  }
  switch (index) {
    case 0: // Wentworth-Smith
      return [
        live(
          "AU00000",
          "web",
          [SUCCESS, SUCCESS, SUCCESS, SUCCESS],
          ["transaction", "mortgage", "credit-card"],
        ),
      ];
    case 1: // Whistler
      return [
        live("AU00000", "openbanking", [SUCCESS, SUCCESS, SUCCESS], ["transaction", "credit-card"]),
        live("AU00101", "web", [SUCCESS, SUCCESS], ["savings"]),
      ];
    case 2: // Gilfoyle
      return [
        live("AU00004", "web", [SUCCESS, SUCCESS, SUCCESS], ["transaction"]),
        // Consented 362 days ago: the consent expires in 3 days, so the feed shows its 7-day warning and the
        // fourth 90-day reminder (personas are at least 400 days old).
        { ...live("AU00000", "openbanking", [SUCCESS, SUCCESS], ["transaction", "credit-card"]), createdAgo: 362 * DAY },
      ];
    case 3: // gavinBelson
      return [
        live("AU00000", "web", [SUCCESS, SUCCESS, IN_PROGRESS], ["transaction", "savings", "credit-card"]),
        {
          institutionId: "AU00201",
          method: "openbanking",
          status: "pending",
          createdAgo: 20 * MINUTE,
          outcomes: [IN_PROGRESS],
          accountClasses: [],
        },
      ];
    case 4: // jared
      return [
        live("AU00000", "web", [SUCCESS, SUCCESS, SUCCESS], ["transaction", "loan"]),
        live("AU00301", "openbanking", [SUCCESS, SUCCESS], ["savings"]),
      ];
    default: {
      const failure = JOB_FAILURES[index - 5];
      if (!failure) throw new Error(`No persona plan for user ${index}`);
      const isStatement = failure.method === "csv" || failure.method === "pdf";
      const plan = live(
        failure.institutionId,
        failure.method,
        [SUCCESS, SUCCESS, failed(failure.code)],
        isStatement ? ["transaction"] : ["transaction", "savings"],
        failure.invalidatesConnection ? "invalid" : "active",
      );
      if (failure.code !== "invalid-connection") return [plan];
      // Both ways an open-banking consent ends, inside the events feed's 7 days: this consent expired 2 days
      // ago; a second one, made 3 days ago, was revoked by the user (its connection invalidated since).
      return [
        { ...plan, createdAgo: 367 * DAY },
        {
          institutionId: "AU00000",
          method: "openbanking",
          status: "invalid",
          createdAgo: 3 * DAY,
          outcomes: [SUCCESS, failed("invalid-connection")],
          accountClasses: ["transaction"],
        },
      ];
    }
  }
}

const INSTITUTION_WEIGHTS = INSTITUTIONS.map((institution) => [institution.id, institution.weight] as const);

/** Failure codes that go with a connector's (start-up) status, for jobs in the last three days. */
const OUTAGE_CODES: Partial<Record<ConnectorSpec["status"], JobFailureCode>> = {
  "major-outage": "system-unavailable",
  "partial-outage": "institution-not-available",
  "under-maintenance": "maintenance",
  "degraded-performance": "job-timed-out",
};

export function randomPlans(rng: Rng, userAgeMs: number): ConnectionPlan[] {
  const count = rng.weighted([
    [0, 10],
    [1, 35],
    [2, 30],
    [3, 15],
    [4, 10],
  ] as const);
  const plans: ConnectionPlan[] = [];
  for (let i = 0; i < count; i++) {
    const institutionId = rng.weighted(INSTITUTION_WEIGHTS);
    const method: ConnectorMethod = rng.chance(0.55) ? "openbanking" : "web";
    const connector = requireConnector(institutionId, method);
    const status = rng.weighted([
      ["active", 82],
      ["invalid", 11],
      ["pending", 7],
    ] as const);
    if (status === "pending") {
      // Consent still being given: created in the last two hours, its first job still running.
      const createdAgo = Math.min(userAgeMs - MINUTE, rng.int(10 * MINUTE, 2 * HOUR));
      plans.push({ institutionId, method, status, createdAgo, outcomes: [IN_PROGRESS], accountClasses: [] });
      continue;
    }
    const createdAgo = Math.max(HOUR, Math.min(userAgeMs - MINUTE, rng.int(HOUR, 400 * DAY)));
    const jobCount = rng.int(1, 6);
    const outcomes: JobOutcome[] = [];
    for (let j = 0; j < jobCount; j++) {
      const newest = j === jobCount - 1;
      if (newest && status === "invalid") {
        outcomes.push(
          failed(
            method === "openbanking"
              ? "invalid-connection"
              : rng.pick(["invalid-credentials", "user-action-required"] as const),
          ),
        );
      } else if (newest && rng.chance(0.04)) {
        outcomes.push(IN_PROGRESS);
      } else {
        outcomes.push(randomOutcome(rng, connector, newest));
      }
    }
    const accountCount = rng.int(1, 3);
    const accountClasses: AccountClass[] = ["transaction"];
    for (let a = 1; a < accountCount; a++) {
      accountClasses.push(
        rng.weighted([
          ["savings", 25],
          ["credit-card", 20],
          ["mortgage", 10],
          ["loan", 5],
        ] as const),
      );
    }
    plans.push({ institutionId, method, status, createdAgo, outcomes, accountClasses });
  }
  return plans;
}

/** Failures of random users' jobs, by relative frequency (transient, bank-side ones most common). */
const RANDOM_FAILURES: readonly (readonly [JobFailureCode, number])[] = [
  ["system-unavailable", 3],
  ["connector-error", 3],
  ["unknown-error", 2],
  ["job-timed-out", 2],
  ["institution-not-available", 2],
  ["maintenance", 2],
  ["user-action-required", 2],
  ["account-not-accessible-requires-user-action", 2],
  ["invalid-credentials", 2],
  ["invalid-connection", 1],
];

function randomOutcome(rng: Rng, connector: ConnectorSpec, newest: boolean): JobOutcome {
  const outageCode = OUTAGE_CODES[connector.status];
  // Connectors in trouble fail their latest jobs with the matching code: lets the console link outages to users.
  if (outageCode && newest && rng.chance(0.35)) return failed(outageCode);
  if (!rng.chance(0.08)) return SUCCESS;
  const candidates = RANDOM_FAILURES.filter(([code]) => {
    // An active connection's newest job cannot be a failure that invalidates the connection.
    if (newest && requireFailure(code).invalidatesConnection) return false;
    // Consent failures belong to open banking, password failures to web.
    if (code === "invalid-connection") return connector.method === "openbanking";
    if (code === "invalid-credentials") return connector.method === "web";
    return true;
  });
  return failed(rng.weighted(candidates));
}
