// The anomaly service on a real store and bus (in-process, and NATS JetStream): results in,
// incidents stored and transitions published; state saved and restored across a restart;
// deleted and paused targets close their incidents.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import type { Bus } from '../bus/bus.js';
import { MemoryBus } from '../bus/memory.js';
import { openBus } from '../bus/open.js';
import { streamName, TOPICS } from '../bus/subjects.js';
import type { IncidentTransition } from '../domain/incident.js';
import { createMetrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import { silentLogger } from '../util/log.js';
import { AnomalyService } from './anomaly.js';
import { NATS_URL, needs } from '../../test/helpers/services.js';
import { probeResult, targetFields, testStore } from '../../test/helpers/store.js';
import { waitFor } from '../../test/helpers/app.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 2, 10);

async function natsBus(prefix: string): Promise<{ bus: Bus; cleanup(): Promise<void> }> {
  const small = { maxBytes: 16 * 1024 ** 2 };
  const bus = await openBus({ natsUrl: NATS_URL, prefix, name: 'pulseguard-anomaly-test', streams: { jobs: small, results: small, incidents: small, targets: small } });
  return {
    bus,
    async cleanup() {
      await bus.close();
      const nc = await connect({ servers: NATS_URL });
      const jsm = await nc.jetstreamManager();
      for (const t of TOPICS) await jsm.streams.delete(streamName(prefix, t)).catch(() => false);
      await nc.close();
    },
  };
}

function anomalyService(store: Store, bus: Bus): AnomalyService {
  return new AnomalyService({
    store, bus, log: silentLogger, metrics: createMetrics({ perTarget: false, defaults: false }),
    engine: { downFailures: 3, downQuorum: 1, resolveSuccesses: 2, resolveCalmMs: 0, tlsExpiryDays: 14, warmupPoints: 30, sensitivity: 'normal' },
    snapshotMs: 3_600_000, instance: randomBytes(4).toString('hex'),
  });
}

/** Publishes results of one target a minute apart from `fromMs`; returns the last id. */
async function publish(bus: Bus, targetId: number, fromMs: number, n: number, over: (k: number) => { latency_ms?: number; ok?: boolean }): Promise<string> {
  let id = '';
  for (let k = 0; k < n; k++) {
    const o = over(k);
    const r = probeResult(targetId, fromMs + k * MINUTE, { latency_ms: o.latency_ms ?? 100 + (k % 7), ok: o.ok ?? true, ...(o.ok === false ? { status_code: 503, error_class: 'status', error_message: 'HTTP 503' } : {}) });
    await bus.publish('results', `default.${targetId}`, r);
    id = r.id;
  }
  return id;
}

/** Waits until the service has processed the result `id` (its saved state names it). */
async function processed(service: AnomalyService, store: Store, targetId: number, id: string): Promise<void> {
  await waitFor(async () => {
    await service.snapshot();
    const up = (await store.anomaly.loadStates()).find((r) => r.target_id === targetId && r.metric === 'up');
    return (up?.state as { lastId?: string } | undefined)?.lastId === id;
  }, 10_000, `result ${id} processed`);
}

for (const kind of ['memory', 'nats'] as const) {
  test(`restarted with its saved state it detects at once; a deleted target's incidents end (${kind} bus)`, async (t: TestContext) => {
    if (kind === 'nats' && !(await needs(t, 'nats'))) return;
    const { store, cleanup } = await testStore('embedded');
    const b = kind === 'nats' ? await natsBus(`pgtest-${randomBytes(5).toString('hex')}`) : { bus: new MemoryBus(), cleanup: async () => undefined };
    const seen: IncidentTransition[] = [];
    try {
      await b.bus.consume('incidents', { group: 'test-listener' }, async (m) => void seen.push(m.data));
      const target = await store.targets.create(targetFields({ name: 'svc' }));
      const first = anomalyService(store, b.bus);
      await first.start();
      // 40 normal probes: past the 30-probe warm-up.
      await processed(first, store, target.id, await publish(b.bus, target.id, T0, 40, () => ({})));
      await first.stop();

      const second = anomalyService(store, b.bus);
      await second.start();
      try {
        await publish(b.bus, target.id, T0 + 40 * MINUTE, 5, () => ({ latency_ms: 450 }));
        const [lat] = await waitFor(async () => {
          const l = await store.incidents.list({ kind: 'latency_anomaly' });
          return l.length ? l : undefined;
        }, 10_000, 'latency_anomaly from the restored state');
        assert.equal(lat!.target_id, target.id);
        await publish(b.bus, target.id, T0 + 45 * MINUTE, 3, () => ({ ok: false }));
        await waitFor(async () => (await store.incidents.list({ kind: 'down' })).length === 1, 10_000, 'down');
        await waitFor(async () => seen.length >= 2, 10_000, 'opened transitions');
        assert.deepEqual(seen.map((s) => `${s.transition} ${s.incident.kind} ${s.target.name}`).sort(), ['opened down svc', 'opened latency_anomaly svc']);

        await store.targets.delete(target.id);
        await b.bus.publish('targets', 'changed', { id: randomBytes(8).toString('hex'), target_id: target.id, op: 'deleted' });
        await waitFor(async () => seen.length >= 4, 10_000, 'resolved transitions');
        const ended = seen.filter((s) => s.transition === 'resolved');
        assert.deepEqual(ended.map((s) => s.incident.details.resolution?.message), ['target deleted', 'target deleted']);
        assert.ok(ended.every((s) => s.incident.ended_at !== null && s.incident.state === 'resolved'));
      } finally {
        await second.stop();
      }
    } finally {
      await b.cleanup();
      await cleanup();
    }
  });
}

test('pausing a target resolves its open incidents', async () => {
  const { store, cleanup } = await testStore('embedded');
  const bus = new MemoryBus();
  const seen: IncidentTransition[] = [];
  const service = anomalyService(store, bus);
  try {
    await bus.consume('incidents', { group: 'test-listener' }, async (m) => void seen.push(m.data));
    const target = await store.targets.create(targetFields());
    await service.start();
    await publish(bus, target.id, T0, 3, () => ({ ok: false }));
    await waitFor(async () => seen.length === 1, 10_000, 'down opened');
    await store.targets.update(target.id, { enabled: false });
    await bus.publish('targets', 'changed', { id: randomBytes(8).toString('hex'), target_id: target.id, op: 'updated' });
    await waitFor(async () => seen.length === 2, 10_000, 'down resolved');
    assert.equal(seen[1]!.transition, 'resolved');
    assert.equal(seen[1]!.incident.details.resolution?.message, 'target paused');
    assert.equal((await store.incidents.list({ state: 'open' })).length, 0);
  } finally {
    await service.stop();
    await bus.close();
    await cleanup();
  }
});
