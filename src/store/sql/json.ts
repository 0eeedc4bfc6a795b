// Large reads come back as ONE json text value built by the server: PGlite decodes every field of
// every row in JS (an ArrayBuffer per field), which made 20,000-row reads ~3x slower than json_agg
// plus JSON.parse (docs/storage.md). The same SQL serves PostgreSQL.
import type { Db } from '../store.js';

/** SQL rendering a timestamptz as toISOString() does ('2025-01-02T03:04:05.678Z'); null stays null. Fine for
 * small reads; for large ones prefer the raw column plus `timeFields` of queryJson (cheaper). */
export const iso = (expr: string) => `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Wraps a SELECT so the server returns its rows (in order) as one JSON array in column `j`. */
export const asJson = (select: string) => `SELECT coalesce(json_agg(q), '[]')::text AS j FROM (${select}) q`;

/**
 * Runs a statement whose single row has the JSON array text in `j` (see asJson). `timeFields` are
 * rewritten from JSON's '2025-01-02T03:04:05.678+00:00' to toISOString() form: cheaper in JS than
 * to_char() in WASM (measured ~4 us per value there).
 */
export async function queryJson<T>(db: Db, sql: string, params: unknown[] = [], timeFields: readonly string[] = []): Promise<T[]> {
  const rows = await db.query<{ j: string | null }>(sql, params);
  const text = rows[0]?.j;
  if (!text) return [];
  const out = JSON.parse(text) as Record<string, unknown>[];
  if (timeFields.length > 0) {
    for (const row of out) {
      for (const f of timeFields) {
        const v = row[f];
        if (typeof v === 'string') row[f] = new Date(v).toISOString();
      }
    }
  }
  return out as T[];
}
