// The Bus on NATS JetStream: one stream per topic (`<prefix>_<topic>`, subjects `<prefix>.<topic>.>`),
// one pull consumer per group (src/bus/nats-consumer.ts). Publishes carry the message id as
// Nats-Msg-Id so a retried publish is stored once. The connection reconnects forever.
import { connect, DiscardPolicy, Events, NatsError, RetentionPolicy, StorageType, nanos } from 'nats';
import type { JetStreamClient, JetStreamManager, NatsConnection, StreamConfig } from 'nats';
import type { Bus, ConsumeOptions, Handler, Subscription, Topic, Topics } from './bus.js';
import { DEFAULT_CLOSE_TIMEOUT_MS, resolveConsumeOptions } from './consume-options.js';
import { Fifo } from './fifo.js';
import { NatsMember } from './nats-consumer.js';
import { PubAckPublisher, PublishError, WriteBatch } from './nats-publisher.js';
import { checkKey, checkPrefix, checkTopic, DEFAULT_PREFIX, filterSubject, streamName, streamSettings, subjectOf, TOPICS, type StreamSettings } from './subjects.js';
import { AppError, errorMessage } from '../errors.js';
import type { Logger } from '../util/log.js';

export interface NatsBusOptions {
  url: string;
  /** Replaces `pulseguard` in subjects and stream names. */
  prefix?: string;
  /** Connection name shown by the NATS server (e.g. `pulseguard-ingester`). */
  name?: string;
  log?: Logger;
  /** Per-topic stream limits over STREAM_DEFAULTS (src/bus/subjects.ts). */
  streams?: Partial<Record<Topic, Partial<StreamSettings>>>;
  /** Stream replicas in a NATS cluster (default 1). */
  replicas?: number;
  closeTimeoutMs?: number;
  /** Publishes awaiting their PubAck at once; more wait in line, so their timeouts do not run (default 1024). */
  maxPublishesInFlight?: number;
  /** How long a publish waits for its PubAck (default 5,000 ms). */
  publishTimeoutMs?: number;
  /** Lifetime of one pull request (default 10,000 ms). */
  fetchExpiresMs?: number;
  /** ping() fails after this long without an answer (default 2,000 ms). */
  pingTimeoutMs?: number;
}

const enc = new TextEncoder();
const RETENTION = { interest: RetentionPolicy.Interest, limits: RetentionPolicy.Limits } as const;

/** Connects (waiting for the server as long as it takes), then creates or updates the streams. */
export async function connectNatsBus(opts: NatsBusOptions): Promise<NatsBus> {
  const prefix = checkPrefix(opts.prefix ?? DEFAULT_PREFIX);
  const nc = await connect({
    servers: opts.url,
    name: opts.name ?? 'pulseguard',
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectTimeWait: 1000,
    // Notice a silently dead server within ~30 s instead of the default ~4 min.
    pingInterval: 10_000,
    maxPingOut: 3,
  });
  try {
    const jsm = await nc.jetstreamManager();
    const bus = new NatsBus(nc, jsm, prefix, opts);
    await bus.ensureStreams();
    return bus;
  } catch (e: unknown) {
    await nc.close();
    throw e;
  }
}

