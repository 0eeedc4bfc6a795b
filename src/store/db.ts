// The two SQL executors behind the Store: embedded PGlite (PostgreSQL 17 in WASM, in its own thread)
// and PostgreSQL through a node-postgres pool. Both return int8/numeric as JS numbers and
// timestamptz as ISO strings (toISOString form), and turn "database unreachable" into
// AppError('unavailable'); other database errors pass through with their SQLSTATE `code`.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { moduleWorker } from '../util/worker.js';
import pg from 'pg';
import { AppError, errorMessage } from '../errors.js';
import { EMBEDDED_SETTINGS, PARSERS } from './pglite-settings.js';
import type { WireError, WorkerCall, WorkerInit, WorkerReply } from './pglite-worker.js';
import type { Db } from './store.js';

export { EMBEDDED_SETTINGS, pgTimestampToIso } from './pglite-settings.js';

const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

function isUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE class 08 = connection exception; 57P0x = server shutting down / starting; 53300 = too many connections.
    if (code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300' || UNAVAILABLE_NODE_CODES.has(code)) return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|PGlite is closed|Client was closed|Cannot use a pool after calling end/i.test(e.message);
}

function mapError(e: unknown): unknown {
  if (e instanceof AppError || !isUnavailable(e)) return e;
  return Object.assign(new AppError('unavailable', `database unavailable: ${errorMessage(e)}`), { cause: e });
}

async function mapped<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e: unknown) {
    throw mapError(e);
  }
}

/** An error from the database thread, with PostgreSQL's fields back on it. */
function fromWire(w: WireError): Error {
  return Object.assign(new Error(w.message), w);
}

/**
 * The database thread (pglite-worker.ts) seen from this one: numbered requests, replies matched by
 * id. The worker keeps the process alive only while a request is pending, as PGlite in this thread
 * would; if it dies, every pending and later request fails as "PGlite is closed" (unavailable).
 */
