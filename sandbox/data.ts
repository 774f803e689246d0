// The seeded, deterministic dataset. Nothing is generated up front: user i (with its connections,
// accounts and job history) is built on demand from (seed, i), so 100,000 users start instantly and cost
// no memory until asked for. Timestamps are offsets back from `anchor` (by default the start of the current
// UTC hour), so "the last 30 days" stays true while the same seed gives the same data.
import { requireConnector, requireInstitution, type ConnectorMethod, type ConnectorSpec } from "./catalogue";
import { LIVE_STEPS, STATEMENT_STEPS, type JobFailure, type StepStatus, type StepTitle } from "./failures";
import { IdCodec, MAX_USERS, type EntityAddress } from "./ids";
import { PERSONAS, type Persona } from "./personas";
import { personaPlans, randomPlans, type ConnectionPlan, type JobOutcome } from "./plans";
import { Rng, hash32, hashString } from "./random";
import { DAY, HOUR, MINUTE } from "./time";
import {
  ACCOUNT_TEMPLATES,
  BUSINESS_TRADES,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  STREETS,
  SUBURBS,
} from "./words";

export { CONNECTOR_STATUSES, CONNECTOR_STAGES, AUTHORIZATION_TYPES, INSTITUTION_TIERS } from "./catalogue";
export { JOB_FAILURE_CODES, JOB_RESULT_CODES, GUIDE_ONLY_FAILURE_CODES } from "./failures";
export { PERSONAS } from "./personas";

export { MINUTE, HOUR, DAY } from "./time";

/**
 * Connection statuses the seeded data uses (the spec also has `pre-init`, which a v3 console never sees).
 * Random users get the spec's three; the odd-states persona (personas.ts) also shows the states Basiq documents
 * outside the spec: `init` (open banking, mid-consent), `revoked`, `deleted` (see sandbox/spec-errata.ts).
 */
