// Incidents, anomaly overrides and detector snapshots in the store, on PGlite and on PostgreSQL.
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../errors.js';
import type { Store } from '../store.js';
import type { NewIncident } from '../incident-store.js';
import { needs } from '../../../test/helpers/services.js';
import { targetFields, testStore, type TestStore } from '../../../test/helpers/store.js';

const BACKENDS = ['embedded', 'postgres'] as const;
// One store per backend for the whole file (a fresh one costs ~1 s); each test starts from empty tables.
const stores = new Map<string, Promise<TestStore>>();
after(async () => {
  for (const s of stores.values()) await (await s).cleanup();
});

function each(name: string, fn: (store: Store) => Promise<void>): void {
  for (const kind of BACKENDS) {
    test(`${name} (${kind})`, async (t: TestContext) => {
      if (kind === 'postgres' && !(await needs(t, 'postgres'))) return;
      if (!stores.has(kind)) stores.set(kind, testStore(kind));
      const { store } = await stores.get(kind)!;
      await store.db.exec('TRUNCATE incidents, anomaly_settings, detector_state, targets CASCADE');
      await fn(store);
    });
  }
}

const incident = (targetId: number, over: Partial<NewIncident> = {}): NewIncident => ({
  target_id: targetId, kind: 'down', severity: 'critical', started_at: '2025-03-10T10:00:00.000Z', regions: ['eu'], details: { message: 'down', values: { failures: 3 } }, ...over,
});

describe('incident store', () => {
  each('one open incident per target and kind; a second open returns the first', async (store) => {
    const t = await store.targets.create(targetFields({ name: 'api' }));
    const a = await store.incidents.open(incident(t.id));
    assert.ok(a?.created);
    assert.equal(a.incident.state, 'open');
    assert.equal(a.incident.target_name, 'api');
    assert.deepEqual(a.incident.details, { message: 'down', values: { failures: 3 } });
    assert.equal(a.incident.started_at, '2025-03-10T10:00:00.000Z');
    const b = await store.incidents.open(incident(t.id, { started_at: '2025-03-10T10:05:00.000Z' }));
    assert.equal(b?.created, false);
    assert.equal(b?.incident.id, a.incident.id);
    const other = await store.incidents.open(incident(t.id, { kind: 'latency_anomaly', severity: 'warning' }));
    assert.ok(other?.created);
    assert.equal(await store.incidents.open(incident(t.id + 1000)), null, 'unknown target');
    assert.deepEqual(Object.fromEntries(await store.incidents.openCounts()), { [t.id]: 2 });
  });

  each('resolve ends it once; then a new one of the same kind may open', async (store) => {
    const t = await store.targets.create(targetFields());
    const a = (await store.incidents.open(incident(t.id)))!.incident;
    const r = await store.incidents.resolve(a.id, '2025-03-10T10:20:00.000Z', { ...a.details, resolution: { message: 'back' } });
    assert.equal(r?.state, 'resolved');
    assert.equal(r?.ended_at, '2025-03-10T10:20:00.000Z');
    assert.equal(r?.details.resolution?.message, 'back');
    assert.equal(await store.incidents.resolve(a.id, '2025-03-10T10:30:00.000Z', a.details), null);
    const b = await store.incidents.open(incident(t.id, { started_at: '2025-03-10T11:00:00.000Z' }));
    assert.ok(b?.created && b.incident.id !== a.id);
    // An end before the start (a clock step back) is clamped to the start.
    const c = await store.incidents.resolve(b.incident.id, '2025-03-10T09:00:00.000Z', b.incident.details);
    assert.equal(c?.ended_at, '2025-03-10T11:00:00.000Z');
  });

  each('acknowledge records who and when once; a resolved incident is a conflict; unknown ids are null', async (store) => {
    const t = await store.targets.create(targetFields());
    const a = (await store.incidents.open(incident(t.id)))!.incident;
    const ack = await store.incidents.acknowledge(a.id, 'alice', '2025-03-10T10:01:00.000Z');
    assert.equal(ack?.changed, true);
    assert.deepEqual([ack?.incident.state, ack?.incident.acknowledged_by, ack?.incident.acknowledged_at], ['acknowledged', 'alice', '2025-03-10T10:01:00.000Z']);
    const again = await store.incidents.acknowledge(a.id, 'bob', '2025-03-10T10:02:00.000Z');
    assert.equal(again?.changed, false);
    assert.equal(again?.incident.acknowledged_by, 'alice');
    await store.incidents.resolve(a.id, '2025-03-10T10:10:00.000Z', a.details);
    await assert.rejects(store.incidents.acknowledge(a.id, 'bob', '2025-03-10T10:11:00.000Z'), (e: unknown) => e instanceof AppError && e.code === 'conflict');
    assert.equal(await store.incidents.acknowledge('0190c000-0000-7000-8000-000000000000', 'x', '2025-03-10T10:11:00.000Z'), null);
    assert.equal(await store.incidents.get('not-a-uuid'), null);
  });

  each('list filters by target, kind, state and time range, newest first, with a limit', async (store) => {
    const t1 = await store.targets.create(targetFields({ name: 'one' }));
    const t2 = await store.targets.create(targetFields({ name: 'two' }));
    const old = (await store.incidents.open(incident(t1.id, { started_at: '2025-03-01T00:00:00.000Z' })))!.incident;
    await store.incidents.resolve(old.id, '2025-03-01T01:00:00.000Z', old.details);
    await store.incidents.open(incident(t1.id, { started_at: '2025-03-10T00:00:00.000Z' }));
    const lat = (await store.incidents.open(incident(t2.id, { kind: 'latency_anomaly', started_at: '2025-03-05T00:00:00.000Z' })))!.incident;
    await store.incidents.acknowledge(lat.id, 'ops', '2025-03-05T00:01:00.000Z');
    const ids = async (f: Parameters<Store['incidents']['list']>[0]) => (await store.incidents.list(f)).map((i) => `${i.target_name}/${i.kind}/${i.started_at.slice(5, 10)}`);
    assert.deepEqual(await ids({}), ['one/down/03-10', 'two/latency_anomaly/03-05', 'one/down/03-01']);
    assert.deepEqual(await ids({ target_id: t1.id }), ['one/down/03-10', 'one/down/03-01']);
    assert.deepEqual(await ids({ kind: 'latency_anomaly' }), ['two/latency_anomaly/03-05']);
    assert.deepEqual(await ids({ state: 'open' }), ['one/down/03-10', 'two/latency_anomaly/03-05']);
    assert.deepEqual(await ids({ state: 'acknowledged' }), ['two/latency_anomaly/03-05']);
    assert.deepEqual(await ids({ state: 'resolved' }), ['one/down/03-01']);
    assert.deepEqual(await ids({ from: '2025-03-01T00:30:00Z', to: '2025-03-02T00:00:00Z' }), ['one/down/03-01']);
    assert.deepEqual(await ids({ from: '2025-03-06T00:00:00Z' }), ['one/down/03-10', 'two/latency_anomaly/03-05'], 'still open counts as active');
    assert.deepEqual(await ids({ limit: 1 }), ['one/down/03-10']);
    assert.equal((await store.incidents.listOpen()).length, 2);
  });

  each('deleting a target deletes its incidents, overrides and snapshots', async (store) => {
    const t = await store.targets.create(targetFields());
    await store.incidents.open(incident(t.id));
    await store.anomaly.putOverrides(t.id, { sensitivity: 'low', detector: null, direction: null, min_change_ms: 5, min_change_pct: null });
    await store.anomaly.saveStates([{ target_id: t.id, region: 'eu', metric: 'up', state: { v: 1 } }]);
    assert.ok(await store.targets.delete(t.id));
    assert.equal((await store.incidents.list({})).length, 0);
    assert.equal(await store.anomaly.getOverrides(t.id), null);
    assert.equal((await store.anomaly.loadStates()).length, 0);
  });
});

