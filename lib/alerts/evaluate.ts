import "server-only";

// Evaluating alert rules. Event-driven: connector status changes (lib/connectors/refresh.ts calls
// onConnectorStatusChanges) and webhook failure counts (the webhooks area calls evaluateWebhookFailures). Periodic
// (evaluateAlertRules, the job engine's cron every ALERTS_EVALUATE_MINUTES): failure spikes, watched jobs, the
// API key, the sweep. Summaries hold ids, codes and institution names only — never a person's details.
import { sql } from "drizzle-orm";

import { basiq } from "@/lib/basiq";
import { type Database, getDb, rowsOf } from "@/lib/db";
import { log } from "@/lib/log";

import { dispatchDeliveries, pendingUnqueued } from "./deliver";
import { type Finding, reconcile } from "./incidents";
import { type RuleKind, type RuleParams, ruleParamSchemas } from "./rules";

interface LoadedRule<K extends RuleKind> {
  id: number;
  name: string;
  channelIds: number[];
  params: RuleParams<K>;
}

async function rulesOf<K extends RuleKind>(db: Database, kind: K): Promise<LoadedRule<K>[]> {
  const rows = rowsOf<{ id: number; name: string; params: unknown; channel_ids: unknown }>(
    await db.execute(sql`select id, name, params, channel_ids from alert_rules where kind = ${kind} and enabled order by id`),
  );
  const rules: LoadedRule<K>[] = [];
  for (const r of rows) {
    const params = ruleParamSchemas[kind].safeParse(typeof r.params === "string" ? JSON.parse(r.params) : r.params);
    const channels = typeof r.channel_ids === "string" ? JSON.parse(r.channel_ids) : r.channel_ids;
    if (!params.success || !Array.isArray(channels)) continue;
    rules.push({ id: Number(r.id), name: r.name, channelIds: channels.map(Number), params: params.data as RuleParams<K> });
  }
  return rules;
}

async function apply<K extends RuleKind>(
  db: Database,
  kind: K,
  find: (rule: LoadedRule<K>) => Promise<{ findings: Finding[]; scope?: (key: string) => boolean }>,
): Promise<number[]> {
  const created: number[] = [];
  for (const rule of await rulesOf(db, kind)) {
    const { findings, scope } = await find(rule);
    created.push(...(await reconcile(db, rule, findings, scope)));
  }
  return created;
}

export interface ConnectorStatusChange {
  id: string;
  method: string;
  from: string | null;
  to: string;
}

/** Connector status changes, as lib/connectors stores them: opens or resolves incidents of connector_status rules. */
export async function onConnectorStatusChanges(db: Database, changes: ConnectorStatusChange[]): Promise<number[]> {
  if (changes.length === 0) return [];
  const keyOf = (c: { id: string; method: string }) => `connector:${c.id}:${c.method}`;
  const changed = new Set(changes.map(keyOf));
  const ids = await apply(db, "connector_status", async (rule) => {
    const statuses = new Set<string>(rule.params.statuses);
    const findings: Finding[] = [];
    for (const c of changes.filter((c) => statuses.has(c.to))) {
      const [row] = rowsOf<{ name: string }>(await db.execute(sql`select name from connectors where id = ${c.id} and method = ${c.method}`));
      findings.push({ key: keyOf(c), summary: `${row?.name ?? c.id} (${c.id}, ${c.method}) is now ${c.to}${c.from ? ` (was ${c.from})` : ""}.` });
    }
    return { findings, scope: (key) => changed.has(key) };
  });
  await dispatchDeliveries(ids);
  return ids;
}

async function failureSpikes(db: Database): Promise<number[]> {
  return apply(db, "failure_spike", async (rule) => {
    const since = new Date(Date.now() - rule.params.windowMinutes * 60_000).toISOString();
    const rows = rowsOf<{ institution_id: string; failed: number; name: string | null }>(
      await db.execute(sql`
        select j.institution_id, count(*)::int as failed,
          (select c.name from connectors c where c.id = j.institution_id limit 1) as name
        from job_runs j
        where j.outcome = 'failed' and j.institution_id is not null and coalesce(j.created_at, j.first_seen_at) >= ${since}::timestamptz
        group by j.institution_id having count(*) >= ${rule.params.threshold}`),
    );
    return {
      findings: rows.map((r) => ({
        key: `institution:${r.institution_id}`,
        summary: `${Number(r.failed)} failed jobs at ${r.name ?? r.institution_id} (${r.institution_id}) in the last ${rule.params.windowMinutes} minutes (threshold ${rule.params.threshold}).`,
      })),
    };
  });
}