export const CONNECTION_STATUSES = ["active", "pending", "invalid", "init", "revoked", "deleted"] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** A step title Basiq may add that the console does not know (the odd-states persona's newest job has one). */
export const UNKNOWN_STEP_TITLE = "retrieve-meta";

export type AccountClass = "transaction" | "savings" | "credit-card" | "mortgage" | "loan";

export interface SeedAccount {
  id: string;
  name: string;
  product: string;
  classType: AccountClass;
  accountNo: string;
  balance: string;
  availableFunds: string | null;
}

export interface SeedStep {
  /** A known step, or UNKNOWN_STEP_TITLE (odd-states persona only). */
  title: StepTitle | typeof UNKNOWN_STEP_TITLE;
  status: StepStatus;
  /** Set when status is "failed". */
  failure?: JobFailure;
}

export interface SeedJob {
  id: string;
  created: number;
  updated: number;
  steps: SeedStep[];
}

export interface SeedConnection {
  id: string;
  index: number;
  userIndex: number;
  institutionId: string;
  method: ConnectorMethod;
  status: ConnectionStatus;
  createdDate: number;
  /** Open-banking consents expire; other methods have none (the wire shows ""). */
  expiryDate: number | null;
  lastUsed: number;
  mfaEnabled: boolean;
  accounts: SeedAccount[];
  /** Oldest first. */
  jobs: SeedJob[];
  /** Open-banking connections rest on a CDR consent. */
  consentId: string | null;
}

export interface SeedAddress {
  line1: string;
  suburb: string;
  state: string;
  postcode: string;
}

export interface SeedBusiness {
  name: string;
  abn: string;
  verificationDate: string;
}

export interface SeedUser {
  index: number;
  id: string;
  firstName: string;
  middleName: string;
  lastName: string;
  email: string;
  mobile: string;
  address: SeedAddress;
  business: SeedBusiness | null;
  createdDate: number;
  updatedDate: number | null;
  connections: SeedConnection[];
  persona: Persona | null;
}

export interface PersonaSummary {
  index: number;
  userId: string;
  loginId: string;
  name: string;
  demonstrates: Persona["demonstrates"];
  story: string;
  /** For failing personas: the connection and job that show the failure, and the step it failed on. */
  connectionId: string | null;
  failedJobId: string | null;
  failedStep: StepTitle | null;
}

export interface DatasetOptions {
  users: number;
  seed: number;
  /** Epoch ms that "now" means for the seeded history; defaults to the start of the current UTC hour. */
  anchor?: number;
}

export interface Dataset {
  readonly userCount: number;
  readonly seed: number;
  readonly anchor: number;
  readonly ids: IdCodec;
  userId(index: number): string;
  /**
   * User `index` with its connections and job history. Throws RangeError outside [0, userCount).
   * `cache: false` builds without touching the small cache (for scans over every user).
   */
  user(index: number, options?: { cache?: boolean }): SeedUser;
  findUser(id: string): SeedUser | undefined;
  /** The decoded address of an id, if this dataset issued it. */
  address(id: string): EntityAddress | undefined;
  personas(): PersonaSummary[];
}

/** Upper bound enforced by config; ids can address 16M users, memory is the practical limit. */
export const MAX_SANDBOX_USERS = Math.min(MAX_USERS, 1_000_000);

export function generateDataset(options: DatasetOptions): Dataset {
  const { users, seed } = options;
  if (!Number.isInteger(users) || users < 0 || users > MAX_SANDBOX_USERS) {
    throw new RangeError(`users must be an integer in [0, ${MAX_SANDBOX_USERS}], got ${users}`);
  }
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const anchor = options.anchor ?? Math.floor(Date.now() / HOUR) * HOUR;
  const ids = new IdCodec(seed);
  const generator = new UserGenerator(seed, anchor, ids);
  // Consumers (a sweep, a page) ask for the same user several times in a row; a small cache avoids rebuilding.
  const cache = new Map<number, SeedUser>();
  const CACHE_SIZE = 2048;

  const user = (index: number, options: { cache?: boolean } = {}): SeedUser => {
    if (!Number.isInteger(index) || index < 0 || index >= users) {
      throw new RangeError(`No user ${index}: the dataset has ${users} users`);
    }
    if (options.cache === false) return cache.get(index) ?? generator.build(index);
    const cached = cache.get(index);
    if (cached) return cached;
    const built = generator.build(index);
    if (cache.size >= CACHE_SIZE) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(index, built);
    return built;
  };

  return {
    userCount: users,
    seed,
    anchor,
    ids,
    userId: (index) => ids.encode({ kind: "user", user: index, connection: 0, item: 0 }),
    user,
    findUser(id) {
      const address = ids.decode(id);
      if (!address || address.kind !== "user" || address.user >= users) return undefined;
      return user(address.user);
    },
    address: (id) => ids.decode(id),
    personas() {
      const count = Math.min(users, PERSONAS.length);
      const summaries: PersonaSummary[] = [];
      for (let index = 0; index < count; index++) summaries.push(summarisePersona(user(index)));
      return summaries;
    },
  };
}

function summarisePersona(user: SeedUser): PersonaSummary {
  const persona = user.persona;
  if (!persona) throw new Error(`User ${user.index} is not a persona`);
  let connectionId: string | null = null;
  let failedJobId: string | null = null;
  let failedStep: StepTitle | null = null;
  for (const connection of user.connections) {
    for (const job of connection.jobs) {
      const failed = job.steps.find((step) => step.status === "failed");
      if (failed && failed.title !== UNKNOWN_STEP_TITLE && failed.failure?.code === persona.demonstrates) {
        connectionId = connection.id;
        failedJobId = job.id;
        failedStep = failed.title;
      }
    }
  }
  return {
    index: user.index,
    userId: user.id,
    loginId: persona.loginId,
    name: `${persona.firstName} ${persona.lastName}`,
    demonstrates: persona.demonstrates,
    story: persona.story,
    connectionId,
    failedJobId,
    failedStep,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Generation

/** Step durations for the seeded history come from the connector's averages, jittered. */
function stepDuration(rng: Rng, connector: ConnectorSpec, title: StepTitle): number {
  const averages = connector.averageDurationMs;
  const base =
    title === "verify-credentials"
      ? averages.verifyCredentials
      : title === "retrieve-accounts"
        ? averages.retrieveAccounts
        : title === "retrieve-transactions"
          ? averages.retrieveTransactions
          : averages.retrieveMeta * 2;
  return Math.max(500, Math.round(base * (0.6 + rng.next() * 0.8)));
}

/** Basiq timestamps carry whole seconds. */
const toSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;

class UserGenerator {
  constructor(
    private readonly seed: number,
    private readonly anchor: number,
    private readonly ids: IdCodec,
  ) {}

  build(index: number): SeedUser {
    const rng = new Rng(hash32(this.seed, index, hashString("user")));
    const persona = PERSONAS[index] ?? null;
    const firstName = persona?.firstName ?? rng.pick(FIRST_NAMES);
    const lastName = persona?.lastName ?? rng.pick(LAST_NAMES);
    const middleName = persona ? persona.middleName : rng.chance(0.25) ? rng.pick(FIRST_NAMES) : "";
    const emailLocal = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.-]/g, "");
    const email = persona?.email ?? `${emailLocal}${rng.int(1, 99)}@${rng.pick(EMAIL_DOMAINS)}`;
    // AU mobiles in E.164: +61 4XX XXX XXX.
    const mobile = `+614${rng.digits(8)}`;
    const [suburb, state, postcode] = rng.pick(SUBURBS);
    const address: SeedAddress = {
      line1: `${rng.int(1, 240)} ${rng.pick(STREETS)}`,
      suburb,
      state,
      postcode,
    };

    // Personas are long-standing; otherwise 10% of users signed up in the last fortnight (so /events has news).
    const ageMs = persona
      ? rng.int(400, 700) * DAY + rng.int(0, DAY)
      : rng.chance(0.1)
        ? rng.int(2 * HOUR, 14 * DAY)
        : rng.int(14 * DAY, 540 * DAY);
    const createdDate = toSecond(this.anchor - ageMs);
    const updatedDate =
      !persona && rng.chance(0.15) ? toSecond(createdDate + rng.next() * (this.anchor - createdDate)) : null;
    const business =
      !persona && rng.chance(0.06)
        ? {
            name: `${lastName} ${rng.pick(BUSINESS_TRADES)} Pty Ltd`,
            abn: `${rng.int(10, 99)} ${rng.digits(3)} ${rng.digits(3)} ${rng.digits(3)}`,
            verificationDate: formatDayMonthYear(createdDate + DAY),
          }
        : null;

    const plans = persona ? personaPlans(index, rng, ageMs) : randomPlans(rng, ageMs);
    const connections = plans.map((plan, connectionIndex) =>
      this.buildConnection(rng, index, connectionIndex, plan, createdDate),
    );
    return {
      index,
      id: this.ids.encode({ kind: "user", user: index, connection: 0, item: 0 }),
      firstName,
      middleName,
      lastName,
      email,
      mobile,
      address,
      business,
      createdDate,
      updatedDate,
      connections,
      persona,
    };
  }

  private buildConnection(
    rng: Rng,
    userIndex: number,
    index: number,
    plan: ConnectionPlan,
    userCreated: number,
  ): SeedConnection {
    const connector = requireConnector(plan.institutionId, plan.method);
    const institution = requireInstitution(plan.institutionId);
    const createdDate = toSecond(Math.max(userCreated + MINUTE, this.anchor - plan.createdAgo));
    const jobs = this.buildJobs(rng, userIndex, index, plan, connector, createdDate);
    const lastSuccess = [...jobs]
      .reverse()
      .find((job) => job.steps.every((step) => step.status === "success"));
    const accounts = plan.accountClasses.map((classType, accountIndex) => {
      const template = rng.pick(ACCOUNT_TEMPLATES[classType]);
      const { balance, availableFunds } = balances(rng, classType);
      return {
        id: this.ids.encode({ kind: "account", user: userIndex, connection: index, item: accountIndex }),
        name: template,
        product: `${institution.shortName} ${template}`,
        classType,
        accountNo: `${rng.digits(6)}${rng.digits(8)}`,
        balance,
        availableFunds,
      };
    });
    return {
      id: this.ids.encode({ kind: "connection", user: userIndex, connection: index, item: 0 }),
      index,
      userIndex,
      institutionId: plan.institutionId,
      method: plan.method,
      status: plan.status,
      createdDate,
      // CDR consents last at most 12 months.
      expiryDate: plan.method === "openbanking" ? createdDate + 365 * DAY : null,
      lastUsed: lastSuccess ? lastSuccess.updated : createdDate,
      mfaEnabled: plan.method === "web" && connector.authorization.startsWith("user-mfa") && rng.chance(0.6),
      accounts,
      jobs,
      consentId:
        plan.method === "openbanking"
          ? this.ids.encode({ kind: "consent", user: userIndex, connection: index, item: 0 })
          : null,
    };
  }

  private buildJobs(
    rng: Rng,
    userIndex: number,
    connectionIndex: number,
    plan: ConnectionPlan,
    connector: ConnectorSpec,
    createdDate: number,
  ): SeedJob[] {
    const count = plan.outcomes.length;
    const windowStart = Math.max(createdDate, this.anchor - 30 * DAY);
    const windowEnd = Math.max(windowStart, this.anchor - 15 * MINUTE);
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      // The first job of a connection made inside the window is the one its creation started.
      const isCreationJob = i === 0 && createdDate >= this.anchor - 30 * DAY;
      times.push(isCreationJob ? createdDate + 5000 : windowStart + rng.next() * (windowEnd - windowStart));
    }
    times.sort((a, b) => a - b);
    const steps = plan.method === "csv" || plan.method === "pdf" ? STATEMENT_STEPS : LIVE_STEPS;
    return plan.outcomes.map((outcome, item) => {
      // A job still running started a few minutes ago.
      const time =
        outcome.kind === "in-progress" ? this.anchor - rng.int(1, 9) * MINUTE : (times[item] ?? windowEnd);
      const created = toSecond(time);
      const { steps: builtSteps, elapsed } = buildSteps(rng, connector, steps, outcome);
      // The odd-states persona's newest job ends with a step this console does not know.
      if (plan.unknownStepInNewestJob && item === plan.outcomes.length - 1) {
        builtSteps.push({ title: UNKNOWN_STEP_TITLE, status: "success" });
      }
      return {
        id: this.ids.encode({ kind: "job", user: userIndex, connection: connectionIndex, item }),
        created,
        updated: toSecond(created + elapsed),
        steps: builtSteps,
      };
    });
  }
}

