import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProbeOutcome } from '../domain/types.js';
import { assertNoLeaks, dripHandler, hugeBodyHandler, refusedPort, resourceSnapshot, startHttpServer, startTcpServer, type RunningServer } from '../../test/helpers/servers.js';
import { probeHttp } from './http.js';

/** Probes once and checks that no socket or timer outlived the probe (on either side). */
async function probe(url: string, options: Record<string, unknown> = {}, timeoutMs = 2000, signal?: AbortSignal): Promise<ProbeOutcome> {
  const before = resourceSnapshot();
  const outcome = await probeHttp({ url, timeout_ms: timeoutMs, options }, signal);
  await assertNoLeaks(before);
  return outcome;
}

async function withServer(handler: (req: IncomingMessage, res: ServerResponse) => void, fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startHttpServer(handler);
  try {
    await fn(s);
    assert.equal(s.connections(), 0, 'server connections left open');
  } finally {
    await s.close();
  }
}

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/ok': (_q, r) => r.end('all systems operational'),
  '/down': (_q, r) => { r.statusCode = 503; r.end('maintenance'); },
  '/json': (_q, r) => { r.setHeader('content-type', 'application/json'); r.end(JSON.stringify({ status: 'ok', items: [{ name: 'db', up: true }], count: 3 })); },
  '/html': (_q, r) => r.end('<html>not json</html>'),
  '/a': (_q, r) => setTimeout(() => { r.writeHead(302, { location: '/b' }); r.end(); }, 30),
  '/b': (_q, r) => setTimeout(() => { r.writeHead(301, { location: '/ok' }); r.end(); }, 30),
  '/loop': (_q, r) => { r.writeHead(302, { location: '/loop2' }); r.end(); },
  '/loop2': (_q, r) => { r.writeHead(302, { location: '/loop' }); r.end(); },
  '/echo': (q, r) => {
    let body = '';
    q.on('data', (c: Buffer) => { body += c.toString(); });
    q.on('end', () => r.end(JSON.stringify({ method: q.method, body, auth: q.headers.authorization ?? null, host: q.headers.host, ua: q.headers['user-agent'], connection: q.headers.connection })));
  },
  '/slow-headers': (_q, r) => { const t = setTimeout(() => r.end('late'), 5000); r.once('close', () => clearTimeout(t)); },
  '/drip': dripHandler(10),
  '/drop': (q, r) => { r.writeHead(200, { 'content-length': '1000' }); r.write('partial'); setTimeout(() => q.socket.destroy(), 10); },
};
const router = (q: IncomingMessage, r: ServerResponse): void => (routes[q.url?.split('?')[0] ?? ''] ?? ((_q, res) => { res.statusCode = 404; res.end(); }))(q, r);

test('a 200 response is ok, with status and connect/ttfb/transfer phases; no DNS for an IP literal', async () => {
  await withServer(router, async (s) => {
    const o = await probe(`${s.url}/ok`);
    assert.equal(o.ok, true, o.error_message ?? '');
    assert.equal(o.status_code, 200);
    assert.equal(o.error_class, null);
    assert.equal(o.phases.dns_ms, null);
    assert.equal(o.phases.tls_ms, null);
    for (const k of ['connect_ms', 'ttfb_ms', 'transfer_ms'] as const) assert.ok(typeof o.phases[k] === 'number' && o.phases[k] >= 0, k);
    const sum = (o.phases.connect_ms ?? 0) + (o.phases.ttfb_ms ?? 0) + (o.phases.transfer_ms ?? 0);
    assert.ok(o.latency_ms >= sum - 0.01 && o.latency_ms < 1000, `latency ${o.latency_ms} vs phases ${sum}`);
    assert.equal(o.tls_expires_at, null);
  });
});

test('a host name is resolved and the DNS phase is timed', async () => {
  await withServer(router, async (s) => {
    const o = await probe(`http://localhost:${s.port}/ok`, { ip_family: 4 });
    assert.equal(o.ok, true, o.error_message ?? '');
    assert.ok(typeof o.phases.dns_ms === 'number' && o.phases.dns_ms >= 0);
  });
});

test('a status outside expected_status fails with class status, and can be expected', async () => {
  await withServer(router, async (s) => {
    const o = await probe(`${s.url}/down`);
    assert.equal(o.ok, false);
    assert.equal(o.error_class, 'status');
    assert.equal(o.status_code, 503);
    assert.equal(o.error_message, 'status 503 not in 200-399');
    assert.equal((await probe(`${s.url}/down`, { expected_status: '200,503' })).ok, true);
    assert.equal((await probe(`${s.url}/ok`, { expected_status: [201, '300-399'] })).error_class, 'status');
  });
});