async function watchedJobs(db: Database): Promise<number[]> {
  return apply(db, "watched_job_failed", async () => {
    const rows = rowsOf<{ id: string; user_id: string; connection_id: string | null; error_code: string | null; failed_step: string | null }>(
      await db.execute(sql`
        select distinct j.id, j.user_id, j.connection_id, j.error_code, j.failed_step
        from job_runs j
        join alert_watches w on w.user_id = j.user_id and (w.connection_id = '' or w.connection_id = j.connection_id)
        where j.outcome = 'failed' and j.first_seen_at >= w.created_at
          and not exists (
            select 1 from job_runs s
            where s.user_id = j.user_id and s.connection_id is not distinct from j.connection_id
              and s.outcome = 'success' and coalesce(s.created_at, s.first_seen_at) > coalesce(j.created_at, j.first_seen_at))
        order by j.id limit 500`),
    );
    return {
      findings: rows.map((r) => ({
        key: `job:${r.id}`,
        summary: `Job ${r.id} failed${r.failed_step ? ` at ${r.failed_step}` : ""}${r.error_code ? ` (${r.error_code})` : ""} for watched user ${r.user_id}${r.connection_id ? `, connection ${r.connection_id}` : ""}.`,
      })),
    };
  });
}

async function apiKey(db: Database, refused: boolean): Promise<number[]> {
  return apply(db, "api_key_refused", async () => ({
    findings: refused ? [{ key: "api-key", summary: "Basiq refuses the console's API key: every live page shows stored data. Check BASIQ_API_KEY." }] : [],
  }));
}

async function sweep(db: Database): Promise<number[]> {
  const [last] = rowsOf<{ id: number; status: string; message: string | null }>(
    await db.execute(sql`select id, status, message from sweep_runs where status <> 'running' order by id desc limit 1`),
  );
  const [ok] = rowsOf<{ finished_at: string | Date | null }>(
    await db.execute(sql`select max(finished_at) as finished_at from sweep_runs where status = 'completed'`),
  );
  const lastSuccess = ok?.finished_at ? new Date(ok.finished_at).getTime() : null;
  return apply(db, "sweep_failed_or_late", async (rule) => {
    const findings: Finding[] = [];
    if (last && last.status !== "completed") {
      findings.push({ key: "sweep:failed", summary: `Sweep #${last.id} ended ${last.status}${last.message ? `: ${last.message.slice(0, 200)}` : ""}.` });
    }
    if (lastSuccess === null || lastSuccess < Date.now() - rule.params.lateAfterMinutes * 60_000) {
      findings.push({
        key: "sweep:late",
        summary: lastSuccess === null ? "No sweep has completed yet." : `No sweep has completed since ${new Date(lastSuccess).toISOString()} (late after ${rule.params.lateAfterMinutes} minutes).`,
      });
    }
    return { findings };
  });
}

/** For the webhooks area: report how many deliveries failed recently; rules with a lower threshold alert. */
export async function evaluateWebhookFailures(input: { failed: number; windowMinutes: number }): Promise<number[]> {
  const db = await getDb();
  const ids = await apply(db, "webhook_failures", async (rule) => ({
    findings:
      input.failed >= rule.params.threshold
        ? [{ key: "webhooks", summary: `${input.failed} webhook deliveries failed in the last ${input.windowMinutes} minutes (threshold ${rule.params.threshold}).` }]
        : [],
  }));
  await dispatchDeliveries(ids);
  return ids;
}

/**
 * The periodic pass (the engine's "alerts-evaluate" cron job): failure spikes, watched jobs, the API key (this
 * process's client), the sweep; and deliveries left pending without a job (the engine could not take them).
 */
export async function evaluateAlertRules(): Promise<number[]> {
  const db = await getDb();
  const ids: number[] = [];
  await dispatchDeliveries(await pendingUnqueued(db));
  ids.push(...(await failureSpikes(db)));
  ids.push(...(await watchedJobs(db)));
  ids.push(...(await apiKey(db, basiq().metrics().tokenFailure?.keyRefused === true)));
  ids.push(...(await sweep(db)));
  await dispatchDeliveries(ids);
  return ids;
}

/** Never lets an alert problem break the caller (a connector refresh, a webhook): logged, not thrown. */
export async function safely<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    log.error({ errorType: (error as Error)?.name, what }, "alert evaluation failed");
    return undefined;
  }
}
