// The delivery outbox. Rows are written (deduplicated by their unique key) before anything is
// sent, claimed by a channel worker with a time-limited lock (SKIP LOCKED: replicas never take the
// same row; a crashed holder's rows come free when the lock expires), then settled.
import type { Db } from '../store.js';
import type { ClaimedDelivery, DeliveryRecord, DeliveryStatus, DeliveryStore } from '../notify-store.js';

const MS = `* interval '1 millisecond'`;
const FREE = '(locked_until IS NULL OR locked_until < now())';

const COLUMNS = `d.id, d.channel_id, c.name AS channel_name, d.channel_type, d.event_id, d.incident_id, d.target_id, d.transition, d.seq,
  d.status, d.note, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.group_size,
  d.created_at, d.settled_at`;

type Row = { id: number; status: DeliveryStatus };

function listQuery(f: Parameters<DeliveryStore['list']>[0] = {}): [string, unknown[]] {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (cond: string, v: unknown) => {
    params.push(v);
    where.push(cond.replace('?', `$${params.length}`));
  };
  if (f.status !== undefined) add('d.status = ?', f.status);
  if (f.channel_id !== undefined) add('d.channel_id = ?', f.channel_id);
  if (f.target_id !== undefined) add('d.target_id = ?', f.target_id);
  if (f.incident_id !== undefined) add('d.incident_id = ?', f.incident_id);
  if (f.transition !== undefined) add('d.transition = ?', f.transition);
  if (f.since !== undefined) add('d.created_at >= ?::timestamptz', f.since);
  if (f.before_id !== undefined) add('d.id < ?', f.before_id);
  params.push(Math.min(Math.max(f.limit ?? 100, 1), 1000));
  const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
  return [`SELECT ${COLUMNS} FROM deliveries d LEFT JOIN channels c ON c.id = d.channel_id ${cond} ORDER BY d.id DESC LIMIT $${params.length}`, params];
}

