// Probes in worker threads against real local servers: outcomes, cancellation, a dying thread.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProbeJob } from '../domain/types.js';
import { freePort } from '../../test/helpers/servers-own.js';
import { ProbePool } from './probe-pool.js';

let server: Server;
let base: string;
let pool: ProbePool;

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    res.writeHead(req.url === '/down' ? 503 : 200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pool = new ProbePool(2);
});

after(async () => {
  await pool?.close();
  server.closeAllConnections();
  server.close();
});

const job = (url: string, type = 'http', timeout_ms = 2000): ProbeJob => ({
  id: 'j', region: 'default', scheduled_at: new Date().toISOString(), expires_at: new Date(Date.now() + 60_000).toISOString(),
  target: { id: 1, url, type, timeout_ms, options: {} },
});

test('probes run in the threads and answer with the same outcomes as on the main thread', async () => {
  const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => pool.run(job(`${base}/${i % 4 === 0 ? 'down' : 'up'}`))));
  assert.equal(outcomes.filter((o) => o.ok).length, 30);
  const down = outcomes.find((o) => !o.ok)!;
  assert.deepEqual([down.status_code, down.error_class], [503, 'status']);
  const up = outcomes.find((o) => o.ok)!;
  assert.ok(up.latency_ms > 0 && typeof up.phases.connect_ms === 'number' && typeof up.phases.ttfb_ms === 'number');
  const refused = await pool.run(job(`tcp://127.0.0.1:${await freePort()}`, 'tcp'));
  assert.equal(refused.error_class, 'refused');
  const unknown = await pool.run(job(base, 'gopher'));
  assert.deepEqual([unknown.error_class, unknown.error_message], ['invalid', 'unknown probe type "gopher"']);
});

test('an aborted probe answers at once; a probe whose thread dies answers with an error and the pool goes on', async () => {
  const ac = new AbortController();
  const t0 = Date.now();
  const hanging = pool.run(job(`${base}/hang`, 'http', 10_000), ac.signal);
  setTimeout(() => ac.abort(), 200);
  const aborted = await hanging;
  assert.equal(aborted.ok, false);
  assert.ok(Date.now() - t0 < 2000, `answered ${Date.now() - t0} ms after start`);

  // Kill the thread that holds a hanging probe: the probe still gets an answer, and a new thread takes over.
  const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> }; inFlight: number }[] }).slots;
  const stuck = pool.run(job(`${base}/hang`, 'http', 10_000));
  const busy = slots.find((s) => s.inFlight > 0)!;
  await busy.worker.terminate();
  const lost = await stuck;
  assert.equal(lost.error_class, 'invalid');
  assert.match(lost.error_message ?? '', /probe thread exited/);
  assert.equal(pool.size, 2);
  const again = await Promise.all([1, 2, 3, 4].map(() => pool.run(job(`${base}/up`))));
  assert.ok(again.every((o) => o.ok));
});

test('with probe_threads set, the prober role probes in threads end to end', async () => {
  const { startTestApp, waitFor } = await import('../../test/helpers/app.js');
  const app = await startTestApp({ PULSEGUARD_PROBE_THREADS: '2' });
  try {
    const t = (await app.api('POST', '/targets', { name: 'threaded', url: `${base}/up`, interval_s: 1 })).body as { id: number };
    const rows = await waitFor(async () => {
      const r = (await app.api('GET', `/status?target_id=${t.id}&limit=10`)).body as { ok: boolean; latency_ms: number }[];
      return r.length >= 2 ? r : undefined;
    }, 10_000, 'results of a target probed in threads');
    assert.ok(rows.every((r) => r.ok && r.latency_ms > 0));
  } finally {
    await app.stop();
  }
});
