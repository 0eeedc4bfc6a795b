import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProbeOutcome } from '../domain/types.js';
import { assertNoLeaks, resourceSnapshot, startHttpsServer, startTcpServer, testCert, type RunningServer } from '../../test/helpers/servers.js';
import { probeHttp } from './http.js';

async function probe(url: string, options: Record<string, unknown> = {}, timeoutMs = 2000): Promise<ProbeOutcome> {
  const before = resourceSnapshot();
  const outcome = await probeHttp({ url, timeout_ms: timeoutMs, options }, undefined);
  await assertNoLeaks(before);
  return outcome;
}

async function withHttps(fn: (s: RunningServer, requests: () => number) => Promise<void>): Promise<void> {
  const cert = await testCert();
  let requests = 0;
  const s = await startHttpsServer(cert, (_q, r) => {
    requests++;
    r.end('secure hello');
  });
  try {
    await fn(s, () => requests);
  } finally {
    await s.close();
  }
}

test('a self-signed certificate fails verification as tls, with its expiry recorded and no request sent', async () => {
  const cert = await testCert();
  await withHttps(async (s, requests) => {
    const o = await probe(`https://localhost:${s.port}/`, { headers: { authorization: 'Bearer secret' } });
    assert.equal(o.ok, false);
    assert.equal(o.error_class, 'tls');
    assert.equal(o.error_message, 'TLS certificate rejected: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
    assert.equal(o.tls_expires_at, cert.expiresAt);
    assert.equal(o.tls_issuer, 'CN=localhost, O=PulseGuard Test');
    assert.equal(o.status_code, null);
    assert.ok(typeof o.phases.tls_ms === 'number');
    // Credentials in headers must never reach a peer that failed verification.
    assert.equal(requests(), 0);
  });
});

test('with tls_verify false the probe succeeds and still reports expiry, issuer and the TLS phase', async () => {
  const cert = await testCert();
  await withHttps(async (s, requests) => {
    const o = await probe(`https://localhost:${s.port}/`, { tls_verify: false, keyword: 'secure', ip_family: 4 });
    assert.equal(o.ok, true, o.error_message ?? '');
    assert.equal(o.status_code, 200);
    assert.equal(o.tls_expires_at, cert.expiresAt);
    assert.equal(o.tls_issuer, 'CN=localhost, O=PulseGuard Test');
    for (const k of ['dns_ms', 'connect_ms', 'tls_ms', 'ttfb_ms', 'transfer_ms'] as const) assert.ok(typeof o.phases[k] === 'number', k);
    assert.equal(requests(), 1);
    const ip = await probe(`${s.url}/`, { tls_verify: false });
    assert.equal(ip.ok, true, ip.error_message ?? '');
    assert.equal(ip.phases.dns_ms, null);
  });
});

test('a peer answering the handshake with junk, or hanging up during it, is a tls failure', async () => {
  const junk = await startTcpServer((sock) => sock.end('220 smtp.example.com ESMTP ready\r\n'.repeat(20)));
  const hangUp = await startTcpServer((sock) => sock.once('data', () => sock.destroy()));
  try {
    const a = await probe(junk.url.replace('tcp:', 'https:'));
    assert.equal(a.error_class, 'tls');
    assert.equal(a.error_message, 'TLS handshake failed: wrong version number (ERR_SSL_WRONG_VERSION_NUMBER)');
    const b = await probe(hangUp.url.replace('tcp:', 'https:'));
    assert.equal(b.error_class, 'tls');
  } finally {
    await junk.close();
    await hangUp.close();
  }
});

test('a peer that never answers the handshake times out in the TLS stage', async () => {
  const silent = await startTcpServer(() => {});
  try {
    const o = await probe(silent.url.replace('tcp:', 'https:'), {}, 200);
    assert.equal(o.error_class, 'timeout');
    assert.equal(o.error_message, 'timed out after 200 ms in the TLS handshake');
  } finally {
    await silent.close();
  }
});

test('a trusted certificate passes, and the same one on a name it does not cover fails as tls', async () => {
  // Trust comes from NODE_EXTRA_CA_CERTS, read at start-up, so the probes run in a child process.
  const cert = await testCert();
  const dir = await mkdtemp(join(tmpdir(), 'pulseguard-ca-'));
  await withHttps(async (s) => {
    try {
      await writeFile(join(dir, 'ca.pem'), cert.cert);
      const script = `import { probeHttp } from './src/probes/http.ts';
        const urls = process.argv.slice(1);
        const out = [];
        for (const url of urls) out.push(await probeHttp({ url, timeout_ms: 2000, options: {} }));
        console.log(JSON.stringify(out));`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, `https://localhost:${s.port}/`, `${s.url}/`], {
        cwd: new URL('../..', import.meta.url).pathname, env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') }, timeout: 10_000,
      });
      const [trusted, wrongName] = JSON.parse(stdout) as ProbeOutcome[];
      assert.equal(trusted?.ok, true, trusted?.error_message ?? '');
      assert.equal(trusted?.tls_expires_at, cert.expiresAt);
      assert.equal(wrongName?.error_class, 'tls');
      assert.equal(wrongName?.error_message, 'TLS certificate rejected: certificate does not match the host name (ERR_TLS_CERT_ALTNAME_INVALID)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
