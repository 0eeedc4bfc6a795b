// Incidents: what the anomaly role opens and resolves, the API lists and acknowledges, and the
// bus carries (topic `incidents`, key = target id) to the notifier and the dashboard. Field names
// are snake_case: this is the table's row, the API's JSON and the bus payload. See docs/anomaly.md.

/** Kinds the anomaly role opens; `slo_burn` is reserved for the SLO feature. */
export const INCIDENT_KINDS = ['down', 'latency_anomaly', 'error_rate', 'tls_expiry', 'slo_burn'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** Derived from the timestamps: resolved once `ended_at` is set, acknowledged once `acknowledged_at` is. */
export const INCIDENT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const TRANSITIONS = ['opened', 'acknowledged', 'resolved'] as const;
export type Transition = (typeof TRANSITIONS)[number];

export type IncidentSeverity = 'critical' | 'warning' | 'info';

/** Severity each kind opens with. */
export const SEVERITY: Record<IncidentKind, IncidentSeverity> = {
  down: 'critical',
  latency_anomaly: 'warning',
  error_rate: 'warning',
  tls_expiry: 'warning',
  slo_burn: 'warning',
};

/**
 * The evidence an incident carries (column `details`). Same field names as the notifier's
 * IncidentDetails (src/notify/event.ts), so channels render it as is; extra keys are kept.
 */
export interface IncidentDetails {
  /** One human sentence, e.g. "latency 412 ms vs 98 ms normal (+320 %) in eu". */
  message: string;
  /** Observed values, e.g. `{ latency_ms: 412, recent_ms: "410,415,..." }`. */
  values?: Record<string, number | string | null>;
  /** What was normal: latency in ms, error rate in [0, 1], or days for tls_expiry. */
  baseline?: number;
  /** Anomaly score in [0, 1] of the detection that started it (detector kinds only). */
  score?: number;
  /** Score needed to detect (from the sensitivity). */
  threshold?: number;
  detector?: string;
  /** How the incident ended, set when resolved. */
  resolution?: { message: string; values?: Record<string, number | string | null> };
  [extra: string]: unknown;
}

/** One incident as stored and returned by the API. Times are ISO 8601 (UTC). */
export interface Incident {
  /** UUIDv7. */
  id: string;
  target_id: number;
  /** Name of the target (joined when read). */
  target_name: string;
  kind: IncidentKind;
  state: IncidentState;
  severity: IncidentSeverity;
  started_at: string;
  ended_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  /** Regions where it was observed; empty = not region-specific. */
  regions: string[];
  details: IncidentDetails;
  updated_at: string;
}

/**
 * A transition of one incident, as published on the bus (topic `incidents`, key = target id) and
 * streamed as the SSE `incident` event. `id` is stable per transition: redeliveries keep it, so
 * receivers dedupe on it (the notifier: `id + channel`).
 */
export interface IncidentTransition {
  /** UUIDv7 of this event (not of the incident). */
  id: string;
  transition: Transition;
  /** When the transition happened (ISO 8601). */
  at: string;
  incident: Incident;
  target: { id: number; name: string; url: string };
}

/** The notifier's IncidentInfo (src/notify/event.ts) for a transition: the shape channels render. */
export function incidentInfo(t: IncidentTransition) {
  const i = t.incident;
  return {
    id: i.id,
    target_id: t.target.id,
    target_name: t.target.name,
    target_url: t.target.url,
    kind: i.kind,
    severity: i.severity,
    started_at: i.started_at,
    ended_at: i.ended_at,
    regions: i.regions,
    details: i.details,
  };
}

export const isIncidentKind = (x: string): x is IncidentKind => (INCIDENT_KINDS as readonly string[]).includes(x);
