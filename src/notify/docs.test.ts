import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { CHANNEL_TYPES, channels } from './registry.js';
import { EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook.js';
import { WEBHOOK_PAYLOAD_SCHEMA } from './webhook-schema.js';

const root = new URL('../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');

test('every channel has docs/channels/<type>.md naming each config field and marking each secret', () => {
  for (const type of CHANNEL_TYPES) {
    const path = `docs/channels/${type}.md`;
    assert.ok(existsSync(new URL(path, root)), `${path} is missing`);
    const doc = read(path);
    for (const field of Object.keys(channels[type].configSchema.properties as object)) {
      assert.ok(doc.includes(`| \`${field}\` |`), `${path} does not document "${field}"`);
    }
    for (const s of channels[type].secretFields) {
      assert.match(doc, new RegExp(`\\| \`${s.name}\` \\|[^\\n]*\\*\\*Secret\\*\\*`), `${path} does not mark "${s.name}" secret`);
    }
  }
});

test('docs/notifications.md quotes the webhook JSON schema exactly and names the webhook headers', () => {
  const doc = read('docs/notifications.md');
  const block = /<!-- webhook-payload-schema[^>]*-->\s*```json\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(block, 'the schema block is missing');
  assert.deepEqual(JSON.parse(block), WEBHOOK_PAYLOAD_SCHEMA);
  for (const h of [EVENT_HEADER, EVENT_ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER]) {
    assert.ok(doc.toLowerCase().includes(`\`${h}\``), `header ${h} is not documented`);
  }
});
