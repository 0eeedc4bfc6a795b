// Targets: CRUD and filters. Deleting a target deletes its results, rollups and latest results
// explicitly (probes is partitioned and has no foreign key; see the 0001 migration).
import type { Target } from '../../domain/types.js';
import type { Db, ListTargetsFilter, TargetStore } from '../store.js';
import { asJson, queryJson } from './json.js';

const COLUMNS = 'id, name, url, type, enabled, interval_s, timeout_ms, regions, labels, options, created_at, updated_at';
const TIMES = ['created_at', 'updated_at'];

type Patch = Parameters<TargetStore['update']>[1];

/** Column -> SQL placeholder cast for the fields a patch may set. */
const SETTABLE: Record<keyof Patch, string> = {
  name: '$::text',
  url: '$::text',
  type: '$::text',
  enabled: '$::boolean',
  interval_s: '$::integer',
  timeout_ms: '$::integer',
  regions: '$::text[]',
  labels: '$::text::jsonb',
  options: '$::text::jsonb',
};

function param(key: keyof Patch, value: unknown): unknown {
  return key === 'labels' || key === 'options' ? JSON.stringify(value) : value;
}

/** Tables keyed by target_id whose rows go with the target (later migrations add FKs with ON DELETE CASCADE instead). */
const OWNED_TABLES = ['probes', 'probes_1m', 'probes_1h', 'latest_results'];

export function targetStore(db: Db): TargetStore {
  const get = async (tx: Db, id: number): Promise<Target | null> => {
    if (!Number.isSafeInteger(id)) return null;
    const rows = await queryJson<Target>(tx, asJson(`SELECT ${COLUMNS} FROM targets WHERE id = $1`), [id], TIMES);
    return rows[0] ?? null;
  };

  return {
    list(filter: ListTargetsFilter = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.enabled !== undefined) {
        params.push(filter.enabled);
        where.push(`enabled = $${params.length}`);
      }
      if (filter.region !== undefined) {
        params.push(filter.region);
        where.push(`(cardinality(regions) = 0 OR $${params.length}::text = ANY (regions))`);
      }
      const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
      return queryJson<Target>(db, asJson(`SELECT ${COLUMNS} FROM targets ${cond} ORDER BY id`), params, TIMES);
    },

    get: (id) => get(db, id),

    async fingerprint() {
      const [r] = await db.query<{ n: number; i: unknown; m: unknown }>('SELECT count(*)::int AS n, max(id)::text AS i, max(updated_at)::text AS m FROM targets');
      return `${r?.n}|${String(r?.i)}|${String(r?.m)}`;
    },

    async create(input) {
      const rows = await queryJson<Target>(
        db,
        `WITH w AS (
           INSERT INTO targets (name, url, type, enabled, interval_s, timeout_ms, regions, labels, options)
           VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8::text::jsonb, $9::text::jsonb) RETURNING *
         ) ${asJson(`SELECT ${COLUMNS} FROM w`)}`,
        [input.name, input.url, input.type, input.enabled, input.interval_s, input.timeout_ms, input.regions, JSON.stringify(input.labels), JSON.stringify(input.options)],
        TIMES,
      );
      const t = rows[0];
      if (!t) throw new Error('insert into targets returned no row');
      return t;
    },

    async update(id, patch) {
      if (!Number.isSafeInteger(id)) return null;
      const sets: string[] = [];
      const params: unknown[] = [id];
      for (const key of Object.keys(SETTABLE) as (keyof Patch)[]) {
        const value = patch[key];
        if (value === undefined) continue;
        params.push(param(key, value));
        sets.push(`${key} = ${SETTABLE[key].replace('$', `$${params.length}`)}`);
      }
      if (sets.length === 0) return get(db, id);
      const rows = await queryJson<Target>(
        db,
        `WITH w AS (UPDATE targets SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING *) ${asJson(`SELECT ${COLUMNS} FROM w`)}`,
        params,
        TIMES,
      );
      return rows[0] ?? null;
    },

    async delete(id) {
      if (!Number.isSafeInteger(id)) return false;
      return db.transaction(async (tx) => {
        const gone = await tx.query('DELETE FROM targets WHERE id = $1 RETURNING id', [id]);
        if (gone.length === 0) return false;
        for (const table of OWNED_TABLES) await tx.query(`DELETE FROM ${table} WHERE target_id = $1`, [id]);
        return true;
      });
    },
  };
}
