"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/actions/result";
import { CHANNEL_KINDS, type ChannelKind, RULE_KIND_LIST, RULE_KINDS, type RuleKind } from "@/lib/alerts/rules";
import { CONNECTOR_STATUS, CONNECTOR_STATUSES } from "@/lib/vocabulary";

import { createAlertChannelAction, createAlertRuleAction, setAlertChannelEnabledAction, setAlertRuleEnabledAction } from "../actions";

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-sky-600 focus:outline-none aria-[invalid=true]:border-red-500";
const label = "block text-sm font-medium text-slate-700";

function Problems({ result }: { result: ActionResult<unknown> | null }) {
  if (!result || result.ok) return null;
  const fields = Object.entries(result.fieldErrors ?? {}).map(([f, m]) => `${f}: ${m.join("; ")}`);
  return (
    <p role="alert" className="text-sm text-red-700">
      {result.message} {fields.join(" · ")}
    </p>
  );
}

/** New channel: a Slack-compatible incoming-webhook URL, or e-mail recipients. The target is stored encrypted. */
export function NewChannelForm() {
  const toast = useToast();
  const router = useRouter();
  const form = useRef<HTMLFormElement>(null);
  const [kind, setKind] = useState<ChannelKind>("slack");
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  return (
    <form
      ref={form}
      noValidate
      aria-label="New channel"
      className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4"
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        startTransition(async () => {
          const r = await createAlertChannelAction({ kind, name: data.get("name"), target: data.get("target") });
          setResult(r);
          toast(r.ok ? "success" : "error", r.message ?? (r.ok ? "Added." : "Not added."));
          if (r.ok) {
            form.current?.reset();
            router.refresh();
          }
        });
      }}
    >
      <div>
        <label htmlFor="channel-kind" className={label}>Kind</label>
        <select id="channel-kind" className={input} value={kind} onChange={(e) => setKind(e.target.value as ChannelKind)}>
          {Object.entries(CHANNEL_KINDS).map(([k, text]) => (
            <option key={k} value={k}>{text}</option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="channel-name" className={label}>Name</label>
        <input id="channel-name" name="name" maxLength={80} autoComplete="off" className={input} />
      </div>
      <div className="lg:col-span-2">
        <label htmlFor="channel-target" className={label}>{kind === "slack" ? "Webhook URL (kept encrypted)" : "Recipients, comma-separated (kept encrypted)"}</label>
        <input id="channel-target" name="target" maxLength={2000} autoComplete="off" className={input} placeholder={kind === "slack" ? "https://hooks.slack.com/services/…" : "oncall@company.com"} />
      </div>
      <div className="flex items-center gap-3 sm:col-span-2 lg:col-span-4">
        <Button type="submit" disabled={pending}>{pending ? "Adding…" : "Add channel"}</Button>
        <Problems result={result} />
      </div>
    </form>
  );
}

/** New rule: a kind, its parameters, and the channels it notifies. */
export function NewRuleForm({ channels }: { channels: { id: number; name: string }[] }) {
  const toast = useToast();
  const router = useRouter();
  const form = useRef<HTMLFormElement>(null);
  const [kind, setKind] = useState<RuleKind>("connector_status");
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);

  function paramsOf(data: FormData): Record<string, unknown> {
    switch (kind) {
      case "connector_status":
        return { statuses: data.getAll("statuses") };
      case "failure_spike":
        return { threshold: Number(data.get("threshold")), windowMinutes: Number(data.get("windowMinutes")) };
      case "sweep_failed_or_late":
        return { lateAfterMinutes: Number(data.get("lateAfterMinutes")) };
      case "webhook_failures":
        return { threshold: Number(data.get("threshold")) };
      default:
        return {};
    }
  }

  return (
    <form
      ref={form}
      noValidate
      aria-label="New rule"
      className="grid gap-3 sm:grid-cols-2"
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        startTransition(async () => {
          const r = await createAlertRuleAction({ name: data.get("name"), kind, params: paramsOf(data), channelIds: data.getAll("channelIds").map(Number) });
          setResult(r);
          toast(r.ok ? "success" : "error", r.message ?? (r.ok ? "Added." : "Not added."));
          if (r.ok) {
            form.current?.reset();
            router.refresh();
          }
        });
      }}
    >
      <div>
        <label htmlFor="rule-name" className={label}>Name</label>
        <input id="rule-name" name="name" maxLength={80} autoComplete="off" className={input} />
      </div>
      <div>
        <label htmlFor="rule-kind" className={label}>When</label>
        <select id="rule-kind" className={input} value={kind} onChange={(e) => setKind(e.target.value as RuleKind)}>
          {RULE_KIND_LIST.map((k) => (
            <option key={k} value={k}>{RULE_KINDS[k]}</option>
          ))}
        </select>
      </div>
      {kind === "connector_status" ? (
        <fieldset className="sm:col-span-2">
          <legend className={label}>Statuses that alert</legend>
          <div className="mt-1 flex flex-wrap gap-4 text-sm">
            {CONNECTOR_STATUSES.map((s) => (
              <label key={s} className="flex items-center gap-2">
                <input type="checkbox" name="statuses" value={s} defaultChecked={s === "major-outage"} /> {CONNECTOR_STATUS[s].label}
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      {kind === "failure_spike" || kind === "webhook_failures" ? (
        <div>
          <label htmlFor="rule-threshold" className={label}>{kind === "failure_spike" ? "Failed jobs per institution" : "Failed deliveries"}</label>
          <input id="rule-threshold" name="threshold" type="number" min={1} defaultValue={kind === "failure_spike" ? 20 : 10} className={input} />
        </div>
      ) : null}
      {kind === "failure_spike" ? (
        <div>
          <label htmlFor="rule-window" className={label}>Within (minutes)</label>
          <input id="rule-window" name="windowMinutes" type="number" min={1} defaultValue={60} className={input} />
        </div>
      ) : null}
      {kind === "sweep_failed_or_late" ? (
        <div>
          <label htmlFor="rule-late" className={label}>Late after (minutes without a completed sweep)</label>
          <input id="rule-late" name="lateAfterMinutes" type="number" min={1} defaultValue={1560} className={input} />
        </div>
      ) : null}
      {kind === "watched_job_failed" ? (
        <p className="text-sm text-slate-600 sm:col-span-2">Support and admins watch a user or a connection from its page (“Watch”).</p>
      ) : null}
      <fieldset className="sm:col-span-2">
        <legend className={label}>Notify</legend>
        {channels.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">Add a channel first.</p>
        ) : (
          <div className="mt-1 flex flex-wrap gap-4 text-sm">
            {channels.map((c) => (
              <label key={c.id} className="flex items-center gap-2">
                <input type="checkbox" name="channelIds" value={c.id} /> {c.name}
              </label>
            ))}
          </div>
        )}
      </fieldset>
      <div className="flex items-center gap-3 sm:col-span-2">
        <Button type="submit" disabled={pending}>{pending ? "Adding…" : "Add rule"}</Button>
        <Problems result={result} />
      </div>
    </form>
  );
}

/** Enable or disable a rule or a channel. */
export function EnabledToggle({ what, id, enabled, name }: { what: "rule" | "channel"; id: number; enabled: boolean; name: string }) {
  const toast = useToast();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <Button
      type="button"
      variant="ghost"
      size="sm"
      disabled={pending}
      aria-label={`${enabled ? "Disable" : "Enable"} ${what} ${name}`}
      onClick={() =>
        startTransition(async () => {
          const action = what === "rule" ? setAlertRuleEnabledAction : setAlertChannelEnabledAction;
          const r = await action({ id, enabled: !enabled });
          toast(r.ok ? "success" : "error", r.message ?? "Saved.");
          if (r.ok) router.refresh();
        })
      }
    >
      {enabled ? "Disable" : "Enable"}
    </Button>
  );
}
