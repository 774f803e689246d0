// Input fuzzing of the public webhook receiver (POST /api/basiq/webhooks, issue 17 §1): garbage in every header
// and the body, signed with the wrong key, or validly signed around garbage. Every unsigned or wrongly signed case
// is a 401 (413 when too large) with nothing stored and nothing processed; no case throws or answers 5xx; a
// validly signed garbage body is stored once and ends "ignored" without a Basiq call.
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { webhookDeliveries } from "@/lib/db/schema";
import { receiveWebhook } from "@/lib/webhooks/receive";
import { OTHER_SECRET, signedHeaders, TEST_SECRET } from "@/lib/webhooks/test-support";
import { createTestDatabase, type TestDatabase } from "@/test/db";

import { stringCorpus } from "./corpus";
import { STACK_TRACE } from "./harness";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

const stored = async () => (await t.db.select({ n: count() }).from(webhookDeliveries))[0]!.n;

async function post(headers: Record<string, string>, body: string, scheduled: string[]): Promise<Response> {
  let request: Request;
  try {
    request = new Request("http://console.test/api/basiq/webhooks", { method: "POST", headers, body });
  } catch {
    // A header value fetch itself refuses (control characters): it never reaches the route.
    return new Response(null, { status: 400 });
  }
  return receiveWebhook(request, { db: async () => t.db, secrets: [TEST_SECRET], schedule: (id) => void scheduled.push(id) });
}

describe("the webhook receiver refuses garbage without storing it", () => {
  it("garbage headers and bodies, unsigned or wrongly signed → 401/413, nothing stored, nothing scheduled", async () => {
    const body = JSON.stringify({ eventTypeId: "user.created", eventId: "e-1", links: {} });
    const good = signedHeaders("msg_fuzz", body);
    const values = stringCorpus("msg_fuzz", 171, 60).map((v) => v.value).filter((v): v is string => typeof v === "string");
    const cases: { label: string; headers: Record<string, string>; body: string }[] = [];
    for (const [i, v] of values.entries()) {
      cases.push({ label: `webhook-id #${i}`, headers: { ...good, "webhook-id": v }, body });
      cases.push({ label: `webhook-timestamp #${i}`, headers: { ...good, "webhook-timestamp": v }, body });
      cases.push({ label: `webhook-signature #${i}`, headers: { ...good, "webhook-signature": v }, body });
      cases.push({ label: `body #${i}`, headers: good, body: v });
      cases.push({ label: `wrong key, body #${i}`, headers: signedHeaders(`msg_f_${i}`, v, { secret: OTHER_SECRET }), body: v });
    }
    const before = await stored();
    const scheduled: string[] = [];
    const problems: string[] = [];
    for (const c of cases) {
      let res: Response;
      try {
        res = await post(c.headers, c.body, scheduled);
      } catch (e) {
        problems.push(`${c.label}: threw ${(e as Error).message}`);
        continue;
      }
      const text = await res.text();
      // Unchanged header/body pairs that are still exactly the signed ones are the one valid case.
      if (res.status === 202 && c.headers["webhook-id"] === "msg_fuzz" && c.body === body) continue;
      if (![400, 401, 413].includes(res.status)) problems.push(`${c.label}: HTTP ${res.status}`);
      if (STACK_TRACE.test(text) || /whsec_/.test(text)) problems.push(`${c.label}: leaks ${text.slice(0, 80)}`);
    }
    expect(problems.slice(0, 20)).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(250);
    // At most the one valid delivery (if the corpus kept the original id unchanged) was stored.
    expect((await stored()) - before).toBeLessThanOrEqual(1);
    expect(scheduled.filter((id) => id !== "msg_fuzz")).toEqual([]);
  });

  it("a validly signed garbage body is stored once and scheduled; processing then ignores it", async () => {
    const scheduled: string[] = [];
    for (const [i, garbage] of ["", "null", "[1,2]", '{"eventId":{"$gt":""}}', "\u0000\u202e", JSON.stringify({ eventTypeId: "user.\u0000created", eventId: "e\u0000" }), "x".repeat(1000)].entries()) {
      const res = await post(signedHeaders(`msg_garbage_${i}`, garbage), garbage, scheduled);
      expect(res.status, garbage.slice(0, 20)).toBe(202);
    }
    expect(scheduled).toHaveLength(7);
    const rows = await t.db.select().from(webhookDeliveries);
    expect(rows.filter((r) => r.id.startsWith("msg_garbage_")).every((r) => r.eventId === null)).toBe(true);
  });
});
