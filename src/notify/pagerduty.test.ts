import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCaptureServer, type CaptureServer } from '../../test/helpers/capture-server.js';
import { ACKED, BURST, DASHBOARD, OPENED, RESOLVED, assertFailed, ctx, httpChannelContract, note } from '../../test/helpers/channel-contract.js';
import { buildTestEvent } from './event.js';
import { pagerduty, type PagerDutyConfig } from './pagerduty.js';

const KEY = 'R0ut1ngKeyS3cretAbcdefghijklmnop';
const ACCEPTED = (r: { json<T>(): T }) => ({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: r.json<{ dedup_key: string }>().dedup_key } });

interface PdEvent {
  routing_key: string;
  event_action: string;
  dedup_key: string;
  payload?: { summary: string; source: string; severity: string; timestamp: string; component: string; group?: string; class: string; custom_details: Record<string, unknown> };
  links?: { href: string; text: string }[];
  client?: string;
  client_url?: string;
}

async function withPd(fn: (s: CaptureServer, cfg: PagerDutyConfig) => Promise<void>): Promise<void> {
  const s = await startCaptureServer(ACCEPTED);
  try {
    await fn(s, { routing_key: KEY, events_url: `${s.url}/v2/enqueue` });
  } finally {
    await s.close();
  }
}

test('pagerduty: opened triggers, acknowledged acknowledges and resolved resolves the same dedup key', () =>
  withPd(async (s, cfg) => {
    for (const e of [OPENED, ACKED, RESOLVED]) assert.deepEqual(await pagerduty.send(note(e), cfg, ctx()), { ok: true, status: 202 });
    const [trigger, ack, resolve] = s.requests.map((r) => r.json<PdEvent>());
    assert.ok(s.requests.every((r) => r.url === '/v2/enqueue' && r.method === 'POST'));
    assert.deepEqual(trigger, {
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: 'pulseguard-inc-0042',
      payload: {
        summary: 'Latency anomaly: Checkout API: p95 latency 850 ms, 7x the usual',
        source: 'shop.example.com',
        severity: 'warning',
        timestamp: '2024-05-01T12:03:00.000Z',
        component: 'Checkout API',
        group: 'eu-west,us-east',
        class: 'latency_anomaly',
        custom_details: {
          incident_id: 'inc-0042',
          target_id: 7,
          target_url: 'https://shop.example.com/api/health',
          regions: ['eu-west', 'us-east'],
          started_at: '2024-05-01T12:03:00.000Z',
          message: 'p95 latency 850 ms, 7x the usual',
          values: { p95_ms: 850 },
          baseline: { p95_ms: 120 },
          score: 0.97,
        },
      },
      links: [{ href: `${DASHBOARD}/ui/incidents/inc-0042`, text: 'Open incident in PulseGuard' }],
      client: 'PulseGuard',
      client_url: `${DASHBOARD}/ui/incidents/inc-0042`,
    });
    assert.deepEqual(ack, { routing_key: KEY, event_action: 'acknowledge', dedup_key: 'pulseguard-inc-0042' });
    assert.deepEqual(resolve, { routing_key: KEY, event_action: 'resolve', dedup_key: 'pulseguard-inc-0042' });
  }));

test('pagerduty: a burst triggers one alert per incident; the configured severity wins', () =>
  withPd(async (s, cfg) => {
    assert.equal((await pagerduty.send(note(BURST), { ...cfg, severity: 'error' }, ctx())).ok, true);
    const sent = s.requests.map((r) => r.json<PdEvent>());
    assert.deepEqual(sent.map((e) => e.dedup_key), ['pulseguard-inc-b1', 'pulseguard-inc-b2', 'pulseguard-inc-b3']);
    assert.deepEqual(sent.map((e) => e.payload?.summary), ['Down: Shop 1: connection refused', 'Down: Shop 2: connection refused', 'Down: Shop 3: connection refused']);
    assert.ok(sent.every((e) => e.payload?.severity === 'error'));
  }));

test('pagerduty: a burst stops at the first failure and a retry repeats the same dedup keys', () =>
  withPd(async (s, cfg) => {
    s.reply(ACCEPTED, { status: 500, body: { status: 'error' } });
    const first = await pagerduty.send(note(BURST), cfg, ctx());
    assertFailed(first, true, [KEY]);
    assert.equal(s.requests.length, 2);
    assert.equal((await pagerduty.send(note(BURST), cfg, ctx())).ok, true);
    assert.deepEqual(s.requests.slice(2).map((r) => r.json<PdEvent>().dedup_key), ['pulseguard-inc-b1', 'pulseguard-inc-b2', 'pulseguard-inc-b3']);
  }));

test('pagerduty: a test notification triggers and at once resolves its own alert', () =>
  withPd(async (s, cfg) => {
    const ev = buildTestEvent({ id: 'evt-t1', at: '2024-05-01T12:00:00.000Z' });
    assert.equal((await pagerduty.send(note(ev), cfg, ctx())).ok, true);
    const sent = s.requests.map((r) => r.json<PdEvent>());
    assert.deepEqual(sent.map((e) => [e.event_action, e.dedup_key]), [['trigger', 'pulseguard-test-evt-t1'], ['resolve', 'pulseguard-test-evt-t1']]);
    assert.equal(sent[0]?.payload?.severity, 'info');
  }));

test('pagerduty: an invalid event (400) is final and never shows the routing key', () =>
  withPd(async (s, cfg) => {
    s.reply((r) => ({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: [`bad key ${r.json<PdEvent>().routing_key}`] } }));
    const d = await pagerduty.send(note(OPENED), cfg, ctx());
    assertFailed(d, false, [KEY]);
    assert.match(d.error, /Event object is invalid/);
  }));

test('pagerduty: validation wants an integration key and an http(s) events URL', () => {
  assert.throws(() => pagerduty.validate?.({ routing_key: 'short' }), /routing_key/);
  assert.throws(() => pagerduty.validate?.({ routing_key: KEY, events_url: 'events.pagerduty.com' }), /events_url/);
  pagerduty.validate?.({ routing_key: KEY, events_url: 'https://events.eu.pagerduty.com/v2/enqueue' });
});

httpChannelContract('pagerduty', {
  send: (base, n, c) => pagerduty.send(n, { routing_key: KEY, events_url: `${base}/v2/enqueue` }, c),
  secrets: [KEY],
});
