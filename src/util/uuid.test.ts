import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uuidv7, uuidv7Time } from './uuid.js';

test('uuidv7 carries its timestamp, version and variant, and sorts by time', () => {
  const a = uuidv7(1_700_000_000_000);
  const b = uuidv7(1_700_000_000_001);
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(uuidv7Time(a), 1_700_000_000_000);
  assert.ok(a < b);
  const many = new Set(Array.from({ length: 10_000 }, () => uuidv7(1)));
  assert.equal(many.size, 10_000);
});
