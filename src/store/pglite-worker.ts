// The embedded database's thread: PGlite runs here, so its queries (WASM, synchronous once started)
// never stall the event loop that schedules and runs probes. The main thread talks to it through
// `EmbeddedDb` (db.ts) with small request messages; see docs/storage.md.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type PGliteOptions, type Transaction } from '@electric-sql/pglite';
import { EMBEDDED_SETTINGS, PARSERS } from './pglite-settings.js';

/** What the main thread asks; `tx` names a transaction begun by a `begin` call. */
export type WorkerCall =
  | { op: 'query'; sql: string; params?: unknown[]; tx?: number }
  | { op: 'exec'; sql: string; tx?: number }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'dump' }
  | { op: 'close' };

/** A call as sent, numbered so its reply can be matched. */
export type WorkerRequest = WorkerCall & { id: number };

/** An error as it crosses the thread boundary: the message and PostgreSQL's fields (SQLSTATE `code`). */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  detail?: string;
  constraint?: string;
}

export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

export interface WorkerInit {
  /** Directory of the database files; null = in memory. */
  pgdata: string | null;
  /** A database tarball to start from (in memory only). */
  template?: ArrayBuffer;
}

function toWire(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const f = e as Error & { code?: unknown; detail?: unknown; constraint?: unknown };
  const out: WireError = { name: e.name, message: e.message };
  if (typeof f.code === 'string') out.code = f.code;
  if (typeof f.detail === 'string') out.detail = f.detail;
  if (typeof f.constraint === 'string') out.constraint = f.constraint;
  return out;
}

interface OpenTx {
  tx: Transaction;
  /** Settles the transaction callback: resolve = COMMIT, reject = ROLLBACK. */
  finish(commit: boolean): void;
  /** The settled `db.transaction(...)` call. */
  done: Promise<void>;
}

async function serve(init: WorkerInit): Promise<void> {
  const port = parentPort!;
  const options: PGliteOptions = { startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS], parsers: PARSERS };
  if (init.template) options.loadDataDir = new Blob([init.template]);
  let db: PGlite;
  try {
    db = init.pgdata === null ? await PGlite.create(options) : await PGlite.create(init.pgdata, options);
  } catch (e: unknown) {
    port.postMessage({ id: 0, ok: false, error: toWire(e) } satisfies WorkerReply);
    return;
  }
  const txs = new Map<number, OpenTx>();
  let nextTx = 1;

  const runner = (tx: number | undefined): Pick<Transaction, 'query' | 'exec'> => {
    if (tx === undefined) return db;
    const t = txs.get(tx);
    if (!t) throw new Error(`transaction ${tx} is not open`);
    return t.tx;
  };

  const begin = (): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      let finish!: (commit: boolean) => void;
      const decided = new Promise<void>((ok, rollback) => (finish = (commit) => (commit ? ok() : rollback(new Error('rolled back')))));
      const id = nextTx++;
      const done = db
        .transaction(async (tx) => {
          txs.set(id, { tx, finish, done });
          resolve(id);
          await decided;
        })
        .finally(() => txs.delete(id));
      // BEGIN itself failed: the callback never ran.
      done.catch((e: unknown) => {
        if (!txs.has(id)) reject(e);
      });
    });

  const handle = async (r: WorkerRequest): Promise<unknown> => {
    switch (r.op) {
      case 'query':
        return (await runner(r.tx).query(r.sql, r.params)).rows;
      case 'exec':
        await runner(r.tx).exec(r.sql);
        return null;
      case 'begin':
        return begin();
      case 'end': {
        const t = txs.get(r.tx);
        if (!t) throw new Error(`transaction ${r.tx} is not open`);
        t.finish(r.commit);
        if (r.commit) await t.done;
        else await t.done.catch(() => undefined);
        return null;
      }
      case 'dump':
        return (await db.dumpDataDir('none')).arrayBuffer();
      case 'close':
        if (!db.closed) await db.close();
        return null;
    }
  };

  port.on('message', (r: WorkerRequest) => {
    handle(r).then(
      (value) => port.postMessage({ id: r.id, ok: true, value } satisfies WorkerReply, value instanceof ArrayBuffer ? [value] : []),
      (e: unknown) => port.postMessage({ id: r.id, ok: false, error: toWire(e) } satisfies WorkerReply),
    );
  });
  port.postMessage({ id: 0, ok: true, value: null } satisfies WorkerReply);
}

if (parentPort) void serve(workerData as WorkerInit);
