// Everything the sandbox changes at run time, on top of the immutable seeded dataset: deleted and purged
// connections, refresh jobs, connector status overrides and the events they cause. `reset()` forgets it all.
// Views (`viewConnection`, `materialiseJob`) combine the seed with these changes at a given instant, so a
// refresh job advances with the wall clock without any timer running.
import {
  requireConnector,
  type ConnectorMethod,
  type ConnectorSpec,
  type ConnectorStatus,
} from "./catalogue";
import {
  DAY,
  type Dataset,
  type SeedAccount,
  type SeedConnection,
  type SeedJob,
  type SeedStep,
  type SeedUser,
} from "./data";
import { type EventRecord } from "./events";
import { LIVE_STEPS, type JobFailure } from "./failures";

/** How long each step of a refresh job takes: verify-credentials → retrieve-accounts → retrieve-transactions. */
export const REFRESH_STEP_MS = 1000;
/** Open-banking connections: at most 20 refreshes in any 24 hours (BASIQ.md "Refresh"). */
export const OPEN_BANKING_REFRESH_LIMIT = 20;
export const REFRESH_WINDOW_MS = DAY;
/** Runtime job ids use item indexes from here up, far above any seeded job's. */
const RUNTIME_JOB_BASE = 1024;

export interface RuntimeJob {
  id: string;
  /** Global creation order (jobs created in the same millisecond still sort). */
  sequence: number;
  userIndex: number;
  connectionId: string;
  institutionId: string;
  method: ConnectorMethod;
  created: number;
  /** Set when the job fails on its first step (refreshing an invalid connection). */
  failure: JobFailure | null;
}

export class SandboxState {
  private readonly deleted = new Map<string, number>();
  private readonly purged = new Map<string, number>();
  private readonly jobsByConnection = new Map<string, RuntimeJob[]>();
  private readonly jobsById = new Map<string, RuntimeJob>();
  private readonly connectorStatuses = new Map<string, ConnectorStatus>();
  private readonly runtimeEvents: EventRecord[] = [];
  /** Consents revoked through DELETE /users/{userId}/consents/{consentId}, by consent id. */
  private readonly revokedConsents = new Map<string, number>();
  /** Users deleted through DELETE /users/{userId}, by user id. */
  private readonly deletedUsers = new Map<string, number>();
  /** Connections a control call invalidated (POST /__sandbox/connections/invalidate), with when. */
  private readonly invalidated = new Map<string, number>();
  /** Told of every event the sandbox generates at run time (the webhook dispatcher, sandbox/webhooks.ts). */
  private readonly eventListeners = new Set<(event: EventRecord) => void>();
  /** Never reset, so a job id is never reused within one process. */
  private jobSequence = 0;
  /** How far POST /__sandbox/clock has moved the Basiq routes' clock ahead of the wall clock. */
  private clockOffset = 0;

  constructor(private readonly dataset: Dataset) {}

  reset(): void {
    this.deleted.clear();
    this.purged.clear();
    this.jobsByConnection.clear();
    this.jobsById.clear();
    this.connectorStatuses.clear();
    this.runtimeEvents.length = 0;
    this.revokedConsents.clear();
    this.deletedUsers.clear();
    this.invalidated.clear();
    this.clockOffset = 0;
  }

  get clockOffsetMs(): number {
    return this.clockOffset;
  }

  /** Moves the Basiq routes' clock forward (jobs finish, refresh windows pass); reset() moves it back. */
  advanceClock(ms: number): void {
    this.clockOffset += ms;
  }

  isDeleted(connectionId: string): boolean {
    return this.deleted.has(connectionId);
  }

  deleteConnection(user: SeedUser, connection: SeedConnection, now: number): void {
    this.deleted.set(connection.id, now);
    this.recordEvent({
      at: Math.floor(now / 1000) * 1000,
      type: "connection.deleted",
      userIndex: user.index,
      connectionIndex: connection.index,
    });
  }

  consentRevokedAt(consentId: string): number | undefined {
    return this.revokedConsents.get(consentId);
  }

