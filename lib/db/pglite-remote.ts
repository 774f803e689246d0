import "server-only";

// The server's embedded database, run on its own thread (lib/db/pglite-thread.mjs) so that PGlite's synchronous
// WebAssembly never runs on the thread that answers HTTP. This is the slice of PGlite's API that drizzle's PGlite
// driver, its migrator and the job engine's adapter (lib/queue/pglite.ts) use: query, exec, transaction, close.
// Hand-written: PGlite's own worker (`@electric-sql/pglite/worker`) is built for browsers (Web Workers, tab
// leader election) and does not run on Node's worker_threads.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

import type { Results, Transaction } from "@electric-sql/pglite";

interface QueryOptions {
  rowMode?: "array" | "object";
  parsers?: Record<number, (value: string, typeId: number) => unknown>;
}

type Message =
  | { op: "query"; sql: string; params?: unknown[]; rowMode?: string; identityParsers?: number[]; tx?: number }
  | { op: "exec"; sql: string; tx?: number }
  | { op: "begin" }
  | { op: "end"; tx: number; commit: boolean }
  | { op: "close" };

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: Record<string, unknown> };

/** A PostgreSQL error from the database thread, with its fields (code, detail, constraint, ...). */
export class PgliteThreadError extends Error {
  constructor(fields: Record<string, unknown>) {
    super(String(fields.message ?? "database error"));
    Object.assign(this, fields);
    this.name = String(fields.name ?? "Error");
  }
}

/**
 * Drizzle's PGlite driver passes parsers that keep dates, intervals and their arrays as text (functions cannot
 * cross threads). Only such identity parsers are supported; the thread applies them by type id.
 */
function identityParserOids(parsers: QueryOptions["parsers"]): number[] | undefined {
  if (!parsers) return undefined;
  return Object.entries(parsers).map(([oid, parse]) => {
    if (parse("2001-02-03 04:05:06+00", Number(oid)) !== "2001-02-03 04:05:06+00")
      throw new Error(`pglite thread: only identity parsers can be passed (type ${oid})`);
    return Number(oid);
  });
}

const THREAD_FILE = "lib/db/pglite-thread.mjs";

export class PgliteThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  #nextId = 0;
  #failure: Error | null = null;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on("message", (reply: Reply) => {
      const waiting = this.#pending.get(reply.id);
      if (!waiting) return;
      this.#pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(new PgliteThreadError(reply.error));
    });
    const fail = (e: Error) => {
      this.#failure = e;
      for (const waiting of this.#pending.values()) waiting.reject(e);
      this.#pending.clear();
    };
    worker.on("error", (e) => fail(e instanceof Error ? e : new Error(String(e))));
    worker.on("exit", (code) => fail(new Error(`the database thread exited (code ${code})`)));
  }

  /** Starts the thread and opens the database in `dataDir` (a directory, or memory://). */
  static async open(dataDir: string, root = process.cwd()): Promise<PgliteThread> {
    // Started from an evaluated module that imports the file: given as a path, the bundler takes the file for
    // one of its own modules and cannot find it at run time.
    const file = pathToFileURL(path.join(root, THREAD_FILE)).href;
    const worker = new Worker(`import(${JSON.stringify(file)});`, { eval: true, workerData: { dataDir } });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean }) => {
        if (!m.ready) return;
        cleanup();
        resolve();
      };
      const onError = (e: unknown) => {
        cleanup();
        reject(e instanceof Error ? e : new Error(String(e)));
      };
      const onExit = (code: number) => onError(new Error(`the database thread exited while opening (code ${code})`));
      const cleanup = () => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
    });
    return new PgliteThread(worker);
  }

  #send<T>(message: Message): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = ++this.#nextId;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ id, ...message });
    });
  }

  async #query<T>(tx: number | undefined, sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    return this.#send<Results<T>>({
      op: "query",
      sql,
      params,
      rowMode: options?.rowMode,
      identityParsers: identityParserOids(options?.parsers),
      tx,
    });
  }

  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    return this.#query<T>(undefined, sql, params, options);
  }

  exec(sql: string): Promise<Results[]> {
    return this.#send<Results[]>({ op: "exec", sql });
  }

  /** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. */
  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const txId = await this.#send<number>({ op: "begin" });
    let closed = false;
    const tx = {
      query: <R>(sql: string, params?: unknown[], options?: QueryOptions) => this.#query<R>(txId, sql, params, options),
      exec: (sql: string) => this.#send<Results[]>({ op: "exec", sql, tx: txId }),
      sql: () => {
        throw new Error("pglite thread: tagged-template queries are not supported");
      },
      rollback: async () => {
        closed = true;
        await this.#send({ op: "end", tx: txId, commit: false });
      },
      get closed() {
        return closed;
      },
    } as unknown as Transaction;
    let result: T;
    try {
      result = await fn(tx);
    } catch (e) {
      if (!closed) {
        closed = true;
        await this.#send({ op: "end", tx: txId, commit: false }).catch(() => {});
      }
      throw e;
    }
    if (!closed) {
      closed = true;
      await this.#send({ op: "end", tx: txId, commit: true });
    }
    return result;
  }

  /** Closes the database (cleanly, so the next start does not find it open) and ends the thread. */
  async close(): Promise<void> {
    if (this.#failure) return;
    await this.#send({ op: "close" });
    await new Promise<void>((resolve) => {
      this.#worker.once("exit", () => resolve());
      setTimeout(() => void this.#worker.terminate().then(() => resolve()), 5_000).unref();
    });
  }
}
