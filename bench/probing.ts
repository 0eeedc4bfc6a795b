// npm run bench -- [--targets N] [--interval-s S] [--duration-s D] [--ceiling [--from RATE]] [--rss] [--probe-threads N]
// Starts a local target fleet, then PulseGuard (every role, embedded store, in this process; the
// compiled server, as `npm start` runs it) with N HTTP targets; reports achieved probes/s,
// schedule lag p50/p99 (exact, from stored results), skipped runs, CPU% and RSS. First it measures
// a bare Node loop of fresh-connection GETs against the same fleet: the practical limit here.
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startFleet } from './fleet.js';
import { arg, has } from './args.js';
import { fromDist } from './dist.js';

/** Probe threads of the PulseGuard under test (`probe_threads`; 0 = probes on its main thread). */
const PROBE_THREADS = has('probe-threads') ? arg('probe-threads', 1) : 0;

function get(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function bareLoop(urls: string[], seconds: number, concurrency: number): Promise<number> {
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, async (_, i) => {
    while (Date.now() < end) if (await get(`${urls[(n + i) % urls.length]}/bare`)) n++;
  }));
  const cpu = process.cpuUsage(cpu0);
  console.log(`bare loop: ${(n / seconds).toFixed(0)} GETs/s (fresh connection each, ${concurrency} in flight), CPU ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)}% of one core`);
  return n / seconds;
}

export interface RunReport {
  rate: number;
  p50: number;
  p99: number;
  skipped: number;
  cpuPct: number;
  rssMb: number;
}

export async function runPulseGuard(urls: string[], targets: number, intervalS: number, durationS: number, warmupS: number): Promise<RunReport> {
  // The compiled server, as `npm start` runs it.
  const { loadConfig } = await fromDist<typeof import('../src/config/load.js')>('config/load.js');
  const { runRoles } = await fromDist<typeof import('../src/roles/run.js')>('roles/run.js');
  const { ROLE_NAMES } = await fromDist<typeof import('../src/roles/role.js')>('roles/role.js');
  const { silentLogger } = await fromDist<typeof import('../src/util/log.js')>('util/log.js');
  const { openStore } = await fromDist<typeof import('../src/store/open.js')>('store/open.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'pulseguard-bench-'));
  const config = loadConfig({ file: '/dev/null', env: { PULSEGUARD_PORT: '0', PULSEGUARD_HOST: '127.0.0.1', PULSEGUARD_API_TOKEN: 'bench', PULSEGUARD_DATA_DIR: dataDir, PULSEGUARD_METRICS_PER_TARGET: 'false', PULSEGUARD_PROBE_THREADS: String(PROBE_THREADS) } });
  // Targets go in before the roles start, so the scheduler spreads them on their grids.
  const seed = await openStore({ dataDir });
  await seed.migrate();
  const t0 = Date.now();
  for (let i = 0; i < targets; i++) {
    await seed.targets.create({ name: `t${i}`, url: `${urls[i % urls.length]}/t/${i}`, type: 'http', enabled: true, interval_s: intervalS, timeout_ms: Math.min(5000, intervalS * 1000), regions: [], labels: {}, options: { method: 'GET', follow_redirects: true, max_redirects: 5, expected_status: '200-399', max_body_bytes: 1048576, tls_verify: true } });
  }
  await seed.close();
  console.log(`created ${targets} targets in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const running = await runRoles([...ROLE_NAMES], config, silentLogger);
  const { store, metrics } = running.deps;
  await new Promise((r) => setTimeout(r, warmupS * 1000));
  const skipped0 = (await metrics.skippedRuns.get()).values.reduce((a, v) => a + v.value, 0);
  const from = new Date();
  const cpu0 = process.cpuUsage();
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
  await new Promise((r) => setTimeout(r, durationS * 1000));
  clearInterval(sampler);
  const to = new Date();
  const cpu = process.cpuUsage(cpu0);
  const skipped = (await metrics.skippedRuns.get()).values.reduce((a, v) => a + v.value, 0) - skipped0;
  await new Promise((r) => setTimeout(r, 1500)); // let the last batch land
  const rows = await store.db.query<{ n: number; p50: number; p99: number }>(
    `SELECT count(*)::int AS n,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ts - scheduled_at) * 1000) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM ts - scheduled_at) * 1000) AS p99
       FROM probes WHERE scheduled_at >= $1 AND scheduled_at < $2`,
    [from.toISOString(), to.toISOString()],
  );
  await running.stop();
  rmSync(dataDir, { recursive: true, force: true });
  const r = rows[0]!;
  rss.sort((a, b) => a - b);
  return { rate: r.n / durationS, p50: Number(r.p50), p99: Number(r.p99), skipped, cpuPct: ((cpu.user + cpu.system) / 1e6 / durationS) * 100, rssMb: (rss[Math.floor(rss.length / 2)] ?? 0) / 1048576 };
}

function print(label: string, r: RunReport): void {
  console.log(`${label}: ${r.rate.toFixed(0)} probes/s, lag p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms, skipped ${r.skipped}, CPU ${r.cpuPct.toFixed(0)}% (of one core; 2 cores = 200%), RSS median ${r.rssMb.toFixed(0)} MB`);
}

const STEP_RESULT = 'step result: ';

/** Runs one ceiling step in a child process against this process's fleet. */
function step(urls: string[], targets: number, durationS: number): RunReport {
  const threads = PROBE_THREADS ? ['--probe-threads', String(PROBE_THREADS)] : [];
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--step', '--targets', String(targets), '--duration-s', String(durationS), ...threads];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, PULSEGUARD_BENCH_URLS: JSON.stringify(urls) }, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  const lines = child.stdout.split('\n');
  for (const l of lines) if (l && !l.startsWith(STEP_RESULT)) console.log(l);
  const result = lines.find((l) => l.startsWith(STEP_RESULT));
  if (child.status !== 0 || !result) throw new Error(`ceiling step with ${targets} targets failed (exit ${child.status})`);
  return JSON.parse(result.slice(STEP_RESULT.length)) as RunReport;
}

/** One ceiling step (a child of --ceiling): the fleet's URLs come from the parent. */
async function stepMain(): Promise<void> {
  const r = await runPulseGuard(JSON.parse(process.env.PULSEGUARD_BENCH_URLS!) as string[], arg('targets', 10000), 10, arg('duration-s', 60), 15);
  console.log(`${STEP_RESULT}${JSON.stringify(r)}`);
}

async function main(): Promise<void> {
  if (has('step')) return stepMain();
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}`);
  const fleet = await startFleet(4);
  try {
    // The RSS run leaves the bare loop out: its garbage would count in this process's RSS.
    if (!has('rss')) await bareLoop(fleet.urls, 10, 256);
    if (has('rss')) {
      print('1,000 targets at 10 s (RSS)', await runPulseGuard(fleet.urls, 1000, 10, arg('duration-s', 120), 20));
    } else if (has('ceiling')) {
      // Each step in a fresh process (as a user starts one), so no step inherits the last one's heap.
      for (let rate = arg('from', 1000); rate <= 5000; rate += 500) {
        const r = step(fleet.urls, rate * 10, arg('duration-s', 60));
        print(`target ${rate}/s`, r);
        if (r.p99 >= 250 || r.skipped > 0) break;
      }
    } else {
      const n = arg('targets', 10000);
      const i = arg('interval-s', 10);
      print(`${n} targets at ${i} s`, await runPulseGuard(fleet.urls, n, i, arg('duration-s', 300), 15));
    }
  } finally {
    fleet.stop();
  }
}

// Runs only as a script; bench/probers.ts imports runPulseGuard for its embedded row.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
