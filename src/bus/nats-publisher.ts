// JetStream publishing without a request per message: every publish goes out with a reply subject
// under one inbox, and PubAcks are matched back by number. nats.js `js.publish()` costs a timer, a
// subscription entry and a promise chain each; this path measured 2-4x more publishes/s (docs/bus.md).
import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from 'nats';

interface Pending {
  resolve: () => void;
  reject: (e: Error) => void;
  sentAt: number;
}

/** A publish the server refused or did not acknowledge; `noStream` means no stream took the subject. */
export class PublishError extends Error {
  constructor(message: string, readonly noStream = false) {
    super(message);
    this.name = 'PublishError';
  }
}

const dec = new TextDecoder();
const SWEEP_MS = 250;

/**
 * Runs queued writes together on the next turn of the event loop. nats.js flushes its socket
 * buffer in a microtask, so writes issued from many promise callbacks each become a syscall;
 * batching them gave ~1.7x more publishes/s (docs/bus.md).
 */
export class WriteBatch {
  private queue: (() => void)[] = [];
  private scheduled = false;

  add(write: () => void): void {
    this.queue.push(write);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  /** Runs what is queued now (before the connection drains). */
  flush(): void {
    this.run();
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const q = this.queue;
    this.queue = [];
    for (const write of q) write();
  };
}

export class PubAckPublisher {
  private readonly inbox = createInbox();
  private readonly sub: Subscription;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private idle: (() => void)[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
    private readonly batch: WriteBatch,
  ) {
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (_err, msg) => this.onAck(msg) });
  }

  /** Resolves on the stream's PubAck (a duplicate counts as stored); rejects with PublishError. */
  publish(subject: string, payload: Uint8Array, msgId: string | undefined): Promise<void> {
    const n = this.next++;
    const h = msgId === undefined ? undefined : headers();
    h?.set('Nats-Msg-Id', msgId!);
    return new Promise<void>((resolve, reject) => {
      this.pending.set(n, { resolve, reject, sentAt: Date.now() });
      this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
      this.batch.add(() => {
        try {
          this.nc.publish(subject, payload, { reply: `${this.inbox}.${n}`, headers: h });
        } catch (e: unknown) {
          if (this.pending.delete(n)) reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
  }

  /** Resolves when no publish awaits its PubAck (at most `timeoutMs`). */
  async settled(timeoutMs: number): Promise<void> {
    if (this.pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.idle.push(resolve);
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
  }

  /** Rejects what is still waiting and stops listening. */
  close(): void {
    this.sub.unsubscribe();
    this.failAll(new PublishError('the bus is closed'));
  }

  private onAck(msg: Msg): void {
    const n = Number(msg.subject.slice(this.inbox.length + 1));
    const p = this.pending.get(n);
    if (!p) return;
    this.pending.delete(n);
    if (this.pending.size === 0) for (const w of this.idle.splice(0)) w();
    if (msg.headers?.hasError) {
      // A 503 status: no stream listens on the subject.
      p.reject(new PublishError(`${msg.headers.code} ${msg.headers.description || 'no responders'}`, msg.headers.code === 503));
      return;
    }
    try {
      const ack = JSON.parse(dec.decode(msg.data)) as { stream?: string; error?: { description?: string; code?: number } };
      if (ack.error) p.reject(new PublishError(ack.error.description ?? `error ${String(ack.error.code)}`));
      else if (!ack.stream) p.reject(new PublishError('invalid PubAck'));
      else p.resolve();
    } catch {
      p.reject(new PublishError('invalid PubAck'));
    }
  }

  /** One timer for all publishes: PubAcks older than the timeout fail. */
  private sweep(): void {
    const cutoff = Date.now() - this.timeoutMs;
    for (const [n, p] of this.pending) {
      // Map order is insertion order, so the first young entry ends the scan.
      if (p.sentAt > cutoff) break;
      this.pending.delete(n);
      p.reject(new PublishError(`no PubAck within ${this.timeoutMs} ms`));
    }
    if (this.pending.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
      for (const w of this.idle.splice(0)) w();
    }
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
