import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCaptureServer } from '../../test/helpers/capture-server.js';
import { ACKED, DASHBOARD, INCIDENT, OPENED, RESOLVED, ctx, httpChannelContract, note } from '../../test/helpers/channel-contract.js';
import { discord, type DiscordConfig } from './discord.js';
import type { IncidentEvent } from './event.js';

const PATH = '/api/webhooks/123456789012345678/dIsCoRdSeCrEtToKeN_abcdefghijklmnop';

interface Embed {
  title: string;
  description?: string;
  url?: string;
  color: number;
  fields: { name: string; value: string; inline: boolean }[];
  timestamp: string;
}
interface DiscordBody {
  content: string;
  username?: string;
  embeds: Embed[];
  allowed_mentions: { parse: string[]; roles?: string[]; users?: string[] };
}

async function sendTo(event: IncidentEvent, extra: Partial<DiscordConfig> = {}): Promise<DiscordBody> {
  // Discord answers an executed webhook with 204 No Content
  const s = await startCaptureServer({ status: 204 });
  try {
    const d = await discord.send(note(event), { webhook_url: s.url + PATH, ...extra }, ctx());
    assert.deepEqual(d, { ok: true, status: 204 });
    const r = await s.nextRequest();
    assert.equal(r.url, PATH);
    return r.json<DiscordBody>();
  } finally {
    await s.close();
  }
}

test('discord: an opened incident posts content and one embed with colour, fields, evidence, link and time', async () => {
  const b = await sendTo(OPENED, { username: 'PulseGuard', mention: '<@&111222333>' });
  assert.equal(b.content, '<@&111222333> 🟠 Latency anomaly: Checkout API');
  assert.equal(b.username, 'PulseGuard');
  assert.deepEqual(b.allowed_mentions, { parse: [], roles: ['111222333'], users: [] });
  const [e] = b.embeds;
  assert.equal(e?.title, '🟠 Latency anomaly: Checkout API');
  assert.equal(e?.color, 0xf79009);
  assert.equal(e?.url, `${DASHBOARD}/ui/incidents/inc-0042`);
  assert.equal(e?.timestamp, OPENED.at);
  assert.deepEqual(e?.fields.find((f) => f.name === 'Regions'), { name: 'Regions', value: 'eu-west, us-east', inline: true });
  assert.match(e?.description ?? '', /^p95 latency 850 ms, 7x the usual\nObserved: p95\\_ms 850/);
});

test('discord: acknowledgement and resolution do not mention anyone; the resolution is green', async () => {
  const ack = await sendTo(ACKED, { mention: '@here' });
  assert.equal(ack.content, '👀 Acknowledged: Checkout API (latency anomaly)');
  assert.deepEqual(ack.allowed_mentions, { parse: [] });
  const res = await sendTo(RESOLVED, { mention: '@here' });
  assert.equal(res.embeds[0]?.color, 0x12b76a);
  assert.ok(res.embeds[0]?.fields.some((f) => f.name === 'Duration' && f.value === '12m 30s'));
});

test('discord: "@everyone" in a target name cannot ping, and markdown in it shows literally', async () => {
  const b = await sendTo({ ...OPENED, incidents: [{ ...INCIDENT, target_name: '@everyone *shop*' }] });
  assert.ok(!b.content.includes('@everyone'));
  assert.match(b.content, /\\\*shop\\\*/);
  assert.deepEqual(b.allowed_mentions.parse, []);
});

httpChannelContract('discord', {
  send: (base, n, c) => discord.send(n, { webhook_url: base + PATH }, c),
  secrets: [PATH, 'dIsCoRdSeCrEtToKeN_abcdefghijklmnop'],
});
