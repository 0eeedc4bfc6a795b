import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addPhase, budgetMs, classifyError, emptyPhases, probeLookup, socketHost } from './net.js';

function err(code: string, message = code, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code }, extra);
}

test('errors are classified by code, and by stage during the TLS handshake', () => {
  const cases: [Error, Parameters<typeof classifyError>[1], string, string][] = [
    [err('ENOTFOUND'), 'dns', 'dns', 'DNS lookup of h:1 failed (ENOTFOUND)'],
    [err('EAI_AGAIN'), 'dns', 'dns', 'DNS lookup of h:1 failed (EAI_AGAIN)'],
    [err('ECONNREFUSED'), 'connect', 'refused', 'connection refused by h:1'],
    [err('EHOSTUNREACH'), 'connect', 'refused', 'h:1 is unreachable (EHOSTUNREACH)'],
    [err('ETIMEDOUT'), 'connect', 'timeout', 'connection to h:1 timed out (ETIMEDOUT)'],
    [err('ECONNRESET', 'socket hang up'), 'request', 'reset', 'connection reset by h:1 before the response'],
    [err('EPIPE'), 'body', 'reset', 'connection reset by h:1 while reading the body'],
    [err('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established'), 'tls', 'tls',
      'TLS handshake failed: Client network socket disconnected before secure TLS connection was established (ECONNRESET)'],
    [err('ERR_SSL_WRONG_VERSION_NUMBER', '80CC:error:0A00010B:SSL routines::wrong version number', { reason: 'wrong version number' }), 'tls', 'tls',
      'TLS handshake failed: wrong version number (ERR_SSL_WRONG_VERSION_NUMBER)'],
    [err('HPE_INVALID_CONSTANT', 'Parse Error: Expected HTTP/'), 'request', 'invalid', 'malformed HTTP response: Parse Error: Expected HTTP/'],
    [err('ERR_SOCKET_BAD_PORT', 'bad port'), 'connect', 'invalid', 'bad port (ERR_SOCKET_BAD_PORT)'],
  ];
  for (const [e, stage, cls, message] of cases) assert.deepEqual(classifyError(e, stage, 'h:1'), { cls, message });
  assert.deepEqual(classifyError('weird', 'request', 'h'), { cls: 'invalid', message: 'weird' });
});

test('phases add up (for redirects) and ignore negative clock noise; budgets fall back to 10 s', () => {
  const p = emptyPhases();
  addPhase(p, 'ttfb_ms', 1.23456);
  addPhase(p, 'ttfb_ms', 2);
  addPhase(p, 'dns_ms', -0.001);
  assert.deepEqual(p, { dns_ms: 0, connect_ms: null, tls_ms: null, ttfb_ms: 3.235, transfer_ms: null });
  assert.equal(budgetMs(500), 500);
  assert.equal(budgetMs(Number.NaN), 10_000);
  assert.equal(budgetMs(0), 10_000);
});

test('IPv6 literals lose their brackets; .invalid names fail without a query', async () => {
  assert.equal(socketHost(new URL('http://[::1]:8080/')), '::1');
  assert.equal(socketHost(new URL('http://example.com/')), 'example.com');
  for (const name of ['nonexistent.invalid', 'A.INVALID.', 'invalid']) {
    const code = await new Promise<string | undefined>((resolve) => probeLookup(name, { all: true }, (e) => resolve(e?.code)));
    assert.equal(code, 'ENOTFOUND', name);
  }
  const local = await new Promise<string>((resolve, reject) => probeLookup('localhost', { family: 4 }, (e, a) => (e ? reject(e) : resolve(String(a)))));
  assert.equal(local, '127.0.0.1');
});
