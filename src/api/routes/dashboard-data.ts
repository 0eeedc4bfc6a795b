// Series and breakdown reads for the target detail page: the range a query covers, the step it
// is read at (raw rows, 1-minute or 1-hour rollups), the not-yet-rolled-up tail, and the status/error
// breakdown query.
import type { Db, ResultStore, SeriesBucket, SeriesQuery } from '../../store/store.js';
import { validationError } from '../../errors.js';

export const RANGES = { '1h': 3600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type RangeName = keyof typeof RANGES | 'custom';
const MAX_SPAN_MS = 400 * 86_400_000;
/** Most points a chart gets before a coarser step is used. */
const MAX_POINTS = 2000;

export interface RangeQuery {
  range?: RangeName;
  from?: string;
  to?: string;
  step?: SeriesQuery['step'];
}

/** Resolves a range to [from, to]; throws AppError('validation') naming the field. */
export function resolveRange(q: RangeQuery, now = Date.now()): { from: Date; to: Date } {
  const range = q.range ?? '24h';
  if (range !== 'custom') {
    const to = q.to ? Date.parse(q.to) : now;
    return { from: new Date(to - RANGES[range]), to: new Date(to) };
  }
  if (!q.from) throw validationError('from', '"from" is required when range is custom');
  const from = Date.parse(q.from);
  const to = q.to ? Date.parse(q.to) : now;
  if (from >= to) throw validationError('from', '"from" must be before "to"');
  if (to - from > MAX_SPAN_MS) throw validationError('from', '"from" and "to" must be at most 400 days apart');
  return { from: new Date(from), to: new Date(to) };
}

/** Raw rows while they fit in MAX_POINTS, then 1-minute rollups, then 1-hour rollups. */
export function chooseStep(spanMs: number, intervalS: number): SeriesQuery['step'] {
  if (spanMs / (intervalS * 1000) <= MAX_POINTS) return 'raw';
  if (spanMs / 60_000 <= MAX_POINTS) return '1m';
  return '1h';
}

const STEP_MS = { '1m': 60_000, '1h': 3600_000 } as const;

/** How far each rollup is complete (ms since the epoch per step), from the store's rollup_state. */
export async function rollupWatermarks(db: Db): Promise<Partial<Record<'1m' | '1h', number>>> {
  const rows = await db.query<{ step: string; done_until: string }>('SELECT step, done_until FROM rollup_state');
  return Object.fromEntries(rows.map((r) => [r.step, Date.parse(r.done_until)]));
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
}

/** Aggregates raw 1-sample buckets into buckets of `stepMs` (like the rollups, percentile_cont). */
export function aggregate(raw: SeriesBucket[], stepMs: number): SeriesBucket[] {
  const groups = new Map<number, SeriesBucket[]>();
  for (const b of raw) {
    const key = Math.floor(Date.parse(b.ts) / stepMs) * stepMs;
    const g = groups.get(key);
    if (g) g.push(b);
    else groups.set(key, [b]);
  }
  return [...groups].sort(([a], [b]) => a - b).map(([key, g]) => {
    const lat = g.map((b) => b.min_ms).filter((v): v is number => v !== null).sort((a, b) => a - b);
    return {
      ts: new Date(key).toISOString(),
      count: g.length,
      ok_count: g.reduce((a, b) => a + b.ok_count, 0),
      min_ms: lat[0] ?? null,
      max_ms: lat[lat.length - 1] ?? null,
      mean_ms: lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : null,
      p50_ms: percentile(lat, 0.5),
      p95_ms: percentile(lat, 0.95),
    };
  });
}

/**
 * A series at `q.step`, with the buckets the rollups have not reached yet (past `watermarkMs`:
 * the last minutes, or the current hour) computed from raw rows, so recent data shows at once.
 */
export async function seriesWithTail(results: ResultStore, targetId: number, q: SeriesQuery, watermarkMs: number | undefined): Promise<SeriesBucket[]> {
  const buckets = await results.series(targetId, q);
  if (q.step === 'raw') return buckets;
  const stepMs = STEP_MS[q.step];
  const last = buckets[buckets.length - 1];
  const lastMs = last ? Date.parse(last.ts) : -Infinity;
  const tailFrom = Math.max(watermarkMs ?? -Infinity, lastMs + stepMs, q.from.getTime());
  if (tailFrom >= q.to.getTime()) return buckets;
  const raw = await results.series(targetId, { ...q, from: new Date(Math.floor(tailFrom / stepMs) * stepMs), step: 'raw' });
  const tail = aggregate(raw, stepMs).filter((b) => Date.parse(b.ts) > lastMs);
  return tail.length ? [...buckets, ...tail] : buckets;
}

export interface Breakdown {
  total: number;
  ok: number;
  status_codes: { status_code: number | null; count: number }[];
  error_classes: { error_class: string; count: number }[];
}

/** Status codes and error classes of one target's probes in [from, to). */
export async function breakdown(db: Db, targetId: number, from: Date, to: Date, region?: string): Promise<Breakdown> {
  const params: unknown[] = [targetId, from.toISOString(), to.toISOString()];
  if (region) params.push(region);
  const rows = await db.query<{ status_code: number | null; error_class: string | null; ok: boolean; n: number }>(
    `SELECT status_code, error_class, ok, count(*)::int AS n FROM probes
      WHERE target_id = $1 AND ts >= $2 AND ts < $3${region ? ' AND region = $4' : ''}
      GROUP BY status_code, error_class, ok`,
    params,
  );
  const codes = new Map<number | null, number>();
  const classes = new Map<string, number>();
  let total = 0;
  let ok = 0;
  for (const r of rows) {
    total += r.n;
    if (r.ok) ok += r.n;
    codes.set(r.status_code, (codes.get(r.status_code) ?? 0) + r.n);
    if (r.error_class) classes.set(r.error_class, (classes.get(r.error_class) ?? 0) + r.n);
  }
  return {
    total,
    ok,
    status_codes: [...codes].map(([status_code, count]) => ({ status_code, count })).sort((a, b) => b.count - a.count),
    error_classes: [...classes].map(([error_class, count]) => ({ error_class, count })).sort((a, b) => b.count - a.count),
  };
}

/** A small time-bounded cache of computed answers (oldest entries dropped past `max`). */
export class TtlCache<T> {
  private entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(private readonly ttlMs: number, private readonly max: number) {}

  get(key: string, compute: () => Promise<T>, now = Date.now()): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = compute();
    this.entries.delete(key);
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
