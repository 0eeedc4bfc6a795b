// Failure handling of the notifier against real local servers: retries with backoff, Retry-After,
// a hanging channel next to a healthy one, giving up, restarts after a crash, and no secret in
// logs or stored errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCaptureServer, type Reply } from '../../../test/helpers/capture-server.js';
import { notifyHarness, transitionOf } from '../../../test/helpers/notify.js';
import { waitFor } from '../../../test/helpers/app.js';

const SLACK_SECRET = 'T0001/B0002/xoxbVerySecretSlackToken77';
/** Replies with the request's URL and body, so a careless error or log would show the secrets. */
const echo = (status: number) => (r: { url: string; body: string }): Reply => ({ status, body: { error: 'nope', echo: `${r.url} ${r.body}` } });

test('a channel answering 500 and then 200 gets the message delivered once, after a retry', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  try {
    const target = await h.target();
    const ch = await h.channel({ type: 'webhook', config: { url: `${cap.url}/hook` } });
    cap.reply({ status: 500, body: 'busy' });
    await h.notifier();
    await h.publish(transitionOf(target, 'opened'));
    const row = await h.waitForDelivery((d) => d.status === 'delivered');
    assert.equal(cap.requests.length, 2);
    assert.equal(cap.requests[0]!.headers['x-pulseguard-event-id'], cap.requests[1]!.headers['x-pulseguard-event-id'], 'a retry keeps the event id');
    assert.equal(row.attempts, 2);
    assert.equal(row.last_status, 200);
    assert.equal(await h.counted('retry', ch.name), 1);
    assert.equal(await h.counted('delivered', ch.name), 1);
  } finally {
    await h.cleanup();
    await cap.close();
  }
});

test('a hanging channel does not delay another channel', async () => {
  const h = await notifyHarness();
  const slow = await startCaptureServer({ hang: true });
  const fast = await startCaptureServer();
  try {
    const target = await h.target();
    await h.channel({ type: 'webhook', config: { url: `${slow.url}/hang` } });
    const ok = await h.channel({ type: 'webhook', config: { url: `${fast.url}/ok` } });
    await h.notifier({ timeoutMs: 20_000 });
    const t0 = performance.now();
    await h.publish(transitionOf(target, 'opened'));
    const row = await h.waitForDelivery((d) => d.channel_id === ok.id && d.status === 'delivered');
    const took = performance.now() - t0;
    // the hanging attempt lasts 20 s; the healthy channel must not wait for any of it
    assert.ok(took < 5000, `the healthy channel took ${Math.round(took)} ms`);
    await slow.nextRequest(2000);
    const hung = (await h.ns.deliveries.list()).find((d) => d.channel_id !== ok.id);
    assert.equal(hung?.status, 'pending', 'the hanging channel is still on its first attempt');
    assert.equal(row.attempts, 1);
  } finally {
    await h.cleanup();
    await slow.close();
    await fast.close();
  }
});

test('a 429 with Retry-After: 1 holds the next attempt back for that second', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  const at: number[] = [];
  cap.setFallback(() => {
    at.push(performance.now());
    return at.length === 1 ? { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' } : { status: 200 };
  });
  try {
    const target = await h.target();
    await h.channel({ type: 'webhook', config: { url: `${cap.url}/hook` } });
    await h.notifier();
    await h.publish(transitionOf(target, 'opened'));
    const row = await h.waitForDelivery((d) => d.status === 'delivered');
    assert.equal(at.length, 2);
    const gap = at[1]! - at[0]!;
    // the base backoff is 40 ms in these tests: only Retry-After explains a gap of a second
    assert.ok(gap >= 950 && gap < 3000, `second attempt ${Math.round(gap)} ms after the first`);
    assert.equal(row.attempts, 2);
  } finally {
    await h.cleanup();
    await cap.close();
  }
});

