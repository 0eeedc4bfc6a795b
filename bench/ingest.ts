// Ingestion: results/s from NATS JetStream into PostgreSQL through the real ingester
// (src/services/ingester.ts on the NATS bus and the PostgreSQL Store), next to the raw rate of the
// same inserts without PulseGuard (the limit on this machine), as a ratio. Target: 20,000/s sustained.
// Usage: npm run bench:ingest -- [--results N=200000] [--targets 1000] [--batch 1000] [--flush-ms 250] [--no-live] [--no-raw]
//   publish:  N results published to JetStream with no consumer running (the bus's publish rate)
//   backlog:  then the ingester starts and drains them; results/s from its start until the last row is
//             stored, and "steady" = the rate between 10 % and 90 % stored (no start-up, no tail)
//   live:     the ingester keeps running while another N results are published from this process as
//             fast as JetStream acks them (publisher, ingester, NATS and PostgreSQL share the machine)
//   store:    the backlog's rows again (tables truncated), Store.insertBatch in batches: no bus
//   raw:      the same rows, one multi-row INSERT ... VALUES per batch on one pg.Client, no Store code
//             (bench/store-insert.ts rawInsert): the limit. "vs raw" = rows/s ÷ raw rows/s. For
//             reference also plain pg with one array per column (INSERT ... SELECT unnest), which is
//             how the Store writes (it adds a target check and the latest_results upsert).
// --batch and --flush-ms are the ingester's ingest_batch and ingest_flush_ms (production defaults);
// store and raw use the same batch size. PostgreSQL: PULSEGUARD_TEST_PG_URL (default
// postgres://postgres@127.0.0.1:5432/postgres), a database pg_bench_<random> created and dropped.
// NATS: PULSEGUARD_TEST_NATS_URL (default nats://127.0.0.1:4222), streams under a random prefix,
// deleted at the end. CPU per 1,000 rows: this process (user+system; the ingester, and in "live" the
// publisher too), the PostgreSQL backends of the database and the local nats-server, each when its
// /proc entry is readable (servers on this machine), else "n/a". The servers' CPU counts everything
// they do meanwhile: run on a quiet machine, servers to yourself.
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import pg from 'pg';
import type { Bus } from '../src/bus/bus.js';
import { openBus } from '../src/bus/open.js';
import { streamName, TOPICS } from '../src/bus/subjects.js';
import type { ProbeResult } from '../src/domain/types.js';
import { cleanup, cleanups, stopping } from './cleanup.js';
import { createMetrics, type Metrics } from '../src/metrics.js';
import { Ingester } from '../src/services/ingester.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { silentLogger } from '../src/util/log.js';
import { NATS_URL, PG_URL } from '../test/helpers/services.js';
import { pgAdmin, pgUrl, probeResult } from '../test/helpers/store.js';
import { machineLine, natsServerPid, procCpuMs, table } from './cpu.js';
import { RAW_COLUMNS, rawInsert, rawRow, serverCpuMs } from './store-insert.js';
import { arg, has } from './args.js';


const N = arg('results', 200_000);
const TARGETS = arg('targets', 1000);
const BATCH = arg('batch', 1000);
const FLUSH_MS = arg('flush-ms', 250);
const RAW_MAX_ROWS = Math.floor(65_535 / 17); // bind parameters of one VALUES statement
// Plain pg with one array per column (what the Store does, without its EXISTS check and latest_results).
const RAW_TYPES = ['uuid', 'bigint', 'text', 'timestamptz', 'timestamptz', 'float8', 'integer', 'boolean', 'text', 'text',
  'float8', 'float8', 'float8', 'float8', 'float8', 'timestamptz', 'text'];
const RAW_UNNEST_SQL = `INSERT INTO probes (${RAW_COLUMNS.join(', ')}) SELECT * FROM unnest(${RAW_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) ON CONFLICT DO NOTHING`;

// --- measurement -------------------------------------------------------------------------------
interface Sample {
  client: number;
  pg: number | null;
  nats: number | null;
}

interface Row {
  label: string;
  rows: number;
  ms: number;
  steadyRate?: number;
  cpu: Sample;
  raw?: boolean;
}

let database = '';
let natsPid: number | undefined;

async function sample(): Promise<Sample> {
  const c = process.cpuUsage();
  return { client: (c.user + c.system) / 1000, pg: await serverCpuMs(database), nats: procCpuMs(natsPid) };
}

const diff = (a: Sample, b: Sample): Sample => ({
  client: b.client - a.client,
  pg: a.pg !== null && b.pg !== null ? b.pg - a.pg : null,
  nats: a.nats !== null && b.nats !== null ? b.nats - a.nats : null,
});

function makeResults(firstTarget: number, n: number): ProbeResult[] {
  const base = Date.now() - 60_000;
  return Array.from({ length: n }, (_, i) => {
    const ok = i % 20 !== 0;
    return probeResult(firstTarget + (i % TARGETS), base + Math.floor((i * 60_000) / n), {
      region: 'bench',
      ok,
      latency_ms: 20 + (i % 97) * 1.5,
      status_code: ok ? 200 : null,
      error_class: ok ? null : 'timeout',
      error_message: ok ? null : 'timed out after 10000 ms',
    });
  });
}

