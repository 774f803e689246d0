// Basiq's webhooks, simulated (webhooks.json): subscriptions (POST/GET/DELETE /notifications/webhooks…), a signed
// delivery (Standard Webhooks, the `standardwebhooks` package) to every subscribed URL for every event the
// sandbox generates at run time (SandboxState.recordEvent: connection deletions, invalidations, consent changes…),
// Basiq's retry schedule, the message/attempt log (GET …/{webhookId}/messages) and test messages
// (POST /notifications/messages/test).
//
// Retries follow Basiq's schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), multiplied by
// `retryScale` (SANDBOX_WEBHOOK_RETRY_SCALE; tests use e.g. 0.001 so the whole schedule takes seconds). Timers are
// unref'd and cleared by close().
import { randomBytes, randomUUID } from "node:crypto";

import { Webhook } from "standardwebhooks";

import { type Dataset } from "./data";
import { notFound, parameterNotSupplied, parameterNotValid } from "./errors";
import { eventId, type EventRecord } from "./events";

export const RETRY_SCHEDULE_MS = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

/** Every event type Basiq documents (BASIQ.md "Events and webhooks"); a subscription may name any of them. */
export const WEBHOOK_EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.deleted",
  "connection.created",
  "connection.activated",
  "connection.invalidated",
  "connection.deleted",
  "consent.created",
  "consent.updated",
  "consent.revoked",
  "consent.expired",
  "consent.warning",
  "consent.reminder",
  "account.updated",
  "transactions.updated",
] as const;

const MAX_MESSAGES = 5_000;
const MAX_SUBSCRIPTIONS = 10;
const ATTEMPT_TIMEOUT_MS = 15_000;

export interface Subscription {
  id: string;
  name: string;
  description: string;
  url: string;
  subscribedEvents: string[];
  secret: string;
}

interface Attempt {
  at: number;
  status: number | null;
  error: string | null;
  ms: number;
}

interface Message {
  id: string;
  webhookId: string;
  eventTypeId: string;
  eventId: string;
  payload: string;
  createdAt: number;
  attempts: Attempt[];
  state: "pending" | "delivered" | "failed";
}

export interface WebhookDispatcherOptions {
  dataset: Dataset;
  baseUrl: () => string;
  /** Signing secret for every subscription (the console's BASIQ_WEBHOOK_SECRET); unset = one per subscription. */
  secret?: string;
  retryScale?: number;
  fetch?: typeof globalThis.fetch;
}

export class WebhookDispatcher {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly messages: Message[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private secret: string | undefined;
  private closed = false;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.secret = options.secret;
  }

  /** The signing secret of every subscription from now on (existing ones too). */
  setSecret(secret: string): void {
    new Webhook(secret); // throws on a malformed secret
    this.secret = secret;
    for (const subscription of this.subscriptions.values()) subscription.secret = secret;
  }

  // -------------------------------------------------------------------------------------------------------
  // Subscriptions

