// Resident memory of PulseGuard as users run it: the built CLI (`bin/pulseguard.js start`, its shebang's flags,
// every role, embedded store, no tsx in the process) with N HTTP targets at a 10 s interval
// against the local fleet. Samples VmRSS of the process (all its threads) every second.
// Usage: npm run bench:rss [-- --targets 1000 --duration-s 120 --warmup-s 30]   (runs `npm run build` first)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine } from './cpu.js';
import { cleanup, cleanups } from './cleanup.js';
import { startFleet } from './fleet.js';
import { freePort } from '../test/helpers/servers-own.js';
import { arg } from './args.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGETS = arg('targets', 1000);
const DURATION_S = arg('duration-s', 120);
const WARMUP_S = arg('warmup-s', 30);
const TOKEN = 'bench-token-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
  console.log(machineLine());
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-needed'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('build failed');
  const fleet = await startFleet(4);
  cleanups.push(async () => fleet.stop());
  const dataDir = mkdtempSync(join(tmpdir(), 'pulseguard-rss-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  // Run as users run the installed CLI: the file itself, so its shebang's Node flags apply.
  const child = spawn(join(ROOT, 'bin/pulseguard.js'), ['start'], {
    env: { ...process.env, PULSEGUARD_PORT: String(port), PULSEGUARD_HOST: '127.0.0.1', PULSEGUARD_DATA_DIR: dataDir, PULSEGUARD_API_TOKEN: TOKEN, PULSEGUARD_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
  const api = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${api}/health`).then((r) => r.ok, () => false)) break;
    if (i > 600) throw new Error('PulseGuard did not start');
    await sleep(100);
  }
  const t0 = Date.now();
  for (let i = 0; i < TARGETS; i++) {
    const res = await fetch(`${api}/targets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `t${i}`, url: `${fleet.urls[i % fleet.urls.length]}/t/${i}`, interval_s: 10, timeout_ms: 5000 }),
    });
    if (res.status !== 201) throw new Error(`POST /targets: ${res.status} ${await res.text()}`);
  }
  console.log(`created ${TARGETS} targets through the API in ${((Date.now() - t0) / 1000).toFixed(1)} s; warm-up ${WARMUP_S} s, then ${DURATION_S} s of samples`);
  await sleep(WARMUP_S * 1000);
  const samples: number[] = [];
  for (let s = 0; s < DURATION_S; s++) {
    samples.push(rssMb(child.pid!));
    await sleep(1000);
  }
  const probes = await fetch(`${api}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.text());
  const count = [...probes.matchAll(/^pulseguard_probes_total\{[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
  // Where the main thread's memory is (prom-client's process metrics); the rest is the database
  // thread (PGlite's WASM memory and its isolate), code and Node itself.
  const space = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(probes)?.[1] ?? NaN) / 1048576;
  const spaces = [...probes.matchAll(/^nodejs_heap_space_size_used_bytes\{space="(\w+)"\} (\d+)/gm)].map((m) => `${m[1]} ${(Number(m[2]) / 1048576).toFixed(0)}`);
  console.log(`main thread at the end: heap total ${space('nodejs_heap_size_total_bytes').toFixed(0)} MB, used ${space('nodejs_heap_size_used_bytes').toFixed(0)} MB, external ${space('nodejs_external_memory_bytes').toFixed(0)} MB; used by space (MB): ${spaces.join(', ')}`);
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  console.log(`${TARGETS} targets at 10 s, built CLI (bin/pulseguard.js start): RSS median ${at(0.5).toFixed(0)} MB, p95 ${at(0.95).toFixed(0)} MB, max ${samples[samples.length - 1]!.toFixed(0)} MB over ${DURATION_S} s; ${count} probes run in all`);
}

try {
  await main();
} finally {
  await cleanup();
}