function buildSteps(
  rng: Rng,
  connector: ConnectorSpec,
  titles: readonly StepTitle[],
  outcome: JobOutcome,
): { steps: SeedStep[]; elapsed: number } {
  const stopAt =
    outcome.kind === "failed"
      ? titles.indexOf(outcome.failure.step)
      : outcome.kind === "in-progress"
        ? rng.int(0, titles.length - 1)
        : titles.length;
  if (stopAt < 0) throw new Error(`Failure step not among ${titles.join(", ")}`);
  let elapsed = 0;
  const steps = titles.map((title, i): SeedStep => {
    if (i < stopAt) {
      elapsed += stepDuration(rng, connector, title);
      return { title, status: "success" };
    }
    if (i === stopAt && outcome.kind === "failed") {
      elapsed += stepDuration(rng, connector, title);
      return { title, status: "failed", failure: outcome.failure };
    }
    if (i === stopAt && outcome.kind === "in-progress") return { title, status: "in-progress" };
    return { title, status: "pending" };
  });
  return { steps, elapsed };
}

function balances(rng: Rng, classType: AccountClass): { balance: string; availableFunds: string | null } {
  const money = (cents: number) => (cents / 100).toFixed(2);
  switch (classType) {
    case "transaction": {
      const cents = rng.int(-20_000, 1_500_000);
      return { balance: money(cents), availableFunds: money(Math.max(cents, 0)) };
    }
    case "savings": {
      const cents = rng.int(0, 8_000_000);
      return { balance: money(cents), availableFunds: money(cents) };
    }
    case "credit-card": {
      const limit = rng.pick([300_000, 600_000, 1_000_000, 2_000_000]);
      const owed = rng.int(0, limit);
      return { balance: money(-owed), availableFunds: money(limit - owed) };
    }
    case "mortgage": {
      const owed = rng.int(15_000_000, 85_000_000);
      return { balance: money(-owed), availableFunds: rng.chance(0.5) ? money(rng.int(0, 5_000_000)) : null };
    }
    case "loan": {
      const owed = rng.int(200_000, 4_500_000);
      return { balance: money(-owed), availableFunds: null };
    }
  }
}

function formatDayMonthYear(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${pad(date.getUTCMonth() + 1)}/${date.getUTCFullYear()}`;
}
