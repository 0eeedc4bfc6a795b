// Turns the rows a channel worker claimed (one transition kind) into the one message sent for them:
// a single row's own event, or one grouped event listing every incident with `summary.total`.
import { createHash } from 'node:crypto';
import type { IncidentEvent, IncidentInfo } from '../../notify/event.js';
import { buildNotification, type Notification, type RenderOptions } from '../../notify/render.js';
import type { ClaimedDelivery } from '../../store/notify-store.js';

/** A UUID-shaped id derived from the rows, so retrying the same group keeps the same event id. */
function groupId(rows: readonly ClaimedDelivery[]): string {
  const h = createHash('sha256').update(`group:${rows.map((r) => r.id).join(',')}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The event for claimed rows of one transition kind (oldest first). */
export function composeEvent(rows: readonly ClaimedDelivery[]): IncidentEvent {
  const first = rows[0];
  if (!first) throw new Error('composeEvent needs at least one row');
  if (rows.length === 1) return first.event;
  const incidents = rows.map((r) => r.event.incidents[0]) as [IncidentInfo, ...IncidentInfo[]];
  const at = rows.map((r) => r.event.at).sort().at(-1) ?? first.event.at;
  const base = { id: groupId(rows), at, incidents, summary: { total: incidents.length } };
  const kind = first.event.kind;
  if (kind === 'acknowledged') {
    const by = new Set(rows.map((r) => (r.event.kind === 'acknowledged' ? r.event.acknowledged_by : undefined)));
    const only = by.size === 1 ? [...by][0] : undefined;
    return { ...base, kind, ...(only ? { acknowledged_by: only } : {}) };
  }
  return { ...base, kind };
}

export function composeNotification(rows: readonly ClaimedDelivery[], opts: RenderOptions): Notification {
  return buildNotification(composeEvent(rows), opts);
}
