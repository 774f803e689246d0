import "server-only";

// Alerts (admins: rules, channels, history; support and admins: watching a user or a connection). Every function
// checks the policy before any I/O and re-parses its input. A channel's target (webhook URL, recipients) is stored
// encrypted and never read back to a page: the list shows a hint (host, number of recipients).
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";

import { hintOf, sealTarget } from "@/lib/alerts/channels";
import { CHANNEL_KINDS, type ChannelKind, RULE_KINDS, type RuleKind, ruleParamSchemas, recipientsSchema, webhookUrlSchema } from "@/lib/alerts/rules";
import { recordAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/session";
import { getDb, rowsOf } from "@/lib/db";
import { alertChannels, alertDeliveries, alertIncidents, alertRules, alertWatches } from "@/lib/db/schema";
import { NotFoundError, UserFacingError } from "@/lib/errors";

import { storedUserRow } from "./users";

export interface AlertChannelDTO {
  id: number;
  name: string;
  kind: ChannelKind;
  hint: string;
  enabled: boolean;
}

export interface AlertRuleDTO {
  id: number;
  name: string;
  kind: RuleKind;
  description: string;
  params: Record<string, unknown>;
  channels: string[];
  enabled: boolean;
}

const actorOf = (c: { id: string; email: string; role: string }) => ({ id: c.id, email: c.email, role: c.role });

export async function listAlertSetup(): Promise<{ rules: AlertRuleDTO[]; channels: AlertChannelDTO[] }> {
  await requirePermission("alerts.manage");
  const db = await getDb();
  const channels = await db.select().from(alertChannels).orderBy(alertChannels.id);
  const rules = await db.select().from(alertRules).orderBy(alertRules.id);
  const names = new Map(channels.map((c) => [c.id, c.name]));
  return {
    channels: channels.map((c) => ({ id: c.id, name: c.name, kind: c.kind as ChannelKind, hint: c.hint, enabled: c.enabled })),
    rules: rules.map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.kind as RuleKind,
      description: RULE_KINDS[r.kind as RuleKind] ?? r.kind,
      params: r.params,
      channels: r.channelIds.map((id) => names.get(id) ?? `#${id} (removed)`),
      enabled: r.enabled,
    })),
  };
}

const name = z.string().trim().min(1, { message: "Enter a name." }).max(80);

export const channelInputSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("slack"), name, target: webhookUrlSchema }),
  z.strictObject({ kind: z.literal("email"), name, target: recipientsSchema }),
]);

export async function createAlertChannel(raw: unknown): Promise<AlertChannelDTO> {
  const caller = await requirePermission("alerts.manage");
  const input = channelInputSchema.parse(raw);
  const plaintext = Array.isArray(input.target) ? input.target.join(", ") : input.target;
  const db = await getDb();
  const [{ id } = { id: 0 }] = rowsOf<{ id: number }>(await db.execute(sql`select nextval('alert_channels_id_seq')::int as id`));
  const hint = hintOf(input.kind, plaintext);
  await db.insert(alertChannels).values({ id: Number(id), name: input.name, kind: input.kind, target: sealTarget(input.kind, Number(id), plaintext), hint });
  await recordAudit({ actor: actorOf(caller), action: "alerts.channel_create", outcome: "success", details: { channelId: Number(id), kind: input.kind } });
  return { id: Number(id), name: input.name, kind: input.kind, hint, enabled: true };
}

export const ruleInputSchema = z
  .strictObject({
    name,
    kind: z.enum(Object.keys(RULE_KINDS) as [RuleKind, ...RuleKind[]]),
    params: z.record(z.string(), z.unknown()).default({}),
    channelIds: z.array(z.number().int().positive()).min(1, { message: "Choose at least one channel." }).max(20),
  })
  .transform((v, ctx) => {
    const params = ruleParamSchemas[v.kind].safeParse(v.params);
    if (!params.success) {
      for (const issue of params.error.issues) ctx.addIssue({ code: "custom", path: ["params", ...issue.path.map(String)], message: issue.message });
      return z.NEVER;
    }
    return { ...v, params: params.data as Record<string, unknown> };
  });

export async function createAlertRule(raw: unknown): Promise<{ id: number }> {
  const caller = await requirePermission("alerts.manage");
  const input = ruleInputSchema.parse(raw);
  const db = await getDb();
  const known = await db.select({ id: alertChannels.id }).from(alertChannels).where(inArray(alertChannels.id, input.channelIds));
  if (known.length !== new Set(input.channelIds).size) throw new UserFacingError("One of the chosen channels no longer exists.");
  const [row] = await db
    .insert(alertRules)
    .values({ name: input.name, kind: input.kind, params: input.params, channelIds: [...new Set(input.channelIds)] })
    .returning({ id: alertRules.id });
  await recordAudit({ actor: actorOf(caller), action: "alerts.rule_create", outcome: "success", details: { ruleId: row!.id, kind: input.kind } });
  return { id: row!.id };
}

export const toggleSchema = z.strictObject({ id: z.number().int().positive(), enabled: z.boolean() });

