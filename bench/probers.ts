// Distributed probing: 1 vs 2 prober processes against the same target fleet, so the cost of the bus
// is visible: achieved probes/s, schedule lag and CPU per probe, next to the embedded single process.
// Usage: npm run bench:probers -- [--targets 3000] [--interval-s 3] [--duration-s 60] [--warmup-s 15]
//                                 [--concurrency 1000] [--fleet-servers 4] [--no-embedded]
// Starts the local target fleet (bench/fleet.ts), a database pg_bench_<random> with N HTTP targets at
// the interval (offered rate = targets / interval), then the roles as processes from source
// (`node --import tsx src/main.ts`, as the tests run them) on PostgreSQL and NATS under a random
// prefix: `prober --region default`, then one `start --role scheduler,ingester`. After the warm-up it
// measures for the duration with one prober, then starts a second prober, warms up and measures again.
//   probes/s    results stored whose scheduled_at falls in the window, ÷ duration
//   lag         ts - scheduled_at of those results (exact, from the store)
//   skipped     jobs the probers dropped as expired (pulseguard_skipped_runs_total)
//   CPU         user+system from /proc/<pid>/stat of each process over the window, per probe: the
//               probers (summed), the scheduler+ingester process, the local nats-server and the
//               PostgreSQL backends of the database (n/a when not on this machine)
// Then, unless --no-embedded, bench/probing.ts's embedded run (every role in this process, embedded
// store, in-process bus) with the same targets, interval and duration: its process CPU per probe.
// PostgreSQL: PULSEGUARD_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres);
// NATS: PULSEGUARD_TEST_NATS_URL (default nats://127.0.0.1:4222). Everything is removed at the end.
// The servers' CPU counts everything they do meanwhile: run on a quiet machine, servers to yourself.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'nats';
import { streamName, TOPICS } from '../src/bus/subjects.js';
import { cleanup, cleanups, unwind } from './cleanup.js';
import { prepareTarget } from '../src/services/targets.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { runPulseguard, type Proc } from '../test/helpers/proc.js';
import { freePort } from '../test/helpers/servers-own.js';
import { NATS_URL } from '../test/helpers/services.js';
import { pgAdmin, pgUrl } from '../test/helpers/store.js';
import { machineLine, natsServerPid, procCpuMs, table } from './cpu.js';
import { startFleet } from './fleet.js';
import { runPulseGuard } from './probing.js';
import { serverCpuMs } from './store-insert.js';
import { arg, has } from './args.js';


const TARGETS = arg('targets', 3000);
const INTERVAL_S = arg('interval-s', 3);
const DURATION_S = arg('duration-s', 60);
const WARMUP_S = arg('warmup-s', 15);
const CONCURRENCY = arg('concurrency', 1000);
const FLEET_SERVERS = arg('fleet-servers', 4);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- roles as processes --------------------------------------------------------------------------
interface RoleProc {
  name: string;
  proc: Proc;
  port: number;
}

