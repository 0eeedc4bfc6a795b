// Latency of the dashboard's two heaviest reads on realistic data, through the real api role over HTTP:
//   detail:   GET /targets/:id/series?range=30d for a target probed every 30 s for 30 days
//             (86,400 raw rows + 1-minute and 1-hour rollups)
//   overview: GET /overview for 10,000 targets, each with its last 60 results (30 s apart)
// Usage: npm run bench:dashboard [-- --targets=10000 --days=30 --fleet-days=7 --runs=60 --data-dir=PATH]
//   --fleet-days: days of 1-hour rollups inserted for every fleet target (uptime 7 d / 30 d read them).
//   --data-dir: keep the seeded store there and reuse it on the next run (seeding takes minutes).
// Embedded store (PGlite) in a temp dir; the api role runs in a child process with live results
// flowing on its in-process bus; prints p50/p95/max per endpoint and the machine's load average.
// The child runs the compiled server (dist/, built first if needed), as `npm start` does: tsx's
// transform adds a helper call to every closure, which costs the overview a few ms per request.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { syntheticHistory } from '../test/e2e/history.js';
import { buildIfNeeded, fromDist } from './dist.js';

const arg = (name: string, def: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const TARGETS = arg('targets', 10_000);
const DAYS = arg('days', 30);
const FLEET_DAYS = arg('fleet-days', 7);
const RUNS = arg('runs', 60);
const FLEET_POINTS = 60;
const TOKEN = 'bench-token-0123456789';
const KEEP_DIR = process.argv.find((a) => a.startsWith('--data-dir='))?.slice('--data-dir='.length);
const DAY_MS = 86_400_000;

const since = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

async function insertAll(store: Store, rows: ReturnType<typeof syntheticHistory>, batch = 5000): Promise<void> {
  for (let i = 0; i < rows.length; i += batch) await store.results.insertBatch(rows.slice(i, i + batch));
}

async function seed(store: Store, now: number): Promise<number> {
  let t0 = Date.now();
  const detail = await store.targets.create({ name: 'detail', url: 'https://detail.bench.test/', type: 'http', enabled: true, interval_s: 30, timeout_ms: 10_000, regions: [], labels: {}, options: {} });
  const rows = syntheticHistory(detail.id, now - DAYS * DAY_MS, now, 30_000, { baseMs: 90, failRate: 0.002, outages: [[now - 5 * DAY_MS, now - 5 * DAY_MS + 1_800_000]] });
  await insertAll(store, rows);
  console.log(`detail target: ${rows.length.toLocaleString()} raw rows in ${since(t0)}`);

  t0 = Date.now();
  await store.db.query(
    `INSERT INTO targets (name, url, labels, interval_s) SELECT 'svc-' || g, 'https://svc-' || g || '.bench.test/health',
       jsonb_build_object('env', CASE WHEN g % 5 = 0 THEN 'staging' ELSE 'prod' END, 'team', 'team-' || (g % 12)), 30
     FROM generate_series(1, $1::int) g`,
    [TARGETS],
  );
  const ids = (await store.db.query<{ id: number }>('SELECT id FROM targets WHERE id <> $1 ORDER BY id', [detail.id])).map((r) => r.id);
  let n = 0;
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100).flatMap((id) => syntheticHistory(id, now - FLEET_POINTS * 30_000, now, 30_000, { baseMs: 40 + (id % 200), failRate: id % 97 === 0 ? 0.5 : 0.003 }));
    await insertAll(store, chunk);
    n += chunk.length;
  }
  console.log(`fleet: ${TARGETS.toLocaleString()} targets, ${n.toLocaleString()} raw rows in ${since(t0)}`);

  t0 = Date.now();
  await store.results.rollup(new Date(now));
  console.log(`rollups (1m + 1h) in ${since(t0)}`);
  if (FLEET_DAYS > 0) {
    t0 = Date.now();
    // Older fleet history as 1-hour rollups only (what 30-day uptime reads); raw rows of that age are not read.
    await store.db.query(
      `INSERT INTO probes_1h (target_id, region, bucket, count, ok_count, min_ms, max_ms, sum_ms, p50_ms, p95_ms)
       SELECT t.id, 'default', date_trunc('hour', $1::timestamptz) - h * interval '1 hour', 120, 120 - (CASE WHEN (t.id + h) % 211 = 0 THEN 3 ELSE 0 END),
              20, 400, 120 * 60, 55, 140
         FROM targets t, generate_series(2, $2::int) h WHERE t.id <> $3
       ON CONFLICT DO NOTHING`,
      [new Date(now).toISOString(), FLEET_DAYS * 24, detail.id],
    );
    console.log(`fleet: ${FLEET_DAYS} days of 1-hour rollups (${(TARGETS * (FLEET_DAYS * 24 - 1)).toLocaleString()} rows) in ${since(t0)}`);
  }
  await store.db.exec('ANALYZE');
  return detail.id;
}