export function deliveryStore(db: Db): DeliveryStore {
  return {
    async insert(rows) {
      const out: Array<{ id: number; channel_id: number; status: DeliveryStatus }> = [];
      for (const r of rows) {
        const settled = r.status !== 'pending';
        const attempted = r.status === 'delivered' || r.status === 'failed';
        const got = await db.query<{ id: number; channel_id: number; status: DeliveryStatus }>(
          `INSERT INTO deliveries (channel_id, channel_type, event_id, incident_id, target_id, transition, seq, event, status, note,
             next_attempt_at, attempts, last_status, last_error, group_size, settled_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10, now() + $11 ${MS}, $12, $13, $14, $15, CASE WHEN $16::boolean THEN now() END)
           ON CONFLICT (channel_id, incident_id, transition, seq) DO NOTHING
           RETURNING id, channel_id, status`,
          [r.channel_id, r.channel_type, r.event_id, r.incident_id, r.target_id, r.transition, r.seq, JSON.stringify(r.event), r.status, r.note ?? null,
            r.delayMs ?? 0, attempted ? 1 : 0, r.last_status ?? null, r.last_error ?? null, attempted ? 1 : null, settled],
        );
        out.push(...got);
      }
      return out;
    },

    async claim(channelId, o) {
      const rows = await db.query<ClaimedDelivery>(
        `WITH first AS (
           SELECT transition FROM deliveries
           WHERE channel_id = $1 AND status = 'pending' AND next_attempt_at <= now() AND ${FREE}
           ORDER BY next_attempt_at, id LIMIT 1
         ), picked AS (
           SELECT id FROM deliveries
           WHERE channel_id = $1 AND status = 'pending' AND transition = (SELECT transition FROM first) AND ${FREE}
             AND (next_attempt_at <= now() OR (attempts = 0 AND next_attempt_at <= now() + $5 ${MS}))
           ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED
         )
         UPDATE deliveries d SET locked_by = $2, locked_until = now() + $3 ${MS}
         FROM picked WHERE d.id = picked.id
         RETURNING d.id, d.transition, d.event, d.attempts, d.created_at`,
        [channelId, o.holder, o.lockMs, o.limit, o.groupWaitMs],
      );
      return rows.sort((a, b) => a.id - b.id);
    },

    async settle(ids, s) {
      if (ids.length === 0) return [];
      const unlock = 'locked_by = NULL, locked_until = NULL';
      const guard = `WHERE id = ANY ($1::bigint[]) AND status = 'pending' RETURNING id, status`;
      switch (s.outcome) {
        case 'delivered':
          return db.query<Row>(
            `UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, last_status = $2, last_error = NULL, group_size = $3,
               settled_at = now(), ${unlock} ${guard}`,
            [ids, s.status ?? null, s.groupSize],
          );
        case 'failed':
          return db.query<Row>(
            `UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_status = $2, last_error = $3, group_size = $4,
               settled_at = now(), ${unlock} ${guard}`,
            [ids, s.status ?? null, s.error, s.groupSize],
          );
        case 'retry': {
          const expired = `created_at + $6 ${MS} < now() + $5 ${MS}`;
          return db.query<Row>(
            `UPDATE deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3, group_size = $4,
               status = CASE WHEN ${expired} THEN 'failed' ELSE 'pending' END,
               note = CASE WHEN ${expired} THEN 'gave up: still failing when the retry period ended' ELSE note END,
               settled_at = CASE WHEN ${expired} THEN now() END,
               next_attempt_at = now() + $5 ${MS}, ${unlock} ${guard}`,
            [ids, s.status ?? null, s.error, s.groupSize, Math.round(s.delayMs), Math.round(s.giveUpAfterMs)],
          );
        }
        case 'suppressed':
          return db.query<Row>(`UPDATE deliveries SET status = 'suppressed', note = $2, settled_at = now(), ${unlock} ${guard}`, [ids, s.note]);
        case 'released':
          return db.query<Row>(`UPDATE deliveries SET ${unlock} ${guard}`, [ids]);
      }
    },

    pendingByChannel: () =>
      db.query<{ channel_id: number; pending: number; due: number }>(
        `SELECT channel_id, count(*)::integer AS pending,
           (count(*) FILTER (WHERE next_attempt_at <= now() AND ${FREE}))::integer AS due
         FROM deliveries WHERE status = 'pending' GROUP BY channel_id`,
      ),

    list: (f) => db.query<DeliveryRecord>(...listQuery(f)),

    async get(id) {
      if (!Number.isSafeInteger(id)) return null;
      return (await db.query<DeliveryRecord>(`SELECT ${COLUMNS} FROM deliveries d LEFT JOIN channels c ON c.id = d.channel_id WHERE d.id = $1`, [id]))[0] ?? null;
    },

    async openedWasSent(channelId, incidentId) {
      const rows = await db.query(
        `SELECT 1 FROM deliveries WHERE channel_id = $1 AND incident_id = $2 AND transition = 'opened' AND status IN ('pending', 'delivered') LIMIT 1`,
        [channelId, incidentId],
      );
      return rows.length > 0;
    },

    remindersDue: () =>
      // From the open incidents (few) to their rows; a channel still retrying gets no new reminder.
      db.query<{ channel_id: number; incident_id: string; next_seq: number }>(
        `SELECT channel_id, incident_id, next_seq FROM (
           SELECT d.channel_id, d.incident_id, max(d.seq) + 1 AS next_seq, max(d.created_at) AS last_at, c.remind_every_minutes,
             bool_and(d.status <> 'pending') AS quiet
           FROM notify_incidents i
           JOIN deliveries d ON d.incident_id = i.id AND d.transition IN ('opened', 'reminder')
           JOIN channels c ON c.id = d.channel_id
           WHERE i.resolved_at IS NULL AND i.acknowledged_at IS NULL AND c.enabled AND c.remind_every_minutes IS NOT NULL
           GROUP BY d.channel_id, d.incident_id, c.remind_every_minutes
         ) last
         WHERE quiet AND last_at < now() - remind_every_minutes * interval '1 minute'
         ORDER BY incident_id, channel_id`,
      ),

    async prune(before) {
      const [gone] = await db.query<{ n: number }>(
        `WITH g AS (DELETE FROM deliveries WHERE status <> 'pending' AND created_at < $1 RETURNING 1) SELECT count(*)::integer AS n FROM g`,
        [before.toISOString()],
      );
      await db.query(`DELETE FROM notify_incidents WHERE resolved_at < $1`, [before.toISOString()]);
      return gone?.n ?? 0;
    },
  };
}
