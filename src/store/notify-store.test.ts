// The notification stores' SQL on both backends: dedupe, claims that never overlap, lock expiry
// after a crash, retry budget, routing, channels declared by configuration, maintenance windows.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { needs } from '../../test/helpers/services.js';
import { targetFields, testStore } from '../../test/helpers/store.js';
import { AppError } from '../errors.js';
import type { IncidentEvent } from '../notify/event.js';
import type { ChannelFields, NewDelivery } from './notify-store.js';
import { notifyStore } from './sql/notify.js';

const channel = (name: string, over: Partial<ChannelFields> = {}): ChannelFields => ({
  name, type: 'webhook', config: { url: 'https://example.test/hook' }, enabled: true, default: true,
  remind_every_minutes: null, rate_limit_per_minute: null, managed_by: 'api', ...over,
});

function row(channelId: number, incidentId: string, over: Partial<NewDelivery> = {}): NewDelivery {
  const event: IncidentEvent = {
    kind: 'opened', id: `evt-${incidentId}`, at: new Date().toISOString(),
    incidents: [{ id: incidentId, target_id: 1, target_name: 't', target_url: 'https://t.test/', kind: 'down', started_at: new Date().toISOString(), regions: [], details: {} }],
  };
  return { channel_id: channelId, channel_type: 'webhook', event_id: event.id, incident_id: incidentId, target_id: 1, transition: 'opened', seq: 0, event, status: 'pending', ...over };
}

