// Handlers of the webhook routes (webhooks.json) and GET /events/{eventId} (what a webhook's thin payload points
// to). Registered in sandbox/routes.ts; the state lives in sandbox/webhooks.ts.
import { notFound, parameterNotValid } from "./errors";
import { eventId, type EventRecord } from "./events";
import type { RouteContext, RouteReply, RouteRequest } from "./routes";
import { presentEvent } from "./wire";

const seededIndex = new WeakMap<readonly EventRecord[], Map<string, EventRecord>>();

export async function getEvent(context: RouteContext, request: RouteRequest): Promise<RouteReply> {
  const id = request.params.eventId ?? "";
  let found = context.state.events().find((event) => eventId(context.dataset, event) === id);
  if (!found) {
    const seeded = await context.seededEvents();
    let index = seededIndex.get(seeded);
    if (!index) {
      index = new Map(seeded.map((event) => [eventId(context.dataset, event), event]));
      seededIndex.set(seeded, index);
    }
    found = index.get(id);
  }
  if (!found) throw notFound(`Event ${id} was not found.`);
  return { status: 200, body: presentEvent(context.dataset, found, context.baseUrl) };
}

export function createWebhook(context: RouteContext, request: RouteRequest): RouteReply {
  const subscription = context.webhooks.save(request.body);
  return { status: 201, body: context.webhooks.presentSubscription(subscription, true) };
}

export function updateWebhook(context: RouteContext, request: RouteRequest): RouteReply {
  const subscription = context.webhooks.save(request.body, request.params.webhookId ?? "");
  return { status: 200, body: context.webhooks.presentSubscription(subscription, true) };
}

export function listWebhooks(context: RouteContext): RouteReply {
  const data = context.webhooks.list().map((s) => context.webhooks.presentSubscription(s, false));
  return { status: 200, body: { type: "list", count: data.length, size: data.length, data, links: { self: `${context.baseUrl}/notifications/webhooks` } } };
}

export function getWebhook(context: RouteContext, request: RouteRequest): RouteReply {
  return { status: 200, body: context.webhooks.presentSubscription(context.webhooks.get(request.params.webhookId ?? ""), false) };
}

export function deleteWebhook(context: RouteContext, request: RouteRequest): RouteReply {
  context.webhooks.delete(request.params.webhookId ?? "");
  return { status: 204 };
}

export function listWebhookMessages(context: RouteContext, request: RouteRequest): RouteReply {
  const limitText = request.query.get("limit");
  const limit = limitText === null ? 500 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw parameterNotValid("limit", "limit must be an integer from 1 to 500.");
  const webhookId = request.params.webhookId ?? "";
  const data = context.webhooks.messagesOf(webhookId, limit).map((m) => context.webhooks.presentMessage(m));
  return {
    status: 200,
    body: { type: "list", count: data.length, size: data.length, data, links: { self: `${context.baseUrl}${request.pathAndQuery}` } },
  };
}

export function getWebhookMessage(context: RouteContext, request: RouteRequest): RouteReply {
  const message = context.webhooks.message(request.params.webhookId ?? "", request.params.messageId ?? "");
  return { status: 200, body: context.webhooks.presentMessage(message) };
}

export function sendTestMessage(context: RouteContext, request: RouteRequest): RouteReply {
  context.webhooks.sendTest(request.body);
  return { status: 201 };
}