  save(body: string, id?: string): Subscription {
    const existing = id === undefined ? undefined : this.subscriptions.get(id);
    if (id !== undefined && !existing) throw notFound(`Webhook ${id} was not found.`);
    const input = parseInput(body);
    if (!existing && this.subscriptions.size >= MAX_SUBSCRIPTIONS)
      throw parameterNotValid("url", `The sandbox keeps at most ${MAX_SUBSCRIPTIONS} webhooks; delete one first.`);
    const subscription: Subscription = {
      id: existing?.id ?? randomUUID(),
      name: input.name ?? existing?.name ?? "",
      description: input.description ?? existing?.description ?? "",
      url: input.url,
      subscribedEvents: input.subscribedEvents ?? existing?.subscribedEvents ?? [...WEBHOOK_EVENT_TYPES],
      secret: existing?.secret ?? this.secret ?? `whsec_${randomBytes(24).toString("base64")}`,
    };
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  list(): Subscription[] {
    return [...this.subscriptions.values()];
  }

  get(id: string): Subscription {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw notFound(`Webhook ${id} was not found.`);
    return subscription;
  }

  delete(id: string): void {
    if (!this.subscriptions.delete(id)) throw notFound(`Webhook ${id} was not found.`);
  }

  messagesOf(webhookId: string, limit: number): Message[] {
    this.get(webhookId);
    return this.messages.filter((m) => m.webhookId === webhookId).slice(-limit).reverse();
  }

  message(webhookId: string, messageId: string): Message {
    const found = this.messages.find((m) => m.webhookId === webhookId && m.id === messageId);
    if (!found) throw notFound(`Message ${messageId} was not found.`);
    return found;
  }

  // -------------------------------------------------------------------------------------------------------
  // Deliveries

  /** A run-time event: one message per subscription that wants its type. */
  deliverEvent(event: EventRecord): void {
    const base = this.options.baseUrl();
    const user = this.options.dataset.user(event.userIndex);
    const connection = event.connectionIndex >= 0 ? user.connections[event.connectionIndex] : undefined;
    const entity = connection ? `${base}/users/${user.id}/connections/${connection.id}` : `${base}/users/${user.id}`;
    this.enqueue(event.type, eventId(this.options.dataset, event), entity);
  }

  /** POST /notifications/messages/test: a message of `eventTypeId` (with no real event behind it) to every subscription. */
  sendTest(body: string): void {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw parameterNotValid("eventTypeId", "The body must be JSON with an eventTypeId.");
    }
    const eventTypeId = (json as { eventTypeId?: unknown } | null)?.eventTypeId;
    if (typeof eventTypeId !== "string" || eventTypeId === "") throw parameterNotSupplied("eventTypeId");
    if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(eventTypeId))
      throw parameterNotValid("eventTypeId", `Unknown event type ${eventTypeId}; GET /events/types lists them.`);
    this.enqueue(eventTypeId, randomBytes(32).toString("hex"), `${this.options.baseUrl()}/events/types`, true);
  }

  private enqueue(eventTypeId: string, id: string, entity: string, test = false): void {
    if (this.closed) return;
    const base = this.options.baseUrl();
    for (const subscription of this.subscriptions.values()) {
      if (!test && !subscription.subscribedEvents.includes(eventTypeId)) continue;
      const messageId = randomUUID();
      const payload = JSON.stringify({
        eventTypeId,
        eventId: id,
        links: {
          self: `${base}/notifications/webhooks/${subscription.id}/messages/${messageId}`,
          event: `${base}/events/${id}`,
          eventEntity: entity,
          webhook: `${base}/notifications/webhooks/${subscription.id}`,
        },
      });
      const message: Message = { id: messageId, webhookId: subscription.id, eventTypeId, eventId: id, payload, createdAt: Date.now(), attempts: [], state: "pending" };
      this.messages.push(message);
      if (this.messages.length > MAX_MESSAGES) this.messages.splice(0, this.messages.length - MAX_MESSAGES);
      this.schedule(message, 0);
    }
  }

  private schedule(message: Message, attempt: number): void {
    const delay = Math.round((RETRY_SCHEDULE_MS[attempt] ?? 0) * (this.options.retryScale ?? 1));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(message, attempt);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(message: Message, attempt: number): Promise<void> {
    const subscription = this.subscriptions.get(message.webhookId);
    if (!subscription || this.closed) {
      message.state = "failed";
      return;
    }
    const started = Date.now();
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), ATTEMPT_TIMEOUT_MS);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const signature = new Webhook(subscription.secret).sign(message.id, new Date(), message.payload);
      const response = await (this.options.fetch ?? globalThis.fetch)(subscription.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": message.id,
          "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
          "webhook-signature": signature,
        },
        body: message.payload,
        signal: controller.signal,
        redirect: "manual",
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = controller.signal.aborted ? "timeout" : e instanceof Error ? e.message : "network error";
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    message.attempts.push({ at: started, status, error, ms: Date.now() - started });
    if (status !== null && status >= 200 && status <= 299) {
      message.state = "delivered";
      return;
    }
    if (attempt + 1 < RETRY_SCHEDULE_MS.length && !this.closed) this.schedule(message, attempt + 1);
    else message.state = "failed";
  }

  /** Forgets the message log and pending retries (POST /__sandbox/reset); subscriptions stay, like the API key. */
  reset(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.messages.length = 0;
  }

  close(): void {
    this.closed = true;
    this.reset();
    for (const controller of this.inFlight) controller.abort();
  }

  // -------------------------------------------------------------------------------------------------------
  // Wire format

  presentSubscription(subscription: Subscription, withSecret: boolean) {
    return {
      type: "webhook",
      id: subscription.id,
      name: subscription.name,
      description: subscription.description,
      url: subscription.url,
      status: "active",
      subscribedEvents: subscription.subscribedEvents,
      ...(withSecret ? { secret: subscription.secret } : {}),
      links: { self: `${this.options.baseUrl()}/notifications/webhooks/${subscription.id}` },
    };
  }

  presentMessage(message: Message) {
    const base = this.options.baseUrl();
    return {
      type: "message",
      id: message.id,
      webhookId: message.webhookId,
      event: message.eventTypeId,
      eventTypeId: message.eventTypeId,
      eventId: message.eventId,
      status: message.state,
      createdDate: new Date(message.createdAt).toISOString(),
      payload: JSON.parse(message.payload) as unknown,
      attempts: message.attempts.map(
        (a) => `${new Date(a.at).toISOString()} ${a.status === null ? (a.error ?? "error") : `HTTP ${a.status}`} ${a.ms} ms`,
      ),
      links: {
        self: `${base}/notifications/webhooks/${message.webhookId}/messages/${message.id}`,
        event: `${base}/events/${message.eventId}`,
        webhook: `${base}/notifications/webhooks/${message.webhookId}`,
      },
    };
  }
}

function parseInput(body: string): { url: string; subscribedEvents?: string[]; name?: string; description?: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw parameterNotValid("url", "The body must be JSON with a url.");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw parameterNotSupplied("url");
  const { url, subscribedEvents, name, description } = json as Record<string, unknown>;
  if (typeof url !== "string" || url === "") throw parameterNotSupplied("url");
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || url.length > 2000)
    throw parameterNotValid("url", "url must be an http(s) URL.");
  // Basiq's own example sends a single string; an array is the documented type.
  const events = typeof subscribedEvents === "string" ? [subscribedEvents] : subscribedEvents;
  if (events !== undefined) {
    if (!Array.isArray(events) || events.length === 0 || events.some((e) => typeof e !== "string" || !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e)))
      throw parameterNotValid("subscribedEvents", `subscribedEvents must list event types among: ${WEBHOOK_EVENT_TYPES.join(", ")}.`);
  }
  const text = (v: unknown, field: string) => {
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v.length > 500) throw parameterNotValid(field, `${field} must be text of at most 500 characters.`);
    return v;
  };
  return { url, subscribedEvents: events as string[] | undefined, name: text(name, "name"), description: text(description, "description") };
}

