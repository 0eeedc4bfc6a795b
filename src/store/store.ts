// The Store port: one interface, split by aggregate, implemented once in SQL (src/store/sql/)
// over two executors: embedded PGlite and PostgreSQL (src/store/db.ts). Tests in
// src/store/store.contract.ts run against both.
import type { ProbeResult, Target, TargetInput } from '../domain/types.js';
import type { AnomalyStore, IncidentStore } from './incident-store.js';

/** A minimal SQL executor both PGlite and node-postgres satisfy. Parameters are $1, $2, ... */
export interface Db {
  readonly kind: 'embedded' | 'postgres';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface ListTargetsFilter {
  enabled?: boolean;
  /** Only targets probed from this region (targets with no regions are probed everywhere). */
  region?: string;
}

export interface TargetStore {
  list(filter?: ListTargetsFilter): Promise<Target[]>;
  get(id: number): Promise<Target | null>;
  /** Input must already be validated and defaulted (services/targets). */
  create(input: Omit<Target, 'id' | 'created_at' | 'updated_at'>): Promise<Target>;
  /** Replaces the given fields; returns null when the id does not exist. */
  update(id: number, patch: Partial<TargetInput>): Promise<Target | null>;
  /** Returns false when the id does not exist. Its results go with it. */
  delete(id: number): Promise<boolean>;
  /**
   * A cheap summary (count, newest id, newest change) that differs after any create, update or
   * delete: periodic full re-reads skip the list when it has not moved.
   */
  fingerprint(): Promise<string>;
}

export interface HistoryQuery {
  from?: string;
  to?: string;
  /** Newest first, at most this many (default 100, max 10,000). */
  limit?: number;
  region?: string;
}

export interface ResultStore {
  /** Writes results in one multi-row insert; a result whose id is already stored, or whose target does not exist, is skipped. Returns rows written. */
  insertBatch(results: ProbeResult[]): Promise<number>;
  /** One target's results, newest first. */
  history(targetId: number, q?: HistoryQuery): Promise<ProbeResult[]>;
  /** The newest result of every target (and region), for the overview and status. */
  latest(): Promise<ProbeResult[]>;
  /** Drops results older than `before` (whole partitions where possible). Returns partitions/rows dropped. */
  deleteBefore(before: Date): Promise<number>;
  /** Computes 1-minute and 1-hour rollups of every bucket that ended before `upTo` and is not rolled up yet. */
  rollup(upTo: Date): Promise<void>;
  /** Aggregated latency/availability buckets of one target, oldest first (from rollups, or raw for `raw`). */
  series(targetId: number, q: SeriesQuery): Promise<SeriesBucket[]>;
  /** Probe and ok counts per target since `since` (rollups plus the raw tail), for uptime %. Targets without results are absent. */
  uptime(since: Date, targetIds?: number[]): Promise<UptimeCount[]>;
}

export interface SeriesQuery {
  from: Date;
  to: Date;
  /** Bucket width: raw rows as 1-sample buckets, 1-minute or 1-hour rollups. */
  step: 'raw' | '1m' | '1h';
  region?: string;
}

/** One time bucket of a target's results; latency figures in ms over ok and failed probes alike. */
export interface SeriesBucket {
  ts: string;
  count: number;
  ok_count: number;
  min_ms: number | null;
  max_ms: number | null;
  mean_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
}

export interface UptimeCount {
  target_id: number;
  count: number;
  ok_count: number;
}

export interface SettingsStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
}

export interface Store {
  readonly kind: 'embedded' | 'postgres';
  readonly db: Db;
  readonly targets: TargetStore;
  readonly results: ResultStore;
  readonly settings: SettingsStore;
  /** Incidents (src/store/incident-store.ts). */
  readonly incidents: IncidentStore;
  /** Per-target anomaly overrides and detector snapshots. */
  readonly anomaly: AnomalyStore;
  /** Applies pending migrations (idempotent, safe to run concurrently from several processes). */
  migrate(): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