/** Starts `pulseguard <args>`; resolves once its /ready answers 200. Stopped (SIGTERM, then SIGKILL) at cleanup. */
async function startRole(name: string, args: string[], env: Record<string, string>): Promise<RoleProc> {
  const port = await freePort();
  const proc = runPulseguard(args, { ...env, PULSEGUARD_HEALTH_PORT: String(port) });
  cleanups.push(async () => {
    const killer = setTimeout(() => void proc.kill('SIGKILL'), 15_000);
    await proc.kill('SIGTERM');
    clearTimeout(killer);
  });
  const end = Date.now() + 60_000;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${name} exited early:\n${proc.output()}`);
    if (await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status === 200, () => false)) break;
    if (Date.now() > end) throw new Error(`${name} not ready in 60 s:\n${proc.output()}`);
    await sleep(200);
  }
  return { name, proc, port };
}

/** Sum of every series of a counter on a role's /metrics. */
async function metric(r: RoleProc, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${r.port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

const rssMb = (pid: number | undefined) => {
  try {
    return (Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096) / 1048576;
  } catch {
    return NaN;
  }
};

// --- one measurement window ---------------------------------------------------------------------
interface Window {
  label: string;
  emittedPerS: number;
  rate: number;
  p50: number;
  p99: number;
  skipped: number;
  perProber: number[];
  proberCpuMs: number | null;
  controlCpuMs: number | null;
  natsCpuMs: number | null;
  pgCpuMs: number | null;
  proberRssMb: number[];
}

const sub = (a: number | null, b: number | null) => (a !== null && b !== null ? b - a : null);
const sumOrNull = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : xs.reduce<number>((s, x) => s + x!, 0));

async function measure(label: string, store: Store, database: string, probers: RoleProc[], control: RoleProc, natsPid: number | undefined): Promise<Window> {
  const counters = async () => ({
    probes: await Promise.all(probers.map((p) => metric(p, 'pulseguard_probes_total'))),
    skipped: await Promise.all(probers.map((p) => metric(p, 'pulseguard_skipped_runs_total'))),
    emitted: await metric(control, 'pulseguard_jobs_emitted_total'),
  });
  const cpu = async () => ({
    probers: sumOrNull(probers.map((p) => procCpuMs(p.proc.child.pid))),
    control: procCpuMs(control.proc.child.pid),
    nats: procCpuMs(natsPid),
    pg: await serverCpuMs(database),
  });
  const c0 = await counters();
  const u0 = await cpu();
  const from = new Date();
  const rss: number[][] = [];
  const sampler = setInterval(() => rss.push(probers.map((p) => rssMb(p.proc.child.pid))), 1000);
  await sleep(DURATION_S * 1000);
  clearInterval(sampler);
  const to = new Date();
  const u1 = await cpu();
  const c1 = await counters();
  await sleep(2000); // probes in flight finish and the ingester's last batch lands
  const [row] = await store.db.query<{ n: number; p50: number | null; p99: number | null }>(
    `SELECT count(*)::int AS n,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ts - scheduled_at) * 1000) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM ts - scheduled_at) * 1000) AS p99
       FROM probes WHERE scheduled_at >= $1 AND scheduled_at < $2`,
    [from.toISOString(), to.toISOString()],
  );
  const median = (i: number) => {
    const xs = rss.map((r) => r[i]!).sort((a, b) => a - b);
    return xs[Math.floor(xs.length / 2)] ?? NaN;
  };
  return {
    label,
    emittedPerS: (c1.emitted - c0.emitted) / DURATION_S,
    rate: (row?.n ?? 0) / DURATION_S,
    p50: Number(row?.p50 ?? NaN),
    p99: Number(row?.p99 ?? NaN),
    skipped: c1.skipped.reduce((a, x) => a + x, 0) - c0.skipped.reduce((a, x) => a + x, 0),
    perProber: probers.map((_, i) => (c1.probes[i]! - c0.probes[i]!) / DURATION_S),
    proberCpuMs: sub(u0.probers, u1.probers),
    controlCpuMs: sub(u0.control, u1.control),
    natsCpuMs: sub(u0.nats, u1.nats),
    pgCpuMs: sub(u0.pg, u1.pg),
    proberRssMb: probers.map((_, i) => median(i)),
  };
}

// --- the run -----------------------------------------------------------------------------------
async function main(): Promise<void> {
  console.log(machineLine());
  const offered = TARGETS / INTERVAL_S;
  console.log(`${TARGETS.toLocaleString('en')} HTTP targets at ${INTERVAL_S} s = ${Math.round(offered).toLocaleString('en')} probes/s offered; ` +
    `warm-up ${WARMUP_S} s, window ${DURATION_S} s, prober concurrency ${CONCURRENCY}`);
  const fleet = await startFleet(FLEET_SERVERS);
  cleanups.push(async () => fleet.stop());
  const withFleet = cleanups.length;

  const database = `pg_bench_${randomBytes(6).toString('hex')}`;
  const prefix = `bench-probers-${randomBytes(4).toString('hex')}`;
  const natsPid = natsServerPid(NATS_URL);
  await pgAdmin(`CREATE DATABASE ${database}`);
  cleanups.push(() => pgAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  const store = await openStore({ databaseUrl: pgUrl(database), postgres: { poolSize: 2 } });
  cleanups.push(() => store.close());
  await store.migrate();
  // One target through the Store (validated, defaults filled), cloned in SQL over the fleet's ports.
  const t0 = Date.now();
  const timeout_ms = Math.min(5000, INTERVAL_S * 1000);
  const proto = await store.targets.create(prepareTarget({ name: 't0', url: `${fleet.urls[0]}/t/0`, interval_s: INTERVAL_S, timeout_ms }, { interval_s: INTERVAL_S, timeout_ms }));
  await store.db.query(
    `INSERT INTO targets (name, url, type, enabled, interval_s, timeout_ms, regions, labels, options)
     SELECT 't' || g, ($2::text[])[1 + g % cardinality($2::text[])] || '/t/' || g, type, enabled, interval_s, timeout_ms, regions, labels, options
       FROM targets, generate_series(1, $3::int - 1) g WHERE id = $1`,
    [proto.id, fleet.urls, TARGETS],
  );
  console.log(`created ${TARGETS} targets in ${((Date.now() - t0) / 1000).toFixed(1)} s (database ${database}, NATS prefix ${prefix})`);

  // Streams are created by the first role with the default limits; deleted at the end.
  cleanups.push(async () => {
    const nc = await connect({ servers: NATS_URL });
    const jsm = await nc.jetstreamManager({ timeout: 60_000 });
    for (const t of TOPICS) await jsm.streams.delete(streamName(prefix, t)).catch(() => false);
    await nc.close();
  });
  const env = {
    DATABASE_URL: pgUrl(database), NATS_URL, PULSEGUARD_NATS_PREFIX: prefix, PULSEGUARD_HOST: '127.0.0.1',
    PULSEGUARD_METRICS_PER_TARGET: 'false', PULSEGUARD_CONCURRENCY: String(CONCURRENCY), PULSEGUARD_LOG_LEVEL: 'warn',
  };
  // Probers first: a job published before its region's group exists is not kept (interest stream).
  const probers = [await startRole('prober 1', ['prober', '--region', 'default'], env)];
  const control = await startRole('scheduler+ingester', ['start', '--role', 'scheduler,ingester'], env);

  const windows: Window[] = [];
  await sleep(WARMUP_S * 1000);
  windows.push(await measure('NATS + PostgreSQL, 1 prober', store, database, probers, control, natsPid));
  probers.push(await startRole('prober 2', ['prober', '--region', 'default'], env));
  await sleep(WARMUP_S * 1000);
  windows.push(await measure('NATS + PostgreSQL, 2 probers', store, database, probers, control, natsPid));
  for (const p of [...probers, control]) {
    // Warnings and errors only (the roles run at PULSEGUARD_LOG_LEVEL=warn), not the start banner.
    const out = p.proc.output().split('\n').filter((l) => l.trim() && !/^(PulseGuard is running|  Health and metrics)/.test(l));
    if (out.length) console.log(`${p.name} logged (last 5 lines):\n${out.slice(-5).join('\n')}`);
  }
  // Roles, streams and the database go now, before the embedded run.
  await unwind(withFleet);

  let embedded: Awaited<ReturnType<typeof runPulseGuard>> | undefined;
  if (!has('no-embedded')) {
    console.log('embedded: every role in this process, embedded store, in-process bus (bench/probing.ts)');
    embedded = await runPulseGuard(fleet.urls, TARGETS, INTERVAL_S, DURATION_S, WARMUP_S);
  }

  // --- report -----------------------------------------------------------------------------------
  const n = (x: number, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');
  const perProbe = (cpuMs: number | null, w: Window) => (cpuMs === null || w.rate === 0 ? 'n/a' : (cpuMs / (w.rate * DURATION_S)).toFixed(3));
  const rows = windows.map((w) => {
    const total = w.proberCpuMs !== null && w.controlCpuMs !== null ? w.proberCpuMs + w.controlCpuMs : null;
    return [
      w.label, n(offered), n(w.emittedPerS), n(w.rate), n(w.p50, 1), n(w.p99, 1), n(w.skipped),
      w.proberCpuMs === null ? 'n/a' : n((w.proberCpuMs / (DURATION_S * 1000)) * 100), perProbe(w.proberCpuMs, w),
      perProbe(w.controlCpuMs, w), perProbe(total, w), perProbe(w.natsCpuMs, w), perProbe(w.pgCpuMs, w),
    ];
  });
  if (embedded) {
    const ms = embedded.rate > 0 ? ((embedded.cpuPct / 100) * 1000) / embedded.rate : NaN;
    rows.push(['embedded, one process (bench/probing.ts)', n(offered), '', n(embedded.rate), n(embedded.p50, 1), n(embedded.p99, 1), n(embedded.skipped),
      '', '', '', Number.isFinite(ms) ? ms.toFixed(3) : 'n/a', '', '(in process)']);
  }
  console.log();
  console.log(table([
    ['', 'offered/s', 'jobs/s', 'probes/s', 'lag p50 ms', 'lag p99 ms', 'skipped', 'probers CPU %', 'CPU ms/probe: probers', 'sched+ingest', 'PulseGuard total', 'nats-server', 'PostgreSQL'],
    ...rows,
  ]));
  console.log();
  console.log('CPU % is of one core (2 cores = 200 %). "PulseGuard total" = probers + scheduler/ingester process; embedded = its one process (all roles).');
  for (const w of windows) {
    console.log(`${w.label}: ${w.perProber.map((r, i) => `prober ${i + 1} ${n(r)} probes/s (RSS median ${n(w.proberRssMb[i]!)} MB)`).join(', ')}`);
  }
  if (embedded) console.log(`embedded: CPU ${n(embedded.cpuPct)} % of one core, RSS median ${n(embedded.rssMb)} MB`);
}

try {
  await main();
} finally {
  await cleanup();
}
