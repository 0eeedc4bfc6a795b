import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCaptureServer, type CaptureServer } from '../../test/helpers/capture-server.js';
import { ACKED, BURST, DASHBOARD, INCIDENT, OPENED, RESOLVED, ctx, httpChannelContract, note } from '../../test/helpers/channel-contract.js';
import type { IncidentEvent } from './event.js';
import { slack } from './slack.js';

const PATH = '/services/T0001AAAA/B0002BBBB/Xy7secretWebhookToken42';

interface Block {
  type: string;
  text?: { type: string; text: string };
  fields?: { type: string; text: string }[];
  elements?: { type: string; text?: { text: string } | string; url?: string }[];
}
interface SlackBody {
  text: string;
  blocks: Block[];
  attachments: { color: string; fallback: string; blocks: Block[] }[];
}

async function sendTo(event: IncidentEvent, extra: { mention?: string } = {}): Promise<SlackBody> {
  const s: CaptureServer = await startCaptureServer({ status: 200, body: 'ok' });
  try {
    const d = await slack.send(note(event), { webhook_url: s.url + PATH, ...extra }, ctx());
    assert.deepEqual(d, { ok: true, status: 200 });
    const r = await s.nextRequest();
    assert.equal(r.method, 'POST');
    assert.equal(r.url, PATH);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    return r.json<SlackBody>();
  } finally {
    await s.close();
  }
}

test('slack: an opened incident posts fallback text, a headline block and a coloured attachment with fields, evidence and a button', async () => {
  const b = await sendTo(OPENED, { mention: '<!here>' });
  assert.equal(b.text, '<!here> 🟠 Latency anomaly: Checkout API');
  assert.deepEqual(b.blocks, [{ type: 'section', text: { type: 'mrkdwn', text: '<!here> 🟠 *Latency anomaly: Checkout API*' } }]);
  const [att] = b.attachments;
  assert.equal(att?.color, '#F79009');
  const [fields, evidence, actions, context] = att!.blocks;
  assert.deepEqual(fields?.fields?.map((f) => f.text), [
    '*Target*\nCheckout API',
    '*URL*\nhttps://shop.example.com/api/health',
    '*Kind*\nLatency anomaly',
    '*Regions*\neu-west, us-east',
    '*Since*\n2024-05-01 12:03:00 UTC (2m)',
  ]);
  assert.equal(evidence?.text?.text, 'p95 latency 850 ms, 7x the usual\nObserved: p95_ms 850\nBaseline: p95_ms 120\nAnomaly score: 0.97');
  assert.equal(actions?.type, 'actions');
  assert.equal(actions?.elements?.[0]?.url, `${DASHBOARD}/ui/incidents/inc-0042`);
  assert.equal(context?.type, 'context');
});

test('slack: acknowledgement and resolution messages carry no mention and say who and how long', async () => {
  const ack = await sendTo(ACKED, { mention: '<!here>' });
  assert.equal(ack.text, '👀 Acknowledged: Checkout API (latency anomaly)');
  assert.ok(ack.attachments[0]?.blocks[0]?.fields?.some((f) => f.text === '*Acknowledged by*\nana'));
  const res = await sendTo(RESOLVED, { mention: '<!here>' });
  assert.equal(res.text, '✅ Resolved: Checkout API (latency anomaly for 12m 30s)');
  assert.equal(res.attachments[0]?.color, '#12B76A');
  assert.ok(res.attachments[0]?.blocks[0]?.fields?.some((f) => f.text === '*Duration*\n12m 30s'));
});

test('slack: names with mrkdwn control characters are escaped, and a burst fits in one message', async () => {
  const b = await sendTo({ ...OPENED, incidents: [{ ...INCIDENT, target_name: '<!channel> & co' }] });
  assert.equal(b.text, '🟠 Latency anomaly: &lt;!channel&gt; &amp; co');
  const burst = await sendTo(BURST);
  assert.equal(burst.text, '🔴 Down: 12 targets');
  assert.match(burst.attachments[0]?.blocks[1]?.text?.text ?? '', /Shop 3: down \[eu-west\].*\n…and 9 more$/);
});

test('slack: the config schema requires webhook_url and the URL must be http(s)', () => {
  assert.deepEqual(slack.configSchema.required, ['webhook_url']);
  assert.throws(() => slack.validate?.({ webhook_url: 'hooks.slack.com/services/x' }), /webhook_url/);
  slack.validate?.({ webhook_url: 'https://hooks.slack.com/services/T/B/x' });
});

httpChannelContract('slack', {
  send: (base, n, c) => slack.send(n, { webhook_url: base + PATH }, c),
  secrets: [PATH, 'Xy7secretWebhookToken42'],
});
