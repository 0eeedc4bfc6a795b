// The notification part of the Store port: channels and routes, the delivery outbox, the
// incidents the notifier knows, maintenance windows. Implemented in SQL (src/store/sql/notify.ts)
// over a Db, so a service can run several of them in one transaction.
import type { IncidentEvent, IncidentInfo } from '../notify/event.js';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'suppressed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_TRANSITIONS = ['opened', 'acknowledged', 'resolved', 'reminder', 'test'] as const;
export type DeliveryTransition = (typeof DELIVERY_TRANSITIONS)[number];
export type ManagedBy = 'api' | 'config' | 'env';

/** A channel as stored: `config` holds secrets in clear, so it never leaves the process unmasked. */
export interface ChannelRecord {
  id: number;
  name: string;
  type: string;
  config: Record<string, unknown>;
  enabled: boolean;
  /** Serves every target without routes of its own. */
  default: boolean;
  /** Remind while an incident stays open (and unacknowledged); null = never. */
  remind_every_minutes: number | null;
  /** Messages per minute this channel may get; null = the notifier's default. */
  rate_limit_per_minute: number | null;
  managed_by: ManagedBy;
  created_at: string;
  updated_at: string;
}
export type ChannelFields = Omit<ChannelRecord, 'id' | 'created_at' | 'updated_at'>;

export interface ChannelStore {
  list(): Promise<ChannelRecord[]>;
  get(id: number): Promise<ChannelRecord | null>;
  /** Throws AppError('conflict', field `name`) when the name is taken. */
  create(f: ChannelFields): Promise<ChannelRecord>;
  /** Null when the id does not exist; AppError('conflict') on a taken name. */
  update(id: number, patch: Partial<ChannelFields>): Promise<ChannelRecord | null>;
  /** Inserts or replaces the channel of that name (config files, environment). */
  upsertByName(f: ChannelFields): Promise<ChannelRecord>;
  delete(id: number): Promise<boolean>;
  /** Deletes channels managed by `by` whose names are not in `keep`; returns their names. */
  deleteManagedExcept(by: ManagedBy, keep: string[]): Promise<string[]>;
  /** Channel ids a target routes to explicitly (empty = default routing). */
  routesOf(targetId: number): Promise<number[]>;
  /** Replaces a target's routes; unknown channel ids throw AppError('validation', `channel_ids`). */
  setRoutes(targetId: number, channelIds: number[]): Promise<void>;
  /** The enabled channels a target's notifications go to: its routes, or the default channels. */
  forTarget(targetId: number): Promise<ChannelRecord[]>;
}

/** One outbox row as the API shows it (the event itself is left out). */
export interface DeliveryRecord {
  id: number;
  channel_id: number;
  channel_name: string | null;
  channel_type: string;
  event_id: string;
  incident_id: string;
  target_id: number;
  transition: DeliveryTransition;
  seq: number;
  status: DeliveryStatus;
  /** Why it was suppressed, or how it was settled. */
  note: string | null;
  attempts: number;
  next_attempt_at: string;
  last_status: number | null;
  /** Scrubbed of secrets by the channel. */
  last_error: string | null;
  /** How many incidents the message it went out in carried (1 = alone). */
  group_size: number | null;
  created_at: string;
  settled_at: string | null;
}

export interface NewDelivery {
  channel_id: number;
  channel_type: string;
  event_id: string;
  incident_id: string;
  target_id: number;
  transition: DeliveryTransition;
  seq: number;
  /** The single-incident event to send. */
  event: IncidentEvent;
  status: DeliveryStatus;
  note?: string | null;
  /** Not due before now + this (the burst grouping wait); default 0. */
  delayMs?: number;
  /** For rows settled at once (test sends). */
  last_status?: number | null;
  last_error?: string | null;
}