test('keywords: present, absent, and as a regular expression', async () => {
  await withServer(router, async (s) => {
    assert.equal((await probe(`${s.url}/ok`, { keyword: 'operational' })).ok, true);
    const missing = await probe(`${s.url}/ok`, { keyword: 'outage' });
    assert.equal(missing.error_class, 'assertion');
    assert.equal(missing.error_message, 'keyword "outage" not found in the body');
    assert.equal(missing.status_code, 200);
    assert.equal((await probe(`${s.url}/ok`, { keyword: 'outage', keyword_mode: 'absent' })).ok, true);
    assert.equal((await probe(`${s.url}/ok`, { keyword: 'operational', keyword_mode: 'absent' })).error_class, 'assertion');
    assert.equal((await probe(`${s.url}/ok`, { keyword: '^all \\w+ oper', keyword_regex: true })).ok, true);
    assert.equal((await probe(`${s.url}/ok`, { keyword: '^systems', keyword_regex: true })).error_class, 'assertion');
  });
});

test('JSON assertions pass, fail with the path named, and a non-JSON body fails', async () => {
  await withServer(router, async (s) => {
    const pass = await probe(`${s.url}/json`, { json_assertions: [
      { path: '$.status', op: 'eq', value: 'ok' }, { path: '$.items[0].up', op: 'eq', value: true }, { path: 'count', op: 'gte', value: 3 },
    ] });
    assert.equal(pass.ok, true, pass.error_message ?? '');
    const fail = await probe(`${s.url}/json`, { json_assertions: [{ path: '$.count', op: 'lt', value: 3 }] });
    assert.equal(fail.error_class, 'assertion');
    assert.equal(fail.error_message, '$.count: expected lt 3, got 3');
    const html = await probe(`${s.url}/html`, { json_assertions: [{ path: '$.status', op: 'exists' }] });
    assert.equal(html.error_class, 'assertion');
    assert.equal(html.error_message, 'body is not valid JSON');
  });
});

test('redirects are followed on new connections and their phases summed', async () => {
  await withServer(router, async (s) => {
    const o = await probe(`${s.url}/a`);
    assert.equal(o.ok, true, o.error_message ?? '');
    assert.equal(o.status_code, 200);
    assert.equal(s.accepted(), 3);
    // Each redirect hop waits 30 ms before its headers: the summed TTFB covers both.
    assert.ok((o.phases.ttfb_ms ?? 0) >= 55, `ttfb ${o.phases.ttfb_ms}`);
  });
});

test('credentials are not forwarded when a redirect leaves the origin', async () => {
  await withServer(router, async (other) => {
    await withServer((_q, r) => { r.writeHead(307, { location: `${other.url}/echo` }); r.end(); }, async (s) => {
      const o = await probe(s.url, { headers: { authorization: 'Bearer t', 'x-trace': '1' }, json_assertions: [
        { path: '$.auth', op: 'eq', value: null }, { path: '$.host', op: 'eq', value: `127.0.0.1:${other.port}` },
      ] });
      assert.equal(o.ok, true, o.error_message ?? '');
    });
  });
});

test('a redirect loop and too many redirects are invalid', async () => {
  await withServer(router, async (s) => {
    const loop = await probe(`${s.url}/loop`);
    assert.equal(loop.error_class, 'invalid');
    assert.match(loop.error_message ?? '', /^redirect loop at http:\/\/127\.0\.0\.1:\d+\/loop$/);
    const many = await probe(`${s.url}/a`, { max_redirects: 1 });
    assert.equal(many.error_class, 'invalid');
    assert.equal(many.error_message, 'too many redirects (more than 1)');
  });
});

test('with max_redirects 0 (or follow_redirects false) the 3xx itself is judged', async () => {
  await withServer(router, async (s) => {
    const o = await probe(`${s.url}/a`, { max_redirects: 0 });
    assert.equal(o.ok, true);
    assert.equal(o.status_code, 302);
    assert.equal(s.accepted(), 1);
    const strict = await probe(`${s.url}/a`, { follow_redirects: false, expected_status: '200' });
    assert.equal(strict.error_class, 'status');
    assert.equal(strict.status_code, 302);
  });
});

test('method, body and headers are sent; a POST redirected with 302 continues as GET', async () => {
  await withServer(router, async (s) => {
    const o = await probe(`${s.url}/echo`, { method: 'PUT', body: 'ping', headers: { Authorization: 'Bearer t' }, json_assertions: [
      { path: '$.method', op: 'eq', value: 'PUT' }, { path: '$.body', op: 'eq', value: 'ping' }, { path: '$.auth', op: 'eq', value: 'Bearer t' },
      { path: '$.host', op: 'eq', value: `127.0.0.1:${s.port}` }, { path: '$.ua', op: 'contains', value: 'PulseGuard' },
      { path: '$.connection', op: 'eq', value: 'close' },
    ] });
    assert.equal(o.ok, true, o.error_message ?? '');
    const basic = await probe(`http://us%40r:p%3Ass@127.0.0.1:${s.port}/echo`, { json_assertions: [{ path: '$.auth', op: 'eq', value: `Basic ${Buffer.from('us@r:p:ss').toString('base64')}` }] });
    assert.equal(basic.ok, true, basic.error_message ?? '');
    routes['/post-redirect'] = (_q, r) => { r.writeHead(302, { location: '/echo' }); r.end(); };
    const p = await probe(`${s.url}/post-redirect`, { method: 'POST', body: 'x', json_assertions: [{ path: '$.method', op: 'eq', value: 'GET' }, { path: '$.body', op: 'eq', value: '' }] });
    assert.equal(p.ok, true, p.error_message ?? '');
  });
});

