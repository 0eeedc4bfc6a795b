import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCaptureServer } from '../../test/helpers/capture-server.js';
import { ACKED, DASHBOARD, OPENED, RESOLVED, ctx, httpChannelContract, note } from '../../test/helpers/channel-contract.js';
import type { IncidentEvent } from './event.js';
import { teams } from './teams.js';

// the shape of a Workflows trigger URL: the signature in the query string is the secret
const SIG = 'tEaMsSiGnAtUrE0123456789abcdefXYZ';
const PATH = `/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;

interface CardElement {
  type: string;
  text?: string;
  color?: string;
  facts?: { title: string; value: string }[];
}
interface TeamsBody {
  type: string;
  summary: string;
  attachments: {
    contentType: string;
    contentUrl: null;
    content: { type: string; version: string; body: CardElement[]; actions?: { type: string; title: string; url: string }[] };
  }[];
}

async function sendTo(event: IncidentEvent): Promise<TeamsBody> {
  // a Workflows trigger answers 202 Accepted
  const s = await startCaptureServer({ status: 202 });
  try {
    const d = await teams.send(note(event), { webhook_url: s.url + PATH }, ctx());
    assert.deepEqual(d, { ok: true, status: 202 });
    const r = await s.nextRequest();
    assert.equal(r.url, PATH);
    return r.json<TeamsBody>();
  } finally {
    await s.close();
  }
}

test('teams: an opened incident posts a message with one Adaptive Card: title, facts, evidence, link', async () => {
  const b = await sendTo(OPENED);
  assert.equal(b.type, 'message');
  assert.equal(b.summary, 'Latency anomaly: Checkout API');
  assert.equal(b.attachments.length, 1);
  const a = b.attachments[0]!;
  assert.equal(a.contentType, 'application/vnd.microsoft.card.adaptive');
  assert.equal(a.contentUrl, null);
  assert.equal(a.content.type, 'AdaptiveCard');
  assert.equal(a.content.version, '1.4');
  const [title, facts, ...rest] = a.content.body;
  assert.deepEqual(title, { type: 'TextBlock', text: '🟠 Latency anomaly: Checkout API', weight: 'Bolder', size: 'Medium', wrap: true, color: 'Warning' });
  assert.equal(facts?.type, 'FactSet');
  assert.deepEqual(facts?.facts?.find((f) => f.title === 'Since'), { title: 'Since', value: '2024-05-01 12:03:00 UTC (2m)' });
  assert.equal(rest[0]?.text, 'p95 latency 850 ms, 7x the usual');
  assert.deepEqual(a.content.actions, [{ type: 'Action.OpenUrl', title: 'Open incident in PulseGuard', url: `${DASHBOARD}/ui/incidents/inc-0042` }]);
});

test('teams: acknowledgement is an accent-coloured card, resolution a green one with the duration', async () => {
  const ack = await sendTo(ACKED);
  assert.equal(ack.attachments[0]?.content.body[0]?.color, 'Accent');
  assert.equal(ack.attachments[0]?.content.body[0]?.text, '👀 Acknowledged: Checkout API (latency anomaly)');
  const res = await sendTo(RESOLVED);
  assert.equal(res.attachments[0]?.content.body[0]?.color, 'Good');
  assert.ok(res.attachments[0]?.content.body[1]?.facts?.some((f) => f.title === 'Duration' && f.value === '12m 30s'));
});

httpChannelContract('teams', {
  send: (base, n, c) => teams.send(n, { webhook_url: base + PATH }, c),
  secrets: [PATH, SIG],
});
