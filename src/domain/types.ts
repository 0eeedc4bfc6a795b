// Core data shapes. Field names are snake_case because these are the API's JSON and the store's
// columns (see docs/decisions.md); code around them stays camelCase.

/** Error classes a probe can report; `null` on success. */
export const ERROR_CLASSES = ['dns', 'refused', 'reset', 'timeout', 'tls', 'status', 'assertion', 'invalid'] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** A monitored target as stored and returned by the API. */
export interface Target {
  id: number;
  name: string;
  url: string;
  /** Probe kind, a key of the probe registry (`http`, `tcp`, ...). */
  type: string;
  enabled: boolean;
  interval_s: number;
  timeout_ms: number;
  /** Regions that probe this target; empty = every known region. */
  regions: string[];
  labels: Record<string, string>;
  /** Kind-specific options, validated by the kind's schema (e.g. HTTP method, expected_status). */
  options: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** What a client may set when creating a target (everything but name and url has a default). */
export type TargetInput = Partial<Omit<Target, 'id' | 'created_at' | 'updated_at'>> & { name: string; url: string };

/** Durations of the phases of one probe, in ms; null where the phase did not happen. */
export interface PhaseTimings {
  dns_ms: number | null;
  connect_ms: number | null;
  tls_ms: number | null;
  ttfb_ms: number | null;
  transfer_ms: number | null;
}

/** What a probe kind returns for one attempt. Never thrown: failures are data. */
export interface ProbeOutcome {
  ok: boolean;
  latency_ms: number;
  status_code: number | null;
  error_class: ErrorClass | null;
  error_message: string | null;
  phases: PhaseTimings;
  tls_expires_at: string | null;
  tls_issuer: string | null;
}

/** One stored probe result: an outcome plus who, where and when. `id` is a UUIDv7 minted by the prober. */
export interface ProbeResult extends ProbeOutcome {
  id: string;
  target_id: number;
  region: string;
  /** When the probe started (ISO 8601). */
  ts: string;
  /** When it was due (ISO 8601); ts - scheduled_at is the schedule lag. */
  scheduled_at: string;
}

/** A unit of work for a prober: probe `target` once, due at `scheduled_at`, worthless after `expires_at`. */
export interface ProbeJob {
  id: string;
  region: string;
  scheduled_at: string;
  expires_at: string;
  target: Pick<Target, 'id' | 'url' | 'type' | 'timeout_ms' | 'options'>;
}

/** Sent on `targets.changed` so schedulers (and caches) reload one target. */
export interface TargetChange {
  id: string;
  target_id: number;
  op: 'created' | 'updated' | 'deleted';
}