test('a 400 fails at once; a channel failing past the retry period is marked failed; both visible in metrics', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  try {
    const target = await h.target();
    const bad = await h.channel({ type: 'webhook', config: { url: `${cap.url}/bad` } });
    const down = await h.channel({ type: 'webhook', config: { url: `${cap.url}/down` } });
    cap.setFallback((r) => (r.url === '/bad' ? { status: 400, body: 'no such hook' } : { status: 503, body: 'unavailable' }));
    await h.notifier({ retry: { baseDelayMs: 30, maxDelayMs: 60, retryForMs: 1500, maxRetryAfterMs: 1000 } });
    await h.publish(transitionOf(target, 'opened'));
    const final = await h.waitForDelivery((d) => d.channel_id === bad.id && d.status === 'failed');
    assert.equal(final.attempts, 1);
    assert.match(final.last_error ?? '', /HTTP 400 from 127\.0\.0\.1:\d+: no such hook/);
    const gaveUp = await h.waitForDelivery((d) => d.channel_id === down.id && d.status === 'failed');
    assert.ok(gaveUp.attempts >= 2, `attempts ${gaveUp.attempts}`);
    assert.match(gaveUp.note ?? '', /gave up/);
    assert.equal(await h.counted('failed', bad.name), 1);
    assert.equal(await h.counted('failed', down.name), 1);
    assert.equal(await h.counted('retry', down.name), gaveUp.attempts - 1);
    assert.equal(cap.requests.filter((r) => r.url === '/down').length, gaveUp.attempts);
  } finally {
    await h.cleanup();
    await cap.close();
  }
});

test('a crash after the outbox write loses nothing: a new notifier on the same store delivers it', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  try {
    const target = await h.target();
    await h.channel({ type: 'webhook', config: { url: `${cap.url}/hook` } });
    // A notifier that dies between writing the outbox and sending: the bus message is acked.
    const first = await h.notifier({ deliver: false });
    await h.publish(transitionOf(target, 'opened'));
    const row = await h.waitForDelivery((d) => d.status === 'pending');
    await waitFor(async () => h.bus.pending('incidents', 'notifier') === 0, 2000, 'the message acked');
    await first.stop();
    assert.equal(cap.requests.length, 0);
    await h.notifier();
    const done = await h.waitForDelivery((d) => d.id === row.id && d.status === 'delivered');
    assert.equal(done.attempts, 1);
    assert.equal(cap.requests.length, 1);
  } finally {
    await h.cleanup();
    await cap.close();
  }
});

test('a notifier stopped in the middle of a send leaves the row for the next one, which delivers it', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  try {
    const target = await h.target();
    await h.channel({ type: 'webhook', config: { url: `${cap.url}/hook` } });
    cap.reply({ hang: true });
    const first = await h.notifier({ timeoutMs: 30_000 });
    await h.publish(transitionOf(target, 'opened'));
    await cap.nextRequest(3000);
    await first.stop();
    const released = (await h.ns.deliveries.list())[0];
    assert.equal(released?.status, 'pending');
    assert.equal(released?.attempts, 0, 'an attempt cut short by shutdown is not counted');
    await h.notifier();
    const done = await h.waitForDelivery((d) => d.status === 'delivered');
    assert.equal(done.attempts, 1);
    assert.equal(cap.requests.length, 2);
  } finally {
    await h.cleanup();
    await cap.close();
  }
});

test('secrets of a failing channel appear in no log line and no stored error', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  cap.setFallback(echo(500));
  try {
    const target = await h.target();
    const webhookSecret = 'whsec_super_secret_signing_key_1';
    await h.channel({ type: 'slack', config: { webhook_url: `${cap.url}/services/${SLACK_SECRET}` } });
    await h.channel({ type: 'webhook', config: { url: `${cap.url}/hook?token=queryTokenSecret123456`, secret: webhookSecret } });
    await h.notifier({ retry: { baseDelayMs: 30, maxDelayMs: 60, retryForMs: 300, maxRetryAfterMs: 1000 } });
    await h.publish(transitionOf(target, 'opened'));
    await waitFor(async () => (await h.ns.deliveries.list({ status: 'failed' })).length === 2, 5000, 'both channels to give up');
    const rows = await h.ns.deliveries.list();
    const text = [...h.logLines, ...rows.map((r) => r.last_error ?? '')].join('\n');
    assert.match(text, /notification failed/);
    for (const s of [SLACK_SECRET, 'xoxbVerySecretSlackToken77', 'queryTokenSecret123456', webhookSecret]) {
      assert.ok(!text.includes(s), `"${s}" leaked:\n${text.split('\n').find((l) => l.includes(s))}`);
    }
  } finally {
    await h.cleanup();
    await cap.close();
  }
});
