// The dashboard's read endpoints over real HTTP on a fresh embedded store, plus the pure helpers
// (range, step, tail aggregation).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, waitFor, type TestApp } from '../../../test/helpers/app.js';
import { syntheticHistory } from '../../../test/e2e/history.js';
import { aggregate, chooseStep, resolveRange } from './dashboard-data.js';
import { SPARK_POINTS, SparkRings, UptimeBook } from './dashboard-live.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('range and step', () => {
  test('a named range ends now; custom needs from before to and at most 400 days', () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    assert.deepEqual(resolveRange({ range: '7d' }, now), { from: new Date(now - 7 * DAY), to: new Date(now) });
    assert.throws(() => resolveRange({ range: 'custom' }, now), { field: 'from' });
    assert.throws(() => resolveRange({ range: 'custom', from: '2025-03-01T12:00:00Z', to: '2025-03-01T11:00:00Z' }, now), { field: 'from' });
    assert.throws(() => resolveRange({ range: 'custom', from: '2023-01-01T00:00:00Z' }, now), /400 days/);
  });

  test('raw rows while they fit in 2,000 points, then 1-minute, then 1-hour rollups', () => {
    assert.equal(chooseStep(HOUR, 30), 'raw');
    assert.equal(chooseStep(DAY, 30), '1m');
    assert.equal(chooseStep(DAY, 60), 'raw');
    assert.equal(chooseStep(7 * DAY, 30), '1h');
    assert.equal(chooseStep(30 * DAY, 30), '1h');
  });

  test('raw samples aggregate into buckets with percentile_cont percentiles', () => {
    const raw = [10, 20, 30, 40].map((ms, i) => ({ ts: new Date(Date.UTC(2025, 0, 1, 0, 0, i * 10)).toISOString(), count: 1, ok_count: i === 3 ? 0 : 1, min_ms: ms, max_ms: ms, mean_ms: ms, p50_ms: ms, p95_ms: ms }));
    raw.push({ ...raw[0]!, ts: '2025-01-01T00:01:05.000Z', min_ms: 5, ok_count: 1 });
    const b = aggregate(raw, 60_000);
    assert.equal(b.length, 2);
    assert.deepEqual(b[0], { ts: '2025-01-01T00:00:00.000Z', count: 4, ok_count: 3, min_ms: 10, max_ms: 40, mean_ms: 25, p50_ms: 25, p95_ms: 38.5 });
    assert.equal(b[1]!.count, 1);
  });
});

describe('live read model', () => {
  const result = (target_id: number, sec: number, ok: boolean, latency_ms = 12.34) => ({ target_id, ts: new Date(Date.UTC(2025, 0, 1, 0, 0, sec)).toISOString(), ok, latency_ms });

  test('a sparkline keeps the last 60 probes, failed ones as null; seeded history goes before live results', () => {
    const rings = new SparkRings();
    rings.record(result(1, 100, true, 123.4));
    rings.record(result(1, 101, false));
    rings.prependOlder(1, [Date.UTC(2025, 0, 1, 0, 0, 99), Date.UTC(2025, 0, 1, 0, 1, 41)], [5.55, 7]);
    assert.deepEqual(rings.values(1), [5.55, 123, null], 'the seeded sample newer than the live ones is dropped');
    for (let i = 0; i < 100; i++) rings.record(result(1, 200 + i, true, 8.04));
    assert.equal(rings.values(1).length, SPARK_POINTS);
    assert.equal(rings.values(1)[0], 8);
  });

  test('uptime adds results seen live to the stored base, per window; a new base restarts the live counts', () => {
    const book = new UptimeBook();
    assert.equal(book.percent('24h', 1), null);
    assert.deepEqual(book.due(0), ['24h', '7d', '30d']);
    book.set('24h', new Map([[1, [999, 999]]]), 0);
    book.record(1, false);
    assert.equal(book.percent('24h', 1), 99.9);
    assert.equal(book.percent('7d', 1), 0, 'no base yet: only the live result');
    book.record(2, true);
    assert.equal(book.percent('24h', 2), 100);
    book.set('24h', new Map([[1, [3, 2]]]), 1000);
    assert.equal(book.percent('24h', 1), 66.666, 'rounded down to 3 decimals');
    assert.deepEqual(book.due(1000), ['7d', '30d']);
    assert.deepEqual(book.due(1000 + 5 * 60_000), ['24h', '7d', '30d']);
  });
});