const ingested = async (m: Metrics) => (await m.ingested.get()).values[0]?.value ?? 0;

/**
 * Waits until the ingester has written `base + n` rows in all; returns when the last one was written
 * and when 10 % and 90 % of the n were. Fails when nothing is written for 60 s.
 */
async function waitIngested(m: Metrics, base: number, n: number): Promise<{ end: number; at10: number; at90: number }> {
  let at10 = 0;
  let at90 = 0;
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    const done = (await ingested(m)) - base;
    const now = performance.now();
    if (!at10 && done >= n * 0.1) at10 = now;
    if (!at90 && done >= n * 0.9) at90 = now;
    if (done >= n) return { end: now, at10, at90 };
    if (stopping()) throw new Error('stopped');
    if (done !== last) [last, lastChange] = [done, now];
    else if (now - lastChange > 60_000) throw new Error(`ingestion stalled at ${done} of ${n} rows`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function countRows(store: Store): Promise<number> {
  const [row] = await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM probes');
  return row?.n ?? 0;
}

function publishAll(bus: Bus, rs: ProbeResult[]): Promise<unknown> {
  return Promise.all(rs.map((r) => bus.publish('results', `${r.region}.${r.target_id}`, r)));
}

/** Writes `rs` in batches of BATCH with `write`, one after another (as the ingester does). */
async function measureWrites(label: string, rs: ProbeResult[], write: (b: ProbeResult[]) => Promise<number>, raw = false): Promise<Row> {
  const s0 = await sample();
  const t0 = performance.now();
  let rows = 0;
  for (let i = 0; i < rs.length; i += BATCH) rows += await write(rs.slice(i, i + BATCH));
  const ms = performance.now() - t0;
  return { label, rows, ms, cpu: diff(s0, await sample()), raw };
}

// --- the run -----------------------------------------------------------------------------------
async function main(): Promise<void> {
  console.log(machineLine());
  database = `pg_bench_${randomBytes(6).toString('hex')}`;
  const prefix = `bench-ingest-${randomBytes(4).toString('hex')}`;
  natsPid = natsServerPid(NATS_URL);

  await pgAdmin(`CREATE DATABASE ${database}`);
  cleanups.push(() => pgAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  const store = await openStore({ databaseUrl: pgUrl(database) });
  cleanups.push(() => store.close());
  await store.migrate();
  await store.db.query(`INSERT INTO targets (name, url) SELECT 'bench ' || g, 'https://bench.test/' || g FROM generate_series(1, $1::int) g`, [TARGETS]);
  const [first] = await store.db.query<{ id: number; version: string }>('SELECT min(id)::int AS id, current_setting(\'server_version\') AS version FROM targets');

  // Streams sized for both phases (a result is ≈ 500 bytes on the stream); JetStream reserves maxBytes.
  const resultsBytes = Math.max(64 * 1024 ** 2, Math.ceil((N * 2 * 700) / 1024 ** 2) * 1024 ** 2);
  const small = { maxBytes: 16 * 1024 ** 2 };
  cleanups.push(async () => {
    const nc = await connect({ servers: NATS_URL });
    const jsm = await nc.jetstreamManager({ timeout: 60_000 });
    for (const t of TOPICS) await jsm.streams.delete(streamName(prefix, t)).catch(() => false);
    await nc.close();
  });
  const bus = await openBus({ natsUrl: NATS_URL, prefix, name: 'bench-ingest', streams: { results: { maxBytes: resultsBytes }, jobs: small, incidents: small, targets: small } });
  cleanups.push(() => bus.close());
  const nc = await connect({ servers: NATS_URL });
  const natsVersion = nc.info?.version ?? '?';
  await nc.close();

  console.log(
    `PostgreSQL ${first?.version} (${PG_URL.replace(/\/\/[^@/]*@/, '//')}, database ${database}), NATS ${natsVersion} (${NATS_URL}, prefix ${prefix}); ` +
      `${N.toLocaleString('en')} results over ${TARGETS.toLocaleString('en')} targets, ingest_batch ${BATCH}, ingest_flush_ms ${FLUSH_MS}` +
      `${natsPid === undefined ? '; nats-server CPU: not found on this machine' : ''}`,
  );

  const metrics = createMetrics({ perTarget: false, defaults: false });
  const rows: Row[] = [];

  // 1. Publish a backlog with nobody consuming (results are a limits stream: the ingester's new
  //    durable group gets everything the stream holds).
  const backlog = makeResults(first!.id, N);
  let s0 = await sample();
  let t0 = performance.now();
  await publishAll(bus, backlog);
  rows.push({ label: 'publish to JetStream (no consumer)', rows: N, ms: performance.now() - t0, cpu: diff(s0, await sample()) });

  // 2. Start the ingester; time until the whole backlog is stored.
  const ingester = new Ingester({ store, bus, metrics, log: silentLogger, batchSize: BATCH, flushMs: FLUSH_MS });
  s0 = await sample();
  t0 = performance.now();
  await ingester.start();
  cleanups.push(() => ingester.stop());
  let w = await waitIngested(metrics, 0, N);
  rows.push({ label: 'ingester: drain backlog', rows: N, ms: w.end - t0, steadyRate: (N * 0.8) / ((w.at90 - w.at10) / 1000), cpu: diff(s0, await sample()) });
  let stored = await countRows(store);
  if (stored !== N) throw new Error(`backlog: ${stored} rows stored, expected ${N}`);

  // 3. Publish while the ingester runs: time from the first publish until the last row is stored.
  if (!has('no-live')) {
    const live = makeResults(first!.id, N);
    const base = await ingested(metrics);
    s0 = await sample();
    t0 = performance.now();
    let published = 0;
    const publishing = publishAll(bus, live).then(() => (published = performance.now()));
    [w] = await Promise.all([waitIngested(metrics, base, N), publishing]);
    const cpu = diff(s0, await sample());
    rows.push({ label: 'ingester: publish + ingest (live)', rows: N, ms: w.end - t0, steadyRate: (N * 0.8) / ((w.at90 - w.at10) / 1000), cpu });
    if (published) console.log(`live: the last publish was acked after ${((published - t0) / 1000).toFixed(1)} s, the last row stored after ${((w.end - t0) / 1000).toFixed(1)} s`);
    stored = await countRows(store);
    if (stored !== 2 * N) throw new Error(`live: ${stored} rows stored, expected ${2 * N}`);
  }
  await ingester.stop();

  // 4. Without the bus: the backlog's rows again through the Store, then with plain pg.
  if (!has('no-raw')) {
    await store.db.query('TRUNCATE probes, latest_results');
    rows.push(await measureWrites('Store.insertBatch (no bus)', backlog, (b) => store.results.insertBatch(b)));
    await store.db.query('TRUNCATE probes, latest_results');
    const client = new pg.Client({ connectionString: pgUrl(database) });
    await client.connect();
    cleanups.push(() => client.end());
    rows.push(await measureWrites('raw pg: INSERT ... VALUES (limit)', backlog, async (b) => {
      let n = 0;
      for (let i = 0; i < b.length; i += RAW_MAX_ROWS) n += await rawInsert(client, b.slice(i, i + RAW_MAX_ROWS));
      return n;
    }, true));
    stored = await countRows(store);
    if (stored !== N) throw new Error(`raw: ${stored} rows stored, expected ${N}`);
    await store.db.query('TRUNCATE probes, latest_results');
    rows.push(await measureWrites('raw pg: INSERT ... SELECT unnest($arrays)', backlog, async (b) => {
      const cols = RAW_TYPES.map(() => [] as unknown[]);
      for (const r of b) rawRow(r).forEach((v, i) => cols[i]!.push(v));
      return (await client.query(RAW_UNNEST_SQL, cols)).rowCount ?? 0;
    }));
  }

  // --- report -----------------------------------------------------------------------------------
  const rate = (r: Row) => (r.rows / r.ms) * 1000;
  const raw = rows.find((r) => r.raw);
  const unnest = rows.find((r) => r.label.includes('unnest'));
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  const per1k = (cpuMs: number | null, r: Row) => (cpuMs === null ? 'n/a' : (cpuMs / (r.rows / 1000)).toFixed(1));
  console.log();
  console.log(table([
    ['', 'rows', 'seconds', 'rows/s', 'steady rows/s', 'vs raw', 'CPU ms/1k rows: this process', 'PostgreSQL', 'nats-server'],
    ...rows.map((r) => [
      r.label, fmt(r.rows), (r.ms / 1000).toFixed(1), fmt(rate(r)), r.steadyRate ? fmt(r.steadyRate) : '', raw && !r.label.startsWith('publish') ? (rate(r) / rate(raw)).toFixed(2) : '',
      per1k(r.cpu.client, r), per1k(r.cpu.pg, r), per1k(r.cpu.nats, r),
    ]),
  ]));
  const drain = rows.find((r) => r.label.includes('backlog'))!;
  const sustained = drain.steadyRate ?? rate(drain);
  console.log();
  // "Sustained" needs a drain long enough to mean it (a few seconds, not a burst).
  const verdict = drain.ms < 3000 ? `too short a run to judge the 20,000/s target (use --results 200000)` : `target 20,000/s ${sustained >= 20_000 ? 'met' : 'NOT met'} on this machine`;
  console.log(`ingester: ${fmt(sustained)} results/s sustained (steady backlog drain); ${verdict}. ` +
    `Whole drain ${fmt(rate(drain))} results/s` +
    (raw ? ` = ${(rate(drain) / rate(raw)).toFixed(2)} × raw VALUES (${fmt(rate(raw))} rows/s)` : '') +
    (unnest ? `, ${(rate(drain) / rate(unnest)).toFixed(2)} × raw unnest (${fmt(rate(unnest))} rows/s)` : ''));
}

try {
  await main();
} finally {
  await cleanup();
}