export async function setAlertRuleEnabled(raw: unknown): Promise<void> {
  const caller = await requirePermission("alerts.manage");
  const { id, enabled } = toggleSchema.parse(raw);
  const db = await getDb();
  const updated = await db.update(alertRules).set({ enabled }).where(eq(alertRules.id, id)).returning({ id: alertRules.id });
  if (updated.length === 0) throw new NotFoundError("No such alert rule.");
  await recordAudit({ actor: actorOf(caller), action: enabled ? "alerts.rule_enable" : "alerts.rule_disable", outcome: "success", details: { ruleId: id } });
}

export async function setAlertChannelEnabled(raw: unknown): Promise<void> {
  const caller = await requirePermission("alerts.manage");
  const { id, enabled } = toggleSchema.parse(raw);
  const db = await getDb();
  const updated = await db.update(alertChannels).set({ enabled }).where(eq(alertChannels.id, id)).returning({ id: alertChannels.id });
  if (updated.length === 0) throw new NotFoundError("No such alert channel.");
  await recordAudit({ actor: actorOf(caller), action: enabled ? "alerts.channel_enable" : "alerts.channel_disable", outcome: "success", details: { channelId: id } });
}

export interface AlertIncidentDTO {
  id: number;
  rule: string;
  summary: string;
  status: "open" | "resolved";
  openedAt: string;
  resolvedAt: string | null;
  deliveries: { channel: string; event: string; status: string; attempts: number; lastError: string | null; sentAt: string | null }[];
}

export async function listAlertHistory(limit = 100): Promise<AlertIncidentDTO[]> {
  await requirePermission("alerts.manage");
  const db = await getDb();
  const incidents = await db
    .select({ i: alertIncidents, rule: alertRules.name })
    .from(alertIncidents)
    .leftJoin(alertRules, eq(alertRules.id, alertIncidents.ruleId))
    .orderBy(desc(alertIncidents.openedAt), desc(alertIncidents.id))
    .limit(Math.min(Math.max(1, limit), 500));
  const ids = incidents.map((r) => r.i.id);
  const deliveries = ids.length
    ? await db
        .select({ d: alertDeliveries, channel: alertChannels.name })
        .from(alertDeliveries)
        .leftJoin(alertChannels, eq(alertChannels.id, alertDeliveries.channelId))
        .where(inArray(alertDeliveries.incidentId, ids))
        .orderBy(alertDeliveries.id)
    : [];
  return incidents.map(({ i, rule }) => ({
    id: i.id,
    rule: rule ?? `#${i.ruleId}`,
    summary: i.summary,
    status: i.status as "open" | "resolved",
    openedAt: i.openedAt.toISOString(),
    resolvedAt: i.resolvedAt?.toISOString() ?? null,
    deliveries: deliveries
      .filter((d) => d.d.incidentId === i.id)
      .map(({ d, channel }) => ({
        channel: channel ?? `#${d.channelId}`,
        event: d.event,
        status: d.status,
        attempts: d.attempts,
        lastError: d.lastError,
        sentAt: d.sentAt?.toISOString() ?? null,
      })),
  }));
}

const basiqId = z.string().trim().regex(/^[A-Za-z0-9-]{1,64}$/, { message: "Not a Basiq id." });
export const watchSchema = z.strictObject({ userId: basiqId, connectionId: basiqId.optional(), watch: z.boolean() });

/** Whether the caller's console watches this user (whole user) or connection. */
export async function isWatched(userId: string, connectionId?: string): Promise<boolean> {
  await requirePermission("alerts.watch");
  const parsed = watchSchema.parse({ userId, connectionId, watch: true });
  // The page's directory row (read once per request) carries the user's watches; a user not in the directory is asked here.
  const row = await storedUserRow(parsed.userId);
  if (row) return row.watchKeys.includes(parsed.connectionId ?? "");
  const db = await getDb();
  const rows = await db
    .select({ id: alertWatches.id })
    .from(alertWatches)
    .where(and(eq(alertWatches.userId, parsed.userId), eq(alertWatches.connectionId, parsed.connectionId ?? "")))
    .limit(1);
  return rows.length > 0;
}

export async function setWatch(raw: unknown): Promise<boolean> {
  const caller = await requirePermission("alerts.watch");
  const { userId, connectionId, watch } = watchSchema.parse(raw);
  const db = await getDb();
  // Only a user of the directory, and one of their known connections, can be watched (a typo is a 404, not a watch).
  const [known] = rowsOf<{ found: boolean }>(
    await db.execute(sql`
      select exists (
        select 1 from basiq_users u
        where u.id = ${userId} and u.deleted_at is null
          and (${connectionId ?? null}::text is null
            or exists (select 1 from jsonb_array_elements(u.connections) c where c->>'id' = ${connectionId ?? null}::text))
      ) as found`),
  );
  if (!known?.found) throw new NotFoundError(connectionId ? "No such connection in the directory." : "No such user in the directory.");
  if (watch) {
    await db.insert(alertWatches).values({ userId, connectionId: connectionId ?? "", createdBy: caller.id }).onConflictDoNothing();
  } else {
    await db.delete(alertWatches).where(and(eq(alertWatches.userId, userId), eq(alertWatches.connectionId, connectionId ?? "")));
  }
  await recordAudit({ actor: actorOf(caller), action: watch ? "alerts.watch" : "alerts.unwatch", outcome: "success", userId, connectionId: connectionId ?? null });
  return watch;
}

export { CHANNEL_KINDS, RULE_KINDS };
