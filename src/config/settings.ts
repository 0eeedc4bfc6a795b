// Every setting PulseGuard reads: one table, the single source for the loader, `--help` and the
// README's configuration table (test/docs.test.ts keeps the README in step).

export type SettingType = 'string' | 'int' | 'bool' | 'list';

export interface Setting {
  /** Key in pulseguard.yaml. */
  key: string;
  env: string;
  type: SettingType;
  default: string | number | boolean | string[] | null;
  min?: number;
  max?: number;
  secret?: boolean;
  doc: string;
}

export const SETTINGS = [
  { key: 'port', env: 'PULSEGUARD_PORT', type: 'int', default: 8080, min: 0, max: 65535, doc: 'HTTP port of the API and dashboard.' },
  { key: 'host', env: 'PULSEGUARD_HOST', type: 'string', default: '0.0.0.0', doc: 'Address the API listens on.' },
  { key: 'health_port', env: 'PULSEGUARD_HEALTH_PORT', type: 'int', default: 8081, min: 0, max: 65535, doc: 'Port of `/health`, `/ready` and `/metrics` for roles without the API (scheduler, prober, ingester, ...).' },
  { key: 'data_dir', env: 'PULSEGUARD_DATA_DIR', type: 'string', default: './data', doc: 'Where the embedded store keeps its files (ignored when `DATABASE_URL` is set).' },
  { key: 'api_token', env: 'PULSEGUARD_API_TOKEN', type: 'string', default: null, secret: true, doc: 'Bearer token for the API. When unset, one is generated at first start, stored (hashed) and printed once.' },
  { key: 'auth_reads', env: 'PULSEGUARD_AUTH_READS', type: 'bool', default: true, doc: 'Whether reads (GET) need the token too. `/health`, `/ready` and `/metrics` never do.' },
  { key: 'database_url', env: 'DATABASE_URL', type: 'string', default: null, secret: true, doc: 'PostgreSQL URL. Unset: the embedded store (PGlite) under `data_dir`.' },
  { key: 'nats_url', env: 'NATS_URL', type: 'string', default: null, doc: 'NATS JetStream URL. Unset: the in-process bus (only with role `all`).' },
  { key: 'nats_prefix', env: 'PULSEGUARD_NATS_PREFIX', type: 'string', default: 'pulseguard', doc: 'Prefix of NATS subjects and stream names (isolates installations sharing a NATS).' },
  { key: 'slack_webhook_url', env: 'SLACK_WEBHOOK_URL', type: 'string', default: null, secret: true, doc: 'Creates a default Slack channel for every target without its own routing.' },
  { key: 'public_url', env: 'PULSEGUARD_PUBLIC_URL', type: 'string', default: null, doc: 'Base URL of the dashboard, used for links in notifications (default: http://localhost:<port>).' },
  { key: 'notify_retry_minutes', env: 'PULSEGUARD_NOTIFY_RETRY_MINUTES', type: 'int', default: 60, min: 1, max: 10080, doc: 'How long a failing notification is retried (exponential backoff with jitter, Retry-After honoured) before it is marked failed.' },
  { key: 'notify_group_wait_ms', env: 'PULSEGUARD_NOTIFY_GROUP_WAIT_MS', type: 'int', default: 2000, min: 0, max: 300000, doc: 'How long a new notification waits so that a burst (many targets down at once) goes out as one summary message per channel.' },
  { key: 'notify_rate_limit_per_minute', env: 'PULSEGUARD_NOTIFY_RATE_LIMIT_PER_MINUTE', type: 'int', default: 20, min: 1, max: 600, doc: 'Messages per minute per channel, unless the channel sets `rate_limit_per_minute`; what waits is grouped into the next message.' },
  { key: 'notify_timeout_ms', env: 'PULSEGUARD_NOTIFY_TIMEOUT_MS', type: 'int', default: 10000, min: 500, max: 120000, doc: 'Deadline of one notification attempt (connect, send, answer).' },
  { key: 'region', env: 'PULSEGUARD_REGION', type: 'string', default: 'default', doc: 'Region of this prober (also `--region`).' },
  { key: 'regions', env: 'PULSEGUARD_REGIONS', type: 'list', default: ['default'], doc: 'Every region probers run in (comma-separated). A target without its own list is probed from all of them.' },
  { key: 'down_quorum', env: 'PULSEGUARD_DOWN_QUORUM', type: 'int', default: 1, min: 1, max: 100, doc: 'How many of a target\'s regions must report failure before the target counts as down overall.' },
  { key: 'down_failures', env: 'PULSEGUARD_DOWN_FAILURES', type: 'int', default: 3, min: 1, max: 100, doc: 'Failed probes in a row before a region counts as down; a `down` incident opens when `down_quorum` regions are.' },
  { key: 'resolve_successes', env: 'PULSEGUARD_RESOLVE_SUCCESSES', type: 'int', default: 3, min: 1, max: 1000, doc: 'Successful (or normal) probes in a row before an incident resolves.' },
  { key: 'resolve_calm_s', env: 'PULSEGUARD_RESOLVE_CALM_S', type: 'int', default: 600, min: 0, max: 86400, doc: 'And this long since the last failed or abnormal probe; doubled for each incident of the same kind and target resolved in the last 3 hours (flapping).' },
  { key: 'tls_expiry_days', env: 'PULSEGUARD_TLS_EXPIRY_DAYS', type: 'int', default: 14, min: 0, max: 365, doc: 'Opens a `tls_expiry` incident when a target\'s certificate expires within this many days (0 = off).' },
  { key: 'anomaly_sensitivity', env: 'PULSEGUARD_ANOMALY_SENSITIVITY', type: 'string', default: 'normal', doc: 'Latency and error-rate anomalies: `low`, `normal`, `high` or `off` (detector score 0.6, 0.55, 0.52). Per target: `PUT /targets/:id/anomaly`.' },
  { key: 'anomaly_warmup_points', env: 'PULSEGUARD_ANOMALY_WARMUP_POINTS', type: 'int', default: 150, min: 5, max: 100000, doc: 'Probes a new series learns from before it may open latency or error-rate incidents (`down` needs none).' },
  { key: 'anomaly_snapshot_s', env: 'PULSEGUARD_ANOMALY_SNAPSHOT_S', type: 'int', default: 300, min: 5, max: 86400, doc: 'How often the anomaly role saves detector state to the store (also at shutdown), so a restart resumes warm.' },
  { key: 'concurrency', env: 'PULSEGUARD_CONCURRENCY', type: 'int', default: 1000, min: 1, max: 100000, doc: 'Probes in flight at once, per prober process.' },
  { key: 'probe_threads', env: 'PULSEGUARD_PROBE_THREADS', type: 'int', default: 0, min: 0, max: 64, doc: 'Worker threads that run the probes of this prober (0 = on the main thread). Helps large fleets when cores are free: the main thread keeps scheduling, storage and detection.' },
  { key: 'default_interval_s', env: 'PULSEGUARD_DEFAULT_INTERVAL_S', type: 'int', default: 60, min: 1, max: 86400, doc: 'Interval of a target created without one.' },
  { key: 'default_timeout_ms', env: 'PULSEGUARD_DEFAULT_TIMEOUT_MS', type: 'int', default: 10000, min: 100, max: 120000, doc: 'Timeout of a target created without one.' },
  { key: 'retention_days', env: 'PULSEGUARD_RETENTION_DAYS', type: 'int', default: 30, min: 1, max: 3650, doc: 'Raw probe results older than this are dropped (whole daily partitions).' },
  { key: 'ingest_batch', env: 'PULSEGUARD_INGEST_BATCH', type: 'int', default: 1000, min: 1, max: 20000, doc: 'Most results written in one insert.' },
  { key: 'ingest_flush_ms', env: 'PULSEGUARD_INGEST_FLUSH_MS', type: 'int', default: 250, min: 10, max: 60000, doc: 'Longest a result waits before its batch is written.' },
  { key: 'metrics_per_target', env: 'PULSEGUARD_METRICS_PER_TARGET', type: 'bool', default: true, doc: 'Export per-target series (`pulseguard_target_up`, latency). Turn off for very large fleets to bound label cardinality.' },
  { key: 'log_level', env: 'PULSEGUARD_LOG_LEVEL', type: 'string', default: 'info', doc: 'One of debug, info, warn, error.' },
] as const satisfies readonly Setting[];

type ValueOf<S extends Setting> = S['type'] extends 'int'
  ? number
  : S['type'] extends 'bool'
    ? boolean
    : S['type'] extends 'list'
      ? string[]
      : S['default'] extends null
        ? string | null
        : string;

/** The loaded configuration, keyed by yaml key. */
export type Config = { [S in (typeof SETTINGS)[number] as S['key']]: ValueOf<S> };
