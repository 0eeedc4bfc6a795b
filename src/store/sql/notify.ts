// The notification stores over one Db (or one transaction): channels, deliveries, the incidents
// the notifier knows, maintenance windows.
import type { Db } from '../store.js';
import type { NotifiedIncident, NotifiedIncidentStore, MaintenanceStore, MaintenanceWindow, NotifyStore } from '../notify-store.js';
import { channelStore } from './channels.js';
import { deliveryStore } from './deliveries.js';

const INCIDENT_COLUMNS = `id, target_id, info, opened_at, acknowledged_at, resolved_at`;

function incidentStateStore(db: Db): NotifiedIncidentStore {
  const get = async (id: string) => (await db.query<NotifiedIncident>(`SELECT ${INCIDENT_COLUMNS} FROM notify_incidents WHERE id = $1`, [id]))[0] ?? null;
  return {
    get,
    async record(info, transition, at) {
      const prev = await get(info.id);
      const ackAt = transition === 'acknowledged' ? at : null;
      const resolvedAt = transition === 'resolved' ? (info.ended_at ?? at) : null;
      // A late `opened` never reopens a resolved incident, nor replaces what its resolution said.
      await db.query(
        `INSERT INTO notify_incidents (id, target_id, info, opened_at, acknowledged_at, resolved_at)
         VALUES ($1, $2, $3::text::jsonb, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET
           info = CASE WHEN notify_incidents.resolved_at IS NULL THEN EXCLUDED.info ELSE notify_incidents.info END,
           acknowledged_at = coalesce(notify_incidents.acknowledged_at, EXCLUDED.acknowledged_at),
           resolved_at = coalesce(notify_incidents.resolved_at, EXCLUDED.resolved_at),
           updated_at = now()`,
        [info.id, info.target_id, JSON.stringify(info), info.started_at, ackAt, resolvedAt],
      );
      return prev;
    },
  };
}

const WINDOW_COLUMNS = `id, target_id, starts_at, ends_at, reason, created_at`;

function maintenanceStore(db: Db): MaintenanceStore {
  return {
    async create(w) {
      const [row] = await db.query<MaintenanceWindow>(
        `INSERT INTO maintenance_windows (target_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4) RETURNING ${WINDOW_COLUMNS}`,
        [w.target_id, w.starts_at, w.ends_at, w.reason],
      );
      if (!row) throw new Error('insert into maintenance_windows returned no row');
      return row;
    },
    list(f = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.activeAt !== undefined) {
        params.push(f.activeAt);
        where.push(`starts_at <= $${params.length}::timestamptz AND ends_at > $${params.length}::timestamptz`);
      } else if (!f.includeEnded) where.push('ends_at > now()');
      if (f.target_id !== undefined) {
        params.push(f.target_id);
        where.push(`(target_id IS NULL OR target_id = $${params.length})`);
      }
      const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
      return db.query<MaintenanceWindow>(`SELECT ${WINDOW_COLUMNS} FROM maintenance_windows ${cond} ORDER BY starts_at DESC, id DESC LIMIT 1000`, params);
    },
    async delete(id) {
      if (!Number.isSafeInteger(id)) return false;
      return (await db.query('DELETE FROM maintenance_windows WHERE id = $1 RETURNING id', [id])).length > 0;
    },
    async covering(targetId, at) {
      const rows = await db.query<MaintenanceWindow>(
        `SELECT ${WINDOW_COLUMNS} FROM maintenance_windows
         WHERE (target_id IS NULL OR target_id = $1) AND starts_at <= $2::timestamptz AND ends_at > $2::timestamptz
         ORDER BY ends_at DESC LIMIT 1`,
        [targetId, at],
      );
      return rows[0] ?? null;
    },
  };
}

/** The notification stores on `db`; pass a transaction's Db to run several in it. */
export function notifyStore(db: Db): NotifyStore {
  return { channels: channelStore(db), deliveries: deliveryStore(db), incidents: incidentStateStore(db), maintenance: maintenanceStore(db) };
}
