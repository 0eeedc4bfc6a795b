// One consume() member on NATS JetStream: a pull loop that asks for exactly as many messages as it
// has free handler slots (so no message waits in a local buffer while its ack wait runs), acks on
// resolve, naks with backoff on reject, and re-creates its consumer when the server lost it.
import { AckPolicy, DeliverPolicy, NatsError, nanos } from 'nats';
import type { Consumer, ConsumerConfig, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from 'nats';
import { randomBytes } from 'node:crypto';
import type { Handler, Subscription } from './bus.js';
import { nakDelayMs, type ResolvedConsumeOptions } from './consume-options.js';
import { Fifo } from './fifo.js';
import type { WriteBatch } from './nats-publisher.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../util/log.js';

export interface MemberDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  /** Full NATS filter subject, or undefined for the whole stream. */
  filterSubject: string | undefined;
  opts: ResolvedConsumeOptions;
  handler: Handler<unknown>;
  log: Logger | undefined;
  closeTimeoutMs: number;
  /** Lifetime of one pull request; a pull lost to a reconnect is replaced within about this long. */
  fetchExpiresMs: number;
  connected: () => boolean;
  /** Acks and naks go out in batches (one socket write per event-loop turn). */
  batch: WriteBatch;
}

const dec = new TextDecoder();
const CONSUMER_NOT_FOUND = 10014;
const STREAM_NOT_FOUND = 10059;

export const isNotFound = (e: unknown): boolean =>
  e instanceof NatsError && (e.api_error?.err_code === CONSUMER_NOT_FOUND || e.api_error?.err_code === STREAM_NOT_FOUND || /not found/i.test(e.message));

const safely = (fn: () => void): void => {
  try {
    fn();
  } catch {
    // The connection is closed: the server redelivers after the ack wait.
  }
};