for (const kind of ['embedded', 'postgres'] as const) {
  const withStore = async (t: TestContext, fn: (s: ReturnType<typeof notifyStore>, db: Awaited<ReturnType<typeof testStore>>['store']) => Promise<void>) => {
    if (kind === 'postgres' && !(await needs(t, 'postgres'))) return;
    const ts = await testStore(kind);
    try {
      await fn(notifyStore(ts.store.db), ts.store);
    } finally {
      await ts.cleanup();
    }
  };

  test(`${kind}: a row is written once per key; two workers never claim the same row; a crashed holder's lock expires`, (t) =>
    withStore(t, async (s) => {
      const ch = await s.channels.create(channel('hook'));
      const first = await s.deliveries.insert([row(ch.id, 'a'), row(ch.id, 'b'), row(ch.id, 'c')]);
      const again = await s.deliveries.insert([row(ch.id, 'a', { event_id: 'other' })]);
      assert.equal(first.length, 3);
      assert.equal(again.length, 0, 'the unique key dedupes');
      const opts = { limit: 2, lockMs: 60_000, groupWaitMs: 0 };
      const [x, y] = await Promise.all([s.deliveries.claim(ch.id, { ...opts, holder: 'x' }), s.deliveries.claim(ch.id, { ...opts, holder: 'y' })]);
      const ids = [...x!, ...y!].map((r) => r.id);
      assert.equal(ids.length, 3);
      assert.equal(new Set(ids).size, 3, 'no row claimed twice');
      assert.equal((await s.deliveries.claim(ch.id, { ...opts, holder: 'z' })).length, 0, 'locked rows are not due');
      // x "crashes": its lock runs out and z takes its rows
      const short = await s.deliveries.insert([row(ch.id, 'd')]);
      const mine = await s.deliveries.claim(ch.id, { ...opts, holder: 'x', lockMs: 50 });
      assert.deepEqual(mine.map((r) => r.id), short.map((r) => r.id));
      await new Promise((r) => setTimeout(r, 80));
      assert.deepEqual((await s.deliveries.claim(ch.id, { ...opts, holder: 'z' })).map((r) => r.id), mine.map((r) => r.id));
      assert.deepEqual(await s.deliveries.pendingByChannel(), [{ channel_id: ch.id, pending: 4, due: 0 }]);
    }));

  test(`${kind}: a retry past the retry period fails the row; settling twice changes nothing`, (t) =>
    withStore(t, async (s) => {
      const ch = await s.channels.create(channel('hook'));
      const [a] = await s.deliveries.insert([row(ch.id, 'a')]);
      const retry = { outcome: 'retry' as const, status: 503, error: 'HTTP 503', groupSize: 1 };
      assert.deepEqual(await s.deliveries.settle([a!.id], { ...retry, delayMs: 10, giveUpAfterMs: 60_000 }), [{ id: a!.id, status: 'pending' }]);
      assert.deepEqual(await s.deliveries.settle([a!.id], { ...retry, delayMs: 120_000, giveUpAfterMs: 60_000 }), [{ id: a!.id, status: 'failed' }]);
      assert.deepEqual(await s.deliveries.settle([a!.id], { outcome: 'delivered', groupSize: 1 }), [], 'settled rows stay settled');
      const got = await s.deliveries.get(a!.id);
      assert.equal(got?.attempts, 2);
      assert.equal(got?.last_status, 503);
      assert.match(got?.note ?? '', /gave up/);
      assert.match(got?.settled_at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual((await s.deliveries.list({ status: 'failed', channel_id: ch.id })).map((d) => d.id), [a!.id]);
      assert.deepEqual(await s.deliveries.list({ status: 'pending' }), []);
    }));

  test(`${kind}: routes, default channels, name conflicts and channels managed by configuration`, (t) =>
    withStore(t, async (s, store) => {
      const target = await store.targets.create(targetFields());
      const a = await s.channels.create(channel('a'));
      const b = await s.channels.create(channel('b', { default: false }));
      await assert.rejects(s.channels.create(channel('a')), (e: unknown) => e instanceof AppError && e.code === 'conflict' && e.field === 'name');
      assert.deepEqual((await s.channels.forTarget(target.id)).map((c) => c.name), ['a']);
      await s.channels.setRoutes(target.id, [b.id, b.id]);
      assert.deepEqual((await s.channels.forTarget(target.id)).map((c) => c.name), ['b']);
      await assert.rejects(s.channels.setRoutes(target.id, [b.id, 999]), (e: unknown) => e instanceof AppError && e.field === 'channel_ids');
      assert.deepEqual(await s.channels.routesOf(target.id), [b.id], 'a rejected change leaves the routes as they were');
      await s.channels.upsertByName(channel('from-yaml', { managed_by: 'config' }));
      await s.channels.upsertByName(channel('from-yaml', { managed_by: 'config', enabled: false }));
      assert.equal((await s.channels.list()).find((c) => c.name === 'from-yaml')?.enabled, false);
      assert.deepEqual(await s.channels.deleteManagedExcept('config', []), ['from-yaml']);
      await store.targets.delete(target.id);
      assert.deepEqual(await s.channels.routesOf(target.id), []);
      assert.equal(await s.channels.delete(a.id), true);
      assert.equal(await s.channels.get(a.id), null);
    }));

  test(`${kind}: a maintenance window covers its target (or all) from start to end`, (t) =>
    withStore(t, async (s, store) => {
      const one = await store.targets.create(targetFields());
      const two = await store.targets.create(targetFields());
      const w = await s.maintenance.create({ target_id: one.id, starts_at: '2030-01-01T10:00:00.000Z', ends_at: '2030-01-01T11:00:00.000Z', reason: 'upgrade' });
      assert.equal((await s.maintenance.covering(one.id, '2030-01-01T10:30:00.000Z'))?.id, w.id);
      assert.equal(await s.maintenance.covering(one.id, '2030-01-01T11:00:00.000Z'), null, 'the end is exclusive');
      assert.equal(await s.maintenance.covering(two.id, '2030-01-01T10:30:00.000Z'), null);
      const all = await s.maintenance.create({ target_id: null, starts_at: '2030-01-02T10:00:00.000Z', ends_at: '2030-01-02T11:00:00.000Z', reason: '' });
      assert.equal((await s.maintenance.covering(two.id, '2030-01-02T10:00:00.000Z'))?.id, all.id);
      assert.deepEqual((await s.maintenance.list({ target_id: two.id })).map((x) => x.id), [all.id]);
      assert.equal(await s.maintenance.delete(w.id), true);
      assert.equal(await s.maintenance.delete(w.id), false);
    }));
}
