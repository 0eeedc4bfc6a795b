// One consumer group of the in-process bus: its own queue of every matching message, the members
// that share it, and redelivery (nak backoff, ack-wait expiry) driven by the bus's coarse sweep,
// so the hot path sets no timer per message.
import type { Handler } from './bus.js';
import { nakDelayMs } from './consume-options.js';
import { Fifo } from './fifo.js';
import { keyMatcher } from './subjects.js';

interface Entry {
  data: unknown;
  subject: string;
  deliveries: number;
  /** Acked by some delivery: later copies are skipped. */
  done: boolean;
  /** When the current delivery's ack wait ends (ms since epoch). */
  deadline: number;
  /** When a nak'd message may be offered again. */
  retryAt: number;
  member: Member | undefined;
}

export class Member {
  running = 0;
  closed = false;
  idle: (() => void) | undefined;
  constructor(
    readonly handler: Handler<unknown>,
    readonly concurrency: number,
    readonly ackWaitMs: number,
    readonly keepAlive = false,
  ) {}
}

export class Group {
  private readonly queue = new Fifo<Entry>();
  /** Redeliveries go before new messages, as on JetStream. */
  private readonly retry = new Fifo<Entry>();
  private delayed: Entry[] = [];
  private readonly inflight = new Set<Entry>();
  private members: Member[] = [];
  private rr = 0;
  private scheduled = false;
  private match: (key: string) => boolean;
  /** Messages dropped because the queue was full, since the last sweep. */
  dropped = 0;

  constructor(
    readonly name: string,
    readonly ephemeral: boolean,
    private filter: string | undefined,
    private readonly maxPending: number,
  ) {
    this.match = keyMatcher(filter);
  }

  get memberCount(): number {
    return this.members.length;
  }

  /** Messages not yet acked: queued, waiting for a retry, or in flight. */
  get pending(): number {
    return this.queue.length + this.retry.length + this.delayed.length + this.inflight.size;
  }

  /** A later consume() with other options changes the group, as a NATS consumer update does. */
  setFilter(filter: string | undefined): void {
    if (filter === this.filter) return;
    this.filter = filter;
    this.match = keyMatcher(filter);
  }

  offer(key: string, data: unknown, subject: string): void {
    if (!this.match(key)) return;
    if (this.queue.length >= this.maxPending) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push({ data, subject, deliveries: 0, done: false, deadline: 0, retryAt: 0, member: undefined });
    this.schedule();
  }

  join(m: Member): void {
    this.members.push(m);
    this.schedule();
  }

  /** Removes a member; waits up to `timeoutMs` for its handlers, then gives their messages back. */
  async leave(m: Member, timeoutMs: number): Promise<void> {
    m.closed = true;
    this.members = this.members.filter((x) => x !== m);
    if (m.running > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        m.idle = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
    }
    if (m.running > 0) {
      for (const e of this.inflight) {
        if (e.member !== m) continue;
        this.inflight.delete(e);
        this.retry.push(e);
      }
    }
    this.schedule();
  }

  /** Called by the bus every few hundred ms: expired ack waits and due naks go back in line. */
  sweep(now: number): void {
    let moved = false;
    for (const e of this.inflight) {
      // A member of the in-process bus cannot die apart from its handler: keepAlive never expires.
      if (e.deadline > now || e.member?.keepAlive) continue;
      this.inflight.delete(e);
      this.retry.push(e);
      moved = true;
    }
    if (this.delayed.length > 0) {
      const keep: Entry[] = [];
      for (const e of this.delayed) {
        if (e.done) continue;
        if (e.retryAt <= now) {
          this.retry.push(e);
          moved = true;
        } else keep.push(e);
      }
      this.delayed = keep;
    }
    if (moved) this.schedule();
  }

  clear(): void {
    this.queue.clear();
    this.retry.clear();
    this.delayed = [];
    this.inflight.clear();
  }

  private schedule(): void {
    if (this.scheduled || this.members.length === 0) return;
    this.scheduled = true;
    setImmediate(this.pump);
  }

  private readonly pump = (): void => {
    this.scheduled = false;
    const now = Date.now();
    for (;;) {
      const m = this.nextMember();
      if (!m) return;
      const e = this.nextEntry();
      if (!e) return;
      this.deliver(m, e, now);
    }
  };

  /** Round robin over members with a free slot. */
  private nextMember(): Member | undefined {
    const n = this.members.length;
    for (let i = 0; i < n; i++) {
      const idx = (this.rr + i) % n;
      const m = this.members[idx]!;
      if (m.running < m.concurrency) {
        this.rr = idx + 1;
        return m;
      }
    }
    return undefined;
  }

  private nextEntry(): Entry | undefined {
    for (;;) {
      const e = this.retry.length > 0 ? this.retry.shift() : this.queue.shift();
      if (!e || !e.done) return e;
    }
  }

  private deliver(m: Member, e: Entry, now: number): void {
    const attempt = ++e.deliveries;
    e.deadline = now + m.ackWaitMs;
    e.member = m;
    this.inflight.add(e);
    m.running++;
    let p: Promise<void>;
    try {
      p = Promise.resolve(m.handler({ data: e.data, subject: e.subject, deliveries: attempt }));
    } catch (err: unknown) {
      p = Promise.reject(err);
    }
    p.then(
      () => this.settle(m, e, attempt, true),
      () => this.settle(m, e, attempt, false),
    );
  }

  private settle(m: Member, e: Entry, attempt: number, ok: boolean): void {
    m.running--;
    if (m.closed && m.running === 0) m.idle?.();
    if (!e.done) {
      if (ok) {
        // A late ack of an earlier delivery still counts, as on JetStream.
        e.done = true;
        this.inflight.delete(e);
      } else if (attempt === e.deliveries && this.inflight.delete(e)) {
        e.retryAt = Date.now() + nakDelayMs(attempt);
        this.delayed.push(e);
      }
    }
    this.schedule();
  }
}