describe('anomaly store', () => {
  each('overrides are replaced whole; all null deletes them; an unknown target is null', async (store) => {
    const t = await store.targets.create(targetFields());
    const o = await store.anomaly.putOverrides(t.id, { sensitivity: 'high', detector: 'zscore', direction: 'both', min_change_ms: 5, min_change_pct: 25.5 });
    assert.deepEqual({ ...o, updated_at: undefined }, { target_id: t.id, sensitivity: 'high', detector: 'zscore', direction: 'both', min_change_ms: 5, min_change_pct: 25.5, updated_at: undefined });
    await store.anomaly.putOverrides(t.id, { sensitivity: null, detector: null, direction: 'down', min_change_ms: null, min_change_pct: null });
    assert.deepEqual((await store.anomaly.listOverrides()).map((x) => [x.direction, x.sensitivity]), [['down', null]]);
    await store.anomaly.putOverrides(t.id, { sensitivity: null, detector: null, direction: null, min_change_ms: null, min_change_pct: null });
    assert.equal(await store.anomaly.getOverrides(t.id), null);
    assert.equal(await store.anomaly.putOverrides(t.id + 99, { sensitivity: 'low', detector: null, direction: null, min_change_ms: null, min_change_pct: null }), null);
  });

  each('snapshots are upserted in chunks, skip deleted targets, and load back in pages', async (store) => {
    const t = await store.targets.create(targetFields());
    const rows = Array.from({ length: 2600 }, (_, i) => ({ target_id: t.id, region: `r${String(i).padStart(4, '0')}`, metric: 'latency', state: { v: 1, n: i } }));
    await store.anomaly.saveStates([...rows, { target_id: t.id + 5, region: 'x', metric: 'up', state: {} }]);
    await store.anomaly.saveStates([{ target_id: t.id, region: 'r0000', metric: 'latency', state: { v: 1, n: -1 } }]);
    const back = await store.anomaly.loadStates();
    assert.equal(back.length, 2600);
    assert.deepEqual(back[0], { target_id: t.id, region: 'r0000', metric: 'latency', state: { v: 1, n: -1 } });
    assert.deepEqual(back[2599]?.state, { v: 1, n: 2599 });
  });
});
