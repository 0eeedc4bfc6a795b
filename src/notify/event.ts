// The incident event the notifier receives (bus topic `incidents`) and every channel renders.
// Field names are snake_case: this is JSON on the bus and, for the generic webhook, a public schema.
import { validationError } from '../errors.js';

/** Incident kinds PulseGuard opens today; the type stays open so a new detector needs no change here. */
export const INCIDENT_KINDS = ['down', 'latency_anomaly', 'error_rate', 'slo_burn', 'tls_expiry'] as const;
export type KnownIncidentKind = (typeof INCIDENT_KINDS)[number];
export type IncidentKind = KnownIncidentKind | (string & {});

export const EVENT_KINDS = ['opened', 'acknowledged', 'resolved', 'reminder', 'test'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** How urgent an incident is; defaults by kind (render.ts) when the detector does not say. */
export type IncidentSeverity = 'critical' | 'warning' | 'info';

/** The evidence a detector attaches to an incident. Every field optional; extra keys are kept. */
export interface IncidentDetails {
  /** One human sentence, e.g. "HTTP 503 from 2 of 3 regions". */
  message?: string;
  /** Observed values, e.g. `{ p95_ms: 850 }` or the last samples. */
  values?: Record<string, number | string | null> | number[];
  /** What was normal: one number or one per value key. */
  baseline?: number | Record<string, number>;
  /** Anomaly score in [0, 1]. */
  score?: number;
  [extra: string]: unknown;
}

/** One incident as notified: what broke, where, since when. Times are ISO 8601. */
export interface IncidentInfo {
  id: string;
  target_id: number;
  target_name: string;
  target_url: string;
  kind: IncidentKind;
  severity?: IncidentSeverity;
  started_at: string;
  /** Set once resolved. */
  ended_at?: string | null;
  /** Regions that observed it; empty = not region-specific. */
  regions: string[];
  details: IncidentDetails;
}

/** Present when one event groups a burst: `total` incidents, of which `incidents` lists the first. */
export interface EventSummary {
  total: number;
}

interface EventBase {
  /** Stable id (UUIDv7) of this transition; redeliveries keep it, receivers dedupe on it. */
  id: string;
  /** When the transition happened (ISO 8601). */
  at: string;
  /** At least one incident; several when a burst is grouped. */
  incidents: [IncidentInfo, ...IncidentInfo[]];
  summary?: EventSummary;
}

/** A transition of one incident (or a grouped burst): the notifier's only input. */
export type IncidentEvent =
  | (EventBase & { kind: 'opened' })
  | (EventBase & { kind: 'acknowledged'; acknowledged_by?: string })
  | (EventBase & { kind: 'resolved' })
  | (EventBase & { kind: 'reminder' })
  | (EventBase & { kind: 'test'; requested_by?: string });

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isTime = (x: unknown): x is string => typeof x === 'string' && !Number.isNaN(Date.parse(x));

function checkIncident(x: unknown, path: string): IncidentInfo {
  if (!isObj(x)) throw validationError(path, `${path} must be an object`);
  for (const k of ['id', 'target_name', 'target_url', 'kind'] as const) {
    if (typeof x[k] !== 'string' || x[k] === '') throw validationError(`${path}.${k}`, `${path}.${k} must be a non-empty string`);
  }
  if (typeof x.target_id !== 'number') throw validationError(`${path}.target_id`, `${path}.target_id must be a number`);
  if (!isTime(x.started_at)) throw validationError(`${path}.started_at`, `${path}.started_at must be an ISO 8601 time`);
  if (x.ended_at != null && !isTime(x.ended_at)) throw validationError(`${path}.ended_at`, `${path}.ended_at must be an ISO 8601 time or null`);
  if (!Array.isArray(x.regions) || !x.regions.every((r) => typeof r === 'string')) {
    throw validationError(`${path}.regions`, `${path}.regions must be an array of strings`);
  }
  if (!isObj(x.details)) throw validationError(`${path}.details`, `${path}.details must be an object`);
  if (x.severity !== undefined && !['critical', 'warning', 'info'].includes(String(x.severity))) {
    throw validationError(`${path}.severity`, `${path}.severity must be critical, warning or info`);
  }
  return x as unknown as IncidentInfo;
}

/** Checks an event received from the bus; throws AppError('validation') naming the bad field. */
export function parseIncidentEvent(x: unknown): IncidentEvent {
  if (!isObj(x)) throw validationError('(event)', 'event must be an object');
  if (typeof x.id !== 'string' || x.id === '') throw validationError('id', 'id must be a non-empty string');
  if (!EVENT_KINDS.includes(x.kind as EventKind)) throw validationError('kind', `kind must be one of ${EVENT_KINDS.join(', ')}`);
  if (!isTime(x.at)) throw validationError('at', 'at must be an ISO 8601 time');
  if (!Array.isArray(x.incidents) || x.incidents.length === 0) throw validationError('incidents', 'incidents must be a non-empty array');
  x.incidents.forEach((inc, i) => checkIncident(inc, `incidents[${i}]`));
  if (x.summary !== undefined) {
    const total = isObj(x.summary) ? x.summary.total : undefined;
    if (typeof total !== 'number' || !Number.isInteger(total) || total < x.incidents.length) {
      throw validationError('summary.total', 'summary.total must be an integer >= the number of incidents listed');
    }
  }
  return x as unknown as IncidentEvent;
}

/** The event a "send test notification" request delivers: a fake incident, clearly labelled. */
export function buildTestEvent(opts: { id: string; at: string; requestedBy?: string }): IncidentEvent {
  return {
    kind: 'test',
    id: opts.id,
    at: opts.at,
    ...(opts.requestedBy ? { requested_by: opts.requestedBy } : {}),
    incidents: [
      {
        id: `test-${opts.id}`,
        target_id: 0,
        target_name: 'Example target',
        target_url: 'https://example.com/',
        kind: 'down',
        severity: 'info',
        started_at: opts.at,
        regions: [],
        details: { message: 'This is a test notification from PulseGuard. No action is needed.' },
      },
    ],
  };
}
