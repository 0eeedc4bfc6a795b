// Channels and the routing of targets to them. A target with routes goes to those channels; one
// without goes to every default channel. Disabled channels get nothing.
import { AppError, validationError } from '../../errors.js';
import type { Db } from '../store.js';
import type { ChannelFields, ChannelRecord, ChannelStore } from '../notify-store.js';

const COLUMNS = `id, name, type, config, enabled, is_default AS "default", remind_every_minutes, rate_limit_per_minute, managed_by,
  created_at, updated_at`;

/** API field -> column and placeholder cast. */
const SETTABLE: Record<keyof ChannelFields, [string, string]> = {
  name: ['name', '::text'],
  type: ['type', '::text'],
  config: ['config', '::text::jsonb'],
  enabled: ['enabled', '::boolean'],
  default: ['is_default', '::boolean'],
  remind_every_minutes: ['remind_every_minutes', '::integer'],
  rate_limit_per_minute: ['rate_limit_per_minute', '::integer'],
  managed_by: ['managed_by', '::text'],
};

const param = (k: keyof ChannelFields, v: unknown) => (k === 'config' ? JSON.stringify(v) : v);

/** Unique violation on channels.name becomes a conflict naming the field. */
async function named<T>(name: string | undefined, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e: unknown) {
    if ((e as { code?: unknown }).code === '23505') throw new AppError('conflict', `a channel named "${name ?? ''}" exists already`, 'name');
    throw e;
  }
}

function insertSql(onConflict: string): string {
  const cols = Object.values(SETTABLE).map(([c]) => c);
  const vals = Object.values(SETTABLE).map(([, cast], i) => `$${i + 1}${cast}`);
  return `INSERT INTO channels (${cols.join(', ')}) VALUES (${vals.join(', ')}) ${onConflict} RETURNING ${COLUMNS}`;
}

export function channelStore(db: Db): ChannelStore {
  const one = async (sql: string, params: unknown[]) => (await db.query<ChannelRecord>(sql, params))[0] ?? null;
  const values = (f: ChannelFields) => (Object.keys(SETTABLE) as (keyof ChannelFields)[]).map((k) => param(k, f[k]));

  return {
    list: () => db.query<ChannelRecord>(`SELECT ${COLUMNS} FROM channels ORDER BY id`),

    get: (id) => (Number.isSafeInteger(id) ? one(`SELECT ${COLUMNS} FROM channels WHERE id = $1`, [id]) : Promise.resolve(null)),

    async create(f) {
      const row = await named(f.name, one(insertSql(''), values(f)));
      if (!row) throw new Error('insert into channels returned no row');
      return row;
    },

    async update(id, patch) {
      if (!Number.isSafeInteger(id)) return null;
      const sets: string[] = [];
      const params: unknown[] = [id];
      for (const k of Object.keys(SETTABLE) as (keyof ChannelFields)[]) {
        if (patch[k] === undefined) continue;
        params.push(param(k, patch[k]));
        sets.push(`${SETTABLE[k][0]} = $${params.length}${SETTABLE[k][1]}`);
      }
      if (sets.length === 0) return one(`SELECT ${COLUMNS} FROM channels WHERE id = $1`, [id]);
      return named(patch.name, one(`UPDATE channels SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, params));
    },

    async upsertByName(f) {
      const update = (Object.keys(SETTABLE) as (keyof ChannelFields)[])
        .filter((k) => k !== 'name')
        .map((k) => `${SETTABLE[k][0]} = EXCLUDED.${SETTABLE[k][0]}`);
      const row = await one(insertSql(`ON CONFLICT (name) DO UPDATE SET ${update.join(', ')}, updated_at = now()`), values(f));
      if (!row) throw new Error('upsert into channels returned no row');
      return row;
    },

    async delete(id) {
      if (!Number.isSafeInteger(id)) return false;
      return (await db.query('DELETE FROM channels WHERE id = $1 RETURNING id', [id])).length > 0;
    },

    async deleteManagedExcept(by, keep) {
      const rows = await db.query<{ name: string }>('DELETE FROM channels WHERE managed_by = $1 AND NOT (name = ANY ($2::text[])) RETURNING name', [by, keep]);
      return rows.map((r) => r.name);
    },

    async routesOf(targetId) {
      const rows = await db.query<{ channel_id: number }>('SELECT channel_id FROM channel_routes WHERE target_id = $1 ORDER BY channel_id', [targetId]);
      return rows.map((r) => r.channel_id);
    },

    async setRoutes(targetId, channelIds) {
      const ids = [...new Set(channelIds)];
      await db.transaction(async (tx) => {
        const known = await tx.query<{ id: number }>('SELECT id FROM channels WHERE id = ANY ($1::bigint[])', [ids]);
        const missing = ids.filter((id) => !known.some((k) => k.id === id));
        if (missing.length > 0) throw validationError('channel_ids', `"channel_ids" names unknown channels: ${missing.join(', ')}`);
        await tx.query('DELETE FROM channel_routes WHERE target_id = $1', [targetId]);
        if (ids.length > 0) {
          await tx.query('INSERT INTO channel_routes (target_id, channel_id) SELECT $1, unnest($2::bigint[])', [targetId, ids]);
        }
      });
    },

    forTarget: (targetId) =>
      db.query<ChannelRecord>(
        `SELECT ${COLUMNS} FROM channels c WHERE c.enabled AND (
           c.id IN (SELECT channel_id FROM channel_routes WHERE target_id = $1)
           OR (c.is_default AND NOT EXISTS (SELECT 1 FROM channel_routes WHERE target_id = $1)))
         ORDER BY c.id`,
        [targetId],
      ),
  };
}