export class NatsMember implements Subscription {
  private consumer: Consumer | undefined;
  private readonly name: string;
  private readonly running = new Set<JsMsg>();
  /** Messages received beyond the free slots (a pull re-sent after a reconnect may over-deliver). */
  private readonly backlog = new Fifo<JsMsg>();
  private readonly fetches = new Set<ConsumerMessages>();
  private requested = 0;
  private failures = 0;
  private retryAt = 0;
  private closing = false;
  private closed: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  /** Messages asked for per pull: a quarter of the slots (see loop()). */
  private readonly pullSize: number;
  private keepAliveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly d: MemberDeps) {
    const { group, ephemeral, concurrency } = d.opts;
    this.name = ephemeral ? `${group}-${randomBytes(6).toString('hex')}` : group;
    this.pullSize = Math.max(1, Math.floor(concurrency / 4));
  }

  /** Creates or updates the consumer, then starts pulling. */
  async start(): Promise<void> {
    await this.ensureConsumer();
    this.loopDone = this.loop();
    if (this.d.opts.keepAlive) {
      // In-progress acks: the server restarts each running message's ack wait.
      this.keepAliveTimer = setInterval(() => {
        for (const m of this.running) safely(() => m.working());
      }, Math.max(100, Math.floor(this.d.opts.ackWaitMs / 3)));
      this.keepAliveTimer.unref();
    }
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private desiredConfig(): Partial<ConsumerConfig> {
    const { opts, filterSubject } = this.d;
    const cfg: Partial<ConsumerConfig> = {
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(opts.ackWaitMs),
      // Members enforce their own concurrency; the server-wide cap leaves room for many members.
      max_ack_pending: Math.max(1024, opts.concurrency * 16),
      max_deliver: -1,
    };
    if (filterSubject) cfg.filter_subject = filterSubject;
    if (opts.ephemeral) {
      cfg.name = this.name;
      cfg.deliver_policy = DeliverPolicy.New;
      cfg.inactive_threshold = nanos(Math.max(60_000, 2 * opts.ackWaitMs));
    } else {
      cfg.durable_name = this.name;
      cfg.deliver_policy = DeliverPolicy.All;
    }
    return cfg;
  }

  /** Idempotent: creates the consumer, or updates it when the options changed. */
  private async ensureConsumer(): Promise<void> {
    const { jsm, js, stream } = this.d;
    const want = this.desiredConfig();
    let have: Partial<ConsumerConfig> | undefined;
    try {
      have = this.d.opts.ephemeral ? undefined : (await jsm.consumers.info(stream, this.name)).config;
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
    if (!have) await jsm.consumers.add(stream, want);
    else if (
      have.ack_wait !== want.ack_wait || have.max_deliver !== want.max_deliver ||
      (have.max_ack_pending ?? 0) < (want.max_ack_pending ?? 0) || (have.filter_subject || undefined) !== want.filter_subject
    ) {
      await jsm.consumers.update(stream, this.name, {
        ack_wait: want.ack_wait, max_deliver: want.max_deliver, filter_subject: want.filter_subject,
        max_ack_pending: Math.max(have.max_ack_pending ?? 0, want.max_ack_pending ?? 0),
      });
    }
    this.consumer = await js.consumers.get(stream, this.name);
  }

  private async loop(): Promise<void> {
    const { concurrency } = this.d.opts;
    while (!this.closing) {
      const waitMs = this.retryAt - Date.now();
      if (waitMs > 0) {
        await this.pause(waitMs);
        continue;
      }
      if (!this.d.connected()) {
        // A pull sent now would sit in the client's buffer and reach the server stale after a reconnect.
        await this.pause(500);
        continue;
      }
      if (!this.consumer) {
        await this.ensureConsumer().then(() => (this.failures = 0), (e: unknown) => this.fail(e));
        continue;
      }
      const free = concurrency - this.running.size - this.requested - this.backlog.length;
      if (free < this.pullSize) {
        await this.pause();
        continue;
      }
      // Pulls of a quarter of the slots each: the server fills waiting pulls oldest first, so members
      // sharing a consumer take turns instead of the first one's big pull taking every message.
      const n = this.pullSize;
      this.requested += n;
      try {
        const iter = await this.consumer.fetch({ max_messages: n, expires: this.d.fetchExpiresMs });
        void this.drain(iter, n);
      } catch (e: unknown) {
        this.requested -= n;
        this.fail(e);
      }
    }
  }

  /** Hands the messages of one pull to handlers as they arrive. */
  private async drain(iter: ConsumerMessages, granted: number): Promise<void> {
    this.fetches.add(iter);
    const startedAt = Date.now();
    let received = 0;
    try {
      for await (const m of iter) {
        if (received < granted) {
          received++;
          this.requested--;
        }
        if (this.closing) safely(() => m.nak());
        else if (this.running.size < this.d.opts.concurrency) this.run(m);
        else this.backlog.push(m);
      }
      // A pull that ends at once with nothing (a server status) must not turn into a busy loop.
      if (received === 0 && Date.now() - startedAt < 100) this.retryAt = Date.now() + 250;
      else this.failures = 0;
    } catch (e: unknown) {
      this.fail(e);
    } finally {
      this.requested -= granted - received;
      this.fetches.delete(iter);
      this.signal();
    }
  }

  private run(m: JsMsg): void {
    let data: unknown;
    try {
      data = JSON.parse(dec.decode(m.data));
    } catch (e: unknown) {
      // Not JSON can never succeed: terminate rather than redeliver forever.
      this.d.log?.error('bus message is not JSON; terminated', { subject: m.subject, seq: m.seq, error: errorMessage(e) });
      safely(() => m.term());
      return;
    }
    this.running.add(m);
    // The delivery count is parsed from the reply subject only when asked for (most handlers never do).
    const msg = { data, subject: m.subject, get deliveries() { return m.info.redeliveryCount; } };
    let p: Promise<void>;
    try {
      p = Promise.resolve(this.d.handler(msg));
    } catch (e: unknown) {
      p = Promise.reject(e);
    }
    p.then(
      () => this.settle(m, () => m.ack()),
      () => this.settle(m, () => m.nak(nakDelayMs(m.info.redeliveryCount))),
    );
  }

  private settle(m: JsMsg, reply: () => void): void {
    if (!this.running.delete(m)) return;
    this.d.batch.add(() => safely(reply));
    const next = this.closing ? undefined : this.backlog.shift();
    if (next) this.run(next);
    this.signal();
  }

  private fail(e: unknown): void {
    this.failures++;
    // The consumer may be gone (deleted, or a server that lost its state): check it before the next pull.
    this.consumer = undefined;
    if (this.failures === 1 && !this.closing) {
      this.d.log?.warn('bus pull failed; retrying', { stream: this.d.stream, consumer: this.name, error: errorMessage(e) });
    }
    this.retryAt = Date.now() + Math.min(250 * 2 ** Math.min(this.failures, 5), 5000);
  }

  /** Waits for a handler to settle, a pull to end or close(); at most `ms`. */
  private pause(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.signal(), ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.keepAliveTimer);
    this.signal();
    await Promise.all([...this.fetches].map((f) => f.close()));
    await this.loopDone;
    for (let m = this.backlog.shift(); m; m = this.backlog.shift()) safely(() => m.nak());
    const deadline = Date.now() + this.d.closeTimeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) await this.pause(deadline - Date.now());
    // Handlers still running give their messages back so another member can take them now.
    for (const m of this.running) safely(() => m.nak());
    this.running.clear();
    this.d.batch.flush();
    // Best effort: a forgotten ephemeral consumer is removed by the server after inactive_threshold.
    if (this.d.opts.ephemeral && this.d.connected()) await this.d.jsm.consumers.delete(this.d.stream, this.name).catch(() => false);
  }
}
