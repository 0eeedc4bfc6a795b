// What the notifier holds back or adds: maintenance windows (recorded as suppressed), late
// transitions of resolved incidents, disabled channels, and reminders while an incident stays open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCaptureServer } from '../../../test/helpers/capture-server.js';
import { notifyHarness, transitionOf } from '../../../test/helpers/notify.js';
import { waitFor } from '../../../test/helpers/app.js';

const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

test('during a maintenance window a target\'s notifications are suppressed and recorded; other targets are not', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  try {
    const quiet = await h.target('quiet');
    const loud = await h.target('loud');
    await h.channel({ type: 'webhook', config: { url: `${cap.url}/hook` } });
    const w = await h.ns.maintenance.create({ target_id: quiet.id, starts_at: new Date(Date.now() - 1000).toISOString(), ends_at: inOneHour(), reason: 'db upgrade' });
    await h.notifier();
    await h.publish(transitionOf(quiet, 'opened'));
    await h.publish(transitionOf(loud, 'opened'));
    await h.waitForDelivery((d) => d.target_id === loud.id && d.status === 'delivered');
    const suppressed = await h.waitForDelivery((d) => d.target_id === quiet.id);
    assert.equal(suppressed.status, 'suppressed');
    assert.equal(suppressed.note, `maintenance window ${w.id}`);
    assert.equal(cap.requests.length, 1);
    assert.equal(cap.requests[0]!.json<{ incidents: Array<{ target_id: number }> }>().incidents[0]!.target_id, loud.id);
  } finally {
    await h.cleanup();
    await cap.close();
  }
});

test('an incident announced before a window still has its resolution sent during it; one opened inside stays silent', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  try {
    const target = await h.target();
    await h.channel({ type: 'webhook', config: { url: `${cap.url}/hook` } });
    await h.notifier();
    await h.publish(transitionOf(target, 'opened', { incidentId: 'before' }));
    await h.waitForDelivery((d) => d.incident_id === 'before' && d.status === 'delivered');
    await h.ns.maintenance.create({ target_id: null, starts_at: new Date(Date.now() - 10).toISOString(), ends_at: inOneHour(), reason: '' });
    await h.publish(transitionOf(target, 'opened', { incidentId: 'inside' }));
    await h.publish(transitionOf(target, 'resolved', { incidentId: 'inside' }));
    await h.publish(transitionOf(target, 'resolved', { incidentId: 'before' }));
    await h.waitForDelivery((d) => d.incident_id === 'before' && d.transition === 'resolved' && d.status === 'delivered');
    const inside = await waitFor(async () => {
      const rows = await h.ns.deliveries.list({ incident_id: 'inside' });
      return rows.length === 2 ? rows : undefined;
    });
    assert.ok(inside.every((r) => r.status === 'suppressed'), JSON.stringify(inside));
    assert.deepEqual(cap.requests.map((r) => r.headers['x-pulseguard-event']), ['opened', 'resolved']);
  } finally {
    await h.cleanup();
    await cap.close();
  }
});

test('an opened transition arriving after the resolution is not sent; a disabled channel\'s queued rows are suppressed', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  try {
    const target = await h.target();
    const other = await h.target();
    const ch = await h.channel({ type: 'webhook', config: { url: `${cap.url}/hook` } });
    const off = await h.channel({ type: 'webhook', config: { url: `${cap.url}/off` }, default: false });
    await h.ns.channels.setRoutes(other.id, [off.id]);
    // The first notifier only writes the outbox, so what is sent is decided by the second.
    const writer = await h.notifier({ deliver: false });
    await h.publish(transitionOf(target, 'resolved', { incidentId: 'late' }));
    await h.waitForDelivery((d) => d.incident_id === 'late');
    await h.publish(transitionOf(target, 'opened', { incidentId: 'late' }));
    const late = await h.waitForDelivery((d) => d.incident_id === 'late' && d.transition === 'opened');
    assert.equal(late.status, 'suppressed');
    assert.match(late.note ?? '', /resolved already/);
    await h.publish(transitionOf(other, 'opened', { incidentId: 'queued' }));
    await h.waitForDelivery((d) => d.incident_id === 'queued' && d.status === 'pending');
    await h.ns.channels.update(off.id, { enabled: false });
    await writer.stop();
    await h.notifier();
    await h.waitForDelivery((d) => d.channel_id === ch.id && d.transition === 'resolved' && d.status === 'delivered');
    const queued = await h.waitForDelivery((d) => d.incident_id === 'queued' && d.status !== 'pending');
    assert.equal(queued.status, 'suppressed');
    assert.equal(queued.note, 'channel disabled');
    assert.deepEqual(cap.requests.map((r) => `${r.url} ${String(r.headers['x-pulseguard-event'])}`), ['/hook resolved']);
  } finally {
    await h.cleanup();
    await cap.close();
  }
});

test('a channel with remind_every_minutes reminds while the incident stays open, and stops once it is acknowledged', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  try {
    const target = await h.target('Checkout API');
    await h.channel({ type: 'webhook', config: { url: `${cap.url}/hook` }, remind_every_minutes: 30 });
    await h.channel({ type: 'webhook', config: { url: `${cap.url}/no-reminders` } });
    const notifier = await h.notifier();
    await h.publish(transitionOf(target, 'opened', { incidentId: 'long' }));
    await waitFor(async () => (await h.ns.deliveries.list({ status: 'delivered' })).length === 2);
    assert.equal(await notifier.checkReminders(), 0, 'not due yet');
    // 31 minutes pass, as far as the outbox can tell
    await h.store.db.query(`UPDATE deliveries SET created_at = created_at - interval '31 minutes'`);
    assert.equal(await notifier.checkReminders(), 1);
    assert.equal(await notifier.checkReminders(), 0, 'one reminder per interval');
    const reminder = await h.waitForDelivery((d) => d.transition === 'reminder' && d.status === 'delivered');
    assert.equal(reminder.seq, 1);
    const sent = cap.requests.filter((r) => r.url === '/hook');
    assert.equal(sent.length, 2);
    assert.equal(sent[1]!.headers['x-pulseguard-event'], 'reminder');
    assert.match(sent[1]!.json<{ message: { title: string } }>().message.title, /Still open: Checkout API/);
    await h.publish(transitionOf(target, 'acknowledged', { incidentId: 'long' }));
    await waitFor(async () => (await h.ns.deliveries.list({ transition: 'acknowledged', status: 'delivered' })).length === 2);
    await h.store.db.query(`UPDATE deliveries SET created_at = created_at - interval '31 minutes'`);
    assert.equal(await notifier.checkReminders(), 0, 'no reminders once acknowledged');
  } finally {
    await h.cleanup();
    await cap.close();
  }
});
