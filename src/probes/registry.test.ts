import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../util/validate.js';
import { getProbeKind, probeKinds } from './registry.js';

test('every registered kind has schemes, a strict options schema that compiles, and defaults', () => {
  for (const [name, kind] of Object.entries(probeKinds)) {
    assert.ok(kind.schemes.length > 0, name);
    assert.equal(kind.optionsSchema.additionalProperties, false, name);
    const check = compile<Record<string, unknown>>(kind.optionsSchema, 'options');
    const defaults = kind.defaults(check({}));
    kind.validate?.(defaults);
    assert.doesNotThrow(() => check(defaults), `${name}: defaults must pass its own schema`);
  }
});

test('getProbeKind finds registered kinds only', () => {
  assert.equal(getProbeKind('http'), probeKinds.http);
  assert.equal(getProbeKind('tcp'), probeKinds.tcp);
  assert.equal(getProbeKind('toString'), undefined);
  assert.equal(getProbeKind('smtp'), undefined);
});
