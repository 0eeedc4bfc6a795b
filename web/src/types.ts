// Shapes of the API responses the dashboard reads (snake_case, as the API sends them).

export type Status = 'up' | 'down' | 'degraded' | 'paused' | 'unknown';

export interface Phases {
  dns_ms: number | null;
  connect_ms: number | null;
  tls_ms: number | null;
  ttfb_ms: number | null;
  transfer_ms: number | null;
}

export interface ProbeResult {
  id: string;
  target_id: number;
  region: string;
  ts: string;
  scheduled_at: string;
  ok: boolean;
  latency_ms: number;
  status_code: number | null;
  error_class: string | null;
  error_message: string | null;
  phases: Phases;
  tls_expires_at: string | null;
  tls_issuer: string | null;
}

export interface Target {
  id: number;
  name: string;
  url: string;
  type: string;
  enabled: boolean;
  interval_s: number;
  timeout_ms: number;
  regions: string[];
  labels: Record<string, string>;
  options: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface TargetWithStatus extends Target {
  status: Status;
  regions_status: Record<string, ProbeResult>;
}

export interface RegionState {
  ok: boolean;
  latency_ms: number;
  ts: string;
}

/** One row of GET /overview. */
export interface OverviewItem {
  id: number;
  name: string;
  url: string;
  enabled: boolean;
  labels: Record<string, string>;
  regions: string[];
  status: Status;
  latency_ms: number | null;
  last_ts: string | null;
  error_message: string | null;
  uptime_24h: number | null;
  uptime_7d: number | null;
  uptime_30d: number | null;
  sparkline: (number | null)[];
  regions_status: Record<string, RegionState>;
  open_incidents: number | null;
}

export interface Overview {
  generated_at: string;
  down_quorum: number;
  /** False while the server still computes uptime or sparklines (first request after start). */
  complete: boolean;
  items: OverviewItem[];
}

export interface Bucket {
  ts: string;
  count: number;
  ok_count: number;
  min_ms: number | null;
  max_ms: number | null;
  mean_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
}

export type RangeName = '1h' | '24h' | '7d' | '30d' | 'custom';

export interface Series {
  target_id: number;
  step: 'raw' | '1m' | '1h';
  from: string;
  to: string;
  buckets: Bucket[];
}

export interface Breakdown {
  total: number;
  ok: number;
  status_codes: { status_code: number | null; count: number }[];
  error_classes: { error_class: string; count: number }[];
}

export interface DailyUptime {
  days: { date: string; count: number; ok_count: number }[];
}

export interface Incident {
  id: string;
  target_id: number;
  target_name?: string;
  kind: string;
  /** open, acknowledged or resolved. */
  state?: string;
  severity?: string;
  started_at: string;
  ended_at?: string | null;
  regions?: string[];
  details?: Record<string, unknown>;
  acknowledged_at?: string | null;
  acknowledged_by?: string | null;
}

export interface Channel {
  id: number | string;
  name?: string;
  type: string;
  enabled?: boolean;
  config: Record<string, unknown>;
}

export type JsonSchema = {
  type?: string | string[];
  enum?: readonly unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  description?: string;
  default?: unknown;
  format?: string;
};

export interface Kinds {
  probes: { type: string; schemes: string[]; options_schema: JsonSchema; options_defaults: Record<string, unknown> }[];
  channels: { type: string; label: string; config_schema: JsonSchema; secret_fields: string[] }[];
}
