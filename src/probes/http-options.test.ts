import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../errors.js';
import { compile } from '../util/validate.js';
import { compileHttpOptions, formatStatusRanges, httpDefaults, httpOptionsSchema, parseExpectedStatus, statusMatches, validateHttpOptions } from './http-options.js';

const checkSchema = compile<Record<string, unknown>>(httpOptionsSchema, 'options');

/** Runs options through the same steps as target creation and returns the stored form. */
function prepare(options: Record<string, unknown>): Record<string, unknown> {
  checkSchema(options);
  const o = httpDefaults(options);
  validateHttpOptions(o);
  return o;
}

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e: unknown) {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    assert.equal(e.code, 'validation');
    return e.field;
  }
  assert.fail('expected a validation error');
}

test('expected_status accepts strings, arrays and classes, normalised to one sorted, merged form', () => {
  assert.equal(formatStatusRanges(parseExpectedStatus('200-399')), '200-399');
  assert.equal(formatStatusRanges(parseExpectedStatus(' 204, 200 ,300 - 399')), '200,204,300-399');
  assert.equal(formatStatusRanges(parseExpectedStatus([200, '201-204', '3xx'])), '200-204,300-399');
  assert.equal(formatStatusRanges(parseExpectedStatus('2XX,200,404')), '200-299,404');
  assert.equal(formatStatusRanges(parseExpectedStatus([418])), '418');
});

test('expected_status rejects what is not a code or range', () => {
  for (const bad of ['', 'abc', '200-', '99', '600', '399-200', '200,,204', '6xx', [], [99], ['2000'], [{}], 200]) {
    assert.throws(() => parseExpectedStatus(bad), Error, JSON.stringify(bad));
  }
});

test('statusMatches checks membership in the ranges', () => {
  const r = parseExpectedStatus('200,204,300-399');
  assert.ok(statusMatches(r, 200) && statusMatches(r, 204) && statusMatches(r, 301) && statusMatches(r, 399));
  assert.ok(!statusMatches(r, 201) && !statusMatches(r, 400) && !statusMatches(r, 199));
});

test('defaults fill every documented default and normalise expected_status', () => {
  assert.deepEqual(prepare({}), {
    method: 'GET', headers: {}, follow_redirects: true, max_redirects: 5, expected_status: '200-399',
    keyword_mode: 'present', keyword_regex: false, json_assertions: [], max_body_bytes: 1048576, tls_verify: true,
  });
  assert.equal(prepare({ expected_status: ['204', 200] }).expected_status, '200,204');
  assert.equal(prepare({ method: 'HEAD' }).method, 'HEAD');
});

test('validation names the field at fault', () => {
  assert.equal(fieldOf(() => prepare({ expected_status: '200-abc' })), 'options.expected_status');
  assert.equal(fieldOf(() => prepare({ expected_status: [700] })), 'options.expected_status');
  assert.equal(fieldOf(() => prepare({ keyword: '(', keyword_regex: true })), 'options.keyword');
  assert.equal(fieldOf(() => prepare({ keyword_regex: true })), 'options.keyword');
  assert.equal(fieldOf(() => prepare({ json_assertions: [{ path: '$.a', op: 'eq', value: 1 }, { path: '$..b', op: 'exists' }] })), 'options.json_assertions.1.path');
  assert.equal(fieldOf(() => prepare({ json_assertions: [{ path: '$.a', op: 'eq' }] })), 'options.json_assertions.0.value');
  assert.equal(fieldOf(() => prepare({ json_assertions: [{ path: '$.a', op: 'near', value: 1 }] })), 'options.json_assertions.0.op');
  assert.equal(fieldOf(() => prepare({ max_redirects: 21 })), 'options.max_redirects');
  assert.equal(fieldOf(() => prepare({ max_body_bytes: 17 * 1024 * 1024 })), 'options.max_body_bytes');
  assert.equal(fieldOf(() => prepare({ method: 'TRACE' })), 'options.method');
  assert.equal(fieldOf(() => prepare({ headers: { 'x-a': 'one\r\ntwo' } })), 'options.headers.x-a');
  assert.equal(fieldOf(() => prepare({ headers: { 'bad header': 'x' } })), 'options.headers');
  assert.equal(fieldOf(() => prepare({ follow: true })), 'options.follow');
});

test('compiled options are cached per options object and bad options become a message', () => {
  const o = { keyword: 'up' };
  const a = compileHttpOptions(o);
  assert.equal(compileHttpOptions(o), a);
  assert.ok(typeof a !== 'string' && a.needBody && a.keyword?.present === true && a.keyword.regex === null);
  const plain = compileHttpOptions({});
  assert.ok(typeof plain !== 'string' && !plain.needBody && plain.maxRedirects === 5 && plain.headers['user-agent']?.startsWith('PulseGuard'));
  const noFollow = compileHttpOptions({ follow_redirects: false });
  assert.ok(typeof noFollow !== 'string' && noFollow.maxRedirects === 0);
  assert.match(String(compileHttpOptions({ expected_status: 'nope' })), /^bad options: "options.expected_status"/);
  assert.match(String(compileHttpOptions({ keyword: '[', keyword_regex: true })), /^bad options: "options.keyword" is not a valid regular expression/);
});
