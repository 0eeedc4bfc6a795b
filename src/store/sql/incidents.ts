// Incidents: open (at most one per target and kind, via the partial unique index), update,
// resolve, acknowledge, list. Rows are rendered as JSON by the server (see json.ts).
import type { Incident } from '../../domain/incident.js';
import { AppError } from '../../errors.js';
import { uuidv7 } from '../../util/uuid.js';
import type { IncidentFilter, IncidentStore } from '../incident-store.js';
import type { Db } from '../store.js';
import { asJson, iso, queryJson } from './json.js';

export const INCIDENTS_DEFAULT_LIMIT = 100;
export const INCIDENTS_MAX_LIMIT = 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ROW = `SELECT i.id, i.target_id, t.name AS target_name, i.kind,
  CASE WHEN i.ended_at IS NOT NULL THEN 'resolved' WHEN i.acknowledged_at IS NOT NULL THEN 'acknowledged' ELSE 'open' END AS state,
  i.severity, ${iso('i.started_at')} AS started_at, ${iso('i.ended_at')} AS ended_at,
  ${iso('i.acknowledged_at')} AS acknowledged_at, i.acknowledged_by, i.regions, i.details, ${iso('i.updated_at')} AS updated_at
  FROM incidents i JOIN targets t ON t.id = i.target_id`;

export function incidentStore(db: Db): IncidentStore {
  const one = async (where: string, params: unknown[]): Promise<Incident | null> => {
    const rows = await queryJson<Incident>(db, asJson(`${ROW} WHERE ${where}`), params);
    return rows[0] ?? null;
  };
  const get = (id: string) => (UUID.test(id) ? one('i.id = $1', [id]) : Promise.resolve(null));

  return {
    async open(n) {
      const inserted = await db.query<{ id: string }>(
        `INSERT INTO incidents (id, target_id, kind, severity, started_at, regions, details)
         SELECT $1, $2, $3, $4, $5, $6::text[], $7::text::jsonb WHERE EXISTS (SELECT 1 FROM targets WHERE id = $2)
         ON CONFLICT (target_id, kind) WHERE ended_at IS NULL DO NOTHING RETURNING id`,
        [uuidv7(Date.parse(n.started_at) || Date.now()), n.target_id, n.kind, n.severity, n.started_at, n.regions, JSON.stringify(n.details)],
      );
      const incident = await one('i.target_id = $1 AND i.kind = $2 AND i.ended_at IS NULL', [n.target_id, n.kind]);
      return incident ? { incident, created: inserted.length > 0 } : null;
    },

    async update(id, regions, details) {
      if (!UUID.test(id)) return null;
      const rows = await db.query('UPDATE incidents SET regions = $2::text[], details = $3::text::jsonb, updated_at = now() WHERE id = $1 AND ended_at IS NULL RETURNING id', [
        id, regions, JSON.stringify(details),
      ]);
      return rows.length ? get(id) : null;
    },

    async resolve(id, endedAt, details) {
      if (!UUID.test(id)) return null;
      // A clock step back must not violate the ended_at >= started_at check.
      const rows = await db.query(
        `UPDATE incidents SET ended_at = greatest($2::timestamptz, started_at), details = $3::text::jsonb, updated_at = now()
         WHERE id = $1 AND ended_at IS NULL RETURNING id`,
        [id, endedAt, JSON.stringify(details)],
      );
      return rows.length ? get(id) : null;
    },

    async acknowledge(id, by, at) {
      if (!UUID.test(id)) return null;
      const rows = await db.query(
        'UPDATE incidents SET acknowledged_at = $2, acknowledged_by = $3, updated_at = now() WHERE id = $1 AND ended_at IS NULL AND acknowledged_at IS NULL RETURNING id',
        [id, at, by],
      );
      const incident = await get(id);
      if (!incident) return null;
      if (rows.length === 0 && incident.state === 'resolved') throw new AppError('conflict', `incident ${id} is resolved already`, 'id');
      return { incident, changed: rows.length > 0 };
    },

    get,

    list(f: IncidentFilter = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (cond: (p: string) => string, value: unknown) => {
        params.push(value);
        where.push(cond(`$${params.length}`));
      };
      if (f.target_id !== undefined) add((p) => `i.target_id = ${p}`, f.target_id);
      if (f.kind !== undefined) add((p) => `i.kind = ${p}`, f.kind);
      if (f.state === 'open') where.push('i.ended_at IS NULL');
      if (f.state === 'acknowledged') where.push('i.ended_at IS NULL AND i.acknowledged_at IS NOT NULL');
      if (f.state === 'resolved') where.push('i.ended_at IS NOT NULL');
      if (f.from !== undefined) add((p) => `(i.ended_at IS NULL OR i.ended_at >= ${p}::timestamptz)`, f.from);
      if (f.to !== undefined) add((p) => `i.started_at <= ${p}::timestamptz`, f.to);
      const limit = Math.min(Math.max(1, Math.floor(f.limit ?? INCIDENTS_DEFAULT_LIMIT)), INCIDENTS_MAX_LIMIT);
      const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
      return queryJson<Incident>(db, asJson(`${ROW} ${cond} ORDER BY i.started_at DESC, i.id DESC LIMIT ${limit}`), params);
    },

    listOpen: () => queryJson<Incident>(db, asJson(`${ROW} WHERE i.ended_at IS NULL ORDER BY i.started_at`)),

    async openCounts() {
      const rows = await db.query<{ target_id: number; n: number }>('SELECT target_id, count(*)::int AS n FROM incidents WHERE ended_at IS NULL GROUP BY target_id');
      return new Map(rows.map((r) => [Number(r.target_id), r.n]));
    },
  };
}
