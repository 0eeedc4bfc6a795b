// Per-target anomaly overrides and detector state snapshots (written in chunks as one JSON
// parameter each, so 10,000 series are a few statements, not 10,000).
import type { AnomalyOverrides, AnomalyStore, DetectorStateRow, StoredOverrides } from '../incident-store.js';
import type { Db } from '../store.js';
import { asJson, iso, queryJson } from './json.js';

const OVERRIDES = `target_id, sensitivity, detector, direction, min_change_ms, min_change_pct, ${iso('updated_at')} AS updated_at`;
const SAVE_CHUNK = 500;
const LOAD_PAGE = 2000;

export function anomalyStore(db: Db): AnomalyStore {
  const getOverrides = async (targetId: number): Promise<StoredOverrides | null> => {
    if (!Number.isSafeInteger(targetId)) return null;
    const rows = await queryJson<StoredOverrides>(db, asJson(`SELECT ${OVERRIDES} FROM anomaly_settings WHERE target_id = $1`), [targetId]);
    return rows[0] ?? null;
  };

  return {
    getOverrides,

    async putOverrides(targetId: number, o: AnomalyOverrides) {
      if (!Number.isSafeInteger(targetId)) return null;
      const exists = await db.query('SELECT 1 FROM targets WHERE id = $1', [targetId]);
      if (exists.length === 0) return null;
      const none = Object.values(o).every((v) => v === null);
      if (none) {
        await db.query('DELETE FROM anomaly_settings WHERE target_id = $1', [targetId]);
        return { target_id: targetId, ...o, updated_at: new Date().toISOString() };
      }
      await db.query(
        `INSERT INTO anomaly_settings (target_id, sensitivity, detector, direction, min_change_ms, min_change_pct)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (target_id) DO UPDATE SET sensitivity = EXCLUDED.sensitivity, detector = EXCLUDED.detector, direction = EXCLUDED.direction,
           min_change_ms = EXCLUDED.min_change_ms, min_change_pct = EXCLUDED.min_change_pct, updated_at = now()`,
        [targetId, o.sensitivity, o.detector, o.direction, o.min_change_ms, o.min_change_pct],
      );
      return getOverrides(targetId);
    },

    listOverrides: () => queryJson<StoredOverrides>(db, asJson(`SELECT ${OVERRIDES} FROM anomaly_settings ORDER BY target_id`)),

    async saveStates(rows: DetectorStateRow[]) {
      for (let i = 0; i < rows.length; i += SAVE_CHUNK) {
        const chunk = rows.slice(i, i + SAVE_CHUNK);
        await db.query(
          `INSERT INTO detector_state (target_id, region, metric, state, updated_at)
           SELECT r.target_id, r.region, r.metric, r.state, now()
           FROM jsonb_to_recordset($1::text::jsonb) AS r(target_id bigint, region text, metric text, state jsonb)
           WHERE EXISTS (SELECT 1 FROM targets t WHERE t.id = r.target_id)
           ON CONFLICT (target_id, region, metric) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
          [JSON.stringify(chunk)],
        );
      }
    },

    async loadStates() {
      const out: DetectorStateRow[] = [];
      let after: [number, string, string] = [0, '', ''];
      for (;;) {
        const page = await queryJson<DetectorStateRow>(
          db,
          asJson(`SELECT target_id, region, metric, state FROM detector_state WHERE (target_id, region, metric) > ($1, $2, $3)
                  ORDER BY target_id, region, metric LIMIT ${LOAD_PAGE}`),
          after,
        );
        out.push(...page);
        const last = page[page.length - 1];
        if (!last || page.length < LOAD_PAGE) return out;
        after = [last.target_id, last.region, last.metric];
      }
    },
  };
}
