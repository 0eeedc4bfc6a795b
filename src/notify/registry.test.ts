import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { OPENED, assertFailed, ctx, note } from '../../test/helpers/channel-contract.js';
import { AppError } from '../errors.js';
import { CHANNEL_TYPES, channels, maskConfig, restoreSecrets, sendVia, validateChannelConfig, type ChannelConfigs } from './registry.js';

/** One valid config per channel; typed so a new channel without an example fails tsc. */
const EXAMPLES: { [K in keyof ChannelConfigs]: ChannelConfigs[K] } = {
  slack: { webhook_url: 'https://hooks.slack.com/services/T0001/B0002/abcdefghijklmnopqrstuvwx', mention: '<!here>' },
  webhook: { url: 'https://example.com/pulseguard?key=0123456789abcdef', secret: 'whsec_0123456789abcdef' },
  email: { host: 'smtp.example.com', port: 587, username: 'pulse', password: 'hunter2hunter2', from: 'PulseGuard <alerts@example.com>', to: ['ops@example.com'] },
  discord: { webhook_url: 'https://discord.com/api/webhooks/123/abcdefghijklmnopqrstuvwxyz', username: 'PulseGuard' },
  teams: { webhook_url: 'https://prod-00.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=abcdefghijklmnop' },
  pagerduty: { routing_key: 'abcdef0123456789abcdef0123456789', severity: 'critical' },
  telegram: { bot_token: '123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQr', chat_id: '-1001234567890' },
};

test('every registered channel is under its own type name; validateChannelConfig accepts the examples and names bad fields', () => {
  assert.deepEqual(CHANNEL_TYPES.sort(), ['discord', 'email', 'pagerduty', 'slack', 'teams', 'telegram', 'webhook']);
  for (const type of CHANNEL_TYPES) {
    assert.equal(channels[type].type, type);
    validateChannelConfig(type, EXAMPLES[type] as unknown as Record<string, unknown>);
  }
  assert.throws(
    () => validateChannelConfig('slack', { webhook_url: 'nope' }),
    (e: unknown) => e instanceof AppError && e.field === 'config.webhook_url',
  );
  assert.throws(() => validateChannelConfig('carrier-pigeon', {}), (e: unknown) => e instanceof AppError && e.field === 'type');
  const fieldOf = (type: string, config: unknown) => {
    try {
      validateChannelConfig(type, config);
    } catch (e: unknown) {
      return e instanceof AppError ? e.field : String(e);
    }
    return 'accepted';
  };
  assert.equal(fieldOf('slack', { ...EXAMPLES.slack, channel: '#ops' }), 'config.channel');
  assert.equal(fieldOf('email', { ...EXAMPLES.email, to: [] }), 'config.to');
  assert.equal(fieldOf('pagerduty', { routing_key: EXAMPLES.pagerduty.routing_key, severity: 'apocalyptic' }), 'config.severity');
  assert.equal(fieldOf('telegram', { chat_id: '1' }), 'config.bot_token');
});

test('the config schemas work in Fastify as the API configures it: examples pass, unknown and missing fields are rejected', async () => {
  // the same Ajv options as src/api/server.ts: unknown fields are errors, not silently dropped
  const app = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } } });
  for (const type of CHANNEL_TYPES) {
    app.post(`/${type}`, { schema: { body: channels[type].configSchema } }, async () => ({ ok: true }));
  }
  try {
    for (const type of CHANNEL_TYPES) {
      const post = (payload: unknown) => app.inject({ method: 'POST', url: `/${type}`, payload: payload as Record<string, unknown> });
      assert.equal((await post(EXAMPLES[type])).statusCode, 200, `${type} example`);
      const required = (channels[type].configSchema.required as string[])[0]!;
      const missing: Record<string, unknown> = { ...EXAMPLES[type] };
      delete missing[required];
      assert.equal((await post(missing)).statusCode, 400, `${type} without ${required}`);
      assert.equal((await post({ ...EXAMPLES[type], surprise: 1 })).statusCode, 400, `${type} with an unknown field`);
      const schema = channels[type].configSchema;
      assert.equal(schema.additionalProperties, false, `${type} schema must forbid unknown fields`);
      for (const f of channels[type].secretFields) assert.ok(f.name in (schema.properties as object), `${type}.${f.name} is in the schema`);
    }
  } finally {
    await app.close();
  }
});

test('maskConfig hides every secret field and keeps the rest', () => {
  assert.deepEqual(maskConfig('slack', EXAMPLES.slack as unknown as Record<string, unknown>), { webhook_url: 'https://hooks.slack.com/…/****uvwx', mention: '<!here>' });
  assert.deepEqual(maskConfig('telegram', EXAMPLES.telegram as unknown as Record<string, unknown>), { bot_token: '****pQQr', chat_id: '-1001234567890' });
  const mail = maskConfig('email', EXAMPLES.email as unknown as Record<string, unknown>);
  assert.equal(mail.password, '****');
  assert.equal(mail.username, 'pulse');
  const hook = maskConfig('webhook', EXAMPLES.webhook as unknown as Record<string, unknown>);
  assert.deepEqual(hook, { url: 'https://example.com/…/****uard', secret: '****' });
  assert.equal(maskConfig('pagerduty', EXAMPLES.pagerduty as unknown as Record<string, unknown>).routing_key, '****6789');
  for (const type of CHANNEL_TYPES) {
    const shown = JSON.stringify(maskConfig(type, EXAMPLES[type] as unknown as Record<string, unknown>));
    for (const f of channels[type].secretFields) {
      const secret = String((EXAMPLES[type] as unknown as Record<string, unknown>)[f.name]);
      assert.ok(!shown.includes(secret), `${type}.${f.name} shown in clear`);
    }
  }
});

test('restoreSecrets keeps a stored secret that comes back masked or absent, takes a new one, and drops one sent as null', () => {
  const stored = EXAMPLES.webhook as unknown as Record<string, unknown>;
  const masked = maskConfig('webhook', stored);
  assert.deepEqual(restoreSecrets('webhook', masked, stored), stored);
  assert.deepEqual(restoreSecrets('webhook', { url: masked.url }, stored), stored);
  const changed = { url: 'https://example.com/new-hook', secret: masked.secret };
  assert.deepEqual(restoreSecrets('webhook', changed, stored), { url: 'https://example.com/new-hook', secret: stored.secret });
  assert.deepEqual(restoreSecrets('webhook', { url: masked.url, secret: null }, stored), { url: stored.url });
});

test('sendVia never rejects: an unknown type is final, a throwing channel retryable with its secrets scrubbed', async () => {
  assertFailed(await sendVia('fax', {}, note(OPENED), ctx()), false, []);
  const original = channels.slack.send;
  const url = EXAMPLES.slack.webhook_url;
  (channels.slack as { send: typeof original }).send = async () => {
    throw new Error(`boom while posting to ${url}`);
  };
  try {
    const d = await sendVia('slack', { webhook_url: url }, note(OPENED), ctx());
    assertFailed(d, true, [url, 'abcdefghijklmnopqrstuvwx']);
    assert.match(d.error, /^slack channel failed: boom/);
  } finally {
    (channels.slack as { send: typeof original }).send = original;
  }
});
