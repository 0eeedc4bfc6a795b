// 1-minute and 1-hour rollups of raw results, each computed from raw rows (percentile_cont), behind
// a watermark in rollup_state so a call only does new work. Late rows: each call also recomputes
// the buckets of the last LATE_MS before the watermark (2 min for 1m; the previous hour for 1h).
import { validationError } from '../../errors.js';
import { LOCK_NAMESPACE } from '../migrate.js';
import type { Db, ResultStore, SeriesBucket, SeriesQuery, UptimeCount } from '../store.js';
import { asJson, queryJson } from './json.js';

const ROLLUP_LOCK = 3;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const ORIGIN = `timestamptz '2000-01-01 00:00:00+00'`;

interface Step {
  table: string;
  interval: string;
  ms: number;
  lateMs: number;
  /** Most raw time one transaction rolls up: a backlog is done in pieces, and PGlite yields the event loop between them. */
  chunkMs: number;
  /** How long its buckets are kept (see pruneRollups). */
  keepMs: number;
}

/** 1-minute rollups are kept 7 days (never longer than raw); 1-hour rollups 400 days (never shorter than raw). */
export const ROLLUP_1M_KEEP_MS = 7 * DAY_MS;
export const ROLLUP_1H_KEEP_MS = 400 * DAY_MS;

export const STEPS: Record<'1m' | '1h', Step> = {
  '1m': { table: 'probes_1m', interval: '1 minute', ms: 60_000, lateMs: 120_000, chunkMs: HOUR_MS, keepMs: ROLLUP_1M_KEEP_MS },
  '1h': { table: 'probes_1h', interval: '1 hour', ms: HOUR_MS, lateMs: HOUR_MS, chunkMs: 6 * HOUR_MS, keepMs: ROLLUP_1H_KEEP_MS },
};

/** Most buckets series() returns (the newest ones); pick a coarser step for longer ranges. */
export const SERIES_MAX_BUCKETS = 20_000;

const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;
const isoMs = (ms: number) => new Date(ms).toISOString();

const computeSql = (s: Step) => `INSERT INTO ${s.table} AS r (target_id, region, bucket, count, ok_count, min_ms, max_ms, sum_ms, p50_ms, p95_ms)
  SELECT target_id, region, date_bin(interval '${s.interval}', ts, ${ORIGIN}), count(*), count(*) FILTER (WHERE ok),
    min(latency_ms), max(latency_ms), sum(latency_ms),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
  FROM probes WHERE ts >= $1 AND ts < $2 GROUP BY 1, 2, 3
  ON CONFLICT (target_id, region, bucket) DO UPDATE SET count = EXCLUDED.count, ok_count = EXCLUDED.ok_count,
    min_ms = EXCLUDED.min_ms, max_ms = EXCLUDED.max_ms, sum_ms = EXCLUDED.sum_ms, p50_ms = EXCLUDED.p50_ms, p95_ms = EXCLUDED.p95_ms`;

/** Rolls up one piece of one step; returns true when the step has reached `endMs`. */
async function rollupPiece(db: Db, name: '1m' | '1h', endMs: number): Promise<boolean> {
  const s = STEPS[name];
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, ROLLUP_LOCK]);
    const [state] = await tx.query<{ done_until: string }>('SELECT done_until FROM rollup_state WHERE step = $1', [name]);
    let doneMs: number;
    let startMs: number;
    // Nothing older than the step's retention: the next deleteBefore would delete it again.
    const oldestMs = floorTo(endMs - s.keepMs, s.ms);
    if (state) {
      doneMs = Math.max(Date.parse(state.done_until), oldestMs);
      startMs = doneMs - s.lateMs;
    } else {
      const [first] = await tx.query<{ ts: string | null }>('SELECT min(ts) AS ts FROM probes WHERE ts < $1', [isoMs(endMs)]);
      if (!first?.ts) return true;
      startMs = doneMs = Math.max(floorTo(Date.parse(first.ts), s.ms), oldestMs);
    }
    if (doneMs >= endMs) return true;
    const pieceEnd = Math.min(endMs, doneMs + s.chunkMs);
    await tx.query(computeSql(s), [isoMs(startMs), isoMs(pieceEnd)]);
    await tx.query(
      `INSERT INTO rollup_state (step, done_until) VALUES ($1, $2) ON CONFLICT (step) DO UPDATE SET done_until = greatest(rollup_state.done_until, EXCLUDED.done_until)`,
      [name, isoMs(pieceEnd)],
    );
    return pieceEnd >= endMs;
  });
}

/** Deletes rollups past their retention; on PGlite (no autovacuum) also vacuums what churns (ms, hourly). */
export async function pruneRollups(db: Db, before: Date, nowMs = Date.now()): Promise<void> {
  const cut1m = Math.max(before.getTime(), nowMs - ROLLUP_1M_KEEP_MS);
  const cut1h = Math.min(before.getTime(), nowMs - ROLLUP_1H_KEEP_MS);
  await db.query('DELETE FROM probes_1m WHERE bucket < $1', [isoMs(cut1m)]);
  await db.query('DELETE FROM probes_1h WHERE bucket < $1', [isoMs(cut1h)]);
  if (db.kind === 'embedded') {
    // Only pages changed since the last run are visited; ANALYZE only where it is cheap (small tables).
    await db.exec('VACUUM latest_results, probes_1m, probes_1h, rollup_state, targets');
    await db.exec('ANALYZE targets, latest_results, rollup_state');
  }
}

