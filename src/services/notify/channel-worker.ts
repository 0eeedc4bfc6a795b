// One worker per channel: takes the channel's due outbox rows, sends them as one message, settles
// them. Workers run independently, so a failing or hanging channel delays only its own queue.
// Rate limit and Retry-After pause this channel's worker alone; what waits meanwhile is grouped.
import type { Metrics } from '../../metrics.js';
import { sendVia } from '../../notify/registry.js';
import type { RenderOptions } from '../../notify/render.js';
import type { ChannelRecord, ClaimedDelivery, DeliveryStatus, NotifyStore } from '../../store/notify-store.js';
import type { Logger } from '../../util/log.js';
import { errorMessage } from '../../errors.js';
import { composeNotification } from './compose.js';
import { RateLimiter, retryDelayMs, type RetryPolicy } from './policy.js';

export interface WorkerSettings {
  holder: string;
  retry: RetryPolicy;
  groupWaitMs: number;
  defaultRatePerMinute: number;
  timeoutMs: number;
  /** Most rows sent as one message. */
  maxGroup: number;
  render: RenderOptions;
}

export interface WorkerDeps {
  store: NotifyStore;
  metrics: Metrics;
  log: Logger;
  settings: WorkerSettings;
  /** Aborted on shutdown: sends in flight end, their rows are released. */
  signal: AbortSignal;
}

export class ChannelWorker {
  private timer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private running: Promise<void> | undefined;
  private again = false;
  private pausedUntil = 0;
  private limiter: RateLimiter | undefined;

  constructor(
    readonly channelId: number,
    private readonly d: WorkerDeps,
  ) {}

  /** Asks the worker to look for due rows after `delayMs` (earlier requests win). */
  kick(delayMs = 0): void {
    if (this.d.signal.aborted) return;
    const at = Math.max(Date.now() + delayMs, this.pausedUntil);
    if (this.running && at <= Date.now()) {
      this.again = true;
      return;
    }
    if (at >= this.wakeAt) return;
    clearTimeout(this.timer);
    this.wakeAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wakeAt = Infinity;
      this.run();
    }, Math.max(0, at - Date.now()));
  }

  /** Resolves when the current pass has ended (after shutdown aborted its send). */
  async idle(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private run(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((e: unknown) => this.d.log.warn('notification worker failed; will retry', { channel_id: this.channelId, error: errorMessage(e) }))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Sends until nothing is due, the channel must wait (rate limit, Retry-After), or shutdown. */
  private async pass(): Promise<void> {
    const { store, settings } = this.d;
    while (!this.d.signal.aborted) {
      const channel = await store.channels.get(this.channelId);
      if (!channel) return;
      const now = Date.now();
      const limiter = this.limiterFor(channel, now);
      const wait = Math.max(limiter.waitMs(now), this.pausedUntil - now);
      if (wait > 0) return this.kick(wait);
      const rows = await store.deliveries.claim(this.channelId, {
        holder: settings.holder,
        limit: settings.maxGroup,
        lockMs: settings.timeoutMs + 30_000,
        groupWaitMs: settings.groupWaitMs,
      });
      if (rows.length === 0) return;
      if (!channel.enabled) {
        await store.deliveries.settle(rows.map((r) => r.id), { outcome: 'suppressed', note: 'channel disabled' });
        continue;
      }
      limiter.take(now);
      await this.deliver(channel, rows);
    }
  }

  private limiterFor(channel: ChannelRecord, now: number): RateLimiter {
    const rate = channel.rate_limit_per_minute ?? this.d.settings.defaultRatePerMinute;
    if (!this.limiter) this.limiter = new RateLimiter(rate, now);
    else this.limiter.setRate(rate);
    return this.limiter;
  }

  private async deliver(channel: ChannelRecord, rows: ClaimedDelivery[]): Promise<void> {
    const { store, settings, metrics, log, signal } = this.d;
    const ids = rows.map((r) => r.id);
    const n = composeNotification(rows, settings.render);
    const d = await sendVia(channel.type, channel.config, n, { signal, timeoutMs: settings.timeoutMs });
    const labels = { channel: channel.name, channel_type: channel.type };
    const groupSize = rows.length;
    if (signal.aborted) {
      await store.deliveries.settle(ids, { outcome: 'released' }).catch(() => undefined);
      return;
    }
    if (d.ok) {
      await store.deliveries.settle(ids, { outcome: 'delivered', ...(d.status !== undefined ? { status: d.status } : {}), groupSize });
      metrics.notifications.inc({ ...labels, outcome: 'delivered' }, groupSize);
      log.info('notification delivered', { channel: channel.name, channel_type: channel.type, transition: n.event.kind, incidents: groupSize });
      return;
    }
    const status = d.status !== undefined ? { status: d.status } : {};
    let settled: Array<{ id: number; status: DeliveryStatus }>;
    let retryInMs: number | undefined;
    if (d.retryable) {
      const attempt = Math.max(...rows.map((r) => r.attempts)) + 1;
      retryInMs = retryDelayMs(attempt, settings.retry, d.retryAfterMs);
      // Retry-After (a 429 mostly) speaks for the whole channel, not just these rows.
      if (d.retryAfterMs !== undefined) this.pausedUntil = Date.now() + Math.min(d.retryAfterMs, settings.retry.maxRetryAfterMs);
      settled = await store.deliveries.settle(ids, { outcome: 'retry', ...status, error: d.error, delayMs: retryInMs, giveUpAfterMs: settings.retry.retryForMs, groupSize });
    } else {
      settled = await store.deliveries.settle(ids, { outcome: 'failed', ...status, error: d.error, groupSize });
    }
    const failed = settled.filter((s) => s.status === 'failed').length;
    const retrying = settled.length - failed;
    if (failed > 0) metrics.notifications.inc({ ...labels, outcome: 'failed' }, failed);
    if (retrying > 0) metrics.notifications.inc({ ...labels, outcome: 'retry' }, retrying);
    log.warn(retrying > 0 ? 'notification failed; will retry' : 'notification failed for good', {
      channel: channel.name,
      channel_type: channel.type,
      transition: n.event.kind,
      incidents: groupSize,
      status: d.status,
      error: d.error,
      ...(retrying > 0 ? { retry_in_ms: retryInMs } : {}),
    });
    if (retrying > 0 && retryInMs !== undefined) this.kick(retryInMs);
  }
}
