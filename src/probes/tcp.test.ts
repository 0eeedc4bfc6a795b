import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../errors.js';
import type { ProbeOutcome } from '../domain/types.js';
import { assertNoLeaks, fullBacklogServer, refusedPort, resourceSnapshot, startTcpServer } from '../../test/helpers/servers.js';
import { probeTcp, validateTcpUrl } from './tcp.js';

async function probe(url: string, options: Record<string, unknown> = {}, timeoutMs = 2000): Promise<ProbeOutcome> {
  const before = resourceSnapshot();
  const outcome = await probeTcp({ url, timeout_ms: timeoutMs, options });
  await assertNoLeaks(before);
  return outcome;
}

test('an open port is ok with the connect time as latency', async () => {
  const s = await startTcpServer(() => {});
  try {
    const o = await probe(`tcp://127.0.0.1:${s.port}`);
    assert.equal(o.ok, true, o.error_message ?? '');
    assert.equal(o.status_code, null);
    assert.equal(o.phases.dns_ms, null);
    assert.ok(typeof o.phases.connect_ms === 'number');
    assert.ok(o.latency_ms >= (o.phases.connect_ms ?? 0) && o.latency_ms < 1000);
    const named = await probe(`tcp://localhost:${s.port}`, { ip_family: 4 });
    assert.equal(named.ok, true, named.error_message ?? '');
    assert.ok(typeof named.phases.dns_ms === 'number');
  } finally {
    await s.close();
  }
});

test('send/expect checks a banner, failing as assertion when the peer closes without it', async () => {
  const s = await startTcpServer((sock) => sock.on('data', (d: Buffer) => sock.end(d.toString() === 'PING\r\n' ? '+PONG\r\n' : '-ERR\r\n')));
  try {
    const ok = await probe(`tcp://127.0.0.1:${s.port}`, { send: 'PING\r\n', expect: '+PONG' });
    assert.equal(ok.ok, true, ok.error_message ?? '');
    assert.ok(typeof ok.phases.ttfb_ms === 'number');
    const bad = await probe(`tcp://127.0.0.1:${s.port}`, { send: 'HELLO\r\n', expect: '+PONG' });
    assert.equal(bad.error_class, 'assertion');
    assert.equal(bad.error_message, 'connection closed before "+PONG" was received');
  } finally {
    await s.close();
  }
});

test('a silent peer times out while waiting for the expected reply', async () => {
  const s = await startTcpServer(() => {});
  try {
    const o = await probe(`tcp://127.0.0.1:${s.port}`, { expect: '220' }, 200);
    assert.equal(o.error_class, 'timeout');
    assert.equal(o.error_message, 'timed out after 200 ms waiting for the response');
  } finally {
    await s.close();
  }
});

test('a closed port is refused and an unresolvable host is a DNS failure', async () => {
  const port = await refusedPort();
  const o = await probe(`tcp://127.0.0.1:${port}`);
  assert.equal(o.error_class, 'refused');
  const d = await probe('tcp://nonexistent.invalid:80');
  assert.equal(d.error_class, 'dns');
});

test('a connect that never completes (listener with a full backlog) times out', async (t) => {
  const s = await fullBacklogServer();
  if (!s) return void t.skip('python3 is needed for a listener that never accepts');
  try {
    const o = await probe(`tcp://127.0.0.1:${s.port}`, {}, 200);
    assert.equal(o.error_class, 'timeout');
    assert.equal(o.error_message, 'timed out after 200 ms connecting');
  } finally {
    await s.close();
  }
});

test('URLs without a port, with a path, or of another scheme are rejected', async () => {
  for (const bad of ['tcp://db.example', 'tcp://db.example:5432/x', 'http://db.example:80']) {
    assert.throws(() => validateTcpUrl(new URL(bad)), (e: unknown) => e instanceof AppError && e.field === 'url', bad);
  }
  validateTcpUrl(new URL('tcp://db.example:5432'));
  const o = await probe('tcp://db.example');
  assert.equal(o.error_class, 'invalid');
  assert.equal(o.error_message, '"url" needs a port: tcp://host:port');
});