export class NatsBus implements Bus {
  readonly kind = 'nats' as const;
  private readonly js: JetStreamClient;
  private readonly publisher: PubAckPublisher;
  private readonly batch = new WriteBatch();
  private readonly subs = new Set<Subscription>();
  private readonly settings: Record<Topic, StreamSettings>;
  private inFlight = 0;
  private readonly waiting = new Fifo<() => void>();
  private ensuring: Promise<void> | undefined;
  private connected = true;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly prefix: string,
    private readonly opts: NatsBusOptions,
  ) {
    this.js = nc.jetstream();
    this.publisher = new PubAckPublisher(nc, opts.publishTimeoutMs ?? 5000, this.batch);
    this.settings = streamSettings(opts.streams);
    void this.watchStatus();
  }

  /** Creates each topic's stream, or updates its limits; a changed retention is a conflict. */
  ensureStreams(): Promise<void> {
    this.ensuring ??= this.doEnsureStreams().finally(() => (this.ensuring = undefined));
    return this.ensuring;
  }

  async publish<K extends Topic>(topic: K, key: string, data: Topics[K]): Promise<void> {
    if (this.closed) throw new AppError('unavailable', 'the bus is closed');
    checkTopic(topic);
    const subject = subjectOf(this.prefix, topic, checkKey(key));
    const payload = enc.encode(JSON.stringify(data));
    const id = (data as { id?: unknown }).id;
    const msgId = typeof id === 'string' ? id : undefined;
    if (this.inFlight >= (this.opts.maxPublishesInFlight ?? 1024)) await new Promise<void>((r) => this.waiting.push(r));
    else this.inFlight++;
    try {
      if (this.closed) throw new Error('the bus is closed');
      await this.publisher.publish(subject, payload, msgId).catch(async (e: unknown) => {
        // No stream took the subject (deleted, or a server that lost its state): recreate, retry once.
        if (!(e instanceof PublishError && e.noStream) || this.closed) throw e;
        await this.ensureStreams();
        return this.publisher.publish(subject, payload, msgId);
      });
    } catch (e: unknown) {
      throw new AppError('unavailable', `publish to ${subject} failed: ${errorMessage(e)}`);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight--;
    }
  }

  async consume<K extends Topic>(topic: K, opts: ConsumeOptions, handler: Handler<Topics[K]>): Promise<Subscription> {
    if (this.closed) throw new AppError('unavailable', 'the bus is closed');
    checkTopic(topic);
    const o = resolveConsumeOptions(opts);
    const member = new NatsMember({
      js: this.js,
      jsm: this.jsm,
      stream: streamName(this.prefix, topic),
      filterSubject: filterSubject(this.prefix, topic, o.filter),
      opts: o,
      handler: handler as unknown as Handler<unknown>,
      log: this.opts.log,
      closeTimeoutMs: this.opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
      fetchExpiresMs: this.opts.fetchExpiresMs ?? 10_000,
      connected: () => this.connected,
      batch: this.batch,
    });
    await member.start();
    const sub: Subscription = { close: () => member.close().finally(() => this.subs.delete(sub)) };
    this.subs.add(sub);
    return sub;
  }

  /** A JetStream round trip: fails when the server or JetStream does not answer in time. */
  async ping(): Promise<void> {
    if (this.nc.isClosed()) throw new AppError('unavailable', 'the bus is closed');
    const timeoutMs = this.opts.pingTimeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('unavailable', `NATS did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.jsm.getAccountInfo(), timeout]);
    } catch (e: unknown) {
      throw e instanceof AppError ? e : new AppError('unavailable', `NATS JetStream: ${errorMessage(e)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops every consumer (waiting for handlers), then drains the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subs].map((s) => s.close()));
    // Draining needs the server; while it is away there is nothing left to flush anyway.
    if (this.connected) await this.publisher.settled(this.opts.publishTimeoutMs ?? 5000);
    this.publisher.close();
    this.batch.flush();
    if (!this.connected) return this.nc.close();
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.nc.drain().then(() => true, () => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5000))),
    ]);
    clearTimeout(timer);
    if (!drained && !this.nc.isClosed()) await this.nc.close();
  }

  private async doEnsureStreams(): Promise<void> {
    for (const topic of TOPICS) {
      const s = this.settings[topic];
      const name = streamName(this.prefix, topic);
      const cfg: Partial<StreamConfig> = {
        name,
        subjects: [`${this.prefix}.${topic}.>`],
        retention: RETENTION[s.retention],
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        max_age: nanos(s.maxAgeMs),
        max_bytes: s.maxBytes,
        duplicate_window: nanos(Math.min(s.duplicateWindowMs, s.maxAgeMs)),
        num_replicas: this.opts.replicas ?? 1,
      };
      let have: StreamConfig | undefined;
      try {
        have = (await this.jsm.streams.info(name)).config;
      } catch (e: unknown) {
        if (!(e instanceof NatsError && e.api_error?.err_code === 10059)) throw e;
      }
      if (!have) await this.jsm.streams.add(cfg);
      else if (have.retention !== cfg.retention) {
        throw new AppError('conflict', `stream ${name} has retention "${have.retention}", want "${cfg.retention}"; delete the stream to change it`);
      } else if (have.max_age !== cfg.max_age || have.max_bytes !== cfg.max_bytes || have.duplicate_window !== cfg.duplicate_window || have.discard !== cfg.discard) {
        await this.jsm.streams.update(name, cfg);
      }
    }
  }

  private async watchStatus(): Promise<void> {
    const log = this.opts.log;
    for await (const s of this.nc.status()) {
      if (s.type === Events.Disconnect) {
        this.connected = false;
        log?.warn('NATS disconnected; reconnecting', { server: String(s.data) });
      } else if (s.type === Events.Reconnect) {
        this.connected = true;
        log?.info('NATS reconnected', { server: String(s.data) });
      }
    }
  }
}
