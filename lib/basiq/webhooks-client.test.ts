// The webhook routes of the one Basiq client (webhooks.json): tolerant reading (malformed items left out and
// logged, subscribedEvents as a single string accepted), JSON bodies on the POSTs, no blind retry of a POST.
import { describe, expect, it } from "vitest";

import { basiqError, json, testClient } from "./testing";

describe("Basiq client: notifications", () => {
  it("lists webhooks, leaving out items without an id, reading subscribedEvents as a list", async () => {
    const { client, fake, logs } = testClient();
    fake.onRequest = () =>
      json(200, {
        type: "list",
        data: [
          { id: "w-1", url: "https://console.test/api/basiq/webhooks", status: "active", subscribedEvents: "user.created" },
          { url: "https://no-id.test" },
          { id: "w-2", url: "https://console.test/b", status: "pending-approval", subscribedEvents: ["connection.invalidated"], extra: 1 },
        ],
      });
    const hooks = await client.listWebhooks();
    expect(hooks.map((h) => [h.id, h.subscribedEvents])).toEqual([
      ["w-1", ["user.created"]],
      ["w-2", ["connection.invalidated"]],
    ]);
    expect(logs.lines().some((l) => /left out/.test(String(l.msg)) && l.skipped === 1)).toBe(true);
  });

  it("creates with POST /notifications/webhooks and updates with POST …/{id}, sending JSON, never retried", async () => {
    const { client, fake } = testClient();
    fake.onRequest = (r) => json(r.url.pathname.endsWith("/webhooks") ? 201 : 200, { id: "w-9", url: "https://x.test/h", status: "active", secret: "whsec_abc" });
    const created = await client.saveWebhook({ url: "https://x.test/h", subscribedEvents: ["user.created"] });
    await client.saveWebhook({ id: "w-9", url: "https://x.test/h", subscribedEvents: ["user.deleted"] });
    const [create, update] = fake.apiRequests();
    expect(created).toMatchObject({ id: "w-9", secret: "whsec_abc" });
    expect(create?.key).toBe("POST /notifications/webhooks");
    expect(create?.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(create?.body ?? "")).toEqual({ url: "https://x.test/h", subscribedEvents: ["user.created"] });
    expect(update?.key).toBe("POST /notifications/webhooks/w-9");

    fake.onRequest = () => basiqError(503, "service-unavailable");
    await expect(client.sendTestWebhook("user.created")).rejects.toMatchObject({ status: 503 });
    expect(fake.apiRequests().filter((r) => r.key === "POST /notifications/messages/test")).toHaveLength(1);
  });

  it("reads the message log tolerantly and refuses an unsafe webhook id before calling Basiq", async () => {
    const { client, fake } = testClient();
    fake.onRequest = () =>
      json(200, { type: "list", data: [{ id: "m-1", eventTypeId: "user.created", attempts: ["a", "b"] }, { id: "m-2", attempts: "not a list" }, { nope: true }] });
    const messages = await client.listWebhookMessages("w-1", { limit: 10 });
    expect(messages.map((m) => [m.id, m.attempts])).toEqual([
      ["m-1", ["a", "b"]],
      ["m-2", undefined],
    ]);
    expect(fake.apiRequests()[0]?.url.searchParams.get("limit")).toBe("10");
    await expect(client.listWebhookMessages("../tokens")).rejects.toMatchObject({ name: "BasiqInputError" });
    expect(fake.apiRequests()).toHaveLength(1);
  });
});
