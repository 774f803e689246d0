// OpenTelemetry for the console (loaded from instrumentation.ts on the Node.js runtime):
// - always: a span processor that turns Next.js's request spans into the console_http_request_duration_seconds
//   histogram (route template, method, status), so /api/metrics has HTTP durations without a tracing backend;
// - when OTEL_EXPORTER_OTLP_ENDPOINT is set: the spans themselves, exported over OTLP/HTTP (JSON) after the
//   query strings and anything that is not an id or a code are cut away (searches carry e-mails and names).
import type { Context } from "@opentelemetry/api";
import type { ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, Sampler, Span, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";

import { recordHttpRequest } from "./metrics";

const REQUEST_SPAN = "BaseServer.handleRequest";

/** Next.js's root span of each request, observed into the HTTP duration histogram when it ends. */
export class HttpMetricsProcessor implements SpanProcessor {
  onStart(_span: Span, _context: Context): void {}
  onEnd(span: ReadableSpan): void {
    const a = span.attributes;
    if (a["next.span_type"] !== REQUEST_SPAN) return;
    const route = typeof a["next.route"] === "string" ? a["next.route"] : "unmatched";
    const method = typeof a["http.method"] === "string" ? a["http.method"] : "GET";
    const status = typeof a["http.status_code"] === "number" ? a["http.status_code"] : 0;
    const [s, ns] = span.duration;
    recordHttpRequest(route, method, status, s + ns / 1e9);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Attributes whose values are URLs or paths: their query string (search terms, filters) is dropped. */
const URL_ATTRIBUTES = new Set(["http.target", "http.url", "url.full", "url.path", "next.rsc_url"]);
/** Never exported (a query string, a client address, a user agent, headers). */
const DROPPED = /^(url\.query|http\.client_ip|client\.address|net\.peer\.ip|user_agent\.|http\.user_agent|http\.request\.header\.|http\.response\.header\.)/;

export function redactAttributes(attributes: ReadableSpan["attributes"]): ReadableSpan["attributes"] {
  const out: Record<string, ReadableSpan["attributes"][string]> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (DROPPED.test(key)) continue;
    out[key] = URL_ATTRIBUTES.has(key) && typeof value === "string" ? value.split("?")[0]! : value;
  }
  return out;
}

/** Wraps an exporter so every span leaves without query strings or client details. */
export class RedactingSpanExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const cleaned = spans.map(
      (span) =>
        Object.create(span, {
          name: { value: span.name.split("?")[0], enumerable: true },
          attributes: { value: redactAttributes(span.attributes), enumerable: true },
          events: { value: [], enumerable: true }, // exception events carry messages and stacks
        }) as ReadableSpan,
    );
    this.inner.export(cleaned, done);
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** The OTLP/HTTP (JSON) exporter for `endpoint` (a collector's base URL; `/v1/traces` is appended). */
export async function createTraceExporter(endpoint: string): Promise<SpanExporter> {
  const { OTLPHttpJsonTraceExporter } = await import("@vercel/otel");
  return new RedactingSpanExporter(new OTLPHttpJsonTraceExporter({ url: `${endpoint.replace(/\/+$/, "")}/v1/traces` }));
}

/**
 * Without an exporter only the request spans matter (the HTTP duration histogram): every other span — Next.js's
 * render steps, the Basiq call spans — is started non-recording, so the pages do not pay for spans nobody reads
 * (a span each render step, with its attributes, id and processor calls). A request that arrives with a
 * `traceparent` has a remote parent: its request span is recorded too.
 */
export async function requestSpansOnlySampler(): Promise<Sampler> {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler } = await import("@opentelemetry/sdk-trace-base");
  return new ParentBasedSampler({
    root: new AlwaysOnSampler(),
    remoteParentSampled: new AlwaysOnSampler(),
    remoteParentNotSampled: new AlwaysOnSampler(),
    localParentSampled: new AlwaysOffSampler(),
    localParentNotSampled: new AlwaysOffSampler(),
  });
}

/** instrumentation.ts: registers the tracer provider (HTTP metrics always; OTLP export when configured). */
export async function startTelemetry(otlpEndpoint: string | undefined): Promise<void> {
  // Next.js's own fetch spans carry full URLs (an alert channel's webhook URL is a secret): never record them.
  process.env.NEXT_OTEL_FETCH_DISABLED = "1";
  const { registerOTel } = await import("@vercel/otel");
  const { BatchSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
  const spanProcessors: SpanProcessor[] = [new HttpMetricsProcessor()];
  if (otlpEndpoint) spanProcessors.push(new BatchSpanProcessor(await createTraceExporter(otlpEndpoint)));
  registerOTel({
    serviceName: "basiq-console",
    spanProcessors,
    // No automatic fetch spans either: Basiq calls get their own spans (lib/observability/tracing.ts).
    instrumentations: [],
    traceSampler: otlpEndpoint ? "always_on" : await requestSpansOnlySampler(),
  });
}