/** A row a worker took: locked by it until sent, retried or released. */
export interface ClaimedDelivery {
  id: number;
  transition: DeliveryTransition;
  event: IncidentEvent;
  attempts: number;
  created_at: string;
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  channel_id?: number;
  target_id?: number;
  incident_id?: string;
  transition?: DeliveryTransition;
  /** Created at or after (ISO 8601). */
  since?: string;
  /** Only rows with a smaller id (paging backwards). */
  before_id?: number;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface ClaimOptions {
  holder: string;
  limit: number;
  /** The lock lasts this long; after it, a crashed holder's rows are taken by others. */
  lockMs: number;
  /** First attempts due within this much are taken along (grouping); retries only when due. */
  groupWaitMs: number;
}

/** How an attempt ended, for the rows of one message. */
export type Settlement =
  | { outcome: 'delivered'; status?: number; groupSize: number }
  | { outcome: 'retry'; status?: number; error: string; delayMs: number; giveUpAfterMs: number; groupSize: number }
  | { outcome: 'failed'; status?: number; error: string; groupSize: number }
  | { outcome: 'suppressed'; note: string }
  /** Shutdown: unlock without counting an attempt. */
  | { outcome: 'released' };

export interface DeliveryStore {
  /** Writes rows; one whose (channel, incident, transition, seq) exists is skipped. Returns those written. */
  insert(rows: NewDelivery[]): Promise<Array<{ id: number; channel_id: number; status: DeliveryStatus }>>;
  /** Locks the channel's due rows of one transition (the oldest due row's), oldest first. */
  claim(channelId: number, o: ClaimOptions): Promise<ClaimedDelivery[]>;
  /** Settles claimed rows; a retry past a row's giveUpAfterMs (from its creation) fails it. Returns final statuses. */
  settle(ids: number[], s: Settlement): Promise<Array<{ id: number; status: DeliveryStatus }>>;
  /** Pending rows per channel, and whether any is due now. */
  pendingByChannel(): Promise<Array<{ channel_id: number; pending: number; due: number }>>;
  list(f?: DeliveryFilter): Promise<DeliveryRecord[]>;
  get(id: number): Promise<DeliveryRecord | null>;
  /** Whether an `opened` row of this incident on this channel was (or is being) delivered. */
  openedWasSent(channelId: number, incidentId: string): Promise<boolean>;
  /** Reminder candidates: open, unacknowledged incidents whose last opened/reminder row on a reminding channel is older than its interval. */
  remindersDue(): Promise<Array<{ channel_id: number; incident_id: string; next_seq: number }>>;
  /** Deletes settled rows created before `before`, and incidents resolved before it; returns rows deleted. */
  prune(before: Date): Promise<number>;
}

/** What the notifier knows of an incident from the transitions it received. */
export interface NotifiedIncident {
  id: string;
  target_id: number;
  info: IncidentInfo;
  opened_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
}

export interface NotifiedIncidentStore {
  /** Records a transition; returns the state before it (null when new). */
  record(info: IncidentInfo, transition: 'opened' | 'acknowledged' | 'resolved', at: string): Promise<NotifiedIncident | null>;
  get(id: string): Promise<NotifiedIncident | null>;
}

export interface MaintenanceWindow {
  id: number;
  /** Null: every target. */
  target_id: number | null;
  starts_at: string;
  ends_at: string;
  reason: string;
  created_at: string;
}

export interface MaintenanceStore {
  create(w: Omit<MaintenanceWindow, 'id' | 'created_at'>): Promise<MaintenanceWindow>;
  /** Newest first; `activeAt` keeps windows covering that time, `target_id` those for it or for all. */
  list(f?: { activeAt?: string; target_id?: number; includeEnded?: boolean }): Promise<MaintenanceWindow[]>;
  delete(id: number): Promise<boolean>;
  /** The window covering `at` for this target (or for all), if any. */
  covering(targetId: number, at: string): Promise<MaintenanceWindow | null>;
}

export interface NotifyStore {
  channels: ChannelStore;
  deliveries: DeliveryStore;
  incidents: NotifiedIncidentStore;
  maintenance: MaintenanceStore;
}