type Rollups = Pick<ResultStore, 'rollup' | 'series' | 'uptime'>;

export function rollupStore(db: Db): Rollups {
  const watermark = async (name: '1m' | '1h'): Promise<number | null> => {
    const [row] = await db.query<{ done_until: string }>('SELECT done_until FROM rollup_state WHERE step = $1', [name]);
    return row ? Date.parse(row.done_until) : null;
  };

  return {
    async rollup(upTo) {
      for (const name of ['1m', '1h'] as const) {
        const endMs = floorTo(upTo.getTime(), STEPS[name].ms);
        while (!(await rollupPiece(db, name, endMs))) {
          // next piece
        }
      }
    },

    async series(targetId, q: SeriesQuery) {
      if (!Number.isSafeInteger(targetId)) return [];
      const from = q.from.getTime();
      const to = q.to.getTime();
      if (Number.isNaN(from) || Number.isNaN(to)) throw validationError(Number.isNaN(from) ? 'from' : 'to', 'not a date');
      const params: unknown[] = [targetId, isoMs(from), isoMs(to)];
      const region = q.region === undefined ? '' : ` AND region = $${params.push(q.region)}`;
      let inner: string;
      if (q.step === 'raw') {
        inner = `SELECT ts, id, 1 AS count, ok::int AS ok_count, latency_ms AS min_ms, latency_ms AS max_ms, latency_ms AS mean_ms,
            latency_ms AS p50_ms, latency_ms AS p95_ms
          FROM probes WHERE target_id = $1 AND ts >= $2 AND ts < $3${region} ORDER BY ts DESC, id DESC LIMIT ${SERIES_MAX_BUCKETS}`;
      } else {
        const s = STEPS[q.step];
        // Across regions percentiles are count-weighted means of the regions' percentiles (exact for one region).
        const pct = (c: string) => `CASE WHEN count(*) = 1 THEN max(${c}) ELSE sum(${c} * count) / nullif(sum(count), 0) END`;
        inner = `SELECT bucket AS ts, sum(count)::int AS count, sum(ok_count)::int AS ok_count, min(min_ms) AS min_ms, max(max_ms) AS max_ms,
            sum(sum_ms) / nullif(sum(count), 0) AS mean_ms, ${pct('p50_ms')} AS p50_ms, ${pct('p95_ms')} AS p95_ms
          FROM ${s.table} WHERE target_id = $1 AND bucket > $2::timestamptz - interval '${s.interval}' AND bucket < $3${region}
          GROUP BY bucket ORDER BY bucket DESC LIMIT ${SERIES_MAX_BUCKETS}`;
      }
      const sql = `SELECT ts, count, ok_count, min_ms, max_ms, mean_ms, p50_ms, p95_ms
        FROM (${inner}) b ORDER BY b.ts${q.step === 'raw' ? ', b.id' : ''}`;
      return queryJson<SeriesBucket>(db, asJson(sql), params, ['ts']);
    },

    async uptime(since, targetIds) {
      const sinceMs = since.getTime();
      if (Number.isNaN(sinceMs)) throw validationError('since', 'not a date');
      const wm = await watermark('1h');
      const h0 = Math.ceil(sinceMs / HOUR_MS) * HOUR_MS;
      const params: unknown[] = [isoMs(sinceMs)];
      const ids = targetIds === undefined ? '' : ` AND target_id = ANY ($${params.push(targetIds)}::bigint[])`;
      const raw = (cond: string) => `SELECT target_id, count(*) AS c, count(*) FILTER (WHERE ok) AS k FROM probes WHERE ${cond}${ids} GROUP BY target_id`;
      let parts: string[];
      if (wm !== null && wm > h0) {
        // Whole hours the 1h rollup covers, raw rows before the first whole hour and after the watermark.
        const h = `$${params.push(isoMs(h0))}`;
        const w = `$${params.push(isoMs(wm))}`;
        parts = [
          `SELECT target_id, sum(count) AS c, sum(ok_count) AS k FROM probes_1h WHERE bucket >= ${h} AND bucket < ${w}${ids} GROUP BY target_id`,
          raw(`ts >= $1 AND ts < ${h}`),
          raw(`ts >= ${w}`),
        ];
      } else {
        parts = [raw('ts >= $1')];
      }
      const sql = `SELECT target_id, sum(c)::int AS count, sum(k)::int AS ok_count FROM (${parts.join(' UNION ALL ')}) x
        WHERE EXISTS (SELECT 1 FROM targets t WHERE t.id = x.target_id) GROUP BY target_id ORDER BY target_id`;
      return queryJson<UptimeCount>(db, asJson(sql), params);
    },
  };
}
