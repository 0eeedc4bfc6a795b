import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCaptureServer } from '../../test/helpers/capture-server.js';
import { ACKED, DASHBOARD, INCIDENT, OPENED, RESOLVED, assertFailed, ctx, httpChannelContract, note } from '../../test/helpers/channel-contract.js';
import type { IncidentEvent } from './event.js';
import { telegram, type TelegramConfig } from './telegram.js';

const TOKEN = '7012345678:AAHsEcReT-bOtToKeN_0123456789abcdef';
const OK = { status: 200, body: { ok: true, result: { message_id: 1 } } };

interface SendMessageBody {
  chat_id: string;
  text: string;
  parse_mode: string;
  link_preview_options: { is_disabled: boolean };
  message_thread_id?: number;
  disable_notification?: boolean;
}

async function sendTo(event: IncidentEvent, extra: Partial<TelegramConfig> = {}): Promise<SendMessageBody> {
  const s = await startCaptureServer(OK);
  try {
    const d = await telegram.send(note(event), { bot_token: TOKEN, chat_id: '-1001234567890', api_url: s.url, ...extra }, ctx());
    assert.deepEqual(d, { ok: true, status: 200 });
    const r = await s.nextRequest();
    assert.equal(r.url, `/bot${TOKEN}/sendMessage`);
    return r.json<SendMessageBody>();
  } finally {
    await s.close();
  }
}

test('telegram: an opened incident is one HTML sendMessage with title, fields, evidence and link', async () => {
  const b = await sendTo(OPENED, { message_thread_id: 7, disable_notification: false });
  assert.equal(b.chat_id, '-1001234567890');
  assert.equal(b.parse_mode, 'HTML');
  assert.deepEqual(b.link_preview_options, { is_disabled: true });
  assert.equal(b.message_thread_id, 7);
  assert.equal(b.disable_notification, false);
  const lines = b.text.split('\n');
  assert.equal(lines[0], '🟠 <b>Latency anomaly: Checkout API</b>');
  assert.ok(lines.includes('<b>Regions:</b> eu-west, us-east'));
  assert.ok(lines.includes('<b>Since:</b> 2024-05-01 12:03:00 UTC (2m)'));
  assert.ok(lines.includes('Anomaly score: 0.97'));
  assert.ok(lines.includes(`<a href="${DASHBOARD}/ui/incidents/inc-0042">Open incident in PulseGuard</a>`));
});

test('telegram: acknowledgement and resolution messages, with HTML in names escaped', async () => {
  const ack = await sendTo(ACKED);
  assert.match(ack.text, /^👀 <b>Acknowledged: Checkout API \(latency anomaly\)<\/b>/);
  assert.match(ack.text, /<b>Acknowledged by:<\/b> ana/);
  const res = await sendTo(RESOLVED);
  assert.match(res.text, /^✅ <b>Resolved: Checkout API \(latency anomaly for 12m 30s\)<\/b>/);
  const esc = await sendTo({ ...OPENED, incidents: [{ ...INCIDENT, target_name: '<b>shop</b> & co' }] });
  assert.match(esc.text, /^🟠 <b>Latency anomaly: &lt;b&gt;shop&lt;\/b&gt; &amp; co<\/b>/);
});

test('telegram: a 429 without a Retry-After header is retried after parameters.retry_after; a 400 reports the description', async () => {
  const s = await startCaptureServer();
  try {
    s.reply(
      { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 5', parameters: { retry_after: 5 } } },
      { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } },
    );
    const cfg = { bot_token: TOKEN, chat_id: '42', api_url: s.url };
    const limited = await telegram.send(note(OPENED), cfg, ctx());
    assertFailed(limited, true, [TOKEN]);
    assert.equal(limited.retryAfterMs, 5000);
    const bad = await telegram.send(note(OPENED), cfg, ctx());
    assertFailed(bad, false, [TOKEN]);
    assert.match(bad.error, /HTTP 400 from 127\.0\.0\.1:\d+: Bad Request: chat not found$/);
  } finally {
    await s.close();
  }
});

test('telegram: config validation checks the token and chat id shapes without echoing them', () => {
  const v = (c: TelegramConfig) => () => telegram.validate?.(c);
  assert.throws(v({ bot_token: 'not-a-token', chat_id: '42' }), (e: Error) => /bot_token/.test(e.message) && !e.message.includes('not-a-token'));
  assert.throws(v({ bot_token: TOKEN, chat_id: 'general' }), /chat_id/);
  v({ bot_token: TOKEN, chat_id: '@pulse_alerts' })();
  v({ bot_token: TOKEN, chat_id: '-100123' })();
});

httpChannelContract('telegram', {
  send: (base, n, c) => telegram.send(n, { bot_token: TOKEN, chat_id: '42', api_url: base }, c),
  secrets: [TOKEN, TOKEN.split(':')[1]!],
});