async function timeGet(url: string): Promise<{ ms: number; bytes: number }> {
  const t0 = process.hrtime.bigint();
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  const body = await res.arrayBuffer();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status} ${Buffer.from(body).toString().slice(0, 200)}`);
  return { ms, bytes: body.byteLength };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

async function measure(label: string, url: string, runs = RUNS): Promise<number> {
  const first = await timeGet(url);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timeGet(url)).ms);
  times.sort((a, b) => a - b);
  const p95 = pct(times, 0.95);
  console.log(`${label.padEnd(34)} first ${first.ms.toFixed(0).padStart(5)} ms | p50 ${pct(times, 0.5).toFixed(1).padStart(6)} ms  p95 ${p95.toFixed(1).padStart(6)} ms  max ${times[times.length - 1]!.toFixed(1).padStart(6)} ms | ${(first.bytes / 1024).toFixed(0)} KiB`);
  return p95;
}

/**
 * Child process: the api role alone on the seeded store, with live results published at the
 * fleet's rate (every target every 30 s) so the overview is measured while rows keep changing.
 */
async function serve(dataDir: string): Promise<void> {
  const { loadConfig } = await fromDist<typeof import('../src/config/load.js')>('config/load.js');
  const { openStore } = await fromDist<typeof import('../src/store/open.js')>('store/open.js');
  const { openBus } = await fromDist<typeof import('../src/bus/open.js')>('bus/open.js');
  const { startApi } = await fromDist<typeof import('../src/roles/api.js')>('roles/api.js');
  const { createMetrics } = await fromDist<typeof import('../src/metrics.js')>('metrics.js');
  const { silentLogger } = await fromDist<typeof import('../src/util/log.js')>('util/log.js');
  const config = loadConfig({ file: '/dev/null', env: { PULSEGUARD_PORT: '0', PULSEGUARD_HOST: '127.0.0.1', PULSEGUARD_API_TOKEN: TOKEN, PULSEGUARD_DATA_DIR: dataDir, PULSEGUARD_METRICS_PER_TARGET: 'false' } });
  const store = await openStore({ dataDir });
  const bus = await openBus({});
  await store.migrate();
  const ids = (await store.db.query<{ id: number }>(`SELECT id FROM targets WHERE name <> 'detail' ORDER BY id`)).map((r) => r.id);
  const t0 = Date.now();
  const api = await startApi({ config, store, bus, metrics: createMetrics({ perTarget: false }), log: silentLogger }, async () => ({}));
  const perTick = Math.max(1, Math.round(ids.length / 30 / 10));
  let next = 0;
  const live = setInterval(() => {
    const now = Date.now();
    for (let i = 0; i < perTick; i++, next++) {
      const id = ids[next % ids.length]!;
      const [r] = syntheticHistory(id, now, now + 1, 1, { baseMs: 40 + (id % 200), seed: next });
      void bus.publish('results', `default.${id}`, r!);
    }
  }, 100);
  process.send?.({ url: api.url.replace('localhost', '127.0.0.1'), startMs: Date.now() - t0, liveRate: perTick * 10 });
  process.once('message', () => {
    clearInterval(live);
    void api.stop().then(() => bus.close()).then(() => store.close()).then(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  buildIfNeeded();
  const dataDir = KEEP_DIR ?? mkdtempSync(join(tmpdir(), 'pulseguard-bench-dash-'));
  let child: ChildProcess | undefined;
  try {
    const store = await openStore({ dataDir });
    await store.migrate();
    const [kept] = await store.db.query<{ id: number }>(`SELECT id FROM targets WHERE name = 'detail'`);
    if (kept) console.log(`reusing the seeded store in ${dataDir} (data is as old as that run)`);
    const detailId = kept?.id ?? (await seed(store, Date.now()));
    await store.close();
    // The server runs in its own process, so the client's work (reading 6 MB) does not share its thread.
    child = fork(fileURLToPath(import.meta.url), ['--serve', dataDir], { execArgv: ['--import', 'tsx'] });
    const ready = await new Promise<{ url: string; startMs: number; liveRate: number }>((resolve, reject) => {
      child!.once('message', (m) => resolve(m as { url: string; startMs: number; liveRate: number }));
      child!.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const base = ready.url;
    console.log(`api role (own process) started in ${(ready.startMs / 1000).toFixed(1)} s, ${ready.liveRate} live results/s flowing; ${RUNS} sequential requests per endpoint after one cold request; load average ${loadavg()[0]!.toFixed(1)}\n`);
    const cold = await timeGet(`${base}/targets/${detailId}/series?range=30d`);
    const t1 = Date.now();
    const coldOverview = await timeGet(`${base}/overview`);
    for (;;) {
      const res = await fetch(`${base}/overview`, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (((await res.json()) as { complete: boolean }).complete) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`cold: first 30-day series ${cold.ms.toFixed(0)} ms; first overview ${coldOverview.ms.toFixed(0)} ms (waits up to 2 s for uptime and sparklines, then answers with complete=false), complete after ${since(t1)} (uptime 24h/7d/30d of the fleet, sparkline seed)`);
    // Warm-up (JIT, the embedded database's caches), as a dashboard that has been open a while.
    const warmEnd = Date.now() + 10_000;
    while (Date.now() < warmEnd) {
      await timeGet(`${base}/targets/${detailId}/series?range=30d`);
      await timeGet(`${base}/overview`);
    }
    console.log('after a 10 s warm-up:\n');
    const detail = await measure('GET /targets/:id/series?range=30d', `${base}/targets/${detailId}/series?range=30d`);
    const overview = await measure(`GET /overview (${TARGETS} targets)`, `${base}/overview`);
    console.log('');
    for (const r of ['7d', '24h', '1h']) await measure(`GET /targets/:id/series?range=${r}`, `${base}/targets/${detailId}/series?range=${r}`, 20);
    await measure('GET /targets/:id/breakdown?range=30d', `${base}/targets/${detailId}/breakdown?range=30d`, 20);
    await measure('GET /targets/:id/daily?days=90', `${base}/targets/${detailId}/daily?days=90`, 20);
    await measure('GET /overview?ids=<detail>', `${base}/overview?ids=${detailId}`, 20);
    console.log(`\np95 detail (30 d series): ${detail.toFixed(1)} ms · p95 overview (${TARGETS} targets): ${overview.toFixed(1)} ms · budget 100 ms: ${detail < 100 && overview < 100 ? 'met' : 'NOT met'} · load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
  } finally {
    if (child?.connected) {
      child.send('stop');
      await new Promise((r) => child!.once('exit', r));
    }
    if (!KEEP_DIR) rmSync(dataDir, { recursive: true, force: true });
  }
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) await serve(process.argv[serveAt + 1]!);
else await main();
