import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import Fastify from 'fastify';
import { startCaptureServer } from '../../test/helpers/capture-server.js';
import { ACKED, BURST, DASHBOARD, OPENED, RESOLVED, ctx, httpChannelContract, note } from '../../test/helpers/channel-contract.js';
import { buildTestEvent, type IncidentEvent } from './event.js';
import { verifyWebhookSignature, webhook } from './webhook.js';
import { WEBHOOK_PAYLOAD_SCHEMA } from './webhook-schema.js';

const SECRET = 'whsec_9f8e7d6c5b4a39281706';
const NOW_MS = Date.parse('2024-05-01T12:05:01.000Z');

test('webhook: the body is the event plus version and message, signed with HMAC-SHA256 over "<timestamp>.<raw body>"', async () => {
  const s = await startCaptureServer({ status: 204 });
  try {
    const d = await webhook.send(note(OPENED), { url: `${s.url}/hooks/pulse?team=ops`, secret: SECRET }, { ...ctx(), nowMs: () => NOW_MS });
    assert.deepEqual(d, { ok: true, status: 204 });
    const r = await s.nextRequest();
    assert.equal(r.url, '/hooks/pulse?team=ops');
    assert.equal(r.headers['x-pulseguard-event'], 'opened');
    assert.equal(r.headers['x-pulseguard-event-id'], OPENED.id);
    assert.equal(r.headers['x-pulseguard-timestamp'], String(NOW_MS / 1000));
    // recompute independently, as a receiver in any language would
    const expected = 'sha256=' + createHmac('sha256', SECRET).update(`${NOW_MS / 1000}.${r.body}`).digest('hex');
    assert.equal(r.headers['x-pulseguard-signature'], expected);
    const body = r.json<Record<string, unknown>>();
    assert.deepEqual({ ...body, message: undefined }, { version: 1, ...OPENED, message: undefined });
    const msg = body.message as { title: string; text: string; severity: string; link: string };
    assert.equal(msg.title, 'Latency anomaly: Checkout API');
    assert.equal(msg.severity, 'warning');
    assert.equal(msg.link, `${DASHBOARD}/ui/incidents/inc-0042`);
    assert.match(msg.text, /^Latency anomaly: Checkout API\n\nTarget: Checkout API\n/);
  } finally {
    await s.close();
  }
});

test('webhook: verifyWebhookSignature accepts the real request and rejects a changed body, a wrong secret and a stale timestamp', async () => {
  const s = await startCaptureServer({ status: 200 });
  try {
    await webhook.send(note(RESOLVED), { url: s.url, secret: SECRET }, { ...ctx(), nowMs: () => NOW_MS });
    const r = await s.nextRequest();
    const base = { secret: SECRET, rawBody: r.body, timestamp: String(r.headers['x-pulseguard-timestamp']), signature: String(r.headers['x-pulseguard-signature']), nowMs: NOW_MS + 10_000 };
    assert.equal(verifyWebhookSignature(base), true);
    assert.equal(verifyWebhookSignature({ ...base, rawBody: r.body.replace('resolved', 'opened') }), false);
    assert.equal(verifyWebhookSignature({ ...base, secret: `${SECRET}x` }), false);
    assert.equal(verifyWebhookSignature({ ...base, nowMs: NOW_MS + 301_000 }), false);
    assert.equal(verifyWebhookSignature({ ...base, timestamp: String(NOW_MS / 1000 + 1) }), false);
    assert.equal(verifyWebhookSignature({ ...base, signature: undefined }), false);
  } finally {
    await s.close();
  }
});

test('webhook: without a secret the request carries a timestamp but no signature', async () => {
  const s = await startCaptureServer({ status: 200 });
  try {
    assert.equal((await webhook.send(note(ACKED), { url: s.url }, ctx())).ok, true);
    const r = await s.nextRequest();
    assert.equal(r.headers['x-pulseguard-signature'], undefined);
    assert.match(String(r.headers['x-pulseguard-timestamp']), /^\d+$/);
    assert.equal(r.json<{ acknowledged_by: string }>().acknowledged_by, 'ana');
  } finally {
    await s.close();
  }
});

test('webhook: every kind of event validates against the documented JSON schema at a real receiver', async () => {
  const app = Fastify();
  const received: string[] = [];
  app.post('/hook', { schema: { body: WEBHOOK_PAYLOAD_SCHEMA } }, async (req) => {
    received.push((req.body as { kind: string }).kind);
    return { ok: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const { port } = app.server.address() as { port: number };
    const events: IncidentEvent[] = [OPENED, ACKED, RESOLVED, BURST, buildTestEvent({ id: 't1', at: OPENED.at, requestedBy: 'ana' })];
    for (const e of events) {
      const d = await webhook.send(note(e), { url: `http://127.0.0.1:${port}/hook`, secret: SECRET }, ctx());
      assert.deepEqual(d, { ok: true, status: 200 }, `kind ${e.kind}: ${JSON.stringify(d)}`);
    }
    assert.deepEqual(received, ['opened', 'acknowledged', 'resolved', 'opened', 'test']);
    const bad = await webhook.send(note({ ...OPENED, kind: 'exploded' } as unknown as IncidentEvent), { url: `http://127.0.0.1:${port}/hook` }, ctx());
    assert.equal(bad.ok, false, 'the schema must reject an unknown kind');
  } finally {
    await app.close();
  }
});

httpChannelContract('webhook', {
  send: (base, n, c) => webhook.send(n, { url: `${base}/in/${SECRET}`, secret: SECRET }, c),
  secrets: [SECRET],
});
