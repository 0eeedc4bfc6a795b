// Reads what arrives on the `incidents` topic into transitions the outbox stores: the anomaly
// role's IncidentTransition (src/domain/incident.ts), or an IncidentEvent (src/notify/event.ts)
// from another producer. Malformed input throws AppError('validation') naming the field.
import { incidentInfo, type IncidentTransition } from '../../domain/incident.js';
import { validationError } from '../../errors.js';
import { parseIncidentEvent, type IncidentEvent, type IncidentInfo } from '../../notify/event.js';

export type IncomingKind = 'opened' | 'acknowledged' | 'resolved';

/** One incident's transition, as the notifier stores and sends it. */
export interface IncomingTransition {
  /** The bus event id: the same on every redelivery, and the id receivers see. */
  eventId: string;
  transition: IncomingKind;
  /** When it happened (ISO 8601). */
  at: string;
  incident: IncidentInfo;
  acknowledgedBy?: string;
}

const KINDS: readonly string[] = ['opened', 'acknowledged', 'resolved'];
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isTime = (x: unknown): x is string => typeof x === 'string' && !Number.isNaN(Date.parse(x));

function fromTransition(x: Record<string, unknown>): IncomingTransition {
  if (typeof x.id !== 'string' || !x.id) throw validationError('id', 'id must be a non-empty string');
  if (!KINDS.includes(String(x.transition))) throw validationError('transition', 'transition must be opened, acknowledged or resolved');
  const inc = x.incident;
  const target = x.target;
  if (!isObj(inc)) throw validationError('incident', 'incident must be an object');
  if (!isObj(target)) throw validationError('target', 'target must be an object');
  if (typeof target.id !== 'number') throw validationError('target.id', 'target.id must be a number');
  if (typeof inc.id !== 'string' || !inc.id) throw validationError('incident.id', 'incident.id must be a non-empty string');
  if (typeof inc.kind !== 'string' || !inc.kind) throw validationError('incident.kind', 'incident.kind must be a non-empty string');
  if (!isTime(inc.started_at)) throw validationError('incident.started_at', 'incident.started_at must be an ISO 8601 time');
  const t = x as unknown as IncidentTransition;
  const info = incidentInfo(t) as IncidentInfo;
  const clean: IncidentInfo = {
    ...info,
    target_name: typeof target.name === 'string' && target.name ? target.name : `target ${target.id}`,
    target_url: typeof target.url === 'string' ? target.url : '',
    regions: Array.isArray(inc.regions) ? inc.regions.filter((r): r is string => typeof r === 'string') : [],
    details: isObj(inc.details) ? inc.details : {},
  };
  const at = isTime(x.at) ? x.at : t.transition === 'resolved' && isTime(inc.ended_at) ? inc.ended_at : new Date().toISOString();
  const by = t.transition === 'acknowledged' && typeof inc.acknowledged_by === 'string' ? inc.acknowledged_by : undefined;
  return { eventId: t.id, transition: t.transition, at, incident: clean, ...(by ? { acknowledgedBy: by } : {}) };
}

function fromEvent(e: IncidentEvent): IncomingTransition[] {
  if (!KINDS.includes(e.kind)) throw validationError('kind', 'only opened, acknowledged and resolved events are notified from the bus');
  const by = e.kind === 'acknowledged' ? e.acknowledged_by : undefined;
  // A grouped event is split: the outbox dedupes, groups and rate-limits per incident and channel.
  return e.incidents.map((incident) => ({
    eventId: e.incidents.length === 1 ? e.id : `${e.id}:${incident.id}`,
    transition: e.kind as IncomingKind,
    at: e.at,
    incident,
    ...(by ? { acknowledgedBy: by } : {}),
  }));
}

/** The transitions a message on the `incidents` topic carries. */
export function parseIncomingMessage(data: unknown): IncomingTransition[] {
  if (!isObj(data)) throw validationError('(message)', 'message must be an object');
  if ('transition' in data) return [fromTransition(data)];
  return fromEvent(parseIncidentEvent(data));
}

/** The single-incident event a delivery row stores and a channel renders. */
export function eventOf(t: IncomingTransition): IncidentEvent {
  const base = { id: t.eventId, at: t.at, incidents: [t.incident] as [IncidentInfo] };
  switch (t.transition) {
    case 'opened':
      return { ...base, kind: 'opened' };
    case 'acknowledged':
      return { ...base, kind: 'acknowledged', ...(t.acknowledgedBy ? { acknowledged_by: t.acknowledgedBy } : {}) };
    case 'resolved':
      return { ...base, kind: 'resolved' };
  }
}
