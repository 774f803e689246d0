// The embedded PGlite database on its own thread (a worker_threads Worker), driven by lib/db/pglite-remote.ts.
//
// PGlite is PostgreSQL compiled to WebAssembly: every statement runs synchronously on the thread that owns it.
// In the server that thread was the one answering HTTP, so each page's statements, the job engine's polling and
// a sweep's writes all held up every other page (bench:http: ~5 ms of each user page's 33 ms of main-thread CPU).
// Here they run beside it. Plain JavaScript, loaded by path at run time, so the Next.js bundler never rewrites it.
//
// Messages in: { id, op: "query" | "exec" | "begin" | "end" | "close", tx?, sql?, params?, identityParsers?,
// rowMode?, commit? }. Out: { id, ok: true, value } or { id, ok: false, error: { name, message, ...fields } }.
// A transaction holds PGlite's exclusive lock from "begin" until its "end", as it does in one thread.
import { parentPort, workerData } from "node:worker_threads";

import { PGlite } from "@electric-sql/pglite";

const identity = (v) => v;
/** Thrown inside a transaction's callback to roll it back ("end" with commit: false). */
const ROLLBACK = Symbol("rollback");

/** The fields of a PostgreSQL error (code, detail, constraint, ...), to rebuild it on the other side. */
function errorFields(e) {
  if (!(e instanceof Error)) return { name: "Error", message: String(e) };
  const out = { name: e.name, message: e.message };
  for (const [k, v] of Object.entries(e)) if (v === null || ["string", "number", "boolean"].includes(typeof v)) out[k] = v;
  return out;
}

function queryOptions(msg) {
  const options = {};
  if (msg.rowMode) options.rowMode = msg.rowMode;
  if (msg.identityParsers) options.parsers = Object.fromEntries(msg.identityParsers.map((oid) => [oid, identity]));
  return options;
}

const pg = await PGlite.create(workerData.dataDir);
/** Open transactions by id: PGlite's transaction object and how to end it. */
const transactions = new Map();
let nextTx = 0;

function reply(id, run) {
  run().then(
    (value) => parentPort.postMessage({ id, ok: true, value }),
    (e) => parentPort.postMessage({ id, ok: false, error: errorFields(e) }),
  );
}

function target(msg) {
  if (msg.tx === undefined) return pg;
  const open = transactions.get(msg.tx);
  if (!open) throw new Error(`transaction ${msg.tx} is not open`);
  return open.tx;
}

/** Opens a transaction and resolves with its id once PGlite has begun it (holding its lock). */
function begin() {
  const txId = ++nextTx;
  return new Promise((begun, failedToBegin) => {
    let end;
    const ended = new Promise((resolve) => (end = resolve));
    let registered = false;
    const finished = pg
      .transaction(async (tx) => {
        registered = true;
        transactions.set(txId, { tx, end });
        begun(txId);
        if (!(await ended)) throw ROLLBACK;
      })
      .catch((e) => {
        if (e !== ROLLBACK) throw e;
      })
      .finally(() => transactions.delete(txId));
    finished.catch((e) => {
      if (!registered) failedToBegin(e); // BEGIN itself failed; otherwise "end" reports it
    });
    finishing.set(txId, finished);
  });
}
/** Each open transaction's outcome (settles after its COMMIT or ROLLBACK). */
const finishing = new Map();

async function endTransaction(msg) {
  const open = transactions.get(msg.tx);
  const finished = finishing.get(msg.tx);
  finishing.delete(msg.tx);
  if (!open || !finished) throw new Error(`transaction ${msg.tx} is not open`);
  open.end(msg.commit === true);
  await finished;
}

parentPort.on("message", (msg) => {
  switch (msg.op) {
    case "query":
      return reply(msg.id, async () => target(msg).query(msg.sql, msg.params ?? [], queryOptions(msg)));
    case "exec":
      return reply(msg.id, async () => target(msg).exec(msg.sql));
    case "begin":
      return reply(msg.id, begin);
    case "end":
      return reply(msg.id, () => endTransaction(msg));
    case "close":
      return reply(msg.id, async () => {
        await pg.close();
        setImmediate(() => process.exit(0));
      });
    default:
      return parentPort.postMessage({ id: msg.id, ok: false, error: { name: "Error", message: `unknown op ${msg.op}` } });
  }
});
parentPort.postMessage({ ready: true });
