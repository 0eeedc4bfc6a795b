// Shared test material for channels: sample events, and the failure-handling suite every HTTP
// channel must pass against a real local server (500, 400, 429 + Retry-After, a hanging server,
// a refused connection), with secrets asserted absent from every error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { startCaptureServer, type CaptureServer } from './capture-server.js';
import type { Delivery, SendContext } from '../../src/notify/channel.js';
import type { IncidentEvent, IncidentInfo } from '../../src/notify/event.js';
import { buildNotification, type Notification } from '../../src/notify/render.js';

export const DASHBOARD = 'https://pulse.example.com';

export const INCIDENT: IncidentInfo = {
  id: 'inc-0042',
  target_id: 7,
  target_name: 'Checkout API',
  target_url: 'https://shop.example.com/api/health',
  kind: 'latency_anomaly',
  started_at: '2024-05-01T12:03:00.000Z',
  regions: ['eu-west', 'us-east'],
  details: { message: 'p95 latency 850 ms, 7x the usual', values: { p95_ms: 850 }, baseline: { p95_ms: 120 }, score: 0.97 },
};

export const OPENED: IncidentEvent = { kind: 'opened', id: 'evt-open-1', at: '2024-05-01T12:05:00.000Z', incidents: [INCIDENT] };
export const ACKED: IncidentEvent = { kind: 'acknowledged', id: 'evt-ack-1', at: '2024-05-01T12:07:00.000Z', acknowledged_by: 'ana', incidents: [INCIDENT] };
export const RESOLVED: IncidentEvent = {
  kind: 'resolved',
  id: 'evt-res-1',
  at: '2024-05-01T12:15:30.000Z',
  incidents: [{ ...INCIDENT, ended_at: '2024-05-01T12:15:30.000Z' }],
};

/** A burst: 12 targets down, 3 listed. */
export const BURST: IncidentEvent = {
  kind: 'opened',
  id: 'evt-burst-1',
  at: '2024-05-01T13:00:00.000Z',
  summary: { total: 12 },
  incidents: [1, 2, 3].map((i) => ({
    ...INCIDENT,
    id: `inc-b${i}`,
    target_id: 100 + i,
    target_name: `Shop ${i}`,
    kind: 'down',
    started_at: '2024-05-01T12:59:30.000Z',
    regions: ['eu-west'],
    details: { message: 'connection refused' },
  })) as [IncidentInfo, ...IncidentInfo[]],
};

export const note = (e: IncidentEvent): Notification => buildNotification(e, { dashboardUrl: DASHBOARD });

export const ctx = (timeoutMs = 2000): SendContext => ({ signal: new AbortController().signal, timeoutMs });

/** Asserts a failed delivery and that none of `secrets` appears in its error. */
export function assertFailed(d: Delivery, retryable: boolean, secrets: readonly string[]): asserts d is Extract<Delivery, { ok: false }> {
  assert.equal(d.ok, false, 'expected a failed delivery');
  if (d.ok) return;
  assert.equal(d.retryable, retryable, `retryable should be ${retryable}: ${d.error}`);
  for (const s of secrets) assert.ok(!d.error.includes(s), `error leaks a secret: ${d.error}`);
}

export interface HttpChannelUnderTest {
  /** Sends one notification to a channel configured with `baseUrl` (the capture server's URL). */
  send(baseUrl: string, n: Notification, ctx: SendContext): Promise<Delivery>;
  /** The secret values of that config (webhook URL path, token, key). */
  secrets: string[];
}

/** Replies with the request's URL and body, so a careless error message would show the secrets. */
const echo = (status: number, headers: Record<string, string> = {}) => (r: { url: string; body: string }) => ({
  status,
  headers,
  body: { error: 'nope', echo: `${r.url} ${r.body}` },
});

/** The failure-handling suite, run from each HTTP channel's test file. */
export function httpChannelContract(name: string, ch: HttpChannelUnderTest): void {
  const withServer = async (fn: (s: CaptureServer) => Promise<void>) => {
    const s = await startCaptureServer();
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  };

  test(`${name}: a 500 is retryable, and its error names no secret`, () =>
    withServer(async (s) => {
      s.reply(echo(500));
      const d = await ch.send(s.url, note(OPENED), ctx());
      assertFailed(d, true, ch.secrets);
      assert.equal(d.status, 500);
      assert.equal(d.retryAfterMs, undefined);
    }));

  test(`${name}: a 400 is final, and its error names no secret`, () =>
    withServer(async (s) => {
      s.reply(echo(400));
      const d = await ch.send(s.url, note(RESOLVED), ctx());
      assertFailed(d, false, ch.secrets);
      assert.equal(d.status, 400);
      assert.match(d.error, /HTTP 400 from 127\.0\.0\.1:\d+/);
    }));

  test(`${name}: a 429 with Retry-After: 2 is retryable after 2000 ms`, () =>
    withServer(async (s) => {
      s.reply(echo(429, { 'retry-after': '2' }));
      const d = await ch.send(s.url, note(OPENED), ctx());
      assertFailed(d, true, ch.secrets);
      assert.equal(d.retryAfterMs, 2000);
    }));

  test(`${name}: a hanging server gives a retryable timeout within the deadline and leaves no socket open`, () =>
    withServer(async (s) => {
      s.reply({ hang: true });
      const t0 = performance.now();
      const d = await ch.send(s.url, note(OPENED), ctx(300));
      const took = performance.now() - t0;
      assertFailed(d, true, ch.secrets);
      assert.match(d.error, /timed out after 300 ms/);
      assert.ok(took >= 290 && took < 1500, `took ${took} ms`);
      await s.waitForNoConnections(1000);
    }));

  test(`${name}: a refused connection is retryable, and its error names no secret`, async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const d = await ch.send(`http://127.0.0.1:${port}`, note(OPENED), ctx());
    assertFailed(d, true, ch.secrets);
    assert.match(d.error, /ECONNREFUSED/);
  });
}