  /** Revokes the consent behind `connection` (once): a `consent.revoked` event joins the stream. */
  revokeConsent(user: SeedUser, connection: SeedConnection, now: number): void {
    if (connection.consentId === null || this.revokedConsents.has(connection.consentId)) return;
    this.revokedConsents.set(connection.consentId, now);
    this.pushEvent("consent.revoked", user.index, connection.index, now);
  }

  isUserDeleted(userId: string): boolean {
    return this.deletedUsers.has(userId);
  }

  /** Deletes the user (once): a `user.deleted` event joins the stream; the user's routes answer 404 from now on. */
  deleteUser(user: SeedUser, now: number): void {
    if (this.deletedUsers.has(user.id)) return;
    this.deletedUsers.set(user.id, now);
    this.pushEvent("user.deleted", user.index, -1, now);
  }

  /** Any runtime event, at whole seconds like Basiq's createdDate (sandbox/events.ts). */
  pushEvent(type: EventRecord["type"], userIndex: number, connectionIndex: number, now: number): void {
    this.recordEvent({ at: Math.floor(now / 1000) * 1000, type, userIndex, connectionIndex });
  }

  /**
   * Every run-time event goes through here: it joins GET /events and is handed to the listeners (webhook
   * deliveries). Sandbox modules adding events (consents, faults, control calls) must use this, not push.
   */
  recordEvent(event: EventRecord): void {
    this.runtimeEvents.push(event);
    for (const listener of this.eventListeners) listener(event);
  }

