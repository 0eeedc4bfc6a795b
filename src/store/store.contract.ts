// The Store contract: one suite every implementation passes (embedded.test.ts, postgres.test.ts).
// Self-contained (no test/ imports) so it compiles inside src; fixtures are re-exported by
// test/helpers/store.ts for other tests.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { ProbeResult, Target } from '../domain/types.js';
import { AppError } from '../errors.js';
import { uuidv7 } from '../util/uuid.js';
import type { SeriesBucket, Store } from './store.js';

export interface ContractBackend {
  kind: 'embedded' | 'postgres';
  /** False (after skipping the test) when the backend is not there. */
  available(t: TestContext): Promise<boolean>;
  /** A fresh, migrated, empty store and how to dispose of it. */
  open(): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

/** Target fields for `store.targets.create`, with overrides. */
export function targetFields(over: Partial<Omit<Target, 'id' | 'created_at' | 'updated_at'>> = {}): Omit<Target, 'id' | 'created_at' | 'updated_at'> {
  return { name: 'example', url: 'https://example.test/', type: 'http', enabled: true, interval_s: 60, timeout_ms: 5000, regions: [], labels: {}, options: {}, ...over };
}

/** A successful probe result of `targetId` at `ts` (ISO string or ms), with overrides. */
export function probeResult(targetId: number, ts: string | number, over: Partial<ProbeResult> = {}): ProbeResult {
  const ms = typeof ts === 'number' ? ts : Date.parse(ts);
  const iso = new Date(ms).toISOString();
  return {
    id: uuidv7(ms), target_id: targetId, region: 'default', ts: iso, scheduled_at: iso, ok: true, latency_ms: 12.5,
    status_code: 200, error_class: null, error_message: null,
    phases: { dns_ms: 1.25, connect_ms: 2.5, tls_ms: null, ttfb_ms: 8, transfer_ms: 0.75 },
    tls_expires_at: null, tls_issuer: null, ...over,
  };
}

const at = (hhmmss: string, day = '2025-03-10') => `${day}T${hhmmss}.000Z`;
const count = async (store: Store, sql: string, params: unknown[] = []) =>
  Number((await store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0]?.n);

function near(actual: SeriesBucket | undefined, expected: Partial<SeriesBucket>): void {
  assert.ok(actual, `missing bucket ${expected.ts}`);
  for (const [k, v] of Object.entries(expected)) {
    const a: unknown = actual[k as keyof SeriesBucket];
    if (typeof v === 'number' && typeof a === 'number') assert.ok(Math.abs(a - v) < 1e-9, `${expected.ts} ${k}: ${a} != ${v}`);
    else assert.equal(a, v, `${expected.ts} ${k}`);
  }
}

export function storeContract(b: ContractBackend): void {
  const it = (name: string, fn: (store: Store) => Promise<void>) =>
    test(name, async (t) => {
      if (!(await b.available(t))) return;
      const { store, cleanup } = await b.open();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    });

  describe(`Store contract (${b.kind})`, () => {
    it('migrating again changes nothing', async (store) => {
      const before = await store.db.query('SELECT version, name, applied_at FROM schema_migrations ORDER BY version');
      await store.migrate();
      await store.migrate();
      assert.deepEqual(await store.db.query('SELECT version, name, applied_at FROM schema_migrations ORDER BY version'), before);
      assert.ok(before.length >= 1);
      await store.ping();
    });

    it('creates, reads, updates, filters and deletes targets', async (store) => {
      const a = await store.targets.create(targetFields({ name: 'a', regions: ['eu'], labels: { team: 'x' }, options: { method: 'GET' } }));
      const b2 = await store.targets.create(targetFields({ name: 'a', enabled: false }));
      assert.equal(typeof a.id, 'number');
      assert.notEqual(a.id, b2.id, 'names need not be unique');
      assert.match(a.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual(await store.targets.get(a.id), a);
      assert.equal(await store.targets.get(a.id + 1000), null);

      const u = await store.targets.update(a.id, { url: 'https://other.test/', labels: {}, regions: ['eu', 'us'] });
      assert.ok(u);
      assert.deepEqual({ ...u, updated_at: a.updated_at }, { ...a, url: 'https://other.test/', labels: {}, regions: ['eu', 'us'] });
      assert.ok(u.updated_at >= a.updated_at);
      assert.equal(await store.targets.update(a.id + 1000, { name: 'x' }), null);
      assert.deepEqual(await store.targets.update(a.id, {}), u);

      const ids = async (f?: Parameters<Store['targets']['list']>[0]) => (await store.targets.list(f)).map((t) => t.id);
      assert.deepEqual(await ids(), [a.id, b2.id]);
      assert.deepEqual(await ids({ enabled: true }), [a.id]);
      assert.deepEqual(await ids({ enabled: false }), [b2.id]);
      assert.deepEqual(await ids({ region: 'us' }), [a.id, b2.id], 'no regions = every region');
      assert.deepEqual(await ids({ region: 'ap' }), [b2.id]);

      assert.equal(await store.targets.delete(b2.id), true);
      assert.equal(await store.targets.delete(b2.id), false);
      assert.deepEqual(await ids(), [a.id]);
    });

    it('a target fingerprint moves with every create, update and delete, and only then', async (store) => {
      const empty = await store.targets.fingerprint();
      const seen = new Set([empty]);
      const moved = async (what: string) => {
        const fp = await store.targets.fingerprint();
        assert.ok(!seen.has(fp), `${what} did not change the fingerprint`);
        seen.add(fp);
        assert.equal(await store.targets.fingerprint(), fp, 'stable while nothing changes');
      };
      const a = await store.targets.create(targetFields());
      await moved('create');
      const b2 = await store.targets.create(targetFields());
      await moved('a second create');
      await store.targets.update(a.id, { enabled: false });
      await moved('pausing the older target');
      await store.targets.delete(a.id);
      await moved('deleting it');
      await store.targets.delete(b2.id);
      assert.equal(await store.targets.fingerprint(), empty, 'empty again: the same summary as at the start');
    });

    it('stores a redelivered result once and counts only new rows', async (store) => {
      const t = await store.targets.create(targetFields());
      const rs = [0, 1, 2, 3, 4].map((i) => probeResult(t.id, at(`10:00:0${i}`), { latency_ms: i + 0.25 }));
      assert.equal(await store.results.insertBatch(rs), 5);
      assert.equal(await store.results.insertBatch(rs), 0);
      const more = [probeResult(t.id, at('10:00:05')), probeResult(t.id, at('10:00:06'))];
      assert.equal(await store.results.insertBatch([...rs.slice(0, 3), ...more, more[0]!]), 2);
      assert.equal(await store.results.insertBatch([]), 0);
      assert.equal(await store.results.insertBatch([probeResult(t.id + 999, at('10:00:07'))]), 0, 'unknown target skipped');
      assert.equal(await count(store, 'probes'), 7);
      const [newest] = await store.results.history(t.id, { limit: 1 });
      assert.deepEqual(newest, more[1]);
      await assert.rejects(store.results.insertBatch([{ ...probeResult(t.id, at('10:00:08')), ts: 'nope' }]), (e: unknown) => e instanceof AppError && e.code === 'validation');
    });

    it('creates a partition per day and drops old ones by retention', async (store) => {
      const t = await store.targets.create(targetFields());
      const rows = ['2025-03-01', '2025-03-02', '2025-03-03'].flatMap((d) => ['06:00:00', '18:00:00'].map((h) => probeResult(t.id, at(h, d))));
      assert.equal(await store.results.insertBatch(rows), 6);
      const parts = async () =>
        (await store.db.query<{ n: string }>(`SELECT c.relname AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'probes'::regclass ORDER BY 1`)).map((r) => r.n);
      assert.deepEqual(await parts(), ['probes_p20250301', 'probes_p20250302', 'probes_p20250303']);

      assert.equal(await store.results.deleteBefore(new Date(at('12:00:00', '2025-03-02'))), 1 + 1, 'one partition dropped, one row deleted');
      assert.deepEqual(await parts(), ['probes_p20250302', 'probes_p20250303']);
      assert.deepEqual((await store.results.history(t.id)).map((r) => r.ts), [at('18:00:00', '2025-03-03'), at('06:00:00', '2025-03-03'), at('18:00:00', '2025-03-02')]);
      // The dropped day comes back on demand.
      assert.equal(await store.results.insertBatch([probeResult(t.id, at('07:00:00', '2025-03-01'))]), 1);
      assert.deepEqual(await parts(), ['probes_p20250301', 'probes_p20250302', 'probes_p20250303']);
    });

    it('returns history newest first within from/to, region and limit', async (store) => {
      const t = await store.targets.create(targetFields());
      const other = await store.targets.create(targetFields());
      const rs = Array.from({ length: 10 }, (_, i) => probeResult(t.id, at(`10:0${i}:00`), { region: i % 2 ? 'eu' : 'us' }));
      await store.results.insertBatch([...rs, probeResult(other.id, at('10:05:30'))]);
      const ts = (list: ProbeResult[]) => list.map((r) => r.ts.slice(11, 16));
      assert.deepEqual(ts(await store.results.history(t.id)), ['10:09', '10:08', '10:07', '10:06', '10:05', '10:04', '10:03', '10:02', '10:01', '10:00']);
      assert.deepEqual(ts(await store.results.history(t.id, { from: at('10:03:00'), to: at('10:06:00') })), ['10:05', '10:04', '10:03']);
      assert.deepEqual(ts(await store.results.history(t.id, { limit: 2 })), ['10:09', '10:08']);
      assert.deepEqual(ts(await store.results.history(t.id, { region: 'eu', limit: 3 })), ['10:09', '10:07', '10:05']);
      assert.deepEqual(await store.results.history(t.id + 999), []);
      await assert.rejects(store.results.history(t.id, { limit: 0 }), (e: unknown) => e instanceof AppError && e.field === 'limit');
      await assert.rejects(store.results.history(t.id, { limit: 10_001 }), (e: unknown) => e instanceof AppError && e.field === 'limit');
    });

    it('keeps the newest result per target and region', async (store) => {
      const a = await store.targets.create(targetFields());
      const b2 = await store.targets.create(targetFields());
      const newest = probeResult(a.id, at('10:02:00'), { region: 'eu', ok: false, error_class: 'timeout', error_message: 'timed out', status_code: null, tls_expires_at: at('00:00:00', '2026-01-01'), tls_issuer: 'R3' });
      await store.results.insertBatch([probeResult(a.id, at('10:01:00'), { region: 'eu' }), newest, probeResult(a.id, at('10:00:00'), { region: 'us' })]);
      await store.results.insertBatch([probeResult(a.id, at('10:01:30'), { region: 'eu' }), probeResult(b2.id, at('09:00:00'))]);
      const latest = await store.results.latest();
      assert.deepEqual(latest.map((r) => [r.target_id, r.region, r.ts.slice(11, 19)]), [[a.id, 'eu', '10:02:00'], [a.id, 'us', '10:00:00'], [b2.id, 'default', '09:00:00']]);
      assert.deepEqual(latest[0], newest);
      await store.targets.delete(b2.id);
      assert.deepEqual((await store.results.latest()).map((r) => r.target_id), [a.id, a.id]);
    });

    it('rolls up into 1m and 1h buckets and answers series and uptime from them', async (store) => {
      const a = await store.targets.create(targetFields());
      const b2 = await store.targets.create(targetFields());
      const r = (id: number, ts: string, latency_ms: number, ok = true, region = 'eu') => probeResult(id, at(ts), { latency_ms, ok, region });
      await store.results.insertBatch([
        r(a.id, '10:00:10', 10), r(a.id, '10:00:20', 20), r(a.id, '10:00:40', 30, false), r(a.id, '10:00:50', 40), r(a.id, '10:01:30', 50), r(a.id, '11:30:00', 60, false),
        r(b2.id, '10:00:05', 10), r(b2.id, '10:00:15', 30, true, 'us'), r(b2.id, '10:00:25', 50, false, 'us'),
      ]);
      await store.results.rollup(new Date(at('11:00:30')));
      const series = (id: number, step: '1m' | '1h' | 'raw', from: string, to: string, region?: string) =>
        store.results.series(id, { from: new Date(at(from)), to: new Date(at(to)), step, ...(region ? { region } : {}) });

      const m = await series(a.id, '1m', '10:00:00', '11:00:00');
      assert.equal(m.length, 2);
      near(m[0], { ts: at('10:00:00'), count: 4, ok_count: 3, min_ms: 10, max_ms: 40, mean_ms: 25, p50_ms: 25, p95_ms: 38.5 });
      near(m[1], { ts: at('10:01:00'), count: 1, ok_count: 1, min_ms: 50, max_ms: 50, mean_ms: 50, p50_ms: 50, p95_ms: 50 });
      const h = await series(a.id, '1h', '10:00:00', '12:00:00');
      assert.equal(h.length, 1, 'the 11:00 hour has not ended at upTo');
      near(h[0], { ts: at('10:00:00'), count: 5, ok_count: 4, min_ms: 10, max_ms: 50, mean_ms: 30, p50_ms: 30, p95_ms: 48 });
      const raw = await series(a.id, 'raw', '10:00:00', '12:00:00');
      assert.deepEqual(raw.map((x) => [x.ts.slice(11, 19), x.count, x.ok_count, x.p50_ms]), [['10:00:10', 1, 1, 10], ['10:00:20', 1, 1, 20], ['10:00:40', 1, 0, 30], ['10:00:50', 1, 1, 40], ['10:01:30', 1, 1, 50], ['11:30:00', 1, 0, 60]]);

      // Two regions: counts add up; percentiles are count-weighted means of the regions' (eu 10; us 40 and 48).
      near((await series(b2.id, '1m', '10:00:00', '10:01:00'))[0], { count: 3, ok_count: 2, min_ms: 10, max_ms: 50, mean_ms: 30, p50_ms: 30, p95_ms: (10 + 2 * 49) / 3 });
      near((await series(b2.id, '1m', '10:00:00', '10:01:00', 'us'))[0], { count: 2, ok_count: 1, mean_ms: 40, p50_ms: 40, p95_ms: 49 });

      // 1h rollup for 10:00 (5 probes, 4 ok) + raw 11:30 (failed); then raw only when since is inside the open hour.
      assert.deepEqual(await store.results.uptime(new Date(at('09:30:00')), [a.id]), [{ target_id: a.id, count: 6, ok_count: 4 }]);
      assert.deepEqual(await store.results.uptime(new Date(at('10:00:30'))), [{ target_id: a.id, count: 4, ok_count: 2 }]);
      assert.deepEqual(await store.results.uptime(new Date(at('09:00:00'))), [{ target_id: a.id, count: 6, ok_count: 4 }, { target_id: b2.id, count: 3, ok_count: 2 }]);

      // A late row: the 1m bucket is recomputed by the next call, the 1h bucket when the next hour closes.
      await store.results.insertBatch([r(a.id, '10:59:30', 70)]);
      await store.results.rollup(new Date(at('11:01:10')));
      near((await series(a.id, '1m', '10:59:00', '11:00:00'))[0], { ts: at('10:59:00'), count: 1, p50_ms: 70 });
      near((await series(a.id, '1h', '10:00:00', '11:00:00'))[0], { count: 5 });
      await store.results.rollup(new Date(at('12:00:05')));
      const h2 = await series(a.id, '1h', '10:00:00', '12:00:00');
      near(h2[0], { ts: at('10:00:00'), count: 6, ok_count: 5, max_ms: 70 });
      near(h2[1], { ts: at('11:00:00'), count: 1, ok_count: 0, p50_ms: 60 });
      await store.results.rollup(new Date(at('12:00:05')));
      assert.equal(await count(store, 'probes_1h'), 4, 'a repeated call adds nothing');
    });

    it('deletes a target with its results, rollups and latest result', async (store) => {
      const a = await store.targets.create(targetFields());
      const keep = await store.targets.create(targetFields());
      await store.results.insertBatch([probeResult(a.id, at('10:00:00')), probeResult(a.id, at('10:00:00', '2025-03-11')), probeResult(keep.id, at('10:00:00'))]);
      await store.results.rollup(new Date(at('12:00:00', '2025-03-11')));
      assert.equal(await store.targets.delete(a.id), true);
      assert.equal(await store.targets.get(a.id), null);
      for (const table of ['probes', 'probes_1m', 'probes_1h', 'latest_results']) {
        assert.equal(await count(store, `${table} WHERE target_id = $1`, [a.id]), 0, table);
        assert.equal(await count(store, `${table} WHERE target_id = $1`, [keep.id]), 1, table);
      }
    });

    it('keeps settings', async (store) => {
      assert.equal(await store.settings.get('api_token_hash'), null);
      await store.settings.set('api_token_hash', 'abc');
      await store.settings.set('api_token_hash', 'def');
      assert.equal(await store.settings.get('api_token_hash'), 'def');
    });
  });
}
