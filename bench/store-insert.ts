// Result-insert throughput of the Store, against the same rows written by plain `pg` (no Store code).
// Usage: node --import tsx bench/store-insert.ts <embedded|memory|postgres|raw> [rows=200000] [batch=500]
//   embedded: PGlite in a temp data dir (as in production) · memory: PGlite in memory
//   postgres: our Store on PostgreSQL · raw: one multi-row INSERT ... VALUES per batch via pg.Client
// PostgreSQL URL: PULSEGUARD_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres); a
// database pg_test_<random> is created and dropped. CPU is this process's (user+system); for PostgreSQL
// the server backends' CPU is added when their /proc entries are readable (server on this machine).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { ProbeResult } from '../src/domain/types.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { createPgDatabase, probeResult } from '../test/helpers/store.js';

const mode = process.argv[2] ?? 'embedded';
const total = Number(process.argv[3] ?? 200_000);
const batchSize = Number(process.argv[4] ?? 500);
const TARGETS = 1000;

function makeBatches(firstTargetId: number): ProbeResult[][] {
  const start = Date.now() - 6 * 3600_000;
  const batches: ProbeResult[][] = [];
  for (let i = 0; i < total; i += batchSize) {
    const batch: ProbeResult[] = [];
    for (let j = i; j < Math.min(total, i + batchSize); j++) {
      const ok = j % 20 !== 0;
      batch.push(
        probeResult(firstTargetId + (j % TARGETS), start + j * 50, {
          ok,
          latency_ms: 20 + (j % 97) * 1.5,
          status_code: ok ? 200 : null,
          error_class: ok ? null : 'timeout',
          error_message: ok ? null : 'timed out after 10000 ms',
        }),
      );
    }
    batches.push(batch);
  }
  return batches;
}

/** CPU ms used so far by the server backends connected to `database` (null when /proc is not readable). */
export async function serverCpuMs(database: string | undefined): Promise<number | null> {
  if (!database) return null;
  const admin = new pg.Client({ connectionString: process.env.PULSEGUARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  try {
    const rows = (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database])).rows;
    let ticks = 0;
    for (const { pid } of rows) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    }
    return ticks * 10; // USER_HZ = 100
  } catch {
    return null;
  } finally {
    await admin.end();
  }
}

async function measure(label: string, batches: ProbeResult[][], write: (b: ProbeResult[]) => Promise<number>, database?: string): Promise<void> {
  const server0 = await serverCpuMs(database);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let written = 0;
  for (const b of batches) written += await write(b);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const rss = Math.round(process.memoryUsage().rss / 1048576);
  const server1 = await serverCpuMs(database);
  const server = server0 !== null && server1 !== null ? `, server CPU ${((server1 - server0) / (written / 1000)).toFixed(1)} ms per 1,000 rows` : '';
  console.log(
    `${label}: ${written} rows in ${(ms / 1000).toFixed(1)} s = ${Math.round((written / ms) * 1000)} rows/s, ` +
      `CPU ${(cpuMs / (written / 1000)).toFixed(1)} ms per 1,000 rows (batch ${batchSize})${server}, RSS ${rss} MB`,
  );
}

async function withTargets(store: Store): Promise<number> {
  await store.migrate();
  await store.db.query(
    `INSERT INTO targets (name, url) SELECT 'bench ' || g, 'https://bench.test/' || g FROM generate_series(1, $1::int) g`,
    [TARGETS],
  );
  const [row] = await store.db.query<{ id: number }>('SELECT min(id) AS id FROM targets');
  return row?.id ?? 1;
}

async function storeBench(store: Store, label: string, database?: string): Promise<void> {
  const first = await withTargets(store);
  await measure(label, makeBatches(first), (b) => store.results.insertBatch(b), database);
  await store.close();
}

export const RAW_COLUMNS = ['id', 'target_id', 'region', 'ts', 'scheduled_at', 'latency_ms', 'status_code', 'ok', 'error_class', 'error_message',
  'dns_ms', 'connect_ms', 'tls_ms', 'ttfb_ms', 'transfer_ms', 'tls_expires_at', 'tls_issuer'];
export const rawRow = (r: ProbeResult) => [r.id, r.target_id, r.region, r.ts, r.scheduled_at, r.latency_ms, r.status_code, r.ok, r.error_class,
  r.error_message, r.phases.dns_ms, r.phases.connect_ms, r.phases.tls_ms, r.phases.ttfb_ms, r.phases.transfer_ms, r.tls_expires_at, r.tls_issuer];

/** One multi-row INSERT ... VALUES of `rows` into probes (17 parameters a row: at most 3,855 rows). */
export async function rawInsert(client: pg.ClientBase, rows: ProbeResult[]): Promise<number> {
  const params: unknown[] = [];
  const tuples = rows.map((r) => `(${rawRow(r).map((v) => `$${params.push(v)}`).join(', ')})`);
  const res = await client.query(`INSERT INTO probes (${RAW_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`, params);
  return res.rowCount ?? 0;
}

/** Plain pg: the schema comes from our migration, partitions are made up front, then VALUES inserts. */
async function rawBench(url: string, database: string): Promise<void> {
  const setup = await openStore({ databaseUrl: url });
  const first = await withTargets(setup);
  const batches = makeBatches(first);
  await setup.results.insertBatch(batches.map((b) => b[0]!).concat(batches.map((b) => b[b.length - 1]!)));
  await setup.db.query('TRUNCATE probes, latest_results');
  await setup.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await measure('raw pg (VALUES)', batches, (b) => rawInsert(client, b), database);
  await client.end();
}

async function main(): Promise<void> {
  if (mode === 'memory') return storeBench(await openStore({ dataDir: null }), 'embedded (in memory)');
  if (mode === 'embedded') {
    const dir = mkdtempSync(join(tmpdir(), 'pulseguard-bench-'));
    try {
      return await storeBench(await openStore({ dataDir: dir }), 'embedded (data dir)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (mode !== 'postgres' && mode !== 'raw') throw new Error(`unknown mode ${mode}`);
  const db = await createPgDatabase();
  try {
    if (mode === 'postgres') await storeBench(await openStore({ databaseUrl: db.url }), 'postgres (Store)', db.name);
    else await rawBench(db.url, db.name);
  } finally {
    await db.drop();
  }
}

// Runs only as a script; bench/ingest.ts imports rawInsert and serverCpuMs.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
