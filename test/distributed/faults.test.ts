// Distributed mode survives faults: roles as separate processes on a private PostgreSQL and a
// private NATS JetStream (so stopping them does not disturb other tests), under a steady probe load.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openBus } from '../../src/bus/open.js';
import type { Bus, Subscription } from '../../src/bus/bus.js';
import { prepareTarget } from '../../src/services/targets.js';
import { openStore } from '../../src/store/open.js';
import { needs } from '../helpers/services.js';
import { ownNats, ownPostgres, ownServersAvailable, type OwnNats, type OwnPostgres } from '../helpers/servers-own.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';

let pgServer: OwnPostgres | undefined;
let nats: OwnNats | undefined;
let target: Server | undefined;
let targetUrl = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  if (!ownServersAvailable()) return;
  [pgServer, nats] = await Promise.all([ownPostgres(), ownNats()]);
  target = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => target!.listen(0, '127.0.0.1', 1024, r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

after(async () => {
  target?.close();
  await Promise.all([pgServer?.destroy(), nats?.destroy()]);
});

/** Creates `n` targets probed every `intervalS` seconds (migrating the database first). */
async function seedTargets(c: Cluster, n: number, intervalS: number): Promise<void> {
  const store = await openStore({ databaseUrl: c.env.DATABASE_URL! });
  try {
    await store.migrate();
    for (let i = 0; i < n; i++) await store.targets.create(prepareTarget({ name: `t${i}`, url: `${targetUrl}/t/${i}`, interval_s: intervalS }, { interval_s: intervalS, timeout_ms: 1000 }));
  } finally {
    await store.close();
  }
}

/** A durable audit consumer on the results stream: every result JetStream accepted. */
async function audit(c: Cluster): Promise<{ ids: Set<string>; bus: Bus; sub: Subscription }> {
  const bus = await openBus({ natsUrl: c.env.NATS_URL!, prefix: c.env.PULSEGUARD_NATS_PREFIX!, name: 'audit' });
  const ids = new Set<string>();
  const sub = await bus.consume('results', { group: 'audit', concurrency: 4096 }, async (m) => void ids.add(m.data.id));
  return { ids, bus, sub };
}

async function storedIds(c: Cluster): Promise<{ ids: Set<string>; rows: number }> {
  const rows = await c.query<{ id: string }>('SELECT id::text AS id FROM probes');
  return { ids: new Set(rows.map((r) => r.id)), rows: rows.length };
}

/** Waits until every audited result is stored; asserts each is stored exactly once. */
async function assertAllStoredOnce(c: Cluster, audited: Set<string>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let missing: string[] = [];
  for (;;) {
    const stored = await storedIds(c).catch(() => ({ ids: new Set<string>(), rows: 0 }));
    missing = [...audited].filter((id) => !stored.ids.has(id));
    if (missing.length === 0) {
      assert.equal(stored.rows, stored.ids.size, 'a result id is stored twice');
      return;
    }
    if (Date.now() > end) break;
    await sleep(500);
  }
  assert.fail(`${missing.length} of ${audited.size} published results never reached PostgreSQL`);
}

/** Largest gap between consecutive results of any target within [from, to], in ms. */
async function maxGapMs(c: Cluster, from: Date, to: Date): Promise<number> {
  const rows = await c.query<{ gap: number | null }>(
    `SELECT max(extract(epoch FROM gap) * 1000)::float AS gap FROM (
       SELECT ts - lag(ts) OVER (PARTITION BY target_id ORDER BY ts) AS gap
         FROM probes WHERE ts BETWEEN $1 AND $2) g`,
    [from.toISOString(), to.toISOString()],
  );
  return rows[0]?.gap ?? Infinity;
}

describe('distributed mode under faults', { concurrency: false }, () => {
  test('kill -9 of one of two probers: the other takes every job; no target goes unprobed for two intervals', async (t) => {
    if (!(await needs(t, 'own-servers'))) return;
    const c = await startCluster(pgServer!.url, nats!.url);
    try {
      await seedTargets(c, 30, 2);
      await c.role('ingester');
      const a = await c.role('prober');
      await c.role('prober');
      await c.role('scheduler');
      await sleep(6000);
      await a.proc.kill('SIGKILL');
      const killedAt = new Date();
      await sleep(12_000);
      const gap = await maxGapMs(c, killedAt, new Date());
      assert.ok(gap <= 4000, `a target went ${gap} ms without a result (interval 2 s)`);
      const per = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM probes WHERE ts > $1 GROUP BY target_id`, [killedAt.toISOString()]);
      assert.equal(per.length, 30, 'every target was probed after the kill');
    } finally {
      await c.stop();
    }
  });

  test('kill -9 of the ingester under load, then restart: every published result is stored exactly once', async (t) => {
    if (!(await needs(t, 'own-servers'))) return;
    const c = await startCluster(pgServer!.url, nats!.url);
    const au = await audit(c);
    try {
      await seedTargets(c, 30, 1);
      const ing = await c.role('ingester');
      await c.role('prober');
      const sched = await c.role('scheduler');
      await sleep(4000);
      await ing.proc.kill('SIGKILL');
      await sleep(4000);
      await c.role('ingester');
      await sleep(3000);
      await sched.proc.kill('SIGTERM');
      await sleep(2000);
      assert.ok(au.ids.size > 100, `load too small: ${au.ids.size} results`);
      await assertAllStoredOnce(c, au.ids);
    } finally {
      await au.sub.close();
      await au.bus.close();
      await c.stop();
    }
  });

  test('PostgreSQL down for 30 s under load: ingester not ready meanwhile, nothing lost, ingestion catches up', async (t) => {
    if (!(await needs(t, 'own-servers'))) return;
    const c = await startCluster(pgServer!.url, nats!.url);
    const au = await audit(c);
    try {
      await seedTargets(c, 20, 1);
      const ing = await c.role('ingester');
      const prober = await c.role('prober');
      const sched = await c.role('scheduler');
      await sleep(3000);
      await pgServer!.stop();
      const downAt = Date.now();
      await sleep(5000);
      const ready = await fetch(`http://127.0.0.1:${ing.port}/ready`);
      assert.equal(ready.status, 503, 'the ingester says not ready while PostgreSQL is down');
      const body = (await ready.json()) as { checks: Record<string, boolean> };
      assert.equal(body.checks.store, false);
      const before = au.ids.size;
      await sleep(Math.max(0, 30_000 - (Date.now() - downAt)));
      assert.ok(au.ids.size > before + 100, 'probing went on while the database was down');
      await pgServer!.start();
      await sleep(3000);
      await sched.proc.kill('SIGTERM');
      await sleep(2000);
      await assertAllStoredOnce(c, au.ids, 90_000);
      for (const p of [ing.proc, prober.proc]) assert.equal(p.child.exitCode, null, `a role crashed:\n${p.output()}`);
      const readyAgain = await fetch(`http://127.0.0.1:${ing.port}/ready`);
      assert.equal(readyAgain.status, 200);
    } finally {
      await pgServer!.start().catch(() => undefined);
      await au.sub.close();
      await au.bus.close();
      await c.stop();
    }
  });

  test('NATS restart under load: every role reconnects and no result JetStream accepted is lost', async (t) => {
    if (!(await needs(t, 'own-servers'))) return;
    const c = await startCluster(pgServer!.url, nats!.url);
    const au = await audit(c);
    try {
      await seedTargets(c, 20, 1);
      const roles = [await c.role('ingester'), await c.role('prober'), await c.role('scheduler')];
      await sleep(3000);
      await nats!.stop();
      await sleep(3000);
      await nats!.start();
      const restartedAt = new Date();
      await sleep(8000);
      const after = await c.query<{ n: number }>('SELECT count(DISTINCT target_id)::int AS n FROM probes WHERE ts > $1', [new Date(restartedAt.getTime() + 3000).toISOString()]);
      assert.equal(after[0]!.n, 20, 'every target is probed and stored again after the restart');
      for (const r of roles) assert.equal(r.proc.child.exitCode, null, `a role exited:\n${r.proc.output()}`);
      await roles[2]!.proc.kill('SIGTERM');
      await sleep(2000);
      await assertAllStoredOnce(c, au.ids);
    } finally {
      await au.sub.close().catch(() => undefined);
      await au.bus.close().catch(() => undefined);
      await c.stop();
    }
  });

  test('two schedulers: exactly one is active; kill -9 it and the standby takes over within 15 s', async (t) => {
    if (!(await needs(t, 'own-servers'))) return;
    const c = await startCluster(pgServer!.url, nats!.url);
    try {
      await seedTargets(c, 20, 10);
      await c.role('ingester');
      await c.role('prober');
      const s1 = await c.role('scheduler');
      const s2 = await c.role('scheduler');
      const active = async (port: number) => /^pulseguard_scheduler_active 1$/m.test(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      await sleep(3000);
      const states = [await active(s1.port), await active(s2.port)];
      assert.equal(states.filter(Boolean).length, 1, `exactly one active scheduler, got ${states}`);
      const [dead, standby] = states[0] ? [s1, s2] : [s2, s1];
      await sleep(12_000);
      await dead.proc.kill('SIGKILL');
      const killedAt = Date.now();
      while (!(await active(standby.port))) {
        assert.ok(Date.now() - killedAt < 15_000, 'the standby did not take over within 15 s');
        await sleep(250);
      }
      await sleep(15_000);
      const gap = await maxGapMs(c, new Date(killedAt - 20_000), new Date());
      assert.ok(gap <= 20_000, `a target missed more than one run: ${gap} ms between results (interval 10 s)`);
    } finally {
      await c.stop();
    }
  });
});
