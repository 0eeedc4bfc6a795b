// The in-process bus of the embedded mode (role `all`). Same contract as the NATS bus
// (src/bus/bus.contract.ts) but nothing is serialised: every group is handed the same object,
// frozen at publish, so handlers must treat messages as read-only. State dies with the process.
import type { Bus, ConsumeOptions, Handler, Subscription, Topic, Topics } from './bus.js';
import { DEFAULT_CLOSE_TIMEOUT_MS, resolveConsumeOptions } from './consume-options.js';
import { Group, Member } from './memory-group.js';
import { checkKey, checkPrefix, DEFAULT_PREFIX, subjectOf, TOPICS } from './subjects.js';
import { AppError, validationError } from '../errors.js';
import type { Logger } from '../util/log.js';

export interface MemoryBusOptions {
  /** Subject prefix, as on NATS (default `pulseguard`). */
  prefix?: string;
  /** Queued messages per group before the oldest are dropped (logged); default 250,000. */
  maxPendingPerGroup?: number;
  /** A repeated message id is dropped for at least half of this window (default 10,000 ms). */
  dedupeWindowMs?: number;
  /** How long close() waits for handlers in flight (default 10,000 ms). */
  closeTimeoutMs?: number;
  log?: Logger;
}

/** How often redelivery (ack wait, nak backoff) is checked: one timer per bus, not per message. */
const SWEEP_MS = 250;

interface TopicState {
  durable: Map<string, Group>;
  /** Durable and ephemeral groups, in the order publish visits them. */
  groups: Group[];
}

export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly prefix: string;
  private readonly topics = new Map<Topic, TopicState>();
  private readonly subs = new Set<Subscription>();
  private readonly maxPending: number;
  private readonly dedupeWindowMs: number;
  private readonly closeTimeoutMs: number;
  private seen = new Set<string>();
  private seenBefore = new Set<string>();
  private rotatedAt = Date.now();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: MemoryBusOptions = {}) {
    this.prefix = checkPrefix(opts.prefix ?? DEFAULT_PREFIX);
    this.maxPending = opts.maxPendingPerGroup ?? 250_000;
    this.dedupeWindowMs = opts.dedupeWindowMs ?? 10_000;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    for (const t of TOPICS) this.topics.set(t, { durable: new Map(), groups: [] });
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  async publish<K extends Topic>(topic: K, key: string, data: Topics[K]): Promise<void> {
    if (this.closed) throw new AppError('unavailable', 'the bus is closed');
    const state = this.state(topic);
    checkKey(key);
    const id = (data as { id?: unknown }).id;
    if (typeof id === 'string') {
      if (this.seen.has(id) || this.seenBefore.has(id)) return;
      this.seen.add(id);
    }
    // Groups share this object; freezing catches a handler (or publisher) that mutates it.
    Object.freeze(data);
    const subject = subjectOf(this.prefix, topic, key);
    for (const g of state.groups) g.offer(key, data, subject);
  }

  async consume<K extends Topic>(topic: K, opts: ConsumeOptions, handler: Handler<Topics[K]>): Promise<Subscription> {
    if (this.closed) throw new AppError('unavailable', 'the bus is closed');
    const state = this.state(topic);
    const o = resolveConsumeOptions(opts);
    let group = o.ephemeral ? undefined : state.durable.get(o.group);
    if (group) group.setFilter(o.filter);
    else {
      group = new Group(o.group, o.ephemeral, o.filter, this.maxPending);
      if (!o.ephemeral) state.durable.set(o.group, group);
      state.groups.push(group);
    }
    const member = new Member(handler as unknown as Handler<unknown>, o.concurrency, o.ackWaitMs, o.keepAlive);
    group.join(member);
    const g = group;
    let closing: Promise<void> | undefined;
    const sub: Subscription = {
      close: () => {
        closing ??= g.leave(member, this.closeTimeoutMs).then(() => {
          this.subs.delete(sub);
          // An ephemeral group is forgotten with its member; a durable one keeps queueing.
          if (g.ephemeral) {
            state.groups = state.groups.filter((x) => x !== g);
            g.clear();
          }
        });
        return closing;
      },
    };
    this.subs.add(sub);
    return sub;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new AppError('unavailable', 'the bus is closed');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subs].map((s) => s.close()));
    clearInterval(this.sweeper);
    for (const s of this.topics.values()) for (const g of s.groups) g.clear();
  }

  /** Messages a durable group has not acked yet (queued, retrying or in flight); for tests and metrics. */
  pending(topic: Topic, group: string): number {
    return this.state(topic).durable.get(group)?.pending ?? 0;
  }

  private state(topic: Topic): TopicState {
    const s = this.topics.get(topic);
    if (!s) throw validationError('topic', `unknown topic "${String(topic)}"`);
    return s;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [topic, s] of this.topics) {
      for (const g of s.groups) {
        g.sweep(now);
        if (g.dropped > 0) {
          this.opts.log?.warn('memory bus queue full; dropped the oldest messages', { topic, group: g.name, dropped: g.dropped });
          g.dropped = 0;
        }
      }
    }
    if (now - this.rotatedAt >= this.dedupeWindowMs / 2) {
      this.seenBefore = this.seen;
      this.seen = new Set();
      this.rotatedAt = now;
    }
  }
}
