// Incidents end to end: every role in one process (embedded store, in-process bus), two local
// HTTP targets probed every second, a short warm-up. One target turns slow (latency_anomaly), the
// other fails (down); both recover (resolved). Checked through the API, SSE and /metrics.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_TOKEN, startTestApp, waitFor, type TestApp } from './helpers/app.js';

let app: TestApp;
let server: Server;
let base: string;
let slow = false;
let failing = false;
const events: { transition: string; kind: string; target_id: number; incident_id: string }[] = [];
const sse = new AbortController();

before(async () => {
  server = createServer((req, res) => {
    const reply = () => {
      res.writeHead(req.url === '/flaky' && failing ? 503 : 200, { 'content-type': 'text/plain' });
      res.end('ok');
    };
    // Far beyond the loop stalls a busy test machine adds to local latencies during warm-up.
    if (req.url === '/slow' && slow) setTimeout(reply, 600);
    else reply();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app = await startTestApp({
    PULSEGUARD_ANOMALY_WARMUP_POINTS: '12',
    PULSEGUARD_RESOLVE_SUCCESSES: '2',
    PULSEGUARD_RESOLVE_CALM_S: '2',
    PULSEGUARD_ANOMALY_SNAPSHOT_S: '5',
  });
  void readEvents();
});

after(async () => {
  sse.abort();
  await app?.stop();
  server?.close();
});

/** Collects SSE `incident` events until the test ends. */
async function readEvents(): Promise<void> {
  const res = await fetch(`${app.url}/events`, { headers: { authorization: `Bearer ${TEST_TOKEN}` }, signal: sse.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (!block.startsWith('event: incident\n')) continue;
        const t = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { transition: string; incident: { kind: string; id: string }; target: { id: number } };
        events.push({ transition: t.transition, kind: t.incident.kind, target_id: t.target.id, incident_id: t.incident.id });
      }
    }
  } catch {
    /* aborted at the end */
  }
}

const results = async (id: number) => ((await app.api('GET', `/status?target_id=${id}&limit=100`)).body as unknown[]).length;
const incidents = async (q: string) => (await app.api('GET', `/incidents?${q}`)).body as { id: string; kind: string; state: string; details: Record<string, unknown>; ended_at: string | null }[];

test('a target that turns slow gets latency_anomaly, one that fails gets down; both resolve on recovery, seen on the API, SSE and /metrics', async () => {
  // A fresh process's first probes are slow (code not yet compiled); a record set by one of them
  // would hide the later step. Users add targets to a running instance: warm it up the same way.
  const warm = (await app.api('POST', '/targets', { name: 'warm-up', url: `${base}/`, interval_s: 1 })).body as { id: number };
  await waitFor(async () => (await results(warm.id)) >= 3, 10_000, 'the warm-up target');
  await app.api('DELETE', `/targets/${warm.id}`);
  const a = (await app.api('POST', '/targets', { name: 'slowpoke', url: `${base}/slow`, interval_s: 1, timeout_ms: 1000 })).body as { id: number };
  const b = (await app.api('POST', '/targets', { name: 'flaky', url: `${base}/flaky`, interval_s: 1, timeout_ms: 1000 })).body as { id: number };

  // Outages need no warm-up: fail the second target right away.
  await waitFor(async () => (await results(b.id)) >= 1, 8000, 'a first result of the flaky target');
  failing = true;
  const [down] = await waitFor(async () => {
    const l = await incidents(`target_id=${b.id}&kind=down&state=open`);
    return l.length ? l : undefined;
  }, 10_000, 'a down incident');
  assert.match(String(down!.details.message), /^3 consecutive failed probes in default: HTTP 503$/);
  const detail = await app.api('GET', `/targets/${b.id}`);
  assert.deepEqual(detail.body.incidents.map((i: { id: string }) => i.id), [down!.id]);
  assert.equal(detail.body.status, 'down');
  const ack = await app.api('POST', `/incidents/${down!.id}/ack`, { by: 'e2e' });
  assert.equal(ack.status, 200);
  assert.deepEqual([ack.body.state, ack.body.acknowledged_by], ['acknowledged', 'e2e']);

  // The slow target learns its baseline (12 probes), then answers 600 ms slower.
  await waitFor(async () => (await results(a.id)) >= 14, 25_000, 'the warm-up of the slow target');
  slow = true;
  const [lat] = await waitFor(async () => {
    const l = await incidents(`target_id=${a.id}&kind=latency_anomaly`);
    return l.length ? l : undefined;
  }, 20_000, 'a latency_anomaly incident').catch(async (err: Error) => {
    // Show what the detector saw, newest first, so a miss on a busy machine can be told apart.
    const seen = (await app.api('GET', `/status?target_id=${a.id}&limit=100`)).body as { latency_ms: number; ok: boolean }[];
    const state = (await app.running.deps.store.anomaly.loadStates()).find((r) => r.target_id === a.id && r.metric === 'latency');
    const metrics = ((await app.api('GET', '/metrics')).body as string).split('\n').filter((l) => l.startsWith('pulseguard_anomaly'));
    throw new Error(`${err.message}; latencies: ${seen.map((r) => `${Math.round(r.latency_ms)}${r.ok ? '' : '!'}`).join(' ')}; state: ${JSON.stringify(state?.state)}; ${metrics.join('; ')}`);
  });
  assert.match(String(lat!.details.message), /^latency \d+ ms vs \d+(\.\d)? ms normal \(\+\d+%\) in default$/);
  assert.equal(lat!.details.detector, 'records');

  const metrics = (await app.api('GET', '/metrics')).body as string;
  assert.match(metrics, /pulseguard_incidents_open\{kind="down"\} 1/);
  assert.match(metrics, /pulseguard_incidents_open\{kind="latency_anomaly"\} 1/);
  assert.match(metrics, /pulseguard_incidents_total\{kind="down"\} 1/);

  slow = false;
  failing = false;
  await waitFor(async () => (await incidents('state=resolved')).length === 2, 15_000, 'both incidents resolved');
  assert.equal((await incidents('state=open')).length, 0);
  assert.deepEqual((await app.api('GET', `/targets/${b.id}`)).body.incidents, []);

  await waitFor(async () => events.length >= 5, 5000, 'the SSE events');
  const seen = events.map((e) => `${e.transition} ${e.kind}`);
  for (const want of ['opened down', 'acknowledged down', 'opened latency_anomaly', 'resolved down', 'resolved latency_anomaly']) assert.ok(seen.includes(want), `${want} missing from ${seen.join(', ')}`);
  assert.ok(seen.indexOf('opened down') < seen.indexOf('acknowledged down') && seen.indexOf('acknowledged down') < seen.indexOf('resolved down'));
  assert.equal(events.filter((e) => e.transition === 'opened').length, 2, 'exactly two incidents opened');

  // Detector state reaches the store (every 5 s here), so a restart resumes warm.
  const saved = await waitFor(async () => (await app.running.deps.store.anomaly.loadStates()).filter((r) => r.target_id === a.id), 8000, 'a snapshot');
  assert.deepEqual(saved.map((r) => r.metric).sort(), ['error_rate', 'latency', 'up']);
});

test('the incidents API validates its input and explains conflicts', async () => {
  assert.equal((await app.api('GET', '/incidents?state=bogus')).status, 400);
  assert.equal((await app.api('GET', '/incidents?from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z')).body.error.field, 'from');
  assert.equal((await app.api('GET', '/incidents/not-a-uuid')).status, 400);
  assert.equal((await app.api('GET', '/incidents/0190c000-0000-7000-8000-000000000000')).status, 404);
  const resolved = (await incidents('state=resolved'))[0];
  assert.ok(resolved, 'the first test leaves resolved incidents');
  const r = await app.api('POST', `/incidents/${resolved.id}/ack`);
  assert.deepEqual([r.status, r.body.error.code], [409, 'conflict'], 'a body is optional; a resolved incident is a conflict');
});

test('GET/PUT /targets/:id/anomaly shows effective settings and replaces the overrides', async () => {
  const t = (await app.api('POST', '/targets', { name: 'tuned', url: `${base}/`, interval_s: 60 })).body as { id: number };
  const before = await app.api('GET', `/targets/${t.id}/anomaly`);
  assert.equal(before.status, 200);
  assert.deepEqual({ ...before.body, overrides: undefined }, {
    target_id: t.id, sensitivity: 'normal', threshold: 0.55, detector: 'records', direction: 'up', min_change_ms: 20, min_change_pct: 50, overrides: undefined, updated_at: null,
  });
  const put = await app.api('PUT', `/targets/${t.id}/anomaly`, { sensitivity: 'low', min_change_ms: 50 });
  assert.equal(put.status, 200);
  assert.deepEqual([put.body.sensitivity, put.body.threshold, put.body.min_change_ms, put.body.min_change_pct], ['low', 0.6, 50, 50]);
  assert.equal(put.body.overrides.direction, null);
  assert.deepEqual((await app.api('GET', `/targets/${t.id}/anomaly`)).body.overrides, put.body.overrides);
  const bad = await app.api('PUT', `/targets/${t.id}/anomaly`, { sensitivity: 'extreme' });
  assert.deepEqual([bad.status, bad.body.error.field], [400, 'sensitivity']);
  assert.equal((await app.api('PUT', `/targets/${t.id}/anomaly`, { colour: 'red' })).status, 400);
  assert.equal((await app.api('PUT', '/targets/999999/anomaly', {})).status, 404);
  const doc = (await app.api('GET', '/openapi.json')).body;
  for (const path of ['/incidents', '/incidents/{id}', '/incidents/{id}/ack', '/targets/{id}/anomaly']) assert.ok(doc.paths[path], `${path} documented`);
  const schemas = Object.values(doc.components.schemas) as { title?: string }[];
  assert.ok(schemas.some((x) => x.title === 'IncidentTransition'), 'the transition payload is documented');
});
