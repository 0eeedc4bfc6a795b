// The incident part of the Store port: incidents, per-target anomaly overrides and detector state
// snapshots. Implemented in SQL (src/store/sql/incidents.ts, sql/anomaly.ts) over either executor.
import type { Incident, IncidentDetails, IncidentKind, IncidentSeverity } from '../domain/incident.js';

export interface NewIncident {
  target_id: number;
  kind: IncidentKind;
  severity: IncidentSeverity;
  started_at: string;
  regions: string[];
  details: IncidentDetails;
}

export interface IncidentFilter {
  target_id?: number;
  kind?: IncidentKind;
  /** `open` = not resolved (acknowledged included); `acknowledged` = acknowledged and not resolved. */
  state?: 'open' | 'acknowledged' | 'resolved';
  /** Incidents active at any time in [from, to] (ISO 8601). */
  from?: string;
  to?: string;
  /** Newest first, at most this many (default 100, max 1,000). */
  limit?: number;
}

export interface IncidentStore {
  /**
   * Opens an incident unless one of that (target, kind) is open already (partial unique index).
   * Returns the open row and whether this call created it; null when the target does not exist.
   */
  open(input: NewIncident): Promise<{ incident: Incident; created: boolean } | null>;
  /** Replaces the regions and evidence of an open incident; null when it is not open. */
  update(id: string, regions: string[], details: IncidentDetails): Promise<Incident | null>;
  /** Resolves an open incident at `endedAt`; null when it is not open (already resolved or gone). */
  resolve(id: string, endedAt: string, details: IncidentDetails): Promise<Incident | null>;
  /**
   * Acknowledges an open incident. `changed` is false when it was acknowledged already (kept as it
   * was); throws AppError('conflict') when it is resolved; null when the id does not exist.
   */
  acknowledge(id: string, by: string, at: string): Promise<{ incident: Incident; changed: boolean } | null>;
  get(id: string): Promise<Incident | null>;
  list(filter?: IncidentFilter): Promise<Incident[]>;
  /** Every open incident (for the anomaly role at start). */
  listOpen(): Promise<Incident[]>;
  /** Open (unresolved) incidents per target id, for the overview. */
  openCounts(): Promise<Map<number, number>>;
}

export const SENSITIVITIES = ['off', 'low', 'normal', 'high'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];
export const DIRECTIONS = ['up', 'down', 'both'] as const;
/** Which latency changes count: `up` = only slower (default), `down` = only faster, `both`. */
export type Direction = (typeof DIRECTIONS)[number];

/** Per-target overrides of the anomaly defaults; null = use the default. */
export interface AnomalyOverrides {
  sensitivity: Sensitivity | null;
  detector: string | null;
  direction: Direction | null;
  min_change_ms: number | null;
  min_change_pct: number | null;
}

export interface StoredOverrides extends AnomalyOverrides {
  target_id: number;
  updated_at: string;
}

/** One persisted series state: `state` is JSON the anomaly engine wrote and reads back. */
export interface DetectorStateRow {
  target_id: number;
  region: string;
  metric: string;
  state: unknown;
}

export interface AnomalyStore {
  getOverrides(targetId: number): Promise<StoredOverrides | null>;
  /** Replaces a target's overrides (all null = deletes the row). Null when the target does not exist. */
  putOverrides(targetId: number, o: AnomalyOverrides): Promise<StoredOverrides | null>;
  listOverrides(): Promise<StoredOverrides[]>;
  /** Upserts snapshots; rows of targets deleted meanwhile are skipped. */
  saveStates(rows: DetectorStateRow[]): Promise<void>;
  /** Every snapshot (one row per target, region and metric). */
  loadStates(): Promise<DetectorStateRow[]>;
}
