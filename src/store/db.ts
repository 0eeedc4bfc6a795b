// The two SQL executors behind the Store: embedded PGlite (PostgreSQL 17 in WASM, in this process)
// and PostgreSQL through a node-postgres pool. Both return int8/numeric as JS numbers and
// timestamptz as ISO strings (toISOString form), and turn "database unreachable" into
// AppError('unavailable'); other database errors pass through with their SQLSTATE `code`.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, type PGliteOptions, type Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import { AppError, errorMessage } from '../errors.js';
import type { Db } from './store.js';

const INT8 = 20;
const NUMERIC = 1700;
const TIMESTAMPTZ = 1184;

/** '2025-01-02 03:04:05.678+00' (DateStyle ISO) -> '2025-01-02T03:04:05.678Z'. */
export function pgTimestampToIso(text: string): string {
  const d = new Date(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  return Number.isNaN(d.getTime()) ? text : d.toISOString();
}

const PARSERS: Record<number, (text: string) => unknown> = {
  [INT8]: Number,
  [NUMERIC]: Number,
  [TIMESTAMPTZ]: pgTimestampToIso,
};

/**
 * PGlite settings, measured in docs/storage.md: shared_buffers 16 MB instead of 128 MB is what
 * keeps the process under 300 MB RSS (WASM memory never shrinks once touched).
 */
export const EMBEDDED_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB', '-c', 'temp_buffers=2MB'];

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

/** A PGlite database. Owns the instance and, for a data dir, the lock file. */
export class EmbeddedDb implements Db {
  readonly kind = 'embedded' as const;
  constructor(
    private readonly pglite: PGlite,
    private readonly release: () => void = () => {},
  ) {}

  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    return mapped(this.pglite.query<T>(sql, params).then((r) => r.rows));
  }

  async exec(sql: string): Promise<void> {
    await mapped(this.pglite.exec(sql));
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return mapped(this.pglite.transaction((tx) => fn(new EmbeddedTx(tx))));
  }

  /** A tarball of the whole database, for cloning (tests use it as a migrated template). */
  dumpDataDir(): Promise<File | Blob> {
    return this.pglite.dumpDataDir('none');
  }

  async close(): Promise<void> {
    try {
      if (!this.pglite.closed) await this.pglite.close();
    } finally {
      this.release();
    }
  }
}

class EmbeddedTx implements Db {
  readonly kind = 'embedded' as const;
  constructor(private readonly tx: Transaction) {}
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    return mapped(this.tx.query<T>(sql, params).then((r) => r.rows));
  }
  async exec(sql: string): Promise<void> {
    await mapped(this.tx.exec(sql));
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
  const base: PGliteOptions = { startParams: EMBEDDED_START_PARAMS, parsers: PARSERS };
  if (dataDir === null) {
    const pglite = await mapped(PGlite.create({ ...base, ...(opts.template ? { loadDataDir: opts.template } : {}) }));
    return new EmbeddedDb(pglite);
  }
  mkdirSync(dataDir, { recursive: true });
  const release = lockDataDir(join(dataDir, 'store.lock'));
  try {
    const pgdata = join(dataDir, 'pgdata');
    if (!existsSync(join(pgdata, 'PG_VERSION'))) await initInChild(pgdata).catch(() => undefined);
    const pglite = await PGlite.create(pgdata, base);
    return new EmbeddedDb(pglite, release);
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
const db = await PGlite.create(dir, { startParams: JSON.parse(params) });
await db.close();`;
  const url = import.meta.resolve('@electric-sql/pglite');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code, url, pgdata, JSON.stringify(EMBEDDED_START_PARAMS)], {
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