  /** Calls `listener` with each run-time event; returns the unsubscribe function. */
  onEvent(listener: (event: EventRecord) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /**
   * The bank refused the connection's credentials: a job that has just failed on its first step, the connection
   * now `invalid`, and a `connection.invalidated` event (as a partner's refresh would cause at Basiq).
   */
  invalidateConnection(user: SeedUser, connection: SeedConnection, now: number, failure: JobFailure): RuntimeJob {
    const job = this.startRefresh(connection, now - REFRESH_STEP_MS, failure);
    this.invalidated.set(connection.id, now);
    this.recordEvent({
      at: Math.floor(now / 1000) * 1000,
      type: "connection.invalidated",
      userIndex: user.index,
      connectionIndex: connection.index,
    });
    return job;
  }

  purge(connectionId: string, now: number): void {
    this.purged.set(connectionId, now);
  }

  /**
   * Jobs of the connection created in the 24 hours before `now`, oldest first: every origin counts (the seeded
   * history, the console's refreshes and the partner app's), as Basiq's own job history shows them.
   */
  jobsInWindow(view: ConnectionView, now: number): SeedJob[] {
    return view.jobs.filter((job) => job.created > now - REFRESH_WINDOW_MS && job.created <= now).reverse();
  }

  startRefresh(connection: SeedConnection, now: number, failure: JobFailure | null): RuntimeJob {
    const sequence = this.jobSequence++;
    const job: RuntimeJob = {
      id: this.dataset.ids.encode({
        kind: "job",
        user: connection.userIndex,
        connection: connection.index,
        item: RUNTIME_JOB_BASE + sequence,
      }),
      sequence,
      userIndex: connection.userIndex,
      connectionId: connection.id,
      institutionId: connection.institutionId,
      method: connection.method,
      created: now,
      failure,
    };
    const list = this.jobsByConnection.get(connection.id) ?? [];
    list.push(job);
    this.jobsByConnection.set(connection.id, list);
    this.jobsById.set(job.id, job);
    return job;
  }

  runtimeJob(id: string): RuntimeJob | undefined {
    return this.jobsById.get(id);
  }

  runtimeJobs(connectionId: string): readonly RuntimeJob[] {
    return this.jobsByConnection.get(connectionId) ?? [];
  }

  connectorStatus(connector: ConnectorSpec): ConnectorStatus {
    return (
      this.connectorStatuses.get(connectorKey(connector.institutionId, connector.method)) ?? connector.status
    );
  }

  setConnectorStatus(institutionId: string, method: ConnectorMethod, status: ConnectorStatus): void {
    this.connectorStatuses.set(connectorKey(institutionId, method), status);
  }

  events(): readonly EventRecord[] {
    return this.runtimeEvents;
  }

  // -------------------------------------------------------------------------------------------------------
  // Views

  /** The connection as the API shows it at `now`, or undefined once deleted. */
  viewConnection(connection: SeedConnection, now: number): ConnectionView | undefined {
    if (this.deleted.has(connection.id)) return undefined;
    const runtime = this.runtimeJobs(connection.id);
    const purgedAt = this.purged.get(connection.id);
    // Purged data comes back only when a later refresh has retrieved the accounts again.
    const restored =
      purgedAt === undefined ||
      runtime.some((job) => job.created >= purgedAt && stepDone(job, now, "retrieve-accounts"));
    let lastUsed = connection.lastUsed;
    for (const job of runtime) {
      const finished = finishedAt(job, now);
      if (finished !== null && job.failure === null) lastUsed = Math.max(lastUsed, finished);
    }
    const jobs = [...connection.jobs, ...runtime.map((job) => materialiseJob(job, now))];
    const invalidatedAt = this.invalidated.get(connection.id);
    if (invalidatedAt !== undefined && invalidatedAt <= now) connection = { ...connection, status: "invalid" };
    return { connection, accounts: restored ? connection.accounts : [], lastUsed, jobs: jobs.reverse() };
  }

  /** A user's connections as the API shows them (deleted ones left out). */
  viewConnections(user: SeedUser, now: number): ConnectionView[] {
    const views: ConnectionView[] = [];
    for (const connection of user.connections) {
      const view = this.viewConnection(connection, now);
      if (view) views.push(view);
    }
    return views;
  }

  /** The connector as configured plus any status override. */
  connector(institutionId: string, method: ConnectorMethod): ConnectorSpec {
    const spec = requireConnector(institutionId, method);
    return { ...spec, status: this.connectorStatus(spec) };
  }
}

export interface ConnectionView {
  connection: SeedConnection;
  accounts: SeedAccount[];
  lastUsed: number;
  /** Seeded and runtime jobs, newest first. */
  jobs: SeedJob[];
}

const connectorKey = (institutionId: string, method: string): string => `${institutionId}/${method}`;

/** The state of a refresh job at `now`: one step a second, or a failure on the first step. */
export function materialiseJob(job: RuntimeJob, now: number): SeedJob {
  const completed = Math.min(
    LIVE_STEPS.length,
    Math.max(0, Math.floor((now - job.created) / REFRESH_STEP_MS)),
  );
  const steps = LIVE_STEPS.map((title, i): SeedStep => {
    if (job.failure) {
      if (i > 0) return { title, status: "pending" };
      return completed >= 1
        ? { title, status: "failed", failure: job.failure }
        : { title, status: "in-progress" };
    }
    if (i < completed) return { title, status: "success" };
    if (i === completed) return { title, status: "in-progress" };
    return { title, status: "pending" };
  });
  const transitions = job.failure ? Math.min(completed, 1) : completed;
  return { id: job.id, created: job.created, updated: job.created + transitions * REFRESH_STEP_MS, steps };
}

function stepDone(job: RuntimeJob, now: number, title: SeedStep["title"]): boolean {
  return materialiseJob(job, now).steps.some((step) => step.title === title && step.status === "success");
}

/** When the job finished (success or failure), or null while it runs. */
function finishedAt(job: RuntimeJob, now: number): number | null {
  const steps = job.failure ? 1 : LIVE_STEPS.length;
  const end = job.created + steps * REFRESH_STEP_MS;
  return now >= end ? end : null;
}

/** A job is queued or running until a step fails or every step has succeeded. */
export function isJobRunning(job: SeedJob): boolean {
  return !job.steps.some((step) => step.status === "failed") && job.steps.some((step) => step.status !== "success");
}
