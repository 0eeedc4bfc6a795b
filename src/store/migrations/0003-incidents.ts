// Incidents (at most one open per target and kind, enforced by a partial unique index), per-target
// anomaly overrides, and detector state snapshots so a restarted anomaly role resumes warm.
// Rows go with their target (ON DELETE CASCADE). See docs/anomaly.md.
import type { Migration } from '../migrate.js';

const sql = `
CREATE TABLE incidents (
  id uuid PRIMARY KEY,
  target_id bigint NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
  kind text NOT NULL,
  severity text NOT NULL DEFAULT 'warning',
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  acknowledged_at timestamptz,
  acknowledged_by text,
  regions text[] NOT NULL DEFAULT '{}',
  details jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX incidents_one_open ON incidents (target_id, kind) WHERE ended_at IS NULL;
CREATE INDEX incidents_target_started ON incidents (target_id, started_at DESC);
CREATE INDEX incidents_started ON incidents (started_at DESC);

-- NULL = the global default for that field.
CREATE TABLE anomaly_settings (
  target_id bigint PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,
  sensitivity text,
  detector text,
  direction text,
  min_change_ms double precision,
  min_change_pct double precision,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per (target, region, metric): the detector snapshot plus the incident engine's counters.
CREATE TABLE detector_state (
  target_id bigint NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
  region text NOT NULL,
  metric text NOT NULL,
  state jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target_id, region, metric)
);
`;

export default { version: 3, name: 'incidents', sql } satisfies Migration;
