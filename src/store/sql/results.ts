// Probe results: batched idempotent writes (one INSERT ... SELECT FROM unnest(arrays) per batch,
// measured faster than multi-row VALUES and json_to_recordset on PGlite, docs/storage.md),
// history, the newest result per (target, region), and retention.
import type { ProbeResult } from '../../domain/types.js';
import { validationError } from '../../errors.js';
import type { Db, HistoryQuery, ResultStore } from '../store.js';
import { asJson, queryJson } from './json.js';
import { dayOf, isMissingPartition, type Partitions } from './partitions.js';
import { pruneRollups, rollupStore } from './rollups.js';

/** Column, array cast, and how to read it from a result. Order = unnest() argument order. */
const COLUMNS: [string, string, (r: ProbeResult) => unknown][] = [
  ['id', 'uuid', (r) => r.id],
  ['target_id', 'bigint', (r) => r.target_id],
  ['region', 'text', (r) => r.region],
  ['ts', 'timestamptz', (r) => r.ts],
  ['scheduled_at', 'timestamptz', (r) => r.scheduled_at],
  ['latency_ms', 'float8', (r) => r.latency_ms],
  ['status_code', 'integer', (r) => r.status_code],
  ['ok', 'boolean', (r) => r.ok],
  ['error_class', 'text', (r) => r.error_class],
  ['error_message', 'text', (r) => r.error_message],
  ['dns_ms', 'float8', (r) => r.phases.dns_ms],
  ['connect_ms', 'float8', (r) => r.phases.connect_ms],
  ['tls_ms', 'float8', (r) => r.phases.tls_ms],
  ['ttfb_ms', 'float8', (r) => r.phases.ttfb_ms],
  ['transfer_ms', 'float8', (r) => r.phases.transfer_ms],
  ['tls_expires_at', 'timestamptz', (r) => r.tls_expires_at],
  ['tls_issuer', 'text', (r) => r.tls_issuer],
];
const NAMES = COLUMNS.map(([c]) => c).join(', ');
const UPDATES = COLUMNS.filter(([c]) => c !== 'target_id' && c !== 'region').map(([c]) => `${c} = EXCLUDED.${c}`).join(', ');

// Results of unknown (deleted) targets are skipped; only newly stored rows reach latest_results,
// and an older result never replaces a newer one there.
const INSERT_SQL = `WITH u AS (
  SELECT * FROM unnest(${COLUMNS.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')}) AS u(${NAMES})
), ins AS (
  INSERT INTO probes (${NAMES}) SELECT ${NAMES} FROM u WHERE EXISTS (SELECT 1 FROM targets t WHERE t.id = u.target_id)
  ON CONFLICT DO NOTHING RETURNING ${NAMES}
), up AS (
  INSERT INTO latest_results AS l (${NAMES})
  SELECT DISTINCT ON (target_id, region) ${NAMES} FROM ins ORDER BY target_id, region, ts DESC, id DESC
  ON CONFLICT (target_id, region) DO UPDATE SET ${UPDATES} WHERE (l.ts, l.id) < (EXCLUDED.ts, EXCLUDED.id)
)
SELECT count(*)::int AS n FROM ins`;

/** A stored row rendered as a ProbeResult by the server (see json.ts). */
const RESULT_JSON = `id, target_id, region, ts, scheduled_at, ok, latency_ms, status_code, error_class, error_message,
  json_build_object('dns_ms', dns_ms, 'connect_ms', connect_ms, 'tls_ms', tls_ms, 'ttfb_ms', ttfb_ms, 'transfer_ms', transfer_ms) AS phases,
  tls_expires_at, tls_issuer`;
const RESULT_TIMES = ['ts', 'scheduled_at', 'tls_expires_at'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const HISTORY_DEFAULT_LIMIT = 100;
export const HISTORY_MAX_LIMIT = 10_000;

/** Days (since the epoch) the batch touches; throws AppError('validation') on a malformed row. */
function daysOf(results: ProbeResult[]): Set<number> {
  const days = new Set<number>();
  results.forEach((r, i) => {
    const ms = Date.parse(r.ts);
    if (Number.isNaN(ms)) throw validationError(`results[${i}].ts`, `not a timestamp: ${String(r.ts)}`);
    if (Number.isNaN(Date.parse(r.scheduled_at))) throw validationError(`results[${i}].scheduled_at`, 'not a timestamp');
    if (!UUID.test(r.id)) throw validationError(`results[${i}].id`, 'not a UUID');
    days.add(dayOf(ms));
  });
  return days;
}

function parseTime(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw validationError(field, `not a timestamp: ${value}`);
  return new Date(ms).toISOString();
}

export function resultStore(db: Db, partitions: Partitions): ResultStore {
  const write = async (results: ProbeResult[]): Promise<number> => {
    const arrays = COLUMNS.map(([, , get]) => results.map(get));
    const [row] = await db.query<{ n: number }>(INSERT_SQL, arrays);
    return row?.n ?? 0;
  };
  const rollups = rollupStore(db);

  return {
    async insertBatch(results) {
      if (results.length === 0) return 0;
      const days = daysOf(results);
      await partitions.ensure(days);
      try {
        return await write(results);
      } catch (e: unknown) {
        if (!isMissingPartition(e)) throw e;
        partitions.forget();
        await partitions.ensure(days);
        return write(results);
      }
    },

    async history(targetId, q: HistoryQuery = {}) {
      if (!Number.isSafeInteger(targetId)) return [];
      const limit = q.limit ?? HISTORY_DEFAULT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_MAX_LIMIT) {
        throw validationError('limit', `must be an integer from 1 to ${HISTORY_MAX_LIMIT}`);
      }
      const params: unknown[] = [targetId];
      const where = ['target_id = $1'];
      const from = parseTime(q.from, 'from');
      const to = parseTime(q.to, 'to');
      // Conditions are added only when given so the planner can prune partitions.
      if (from !== undefined) where.push(`ts >= $${params.push(from)}`);
      if (to !== undefined) where.push(`ts < $${params.push(to)}`);
      if (q.region !== undefined) where.push(`region = $${params.push(q.region)}`);
      params.push(limit);
      const sql = `SELECT ${RESULT_JSON} FROM probes WHERE ${where.join(' AND ')} ORDER BY ts DESC, id DESC LIMIT $${params.length}`;
      return queryJson<ProbeResult>(db, asJson(sql), params, RESULT_TIMES);
    },

    async latest() {
      const sql = `SELECT ${RESULT_JSON} FROM latest_results l
        WHERE EXISTS (SELECT 1 FROM targets t WHERE t.id = l.target_id) ORDER BY target_id, region`;
      return queryJson<ProbeResult>(db, asJson(sql), [], RESULT_TIMES);
    },

    async deleteBefore(before) {
      const n = await partitions.dropBefore(before);
      await pruneRollups(db, before);
      return n;
    },

    rollup: (upTo) => rollups.rollup(upTo),
    series: (targetId, q) => rollups.series(targetId, q),
    uptime: (since, ids) => rollups.uptime(since, ids),
  };
}