class PgliteThread {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private nextId = 1;
  private dead: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: WorkerReply) => this.settle(m));
    worker.on('error', (e: Error) => this.fail(new Error(`PGlite is closed: its thread failed: ${e.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`PGlite is closed (its thread exited with code ${code})`)));
  }

  /** Starts the thread and opens the database in it. */
  static async start(init: WorkerInit): Promise<PgliteThread> {
    const options = { workerData: init, transferList: init.template ? [init.template] : [] };
    const worker = moduleWorker(import.meta.url, 'pglite-worker', options);
    const opened = new Promise<void>((resolve, reject) => {
      worker.once('message', (m: WorkerReply) => (m.ok ? resolve() : reject(fromWire(m.error))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`PGlite is closed (its thread exited with code ${code} while opening)`)));
    });
    try {
      await opened;
    } catch (e: unknown) {
      await worker.terminate();
      throw e;
    }
    const thread = new PgliteThread(worker);
    worker.unref();
    return thread;
  }

  call<T>(req: WorkerCall): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...req, id });
    });
  }

  private settle(m: WorkerReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker.unref();
    if (m.ok) p.resolve(m.value);
    else p.reject(fromWire(m.error));
  }

  private fail(e: Error): void {
    this.dead ??= e;
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
  }

  /** Closes the database, then ends the thread. */
  async close(): Promise<void> {
    if (this.dead) return;
    try {
      await this.call({ op: 'close' });
    } finally {
      this.dead = new Error('PGlite is closed');
      await this.worker.terminate();
    }
  }
}

/** A PGlite database, run in its own thread. Owns the thread and, for a data dir, the lock file. */
export class EmbeddedDb implements Db {
  readonly kind = 'embedded' as const;
  constructor(
    private readonly thread: PgliteThread,
    private readonly release: () => void = () => {},
  ) {}

  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    return mapped(this.thread.call<T[]>({ op: 'query', sql, params }));
  }

  async exec(sql: string): Promise<void> {
    await mapped(this.thread.call({ op: 'exec', sql }));
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const tx = await mapped(this.thread.call<number>({ op: 'begin' }));
    let out: T;
    try {
      out = await fn(new EmbeddedTx(this.thread, tx));
    } catch (e: unknown) {
      await this.thread.call({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw mapError(e);
    }
    await mapped(this.thread.call({ op: 'end', tx, commit: true }));
    return out;
  }

  /** A tarball of the whole database, for cloning (tests use it as a migrated template). */
  async dumpDataDir(): Promise<Blob> {
    return new Blob([await mapped(this.thread.call<ArrayBuffer>({ op: 'dump' }))]);
  }

  async close(): Promise<void> {
    try {
      await this.thread.close();
    } finally {
      this.release();
    }
  }
}

class EmbeddedTx implements Db {
  readonly kind = 'embedded' as const;
  constructor(
    private readonly thread: PgliteThread,
    private readonly tx: number,
  ) {}
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    return mapped(this.thread.call<T[]>({ op: 'query', sql, params, tx: this.tx }));
  }
  async exec(sql: string): Promise<void> {
    await mapped(this.thread.call({ op: 'exec', sql, tx: this.tx }));
  }
  /** Already in a transaction: runs `fn` inside it. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return fn(this);
  }
  close(): Promise<void> {
    return Promise.reject(new Error('cannot close a transaction'));
  }
}

export interface EmbeddedOptions {
  /** Start from this database tarball (from `EmbeddedDb.dumpDataDir`) instead of an empty one; in-memory only. */
  template?: File | Blob;
}

/**
 * Opens the embedded store: `dataDir` null = in memory (tests), else files under `<dataDir>/pgdata`
 * guarded by `<dataDir>/store.lock` (one process per data dir). A new data dir is initialised in a
 * child process, because initdb's transient ~700 MB would otherwise stay in this process's heap.
 */
export async function openEmbeddedDb(dataDir: string | null, opts: EmbeddedOptions = {}): Promise<EmbeddedDb> {
  if (dataDir === null) {
    const template = opts.template ? await opts.template.arrayBuffer() : undefined;
    return new EmbeddedDb(await mapped(PgliteThread.start({ pgdata: null, ...(template ? { template } : {}) })));
  }
  mkdirSync(dataDir, { recursive: true });
  const release = lockDataDir(join(dataDir, 'store.lock'));
  try {
    const pgdata = join(dataDir, 'pgdata');
    if (!existsSync(join(pgdata, 'PG_VERSION'))) await initInChild(pgdata).catch(() => undefined);
    return new EmbeddedDb(await PgliteThread.start({ pgdata }), release);
  } catch (e: unknown) {
    release();
    throw mapError(e);
  }
}

// Data dirs this process holds; a lock file naming our own pid but absent here is stale (pid 1 in containers).
const heldLocks = new Set<string>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    return (e as { code?: unknown }).code === 'EPERM';
  }
}

/** Takes `path` as an exclusive lock (file with our pid); throws AppError('conflict') when a live process holds it. */
function lockDataDir(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldLocks.add(path);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldLocks.delete(path);
        rmSync(path, { force: true });
      };
    } catch (e: unknown) {
      if ((e as { code?: unknown }).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8').trim());
      const ours = pid === process.pid;
      if ((ours && heldLocks.has(path)) || (!ours && pid > 0 && pidAlive(pid))) {
        throw new AppError('conflict', `the data dir is in use by process ${pid} (lock file ${path}; remove it if that process is not PulseGuard)`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new AppError('conflict', `could not lock ${path}`);
}

/**
 * Runs initdb in a short-lived node process into a scratch dir renamed to `pgdata` when complete (an
 * interrupted first start leaves no half-made database). On failure the caller does it in-process.
 */
async function initInChild(pgdata: string): Promise<void> {
  const scratch = `${pgdata}.init`;
  rmSync(scratch, { recursive: true, force: true });
  await runInitChild(scratch);
  renameSync(scratch, pgdata);
}

function runInitChild(pgdata: string): Promise<void> {
  const code = `const [url, dir, params] = process.argv.slice(1);
const { PGlite } = await import(url);
const db = await PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, ...JSON.parse(params)] });
await db.close();`;
  const url = import.meta.resolve('@electric-sql/pglite');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code, url, pgdata, JSON.stringify(EMBEDDED_SETTINGS)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('exit', (status) => (status === 0 ? resolve() : reject(new Error(`initdb child exited ${status}: ${stderr.slice(-500)}`))));
  });
}

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Give up connecting after this long (default 5,000 ms). */
  connectTimeoutMs?: number;
  applicationName?: string;
}

type Queryable = pg.Pool | pg.PoolClient;

/** A PostgreSQL database through a pool; `transaction` pins one client. */
export class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  constructor(
    private readonly client: Queryable,
    private readonly pool: pg.Pool | null,
  ) {}

  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    return mapped(this.client.query(sql, params).then((r) => r.rows as T[]));
  }

  async exec(sql: string): Promise<void> {
    await mapped(this.client.query(sql));
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (!this.pool) return fn(this);
    const client = await mapped(this.pool.connect());
    let broken: Error | undefined;
    try {
      await mapped(client.query('BEGIN'));
      const out = await fn(new PostgresDb(client, null));
      await mapped(client.query('COMMIT'));
      return out;
    } catch (e: unknown) {
      try {
        await client.query('ROLLBACK');
      } catch (re: unknown) {
        broken = re instanceof Error ? re : new Error(String(re));
      }
      throw mapError(e);
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.pool && !this.pool.ended) await this.pool.end();
  }
}

function typeParser(oid: number, format?: string): unknown {
  const own = PARSERS[oid];
  if (own && format !== 'binary') return own;
  return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid);
}

/** Opens a pool to `url` (connects lazily). Type parsers are set on this pool only, not globally. */
export async function openPostgresDb(url: string, opts: PostgresOptions = {}): Promise<PostgresDb> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    application_name: opts.applicationName ?? 'pulseguard',
    options: '-c TimeZone=UTC',
    types: { getTypeParser: typeParser as typeof pg.types.getTypeParser },
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return new PostgresDb(pool, pool);
}
