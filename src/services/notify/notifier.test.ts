// The whole pipeline on real local servers: a transition published on the bus -> the notifier's
// outbox -> each channel's worker -> the capture server (HTTP channels) and an SMTP server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startCaptureServer, type CapturedRequest } from '../../../test/helpers/capture-server.js';
import { notifyHarness, transitionOf } from '../../../test/helpers/notify.js';
import { waitFor } from '../../../test/helpers/app.js';
import { parseIncomingMessage } from './incoming.js';

const SLACK_TOKEN = 'T0001/B0002/slackSecretToken0123456789';
const BOT_TOKEN = '123456:AAbbCCddEEffGGhhIIjjKKllMMnn';
const ROUTING_KEY = 'abcdef0123456789abcdef0123456789';

async function startSmtp() {
  const mails: string[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks).toString('utf8'));
        cb(null);
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('opened, acknowledged and resolved reach every channel type once, in order, through bus, outbox and workers', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer({ status: 200, body: { ok: true } });
  const smtp = await startSmtp();
  try {
    const target = await h.target('Checkout API');
    await h.channel({ type: 'slack', config: { webhook_url: `${cap.url}/slack/${SLACK_TOKEN}` } });
    await h.channel({ type: 'webhook', config: { url: `${cap.url}/webhook`, secret: 'whsec_0123456789abcdef' } });
    await h.channel({ type: 'discord', config: { webhook_url: `${cap.url}/discord/123/discordSecretToken0123` } });
    await h.channel({ type: 'teams', config: { webhook_url: `${cap.url}/teams?sig=teamsSignature0123456` } });
    await h.channel({ type: 'telegram', config: { bot_token: BOT_TOKEN, chat_id: '-100123', api_url: cap.url } });
    await h.channel({ type: 'pagerduty', config: { routing_key: ROUTING_KEY, events_url: `${cap.url}/pagerduty` } });
    await h.channel({ type: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'PulseGuard <alerts@example.test>', to: ['ops@example.test'] } });
    await h.notifier();

    const incidentId = 'inc-pipeline-1';
    const steps = ['opened', 'acknowledged', 'resolved'] as const;
    const events = steps.map((s) => transitionOf(target, s, { incidentId }));
    for (const [i, t] of events.entries()) {
      await h.publish(t);
      await waitFor(async () => cap.requests.length === 6 * (i + 1) && smtp.mails.length === i + 1, 15_000, `every channel to get "${t.transition}"`);
    }

    const by = (prefix: string) => cap.requests.filter((r) => r.url.startsWith(prefix));
    const slack = by('/slack/').map((r) => r.json<{ text: string }>().text);
    assert.match(slack[0]!, /🔴 Down: Checkout API/);
    assert.match(slack[1]!, /Acknowledged: Checkout API/);
    assert.match(slack[2]!, /Resolved: Checkout API/);
    const hooks = by('/webhook');
    assert.deepEqual(hooks.map((r) => r.headers['x-pulseguard-event']), ['opened', 'acknowledged', 'resolved']);
    assert.deepEqual(hooks.map((r) => r.headers['x-pulseguard-event-id']), events.map((e) => e.id), 'the bus event id is the id receivers see');
    assert.ok(hooks.every((r) => typeof r.headers['x-pulseguard-signature'] === 'string'));
    assert.equal(by('/discord/').length, 3);
    assert.equal(by('/teams').length, 3);
    assert.equal(by(`/bot${BOT_TOKEN}/sendMessage`).length, 3);
    const pd = by('/pagerduty').map((r) => r.json<{ event_action: string; dedup_key: string }>());
    assert.deepEqual(pd.map((e) => e.event_action), ['trigger', 'acknowledge', 'resolve']);
    assert.ok(pd.every((e) => e.dedup_key === `pulseguard-${incidentId}`));
    assert.match(smtp.mails[0]!, /Subject: \[PulseGuard\] Down: Checkout API/);
    assert.match(smtp.mails[2]!, /Subject: \[PulseGuard\] Resolved: Checkout API/);

    const rows = await h.ns.deliveries.list({ incident_id: incidentId });
    assert.equal(rows.length, 21);
    assert.ok(rows.every((r) => r.status === 'delivered' && r.attempts === 1 && r.group_size === 1), JSON.stringify(rows.find((r) => r.status !== 'delivered')));
    assert.equal(await h.counted('delivered'), 21);
  } finally {
    await h.cleanup();
    await cap.close();
    await smtp.close();
  }
});

