// The Bus port: in-process (src/bus/memory.ts) and NATS JetStream (src/bus/nats.ts). Both give
// at-least-once delivery with explicit ack (a handler that resolves acks, one that rejects is
// redelivered later), durable groups, and the two shapes below. Every message carries a stable `id`
// so handlers can be idempotent. Contract tests: src/bus/bus.contract.ts.
import type { IncidentTransition } from '../domain/incident.js';
import type { ProbeJob, ProbeResult, TargetChange } from '../domain/types.js';

/** Topic → payload. Subjects on NATS are `pulseguard.<topic>.<key>` (see subjects.ts). */
export interface Topics {
  /** Work queue: each job to exactly one prober of the region. Key: region. */
  jobs: ProbeJob;
  /** Stream: every group (ingester, anomaly, api) sees every result. Key: `<region>.<target_id>`. */
  results: ProbeResult;
  /** Stream: incident transitions for the notifier and the api. Key: target id. */
  incidents: IncidentTransition;
  /** Fan-out: schedulers and caches reload the target. Key: 'changed'. */
  targets: TargetChange;
}
export type Topic = keyof Topics;

export interface Message<T> {
  data: T;
  subject: string;
  /** 1 on first delivery, more on redelivery. */
  deliveries: number;
}

export type Handler<T> = (msg: Message<T>) => Promise<void>;

export interface ConsumeOptions {
  /**
   * Durable group name. Members of one group share its messages (each to one member); every
   * group gets every message of the topic. For `jobs` there is one group per region.
   */
  group: string;
  /** Subject filter below the topic, e.g. the region for jobs (`eu`), `*.*` for all results. Default: all. */
  filter?: string;
  /** Max unacknowledged messages handed to this member at once (default 256). */
  concurrency?: number;
  /** Redeliver a message when its handler has not settled after this long (default 30,000 ms). */
  ackWaitMs?: number;
  /**
   * Keep a message while its handler runs (NATS: in-progress acks every ackWaitMs/3), so a long
   * handler is not redelivered and ackWaitMs only bounds how long a member that died holds it.
   */
  keepAlive?: boolean;
  /** Not durable: start at new messages only, forget the group when closed (live views, SSE). */
  ephemeral?: boolean;
}

export interface Subscription {
  /** Stops delivery; waits for handlers in flight. */
  close(): Promise<void>;
}

export interface Bus {
  readonly kind: 'memory' | 'nats';
  /** Resolves when the message is durably accepted (NATS: JetStream ack). `key` is the subject suffix. */
  publish<K extends Topic>(topic: K, key: string, data: Topics[K]): Promise<void>;
  consume<K extends Topic>(topic: K, opts: ConsumeOptions, handler: Handler<Topics[K]>): Promise<Subscription>;
  /** Resolves when the bus answers (NATS: a round trip to the server). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