describe('dashboard API', () => {
  let app: TestApp;
  let id = 0;
  let other = 0;
  const now = Date.now();

  before(async () => {
    app = await startTestApp();
    // Paused, so only the history below exists (no live probes of the unreachable URL).
    id = (await app.api('POST', '/targets', { name: 'history', url: 'http://127.0.0.1:9/', interval_s: 300, enabled: false, labels: { env: 'prod' } })).body.id;
    other = (await app.api('POST', '/targets', { name: 'empty', url: 'http://127.0.0.1:9/', enabled: false })).body.id;
    const rows = syntheticHistory(id, now - 10 * DAY, now - 60_000, 300_000, { baseMs: 80, outages: [[now - 2 * HOUR, now - HOUR]] });
    const { store } = app.running.deps;
    for (let i = 0; i < rows.length; i += 1000) await store.results.insertBatch(rows.slice(i, i + 1000));
    await store.results.rollup(new Date(now - 30 * 60_000));
  });
  after(async () => app?.stop());

  test('GET /overview lists every target with status, uptime per window and a sparkline of the last probes', async () => {
    const r = await waitFor(async () => {
      const o = await app.api('GET', '/overview');
      return o.body.complete ? o : undefined;
    }, 10_000, 'a complete overview');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(r.body.down_quorum, 1);
    const h = r.body.items.find((x: { id: number }) => x.id === id);
    assert.equal(h.status, 'paused');
    assert.deepEqual(h.labels, { env: 'prod' });
    assert.equal(h.open_incidents, 0, 'the api role counts open incidents (history rows open none)');
    // 12 of ~288 probes in the last 24 h failed (the 1-hour outage).
    assert.ok(h.uptime_24h > 95 && h.uptime_24h < 96, `uptime_24h ${h.uptime_24h}`);
    assert.ok(h.uptime_7d > 99 && h.uptime_7d < 100);
    assert.ok(h.sparkline.length >= 23 && h.sparkline.length <= 24, 'two hours of 5-minute probes');
    const failed = h.sparkline.filter((v: number | null) => v === null).length;
    assert.ok(failed >= 11 && failed <= 12, `failed probes are null (${failed})`);
    const e = r.body.items.find((x: { id: number }) => x.id === other);
    assert.deepEqual([e.uptime_24h, e.sparkline, e.status], [null, [], 'paused']);
    const one = await app.api('GET', `/overview?ids=${other}`);
    assert.deepEqual(one.body.items.map((x: { id: number }) => x.id), [other]);
  });

  test('GET /overview stays current row by row: a live result, an incident and a renamed target show up; other rows stay', async () => {
    const { store, bus } = app.running.deps;
    // Enough targets for several blocks of cached rows (256 each); paused, so nothing probes them.
    await store.db.query(`INSERT INTO targets (name, url, enabled) SELECT 'bulk-' || g, 'http://127.0.0.1:9/', false FROM generate_series(1, 600) g`);
    const ids = (await store.db.query<{ id: number }>(`SELECT id FROM targets WHERE name LIKE 'bulk-%' ORDER BY id`)).map((r) => r.id);
    type Item = { id: number; name: string; sparkline: (number | null)[]; latency_ms: number | null; open_incidents: number | null };
    const items = async () => ((await app.api('GET', '/overview')).body.items as Item[]);
    const row = async (tid: number) => (await items()).find((x) => x.id === tid)!;
    const before = await waitFor(async () => {
      const l = await items();
      return l.length === 602 ? l : undefined;
    }, 10_000, 'the new targets in the overview');

    const last = ids.at(-1)!;
    const [r] = syntheticHistory(last, Date.now(), Date.now() + 1, 1, { baseMs: 42 });
    await bus.publish('results', `default.${last}`, r!);
    const live = await waitFor(async () => {
      const x = await row(last);
      return x.sparkline.length === 1 ? x : undefined;
    }, 5000, 'the live result in the last block');
    assert.equal(live.latency_ms, Math.round(r!.latency_ms * 10) / 10);

    const mid = ids[300]!;
    await store.incidents.open({ target_id: mid, kind: 'down', severity: 'critical', started_at: new Date().toISOString(), regions: ['default'], details: { message: 'test' } });
    await waitFor(async () => (await row(mid)).open_incidents === 1, 8000, 'the open incident counted');

    await app.api('PATCH', `/targets/${ids[0]}`, { name: 'renamed' });
    await waitFor(async () => (await row(ids[0]!)).name === 'renamed', 8000, 'the renamed target');

    const after = await items();
    const changed = after.filter((x) => JSON.stringify(x) !== JSON.stringify(before.find((y) => y.id === x.id)));
    assert.deepEqual(changed.map((x) => x.id).sort((a, b) => a - b), [ids[0], mid, last]);
  });

  test('GET /targets/:id/series reads raw rows for short ranges, rollups for long ones, and raw rows past the rollups', async () => {
    const h1 = await app.api('GET', `/targets/${id}/series?range=1h`);
    assert.equal(h1.body.step, 'raw');
    assert.ok(h1.body.buckets.length >= 11 && h1.body.buckets.length <= 12, `1 h of 5-minute probes: ${h1.body.buckets.length}`);
    const d30 = await app.api('GET', `/targets/${id}/series?range=30d`);
    assert.equal(d30.body.step, '1h');
    const buckets = d30.body.buckets as { ts: string; count: number; ok_count: number; p50_ms: number }[];
    assert.equal(buckets.filter((b) => b.ok_count < b.count).reduce((a, b) => a + b.count - b.ok_count, 0), 12, 'the outage');
    assert.equal(buckets.reduce((a, b) => a + b.count, 0), 2880, 'every probe counted once, rolled up or from the raw tail');
    assert.ok(Date.parse(buckets.at(-1)!.ts) > now - 2 * HOUR, `the newest hours come from raw rows (${buckets.at(-1)!.ts})`);
    assert.ok(buckets.every((b) => b.p50_ms > 0), 'percentiles in every bucket');
    const m = await app.api('GET', `/targets/${id}/series?range=24h&step=1m`);
    assert.equal(m.body.step, '1m');
    assert.ok(m.body.buckets.length >= 286 && m.body.buckets.length <= 288, `24 h of 5-minute probes in 1-minute buckets: ${m.body.buckets.length}`);
  });

  test('series and breakdown validate input and answer 404 for an unknown target', async () => {
    const bad = await app.api('GET', `/targets/${id}/series?range=custom`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'from');
    assert.equal((await app.api('GET', `/targets/${id}/series?range=2d`)).status, 400);
    assert.equal((await app.api('GET', '/targets/999999/series?range=1h')).status, 404);
    assert.equal((await app.api('GET', '/targets/999999/breakdown')).status, 404);
  });

  test('GET /targets/:id/breakdown counts status codes and error classes; /daily counts per UTC day', async () => {
    const b = await app.api('GET', `/targets/${id}/breakdown?range=24h`);
    assert.ok(b.body.total >= 287 && b.body.total <= 288);
    assert.equal(b.body.ok, b.body.total - 12);
    assert.deepEqual(b.body.status_codes, [{ status_code: 200, count: b.body.total - 12 }, { status_code: 503, count: 12 }]);
    assert.deepEqual(b.body.error_classes, [{ error_class: 'status', count: 12 }]);
    const d = await app.api('GET', `/targets/${id}/daily?days=90`);
    const days = d.body.days as { date: string; count: number; ok_count: number }[];
    assert.equal(days.reduce((a, x) => a + x.count, 0), 2880);
    assert.ok(days.length >= 10 && days.length <= 11);
  });

  test('GET /kinds lists probe kinds with options schemas and defaults, and channel types', async () => {
    const k = await app.api('GET', '/kinds');
    const http = k.body.probes.find((p: { type: string }) => p.type === 'http');
    assert.deepEqual(http.schemes, ['http:', 'https:']);
    assert.equal(http.options_defaults.method, 'GET');
    assert.ok(http.options_schema.properties.expected_status);
    assert.ok(k.body.channels.some((c: { type: string; secret_fields: string[] }) => c.type === 'slack' && c.secret_fields.includes('webhook_url')));
  });

  test('the dashboard endpoints are in the OpenAPI document and need the token', async () => {
    const doc = await app.api('GET', '/openapi.json');
    for (const p of ['/overview', '/targets/{id}/series', '/targets/{id}/breakdown', '/targets/{id}/daily', '/kinds']) assert.ok(doc.body.paths[p], p);
    assert.equal((await app.api('GET', '/overview', undefined, { auth: false })).status, 401);
  });
});