test('headers slower than the timeout give a timeout at about timeout_ms', async () => {
  await withServer(router, async (s) => {
    const o = await probe(`${s.url}/slow-headers`, {}, 300);
    assert.equal(o.error_class, 'timeout');
    assert.equal(o.error_message, 'timed out after 300 ms waiting for the response');
    assert.ok(o.latency_ms >= 299 && o.latency_ms < 2000, `latency ${o.latency_ms}`);
  });
});

test('an endless dripping body times out and leaves nothing behind', async () => {
  await withServer(router, async (s) => {
    const o = await probe(`${s.url}/drip`, {}, 300);
    assert.equal(o.error_class, 'timeout');
    assert.equal(o.status_code, 200);
    assert.equal(o.error_message, 'timed out after 300 ms reading the body');
  });
});

test('a 50 MiB body is read only up to max_body_bytes, quickly and with bounded memory', async () => {
  const huge = hugeBodyHandler(50 * 1024 * 1024, 'marker ');
  await withServer(huge, async (s) => {
    const t0 = performance.now();
    const o = await probe(s.url, { keyword: 'marker', max_body_bytes: 256 * 1024 });
    assert.equal(o.ok, true, o.error_message ?? '');
    const missing = await probe(s.url, { keyword: 'never there', max_body_bytes: 256 * 1024 });
    assert.equal(missing.error_class, 'assertion');
    assert.match(missing.error_message ?? '', /\(first 262144 bytes searched\)$/);
    const plain = await probe(s.url);
    assert.equal(plain.ok, true);
    const json = await probe(s.url, { json_assertions: [{ path: '$.a', op: 'exists' }] });
    assert.match(json.error_message ?? '', /larger than max_body_bytes/);
    assert.ok(performance.now() - t0 < 5000, 'took too long');
    // The server stopped well short of 50 MiB per probe: we hung up instead of draining it.
    assert.ok(huge.sent() < 4 * 8 * 1024 * 1024, `server sent ${huge.sent()} bytes`);
  });
});

test('a connection dropped mid-response is a reset', async () => {
  await withServer(router, async (s) => {
    const o = await probe(`${s.url}/drop`);
    assert.equal(o.error_class, 'reset');
    assert.equal(o.status_code, 200);
  });
});

test('a server that closes before answering is a reset; one that answers garbage is invalid', async () => {
  const hangUp = await startTcpServer((sock) => sock.once('data', () => sock.end()));
  const junk = await startTcpServer((sock) => sock.once('data', () => sock.end('SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n')));
  try {
    const a = await probe(hangUp.url.replace('tcp:', 'http:'));
    assert.equal(a.error_class, 'reset');
    assert.equal(a.error_message, `connection reset by 127.0.0.1:${hangUp.port} before the response`);
    const b = await probe(junk.url.replace('tcp:', 'http:'));
    assert.equal(b.error_class, 'invalid');
    assert.match(b.error_message ?? '', /^malformed HTTP response/);
  } finally {
    await hangUp.close();
    await junk.close();
  }
});

test('a closed port is refused and an unresolvable host is a DNS failure', async () => {
  const port = await refusedPort();
  const refused = await probe(`http://127.0.0.1:${port}/`);
  assert.equal(refused.error_class, 'refused');
  assert.equal(refused.error_message, `connection refused by 127.0.0.1:${port}`);
  const dns = await probe('http://nonexistent.invalid/');
  assert.equal(dns.error_class, 'dns');
  assert.equal(dns.error_message, 'DNS lookup of nonexistent.invalid failed (ENOTFOUND)');
});

test('an abort signal ends the probe at once', async () => {
  await withServer(router, async (s) => {
    const ac = new AbortController();
    const pending = probe(`${s.url}/slow-headers`, {}, 5000, ac.signal);
    setTimeout(() => ac.abort(), 50);
    const o = await pending;
    assert.equal(o.error_class, 'timeout');
    assert.equal(o.error_message, 'probe aborted');
    assert.ok(o.latency_ms < 1000);
    assert.equal((await probe(`${s.url}/ok`, {}, 1000, AbortSignal.abort())).error_message, 'probe aborted');
  });
});

test('bad URLs and options come back as invalid outcomes, never as throws', async () => {
  assert.equal((await probe('not a url')).error_class, 'invalid');
  assert.equal((await probe('ftp://127.0.0.1/')).error_class, 'invalid');
  const bad = await probe('http://127.0.0.1:1/', { expected_status: 'x' });
  assert.equal(bad.error_class, 'invalid');
  assert.match(bad.error_message ?? '', /options.expected_status/);
});
