// The latest result of every (target, region), kept in memory from the results stream (seeded
// from the store at start). It answers the overview, `GET /results` and the per-target gauges
// without a query, and feeds live updates (SSE) to the dashboard.
import { EventEmitter } from 'node:events';
import type { Bus, Subscription } from '../bus/bus.js';
import type { ProbeResult, Target, TargetChange } from '../domain/types.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';

export type OverallStatus = 'up' | 'down' | 'degraded' | 'paused' | 'unknown';

export interface TargetStatus {
  status: OverallStatus;
  /** Latest result per region. */
  regions: Record<string, ProbeResult>;
}

/**
 * Overall status from per-region results: down when at least `quorum` of the target's regions
 * (or all of them, when fewer) failed; degraded when some but fewer failed.
 */
export function overallStatus(target: Pick<Target, 'enabled'>, latest: ProbeResult[], quorum: number): OverallStatus {
  if (!target.enabled) return 'paused';
  if (latest.length === 0) return 'unknown';
  const failing = latest.filter((r) => !r.ok).length;
  if (failing === 0) return 'up';
  return failing >= Math.min(quorum, latest.length) ? 'down' : 'degraded';
}

export class LiveState extends EventEmitter {
  private latest = new Map<number, Map<string, ProbeResult>>();
  private names = new Map<number, string>();
  private sub: Subscription | undefined;
  private incidentsSub: Subscription | undefined;
  private targetsSub: Subscription | undefined;

  constructor(
    private readonly o: { store: Store; bus: Bus; metrics: Metrics; quorum: number; instance: string },
  ) {
    super();
    this.setMaxListeners(0);
  }

  async start(): Promise<void> {
    this.sub = await this.o.bus.consume('results', { group: `live-${this.o.instance}`, ephemeral: true, concurrency: 4096 }, async (msg) => {
      this.record(msg.data);
      this.emit('result', msg.data);
    });
    // Incident transitions (IncidentTransition) go out as SSE `incident` events as they are.
    this.incidentsSub = await this.o.bus.consume('incidents', { group: `sse-${this.o.instance}`, ephemeral: true }, async (msg) => {
      this.emit('incident', msg.data);
    });
    // Target changes from any api replica (and incident updates) go out as SSE `target` events.
    this.targetsSub = await this.o.bus.consume('targets', { group: `sse-targets-${this.o.instance}`, ephemeral: true }, async (msg) => {
      await this.onTargetChange(msg.data);
    });
    for (const t of await this.o.store.targets.list()) this.names.set(t.id, t.name);
    for (const r of await this.o.store.results.latest()) this.record(r);
  }

  async stop(): Promise<void> {
    await this.targetsSub?.close();
    await this.incidentsSub?.close();
    await this.sub?.close();
  }

  record(r: ProbeResult): void {
    let byRegion = this.latest.get(r.target_id);
    if (!byRegion) this.latest.set(r.target_id, (byRegion = new Map()));
    const prev = byRegion.get(r.region);
    if (prev && prev.ts > r.ts) return;
    byRegion.set(r.region, r);
    if (this.o.metrics.perTarget) {
      const labels = { target_id: String(r.target_id), target: this.names.get(r.target_id) ?? '' };
      const all = [...byRegion.values()];
      this.o.metrics.targetUp.set(labels, all.some((x) => x.ok) ? 1 : 0);
      this.o.metrics.targetLatency.set(labels, r.latency_ms / 1000);
    }
  }

  /** Keeps names for metric labels and drops state of deleted targets. */
  targetChanged(t: Target | null, id: number): void {
    if (t) {
      const old = this.names.get(id);
      if (old !== undefined && old !== t.name) this.o.metrics.targetUp.remove({ target_id: String(id), target: old });
      this.names.set(id, t.name);
      return;
    }
    const name = this.names.get(id) ?? '';
    this.latest.delete(id);
    this.names.delete(id);
    this.o.metrics.targetUp.remove({ target_id: String(id), target: name });
    this.o.metrics.targetLatency.remove({ target_id: String(id), target: name });
  }

  private async onTargetChange(c: TargetChange): Promise<void> {
    const t = c.op === 'deleted' ? null : await this.o.store.targets.get(c.target_id);
    this.targetChanged(t, c.target_id);
    this.emit('target', { target_id: c.target_id, op: c.op });
  }

  latestResults(): ProbeResult[] {
    return [...this.latest.values()].flatMap((m) => [...m.values()]);
  }

  statusOf(t: Target): TargetStatus {
    const byRegion = this.latest.get(t.id);
    const regions = Object.fromEntries(byRegion ?? []);
    const relevant = [...(byRegion?.values() ?? [])].filter((r) => t.regions.length === 0 || t.regions.includes(r.region));
    return { status: overallStatus(t, relevant, this.o.quorum), regions };
  }
}
