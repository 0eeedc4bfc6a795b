// The scheduler loop: keeps a Timeline of enabled targets in step with the store (change events
// plus a periodic full reload) and publishes one probe job per due run and region.
import type { Bus, Subscription } from '../bus/bus.js';
import type { ProbeJob, Target } from '../domain/types.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/log.js';
import { errorMessage } from '../errors.js';
import { uuidv7 } from '../util/uuid.js';
import { Timeline, offsetFor } from './timeline.js';

export interface SchedulerOptions {
  store: Store;
  bus: Bus;
  metrics: Metrics;
  log: Logger;
  /** Every region probers run in; targets without their own list go to all of them. */
  regions: string[];
  /** Full reload from the store, in case a change event was missed (default 60 s). */
  reloadMs?: number;
  /** Name of this instance's change-event subscription. */
  instance: string;
}

/** How far behind a run may start before the missed runs are skipped (and counted) instead. */
const GRACE_MS = 2000;

export class Scheduler {
  private timeline = new Timeline<Target>();
  private timer: NodeJS.Timeout | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  /** Target fingerprint of the last full read (reloadAll skips the list while it holds). */
  private fingerprint = '';
  private sub: Subscription | undefined;
  private running = false;
  private publishing = new Set<Promise<void>>();

  constructor(private readonly o: SchedulerOptions) {}

  async start(): Promise<void> {
    this.running = true;
    this.sub = await this.o.bus.consume('targets', { group: `scheduler-${this.o.instance}`, ephemeral: true }, async (msg) => {
      await this.reloadOne(msg.data.target_id);
    });
    await this.reloadAll(true);
    this.reloadTimer = setInterval(() => void this.reloadAll(false).catch((e: unknown) => this.o.log.warn('target reload failed', { error: errorMessage(e) })), this.o.reloadMs ?? 60_000);
    this.reloadTimer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearInterval(this.reloadTimer);
    await this.sub?.close();
    await Promise.allSettled(this.publishing);
  }

  /**
   * Reloads every enabled target. On the first load runs are spread on their grids; a target that
   * appears later runs at once; an edited one moves to its new settings.
   */
  async reloadAll(first: boolean): Promise<void> {
    // Nothing changed in the store since the last full read: the change events kept us current.
    const fingerprint = await this.o.store.targets.fingerprint();
    if (!first && fingerprint === this.fingerprint) return;
    const targets = await this.o.store.targets.list({ enabled: true });
    const now = Date.now();
    const overdue = first ? await this.overdueSince(now) : new Map<number, number>();
    const seen = new Set<number>();
    for (const t of targets) {
      seen.add(t.id);
      const known = this.timeline.get(t.id);
      if (!known) {
        // After a restart or a takeover, targets whose last result is older than their interval
        // run within a second (spread by offset) instead of waiting for their next grid point.
        const last = overdue.get(t.id);
        const late = last !== undefined && now - last > t.interval_s * 1000;
        this.timeline.upsert(t, now, late ? now + offsetFor(t.id, Math.min(1000, t.interval_s * 1000)) : !first);
      } else if (known.updated_at !== t.updated_at) this.timeline.upsert(t, now, false);
    }
    for (const id of this.timeline.ids()) if (!seen.has(id)) this.timeline.remove(id);
    this.o.metrics.scheduledTargets.set(this.timeline.size);
    this.fingerprint = fingerprint;
    this.arm();
  }

  /** Time of each target's oldest latest-result across regions (ms). */
  private async overdueSince(now: number): Promise<Map<number, number>> {
    const last = new Map<number, number>();
    for (const r of await this.o.store.results.latest()) {
      const t = Date.parse(r.ts);
      last.set(r.target_id, Math.min(last.get(r.target_id) ?? now, t));
    }
    return last;
  }

  /** Applies one target's change event: created, edited or re-enabled targets are probed at once. */
  async reloadOne(id: number): Promise<void> {
    const t = await this.o.store.targets.get(id);
    if (!t || !t.enabled) this.timeline.remove(id);
    else this.timeline.upsert(t, Date.now(), true);
    this.o.metrics.scheduledTargets.set(this.timeline.size);
    this.arm();
  }

  private arm(): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    const next = this.timeline.nextDue();
    if (next === undefined) return;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next - Date.now()));
  }

  private fire(): void {
    const now = Date.now();
    for (const run of this.timeline.takeDue(now, GRACE_MS)) {
      const t = run.target;
      const regions = t.regions.length ? t.regions : this.o.regions;
      for (const region of regions) {
        if (run.missed) this.o.metrics.skippedRuns.inc({ region, reason: 'scheduler_behind' }, run.missed);
        const job: ProbeJob = {
          id: uuidv7(now),
          region,
          scheduled_at: new Date(run.scheduledAt).toISOString(),
          expires_at: new Date(run.scheduledAt + t.interval_s * 1000).toISOString(),
          target: { id: t.id, url: t.url, type: t.type, timeout_ms: t.timeout_ms, options: t.options },
        };
        this.o.metrics.jobsEmitted.inc({ region });
        const p = this.o.bus.publish('jobs', region, job).catch((e: unknown) => this.o.log.warn('job publish failed', { target_id: t.id, error: errorMessage(e) }));
        this.publishing.add(p);
        void p.finally(() => this.publishing.delete(p));
      }
    }
    this.arm();
  }
}