test('a transition delivered twice by the bus, or published twice, is sent once per channel', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  try {
    const target = await h.target();
    await h.channel({ type: 'webhook', config: { url: `${cap.url}/a` } });
    await h.channel({ type: 'webhook', config: { url: `${cap.url}/b` } });
    const notifier = await h.notifier();
    const t = transitionOf(target, 'opened');
    // The message, a re-publish under a new message id, and two handlers of one message racing.
    const [parsed] = parseIncomingMessage(t);
    await Promise.all([h.publish(t), h.publish({ ...t, id: 'another-message-id' }), notifier.enqueue(parsed!), notifier.enqueue(parsed!)]);
    await waitFor(async () => (await h.ns.deliveries.list({ status: 'delivered' })).length === 2, 10_000, 'both channels delivered');
    await notifier.poll();
    await h.bus.publish('incidents', String(target.id), { ...t, id: 'a-third-id' });
    await waitFor(async () => h.bus.pending('incidents', 'notifier') === 0, 2000, 'the bus to be drained');
    await notifier.poll();
    assert.deepEqual(cap.requests.map((r) => r.url).sort(), ['/a', '/b']);
    assert.equal((await h.ns.deliveries.list()).length, 2);
  } finally {
    await h.cleanup();
    await cap.close();
  }
});

test('a burst of incidents opened together goes to each channel as one summary message', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  try {
    await h.channel({ type: 'webhook', config: { url: `${cap.url}/hook` } });
    await h.channel({ type: 'slack', config: { webhook_url: `${cap.url}/slack/${SLACK_TOKEN}` } });
    await h.notifier({ groupWaitMs: 400 });
    const targets = await Promise.all(Array.from({ length: 8 }, (_, i) => h.target(`shop-${i}`)));
    await Promise.all(targets.map((t) => h.publish(transitionOf(t, 'opened'))));
    await waitFor(async () => (await h.ns.deliveries.list({ status: 'delivered' })).length === 16, 10_000, 'all 16 rows delivered');
    assert.equal(cap.requests.length, 2, cap.requests.map((r) => r.url).join(' '));
    const hook = cap.requests.find((r) => r.url === '/hook')!.json<{ summary: { total: number }; incidents: unknown[] }>();
    assert.equal(hook.summary.total, 8);
    assert.equal(hook.incidents.length, 8);
    const slack = cap.requests.find((r) => r.url.startsWith('/slack/'))!.json<{ text: string }>();
    assert.match(slack.text, /Down: 8 targets/);
    assert.ok((await h.ns.deliveries.list()).every((r) => r.group_size === 8));
  } finally {
    await h.cleanup();
    await cap.close();
  }
});

test('a target with routes goes to those channels only; one without goes to the enabled default channels', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  try {
    const dflt = await h.channel({ type: 'webhook', config: { url: `${cap.url}/default` }, default: true });
    await h.channel({ type: 'webhook', config: { url: `${cap.url}/disabled` }, default: true, enabled: false });
    const ops = await h.channel({ type: 'webhook', config: { url: `${cap.url}/ops` }, default: false });
    const routed = await h.target('routed');
    const plain = await h.target('plain');
    await h.ns.channels.setRoutes(routed.id, [ops.id]);
    await h.notifier();
    await h.publish(transitionOf(routed, 'opened'));
    await h.publish(transitionOf(plain, 'opened'));
    await waitFor(async () => (await h.ns.deliveries.list({ status: 'delivered' })).length === 2, 10_000, 'two deliveries');
    const rows = await h.ns.deliveries.list();
    assert.deepEqual(rows.map((r) => [r.target_id, r.channel_id]).sort(), [[routed.id, ops.id], [plain.id, dflt.id]].sort());
    assert.deepEqual(cap.requests.map((r: CapturedRequest) => r.url).sort(), ['/default', '/ops']);
  } finally {
    await h.cleanup();
    await cap.close();
  }
});

test('past its rate limit a channel waits, and what queued meanwhile goes out as one message', async () => {
  const h = await notifyHarness();
  const cap = await startCaptureServer();
  try {
    // 1 per minute: the first message takes the only token, the next is 60 s away
    const ch = await h.channel({ type: 'webhook', config: { url: `${cap.url}/hook` }, rate_limit_per_minute: 1 });
    await h.notifier();
    const targets = await Promise.all(Array.from({ length: 4 }, (_, i) => h.target(`t${i}`)));
    await h.publish(transitionOf(targets[0]!, 'opened'));
    await waitFor(async () => cap.requests.length === 1, 10_000, 'the first message');
    for (const t of targets.slice(1)) await h.publish(transitionOf(t, 'opened'));
    await waitFor(async () => (await h.ns.deliveries.list({ status: 'pending' })).length === 3, 10_000, 'three queued rows');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(cap.requests.length, 1, 'the queued rows wait for the rate limit');
    // Raising the limit lets the worker send again: everything queued goes as one message.
    await h.ns.channels.update(ch.id, { rate_limit_per_minute: 120 });
    await waitFor(async () => cap.requests.length === 2, 10_000, 'the grouped message');
    assert.equal(cap.requests[1]!.json<{ summary: { total: number } }>().summary.total, 3);
    await h.waitForDelivery((d) => d.status === 'delivered' && d.group_size === 3);
    assert.equal(cap.requests.length, 2);
  } finally {
    await h.cleanup();
    await cap.close();
  }
});
