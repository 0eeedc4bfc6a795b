// Resident memory of a process running the embedded store with 1,000 targets: after creating a data
// dir, while inserting results, after the read queries the API and maintenance run, and after a
// reopen in a fresh process. Usage: node --import tsx bench/store-memory.ts [rows=200000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { probeResult } from '../test/helpers/store.js';

const TARGETS = 1000;
const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);
const report = (label: string) => console.log(`${label.padEnd(44)} RSS ${rssMb()} MB`);

async function queries(store: Store, ids: number[]): Promise<void> {
  const now = new Date();
  await store.results.rollup(now);
  await store.results.latest();
  await store.targets.list({ enabled: true });
  await store.results.uptime(new Date(now.getTime() - 24 * 3600_000));
  for (const id of ids.slice(0, 20)) {
    await store.results.history(id, { limit: 1000 });
    await store.results.series(id, { from: new Date(now.getTime() - 24 * 3600_000), to: now, step: '1m' });
  }
}

async function create(dir: string, rows: number): Promise<void> {
  report('baseline (modules loaded)');
  const store = await openStore({ dataDir: dir });
  await store.migrate();
  report('after creating the data dir + migrate');
  await store.db.query(`INSERT INTO targets (name, url) SELECT 'm ' || g, 'https://m.test/' || g FROM generate_series(1, $1::int) g`, [TARGETS]);
  const ids = (await store.targets.list()).map((t) => t.id);
  const start = Date.now() - 12 * 3600_000;
  let peak = 0;
  for (let i = 0; i < rows; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(rows, i + 500); j++) batch.push(probeResult(ids[j % TARGETS]!, start + j * 200, { latency_ms: 10 + (j % 50) }));
    await store.results.insertBatch(batch);
    peak = Math.max(peak, rssMb());
  }
  report(`after inserting ${rows} results (peak ${peak} MB)`);
  await queries(store, ids);
  report('after rollup, latest, list, uptime, history, series');
  await store.close();
}

async function reopen(dir: string): Promise<void> {
  const store = await openStore({ dataDir: dir });
  await store.migrate();
  report('after reopening (fresh process)');
  const ids = (await store.targets.list()).map((t) => t.id);
  await queries(store, ids);
  report('after the same queries');
  await store.close();
}

const [cmd, arg] = [process.argv[2], process.argv[3]];
if (cmd === 'create' && arg) await create(arg, Number(process.argv[4]));
else if (cmd === 'reopen' && arg) await reopen(arg);
else {
  const rows = cmd ?? '200000';
  const dir = mkdtempSync(join(tmpdir(), 'pulseguard-mem-'));
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, ...args], { stdio: 'inherit' });
  try {
    run('create', dir, rows);
    run('reopen', dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
