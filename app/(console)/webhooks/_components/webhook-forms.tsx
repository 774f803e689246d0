"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

import { saveWebhookSubscriptionAction, sendTestWebhookAction } from "../actions";

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-sky-600 focus:outline-none";

/** Create or update the subscription: the URL Basiq delivers to and the events it sends. */
export function SubscriptionForm(props: { id: string | undefined; url: string; events: readonly string[]; allEvents: readonly string[] }) {
  const toast = useToast();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [errors, setErrors] = useState<Record<string, string[] | undefined>>({});
  return (
    <form
      aria-label="Webhook subscription"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        const payload = {
          ...(props.id ? { id: props.id } : {}),
          url: data.get("url"),
          subscribedEvents: data.getAll("subscribedEvents"),
        };
        startTransition(async () => {
          const r = await saveWebhookSubscriptionAction(payload);
          setErrors(r.ok ? {} : (r.fieldErrors ?? {}));
          toast(r.ok ? (r.data.secretMismatch ? "error" : "success") : "error", r.message ?? (r.ok ? "Saved." : "Not saved."));
          if (r.ok) router.refresh();
        });
      }}
    >
      <label htmlFor="webhook-url" className="block text-sm font-medium text-slate-700">
        Delivery URL
      </label>
      <input id="webhook-url" name="url" defaultValue={props.url} maxLength={2000} className={input} aria-invalid={!!errors.url} aria-describedby="webhook-url-error" />
      <p id="webhook-url-error" className="mt-1 min-h-4 text-xs text-red-700" aria-live="polite">
        {errors.url?.join("; ")}
      </p>
      <fieldset className="mt-2">
        <legend className="text-sm font-medium text-slate-700">Events</legend>
        <div className="mt-1 grid gap-1 text-sm sm:grid-cols-2">
          {props.allEvents.map((type) => (
            <label key={type} className="flex items-center gap-2">
              <input type="checkbox" name="subscribedEvents" value={type} defaultChecked={props.events.includes(type)} />
              <span className="font-mono text-xs">{type}</span>
            </label>
          ))}
        </div>
        <p className="mt-1 min-h-4 text-xs text-red-700" aria-live="polite">
          {errors.subscribedEvents?.join("; ")}
        </p>
      </fieldset>
      <Button type="submit" disabled={pending}>
        {props.id ? "Update subscription" : "Create subscription"}
      </Button>
    </form>
  );
}

/** Ask Basiq to send a test message of one event type. */
export function TestMessageForm(props: { allEvents: readonly string[] }) {
  const toast = useToast();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <form
      aria-label="Send a test message"
      className="flex items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        const eventTypeId = new FormData(e.currentTarget).get("eventTypeId");
        startTransition(async () => {
          const r = await sendTestWebhookAction({ eventTypeId });
          toast(r.ok ? "success" : "error", r.message ?? (r.ok ? "Sent." : "Not sent."));
          if (r.ok) setTimeout(() => router.refresh(), 1500);
        });
      }}
    >
      <div className="grow">
        <label htmlFor="webhook-test-type" className="block text-sm font-medium text-slate-700">
          Test message
        </label>
        <select id="webhook-test-type" name="eventTypeId" className={input} defaultValue="user.created">
          {props.allEvents.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      </div>
      <Button type="submit" variant="secondary" disabled={pending}>
        Send test message
      </Button>
    </form>
  );
}
