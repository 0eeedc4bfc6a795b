// The notifier: consumes incident transitions from the bus, writes them to the outbox (acking the
// message only after the rows are stored), and runs one worker per channel that delivers them.
// A poll over the outbox finds rows other replicas wrote, retries that came due, and rows a
// crashed holder left locked; reminders and pruning run on their own slower timer.
import type { Bus, Subscription } from '../../bus/bus.js';
import { AppError, errorMessage } from '../../errors.js';
import type { Metrics } from '../../metrics.js';
import type { RenderOptions } from '../../notify/render.js';
import type { NotifyStore } from '../../store/notify-store.js';
import { notifyStore } from '../../store/sql/notify.js';
import type { Store } from '../../store/store.js';
import type { Logger } from '../../util/log.js';
import { ChannelWorker, type WorkerSettings } from './channel-worker.js';
import { parseIncomingMessage, type IncomingTransition } from './incoming.js';
import { enqueueReminder, enqueueTransition, type Enqueued } from './outbox.js';
import { DEFAULT_RETRY, type RetryPolicy } from './policy.js';

export interface NotifierOptions {
  store: Store;
  bus: Bus;
  metrics: Metrics;
  log: Logger;
  /** Names this process in row locks (host-pid-random). */
  instance: string;
  render?: RenderOptions;
  retry?: Partial<RetryPolicy>;
  /** New rows wait this long so a burst goes out as one message per channel (default 2,000 ms). */
  groupWaitMs?: number;
  /** Messages per minute per channel unless the channel sets its own (default 20). */
  rateLimitPerMinute?: number;
  /** Deadline of one attempt (default 10,000 ms). */
  timeoutMs?: number;
  /** Most incidents in one grouped message (default 100). */
  maxGroup?: number;
  /** How often the outbox is checked for due rows (default 1,000 ms). */
  pollMs?: number;
  /** How often reminders are checked (default 30,000 ms). */
  reminderCheckMs?: number;
  /** Settled rows older than this are pruned (default 30 days). */
  retentionDays?: number;
  /** False: only write the outbox, never send (tests stand in for a crash between write and send). */
  deliver?: boolean;
}

export class Notifier {
  private readonly s: NotifyStore;
  private readonly settings: WorkerSettings;
  private readonly workers = new Map<number, ChannelWorker>();
  private readonly abort = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private sub: Subscription | undefined;
  private polling: Promise<void> = Promise.resolve();
  private housekeeping: Promise<unknown> = Promise.resolve();
  private lastPrune = 0;

  constructor(private readonly o: NotifierOptions) {
    this.s = notifyStore(o.store.db);
    this.settings = {
      holder: o.instance,
      retry: { ...DEFAULT_RETRY, ...o.retry },
      groupWaitMs: o.groupWaitMs ?? 2000,
      defaultRatePerMinute: o.rateLimitPerMinute ?? 20,
      timeoutMs: o.timeoutMs ?? 10_000,
      maxGroup: o.maxGroup ?? 100,
      render: o.render ?? {},
    };
  }

  async start(): Promise<void> {
    this.sub = await this.o.bus.consume('incidents', { group: 'notifier', concurrency: 64, ackWaitMs: 60_000 }, (m) => this.onMessage(m.data, m.subject));
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    if (this.o.deliver !== false) {
      every(this.o.pollMs ?? 1000, () => void this.poll());
      void this.poll();
    }
    every(this.o.reminderCheckMs ?? 30_000, () => {
      this.housekeeping = this.housekeeping.then(() => this.housekeep());
    });
  }

  /** Stops consuming, aborts sends in flight (their rows are released for the next start), waits for workers. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.sub?.close();
    this.abort.abort();
    await Promise.all([...this.workers.values()].map((w) => w.idle()));
    await this.polling;
    await this.housekeeping;
  }

  private async onMessage(data: unknown, subject: string): Promise<void> {
    let transitions: IncomingTransition[];
    try {
      transitions = parseIncomingMessage(data);
    } catch (e: unknown) {
      // A malformed message never becomes valid: drop it (ack) instead of redelivering forever.
      if (e instanceof AppError && e.code === 'validation') {
        this.o.log.warn('dropping a malformed incident message', { subject, field: e.field, error: e.message });
        return;
      }
      throw e;
    }
    for (const t of transitions) await this.enqueue(t);
  }

  /** Writes a transition's outbox rows (idempotent) and wakes the workers of their channels. */
  async enqueue(t: IncomingTransition): Promise<Enqueued[]> {
    const rows = await enqueueTransition(this.o.store.db, t, this.settings.groupWaitMs);
    for (const r of rows) {
      if (r.status === 'pending') this.worker(r.channel_id)?.kick(this.settings.groupWaitMs);
    }
    if (rows.length > 0) {
      const suppressed = rows.filter((r) => r.status === 'suppressed').length;
      this.o.log.info('incident transition queued', { incident_id: t.incident.id, transition: t.transition, channels: rows.length, suppressed });
    }
    return rows;
  }

  /** Writes the reminders that are due; returns how many rows it wrote. */
  async checkReminders(nowIso = new Date().toISOString()): Promise<number> {
    let written = 0;
    for (const r of await this.s.deliveries.remindersDue()) {
      const rows = await enqueueReminder(this.o.store.db, r.incident_id, r.channel_id, r.next_seq, nowIso);
      written += rows.length;
      for (const row of rows) if (row.status === 'pending') this.worker(row.channel_id)?.kick();
    }
    return written;
  }

  /** One look at the outbox: wakes workers with due rows, updates the pending gauge. */
  poll(): Promise<void> {
    this.polling = this.polling.then(async () => {
      if (this.abort.signal.aborted) return;
      try {
        const byChannel = await this.s.deliveries.pendingByChannel();
        this.o.metrics.deliveriesPending.set(byChannel.reduce((n, c) => n + c.pending, 0));
        for (const c of byChannel) if (c.due > 0) this.worker(c.channel_id)?.kick();
      } catch (e: unknown) {
        this.o.log.warn('checking the notification outbox failed', { error: errorMessage(e) });
      }
    });
    return this.polling;
  }

  private async housekeep(): Promise<void> {
    if (this.abort.signal.aborted) return;
    try {
      await this.checkReminders();
      if (Date.now() - this.lastPrune > 3_600_000) {
        this.lastPrune = Date.now();
        const days = this.o.retentionDays ?? 30;
        await this.s.deliveries.prune(new Date(Date.now() - days * 86_400_000));
      }
    } catch (e: unknown) {
      this.o.log.warn('notification housekeeping failed', { error: errorMessage(e) });
    }
  }

  private worker(channelId: number): ChannelWorker | undefined {
    if (this.o.deliver === false) return undefined;
    let w = this.workers.get(channelId);
    if (!w) {
      w = new ChannelWorker(channelId, { store: this.s, metrics: this.o.metrics, log: this.o.log, settings: this.settings, signal: this.abort.signal });
      this.workers.set(channelId, w);
    }
    return w;
  }
}
