import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCaptureServer } from '../../test/helpers/capture-server.js';
import { assertFailed, ctx } from '../../test/helpers/channel-contract.js';
import { MAX_REPLY_BYTES, parseRetryAfterMs, postJson } from './http-delivery.js';

const NOW = Date.parse('2024-05-01T12:00:00.000Z');
const SECRET = 'tok-5f2b9c0e7d1a4b3c';

test('Retry-After is read as seconds or as an HTTP-date; junk and absence give undefined', () => {
  assert.equal(parseRetryAfterMs('2', NOW), 2000);
  assert.equal(parseRetryAfterMs(' 120 ', NOW), 120_000);
  assert.equal(parseRetryAfterMs('1.5', NOW), 1500);
  assert.equal(parseRetryAfterMs('Wed, 01 May 2024 12:00:30 GMT', NOW), 30_000);
  assert.equal(parseRetryAfterMs('Wed, 01 May 2024 11:00:00 GMT', NOW), 0);
  assert.equal(parseRetryAfterMs(['3', '4'], NOW), 3000);
  assert.equal(parseRetryAfterMs('soon', NOW), undefined);
  assert.equal(parseRetryAfterMs(undefined, NOW), undefined);
});

test('postJson sends the JSON body with its headers and reports the status of a 2xx', async () => {
  const s = await startCaptureServer({ status: 202, body: { accepted: true } });
  try {
    const d = await postJson(`${s.url}/in?x=1`, '{"a":"ü"}', ctx(), { secrets: [], headers: { 'x-extra': 'yes' } });
    assert.deepEqual(d, { ok: true, status: 202 });
    const r = await s.nextRequest();
    assert.equal(r.method, 'POST');
    assert.equal(r.url, '/in?x=1');
    assert.equal(r.body, '{"a":"ü"}');
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(r.headers['content-length'], String(Buffer.byteLength('{"a":"ü"}')));
    assert.equal(r.headers['x-extra'], 'yes');
    assert.match(String(r.headers['user-agent']), /^PulseGuard/);
  } finally {
    await s.close();
  }
});

test('an HTTP-date Retry-After on a 503 becomes retryAfterMs from the context clock', async () => {
  const s = await startCaptureServer({ status: 503, headers: { 'retry-after': 'Wed, 01 May 2024 12:01:00 GMT' } });
  try {
    const d = await postJson(s.url, '{}', { ...ctx(), nowMs: () => NOW }, { secrets: [] });
    assertFailed(d, true, []);
    assert.equal(d.retryAfterMs, 60_000);
  } finally {
    await s.close();
  }
});

test('a redirect is final and not followed; a 408 is retryable', async () => {
  const s = await startCaptureServer();
  try {
    s.reply({ status: 301, headers: { location: 'https://elsewhere.example/' } }, { status: 408 });
    const d = await postJson(s.url, '{}', ctx(), { secrets: [] });
    assertFailed(d, false, []);
    assert.match(d.error, /redirect not followed/);
    assertFailed(await postJson(s.url, '{}', ctx(), { secrets: [] }), true, []);
    assert.equal(s.requests.length, 2);
  } finally {
    await s.close();
  }
});

test('error text names the host only, cuts long bodies and scrubs secrets the server echoes', async () => {
  const s = await startCaptureServer((r) => ({ status: 403, body: `forbidden for ${r.url} ${'x'.repeat(MAX_REPLY_BYTES)}` }));
  try {
    const d = await postJson(`${s.url}/hook/${SECRET}?token=${SECRET}`, '{}', ctx(), { secrets: [SECRET] });
    assertFailed(d, false, [SECRET]);
    assert.ok(d.error.startsWith(`HTTP 403 from ${new URL(s.url).host}: forbidden for /hook/****?token=****`), d.error);
    assert.ok(d.error.length < 300, `error is ${d.error.length} chars`);
  } finally {
    await s.close();
  }
});

test('a slow body counts against the same deadline as the headers', async () => {
  const s = await startCaptureServer({ status: 200, body: 'a long answer', stallBody: true });
  try {
    const t0 = performance.now();
    const d = await postJson(s.url, '{}', ctx(200), { secrets: [] });
    assertFailed(d, true, []);
    assert.ok(performance.now() - t0 < 1000);
    await s.waitForNoConnections(1000);
  } finally {
    await s.close();
  }
});

test('aborting the context ends the attempt at once as retryable, and an aborted context sends nothing', async () => {
  const s = await startCaptureServer({ hang: true });
  try {
    const ac = new AbortController();
    const pending = postJson(s.url, '{}', { signal: ac.signal, timeoutMs: 10_000 }, { secrets: [] });
    await s.nextRequest();
    ac.abort();
    const d = await pending;
    assertFailed(d, true, []);
    assert.match(d.error, /aborted/);
    await s.waitForNoConnections(1000);
    assertFailed(await postJson(s.url, '{}', { signal: ac.signal }, { secrets: [] }), true, []);
    assert.equal(s.requests.length, 1);
  } finally {
    await s.close();
  }
});

test('bad URLs and bad header values are final failures that do not repeat the URL', async () => {
  const bad = await postJson(`not a url ${SECRET}`, '{}', ctx(), { secrets: [SECRET] });
  assertFailed(bad, false, [SECRET]);
  const ftp = await postJson(`ftp://example.com/${SECRET}`, '{}', ctx(), { secrets: [SECRET] });
  assertFailed(ftp, false, [SECRET]);
  const header = await postJson(`http://127.0.0.1:9/${SECRET}`, '{}', ctx(), { secrets: [SECRET], headers: { 'x-bad': 'a\nb' } });
  assertFailed(header, false, [SECRET]);
});

test('a channel interpretation of the reply replaces the default rules', async () => {
  const s = await startCaptureServer({ status: 200, body: { ok: false } });
  try {
    const d = await postJson(s.url, '{}', ctx(), {
      secrets: [],
      interpret: (r, { host }) => (r.body.includes('"ok":false') ? { ok: false, retryable: false, error: `refused by ${host}` } : undefined),
    });
    assertFailed(d, false, []);
    assert.equal(d.error, `refused by ${new URL(s.url).host}`);
  } finally {
    await s.close();
  }
});
