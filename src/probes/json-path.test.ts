import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkJsonAssertion, evalJsonPath, parseJsonPath, type JsonAssertion } from './json-path.js';

const doc = { status: 'ok', data: { count: 3, tags: ['a', 'b'] }, items: [{ name: 'first' }, { name: 'last', ok: true }], 'odd key': 1, nil: null };

test('parses dotted, bracketed, quoted and bare paths', () => {
  assert.deepEqual(parseJsonPath('$'), []);
  assert.deepEqual(parseJsonPath('$.status'), ['status']);
  assert.deepEqual(parseJsonPath('$.items[0].name'), ['items', 0, 'name']);
  assert.deepEqual(parseJsonPath('data.count'), ['data', 'count']);
  assert.deepEqual(parseJsonPath('$["odd key"]'), ['odd key']);
  assert.deepEqual(parseJsonPath("$['a\\'b'][-1]"), ["a'b", -1]);
  assert.deepEqual(parseJsonPath('[2]'), [2]);
});

test('rejects malformed paths with a reason', () => {
  for (const bad of ['', '$.', '$..a', '$.a[', '$.a[x]', '$a', 'a b']) {
    assert.throws(() => parseJsonPath(bad), Error, bad);
  }
});

test('evaluates paths, telling a missing value from a null one', () => {
  assert.deepEqual(evalJsonPath(doc, parseJsonPath('$.items[1].name')), { found: true, value: 'last' });
  assert.deepEqual(evalJsonPath(doc, parseJsonPath('$.items[-1].ok')), { found: true, value: true });
  assert.deepEqual(evalJsonPath(doc, parseJsonPath('$.nil')), { found: true, value: null });
  assert.equal(evalJsonPath(doc, parseJsonPath('$.items[5]')).found, false);
  assert.equal(evalJsonPath(doc, parseJsonPath('$.status.length')).found, false);
  assert.equal(evalJsonPath(doc, parseJsonPath('$.toString')).found, false);
  assert.equal(evalJsonPath(doc, parseJsonPath('$.data[0]')).found, false);
});

function check(path: string, op: JsonAssertion['op'], value?: unknown): string | null {
  const a: JsonAssertion = value === undefined ? { path, op } : { path, op, value };
  return checkJsonAssertion(doc, a, parseJsonPath(path));
}

test('each operator passes and fails as documented', () => {
  assert.equal(check('$.status', 'eq', 'ok'), null);
  assert.equal(check('$.status', 'eq', 'down'), '$.status: expected eq "down", got "ok"');
  assert.equal(check('$.data.tags', 'eq', ['a', 'b']), null);
  assert.equal(check('$.status', 'ne', 'down'), null);
  assert.match(check('$.status', 'ne', 'ok') ?? '', /expected ne/);
  assert.equal(check('$.data.count', 'gt', 2), null);
  assert.match(check('$.data.count', 'gt', 3) ?? '', /expected gt 3, got 3/);
  assert.equal(check('$.data.count', 'gte', 3), null);
  assert.equal(check('$.data.count', 'lt', 4), null);
  assert.equal(check('$.data.count', 'lte', 3), null);
  assert.match(check('$.status', 'lt', 4) ?? '', /needs two numbers or two strings/);
  assert.equal(check('$.data.tags', 'contains', 'b'), null);
  assert.equal(check('$.items[0].name', 'contains', 'irs'), null);
  assert.match(check('$.data.tags', 'contains', 'z') ?? '', /expected contains "z"/);
  assert.match(check('$.data.count', 'contains', 1) ?? '', /needs a string or an array/);
  assert.equal(check('$.nil', 'exists'), null);
  assert.equal(check('$.gone', 'exists', false), null);
  assert.equal(check('$.gone', 'exists'), '$.gone: expected to exist');
  assert.equal(check('$.status', 'exists', false), '$.status: expected not to exist');
  assert.equal(check('$.gone', 'eq', 1), '$.gone: not found');
});
