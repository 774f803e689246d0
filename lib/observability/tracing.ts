// Spans for Basiq calls (and anything else the console traces itself). Uses the OpenTelemetry API only: when no
// tracer provider is registered (OTEL_EXPORTER_OTLP_ENDPOINT unset, tests) every span is a no-op.
// Attributes are ids and codes only — userId/connectionId/jobId are Basiq's opaque ids, never personal data.
import { type Attributes, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

export const TRACER_NAME = "basiq-console";

export interface BasiqSpanIds {
  userId?: string;
  connectionId?: string;
  jobId?: string;
}

export interface BasiqSpanEnd {
  status?: number;
  correlationId?: string;
  attempts: number;
  errorCode?: string;
  errorType?: string;
}

/** Runs `fn` inside a client span named after the route template (`basiq GET /users/{userId}`). */
export async function withBasiqSpan<T>(
  route: string,
  lane: string,
  ids: BasiqSpanIds,
  fn: (end: (facts: BasiqSpanEnd) => void) => Promise<T>,
): Promise<T> {
  const attributes: Attributes = { "basiq.route": route, "basiq.lane": lane, "http.request.method": route.split(" ")[0] };
  if (ids.userId) attributes["basiq.user_id"] = ids.userId;
  if (ids.connectionId) attributes["basiq.connection_id"] = ids.connectionId;
  if (ids.jobId) attributes["basiq.job_id"] = ids.jobId;
  return trace.getTracer(TRACER_NAME).startActiveSpan(`basiq ${route}`, { kind: SpanKind.CLIENT, attributes }, async (span: Span) => {
    let ended = false;
    const end = (facts: BasiqSpanEnd) => {
      if (ended) return;
      ended = true;
      if (facts.status !== undefined) span.setAttribute("http.response.status_code", facts.status);
      if (facts.correlationId) span.setAttribute("basiq.correlation_id", facts.correlationId);
      span.setAttribute("basiq.attempts", facts.attempts);
      if (facts.errorCode) span.setAttribute("basiq.error_code", facts.errorCode);
      if (facts.errorType) {
        span.setAttribute("error.type", facts.errorType);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    };
    try {
      return await fn(end);
    } finally {
      end({ attempts: 0 });
    }
  });
}
