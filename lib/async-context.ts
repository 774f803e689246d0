// Work that outlives a request must not be started inside it.
//
// Node keeps the request's AsyncLocalStorage stores (Next.js's request store, with its response) on every async
// resource created while the request runs: promises, timers, sockets. A process-wide memo promise or a keep-alive
// socket opened by one page view therefore kept that view in memory, and through it more: the stack an Error
// captures at the end of each request holds the Immediate it ran in, and Node's Immediates link to the ones queued
// after them, each with its own request's store (heap snapshots of bench:http's server: ~1,000 of 3,000 page views
// still held after full collections, via the institution-names memo and the Basiq keep-alive sockets).
//
// outsideRequest(fn) runs fn in the async context the server had when it started (captured by instrumentation.ts,
// before any request): what fn creates carries no request's stores. Its result can still be awaited in a request.
import { AsyncLocalStorage } from "node:async_hooks";

type Snapshot = <R>(fn: () => R) => R;
// On globalThis: Next.js bundles instrumentation.ts and the pages separately, each with its own copy of this module.
const ROOT = Symbol.for("basiq-console.root-async-context");
const holder = globalThis as { [ROOT]?: Snapshot };

/** Once, at server start, outside any request (instrumentation.ts via lib/server-lifecycle.ts). */
export function captureRootContext(): void {
  holder[ROOT] ??= AsyncLocalStorage.snapshot();
}

/** Runs fn in the server's start-up context (as is, in scripts and tests where none was captured). */
export function outsideRequest<R>(fn: () => R): R {
  const root = holder[ROOT];
  return root ? root(fn) : fn();
}
