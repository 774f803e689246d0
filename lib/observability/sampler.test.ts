// Without an OTLP exporter the console keeps only Next.js's request spans (they feed the HTTP duration histogram):
// everything started under them — render steps, Basiq call spans — is non-recording, so no page pays for spans
// nobody reads. A request carrying a traceparent (remote parent) still gets its request span.
import { context, SpanKind, trace, TraceFlags } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";

import { metrics } from "./metrics";
import { HttpMetricsProcessor, requestSpansOnlySampler } from "./otel";

describe("requestSpansOnlySampler", () => {
  it("records the request span (and feeds the HTTP histogram) but none of the spans under it", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      sampler: await requestSpansOnlySampler(),
      spanProcessors: [new HttpMetricsProcessor(), new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer("test");
    const route = `/sampler-test-${Date.now()}`;
    const request = tracer.startSpan("GET /users/[userId]", {
      kind: SpanKind.SERVER,
      attributes: { "next.span_type": "BaseServer.handleRequest", "http.method": "GET" },
    });
    request.setAttribute("next.route", route);
    request.setAttribute("http.status_code", 200);
    const child = tracer.startSpan("render route (app)", {}, trace.setSpan(context.active(), request));
    const basiq = tracer.startSpan("basiq GET /users/{userId}", {}, trace.setSpan(context.active(), child));
    expect(request.isRecording()).toBe(true);
    expect(child.isRecording()).toBe(false);
    expect(basiq.isRecording()).toBe(false);
    // Non-recording spans still carry the trace: logs and outgoing calls keep the request's trace id.
    expect(basiq.spanContext().traceId).toBe(request.spanContext().traceId);
    basiq.end();
    child.end();
    request.end();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["GET /users/[userId]"]);
    const text = await metrics().registry.metrics();
    expect(text).toMatch(new RegExp(`console_http_request_duration_seconds_count\\{route="${route}",method="GET",status="200"\\} 1`));
  });

  it("records the request span of a request that arrives with a traceparent", async () => {
    const provider = new BasicTracerProvider({ sampler: await requestSpansOnlySampler() });
    const remote = trace.setSpanContext(context.active(), {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.NONE,
      isRemote: true,
    });
    const request = provider.getTracer("test").startSpan("GET /", { kind: SpanKind.SERVER }, remote);
    expect(request.isRecording()).toBe(true);
    request.end();
  });
});
