// Writing the outbox: one row per (incident, transition, channel), deduplicated by the table's
// unique key, in one transaction with the incident's state, before the bus message is acked.
// Suppression (maintenance windows, late transitions) is decided here and recorded on the row.
import type { Db } from '../../store/store.js';
import type { ChannelRecord, DeliveryStatus, NewDelivery, NotifyStore } from '../../store/notify-store.js';
import { notifyStore } from '../../store/sql/notify.js';
import type { IncidentEvent } from '../../notify/event.js';
import { uuidv7 } from '../../util/uuid.js';
import { eventOf, type IncomingTransition } from './incoming.js';

export interface Enqueued {
  id: number;
  channel_id: number;
  status: DeliveryStatus;
}

interface Decision {
  status: DeliveryStatus;
  note: string | null;
}

/** Why a row is written as suppressed, or pending when nothing holds it back. */
async function decide(s: NotifyStore, t: IncomingTransition, ch: ChannelRecord, resolvedBefore: boolean, windowId: number | null): Promise<Decision> {
  if (resolvedBefore && t.transition !== 'resolved') return { status: 'suppressed', note: 'the incident was resolved already' };
  if (windowId === null) return { status: 'pending', note: null };
  // A resolution (or ack) still closes what was announced before the window began.
  if (t.transition !== 'opened' && (await s.deliveries.openedWasSent(ch.id, t.incident.id))) return { status: 'pending', note: null };
  return { status: 'suppressed', note: `maintenance window ${windowId}` };
}

/**
 * Records a transition and writes its outbox rows for every channel the target routes to.
 * Idempotent: a redelivered transition writes nothing new. Returns the rows written.
 */
export async function enqueueTransition(db: Db, t: IncomingTransition, groupWaitMs: number): Promise<Enqueued[]> {
  return db.transaction(async (tx) => {
    const s = notifyStore(tx);
    const prev = await s.incidents.record(t.incident, t.transition, t.at);
    const channels = await s.channels.forTarget(t.incident.target_id);
    if (channels.length === 0) return [];
    const window = await s.maintenance.covering(t.incident.target_id, t.at);
    const event = eventOf(t);
    const rows: NewDelivery[] = [];
    for (const ch of channels) {
      const d = await decide(s, t, ch, prev?.resolved_at != null, window?.id ?? null);
      rows.push({
        channel_id: ch.id,
        channel_type: ch.type,
        event_id: t.eventId,
        incident_id: t.incident.id,
        target_id: t.incident.target_id,
        transition: t.transition,
        seq: 0,
        event,
        status: d.status,
        note: d.note,
        delayMs: groupWaitMs,
      });
    }
    return s.deliveries.insert(rows);
  });
}

/**
 * Writes reminder number `seq` of an open incident for one channel, if the target still routes
 * to it; suppressed inside a maintenance window. Concurrent writers of the same reminder write one.
 */
export async function enqueueReminder(db: Db, incidentId: string, channelId: number, seq: number, nowIso: string): Promise<Enqueued[]> {
  return db.transaction(async (tx) => {
    const s = notifyStore(tx);
    const inc = await s.incidents.get(incidentId);
    if (!inc || inc.resolved_at || inc.acknowledged_at) return [];
    const ch = (await s.channels.forTarget(inc.target_id)).find((c) => c.id === channelId);
    if (!ch) return [];
    const window = await s.maintenance.covering(inc.target_id, nowIso);
    const event: IncidentEvent = { kind: 'reminder', id: uuidv7(), at: nowIso, incidents: [inc.info] };
    return s.deliveries.insert([
      {
        channel_id: ch.id,
        channel_type: ch.type,
        event_id: event.id,
        incident_id: incidentId,
        target_id: inc.target_id,
        transition: 'reminder',
        seq,
        event,
        status: window ? 'suppressed' : 'pending',
        note: window ? `maintenance window ${window.id}` : null,
      },
    ]);
  });
}
