// The anomaly loop: probe results from the bus (durable group `anomaly`) through the incident
// engine; its actions written to the store and published as transitions (topic `incidents`, key =
// target id). Engine state is restored at start and saved every `snapshotMs` and at stop, so a
// restart resumes warm. Actions of one target run one after another; a failed one is retried by
// the engine on that target's next result.
import type { Bus, Subscription } from '../bus/bus.js';
import type { Incident } from '../domain/incident.js';
import type { ProbeResult, Target, TargetChange } from '../domain/types.js';
import { errorMessage } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { AnomalyOverrides } from '../store/incident-store.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/log.js';
import { IncidentEngine, type Action, type EngineConfig } from '../anomaly/engine.js';
import { publishTransition, transitionOf } from './incidents.js';

export interface AnomalyServiceOptions {
  store: Store;
  bus: Bus;
  metrics: Metrics;
  log: Logger;
  engine: Omit<EngineConfig, 'onDetection'>;
  snapshotMs: number;
  /** Unique per process, for the ephemeral targets subscription. */
  instance: string;
  /** Full re-read of targets and overrides, catching change events that were missed (default 60,000 ms). */
  reloadMs?: number;
}

type TargetInfo = Pick<Target, 'id' | 'name' | 'url'>;

/** Series per snapshot statement batch (~15 ms to serialise, ~400 KB of JSON). */
const SNAPSHOT_BATCH = 500;

export class AnomalyService {
  private readonly engine: IncidentEngine;
  private readonly targets = new Map<number, TargetInfo>();
  private readonly chains = new Map<number, Promise<void>>();
  private subs: Subscription[] = [];
  private timers: NodeJS.Timeout[] = [];
  private saving: Promise<void> = Promise.resolve();
  /** Targets' fingerprint and overrides at the last full reload. */
  private seen = '';

  constructor(private readonly o: AnomalyServiceOptions) {
    this.engine = new IncidentEngine({ ...o.engine, onDetection: (metric) => o.metrics.anomalyDetections.inc({ metric }) });
  }

  async start(): Promise<void> {
    const { store, bus, log } = this.o;
    await this.reload();
    const rows = (await store.anomaly.loadStates()).filter((r) => this.targets.has(r.target_id));
    const bad = this.engine.restore(rows);
    if (bad) log.warn('detector state unusable, those series start fresh', { series: bad });
    this.engine.loadOpen(await store.incidents.listOpen());
    this.updateGauges();
    log.info('anomaly state restored', { series: this.engine.seriesCount(), rows: rows.length });
    this.subs.push(await bus.consume('targets', { group: `anomaly-${this.o.instance}`, ephemeral: true }, (m) => this.onTargetChange(m.data)));
    this.subs.push(await bus.consume('results', { group: 'anomaly', concurrency: 1024, ackWaitMs: 60_000 }, (m) => this.onResult(m.data)));
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(() => void fn().catch((e: unknown) => log.warn('anomaly housekeeping failed', { error: errorMessage(e) })), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.o.snapshotMs, () => this.snapshot());
    every(this.o.reloadMs ?? 60_000, () => this.reload());
  }

  /** Stops consuming, finishes actions in flight, saves the state. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const s of this.subs) await s.close();
    await Promise.all(this.chains.values());
    await this.snapshot();
  }

  /** Saves the state of every series changed since the last snapshot, in batches (the event loop breathes between them). */
  snapshot(): Promise<void> {
    this.saving = this.saving.then(async () => {
      for (;;) {
        const { rows, failed } = this.engine.takeDirty(SNAPSHOT_BATCH);
        if (rows.length === 0) return;
        try {
          await this.o.store.anomaly.saveStates(rows);
        } catch (e: unknown) {
          failed();
          this.o.log.warn('detector state not saved; retrying at the next snapshot', { rows: rows.length, error: errorMessage(e) });
          return;
        }
      }
    });
    return this.saving;
  }

  private async onResult(r: ProbeResult): Promise<void> {
    if (!this.targets.has(r.target_id) && !(await this.load(r.target_id))) return;
    const actions = this.engine.process(r);
    this.o.metrics.anomalySeries.set(this.engine.seriesCount());
    if (actions.length) await this.serial(r.target_id, () => this.applyAll(actions));
  }

  private async onTargetChange(c: TargetChange): Promise<void> {
    const id = c.target_id;
    if (c.op === 'deleted') return this.serial(id, () => this.forget(id));
    const t = await this.load(id);
    if (!t) return this.serial(id, () => this.forget(id));
    if (!t.enabled) await this.serial(id, () => this.applyAll(this.engine.closeAll(id, 'target paused', Date.now())));
  }

  /** Reads one target and its overrides into the engine; null when it does not exist. */
  private async load(id: number): Promise<Target | null> {
    const [t, o] = await Promise.all([this.o.store.targets.get(id), this.o.store.anomaly.getOverrides(id)]);
    if (t) this.configure(t, o);
    return t;
  }

  /**
   * Re-reads every target and override; also catches deletions and pauses whose events were
   * missed. Skipped while neither the targets' fingerprint nor the overrides moved.
   */
  private async reload(): Promise<void> {
    const [fingerprint, overrides] = await Promise.all([this.o.store.targets.fingerprint(), this.o.store.anomaly.listOverrides()]);
    const seen = `${fingerprint}|${JSON.stringify(overrides)}`;
    if (seen === this.seen) return;
    const targets = await this.o.store.targets.list();
    const byId = new Map(overrides.map((o) => [o.target_id, o]));
    const ids = new Set(targets.map((t) => t.id));
    for (const id of [...this.targets.keys()]) if (!ids.has(id)) await this.serial(id, () => this.forget(id));
    for (const t of targets) {
      this.configure(t, byId.get(t.id) ?? null);
      const close = t.enabled ? [] : this.engine.closeAll(t.id, 'target paused', Date.now());
      if (close.length) await this.serial(t.id, () => this.applyAll(close));
    }
    this.seen = seen;
  }

  private configure(t: Target, o: AnomalyOverrides | null): void {
    this.targets.set(t.id, { id: t.id, name: t.name, url: t.url });
    this.engine.configure(t.id, { intervalS: t.interval_s, enabled: t.enabled, overrides: o });
  }

  // A deleted target's incident rows went with it; the notifier still hears that they ended.
  private async forget(id: number): Promise<void> {
    const target = this.targets.get(id);
    this.targets.delete(id);
    const now = Date.now();
    for (const inc of this.engine.forget(id)) {
      const ended: Incident = { ...inc, state: 'resolved', ended_at: new Date(now).toISOString(), details: { ...inc.details, resolution: { message: 'target deleted' } } };
      if (target) await publishTransition(this.o.bus, transitionOf('resolved', ended, target, now), this.o.log).catch(() => undefined);
    }
    this.updateGauges();
  }

  private serial(targetId: number, fn: () => Promise<void>): Promise<void> {
    const prev = this.chains.get(targetId) ?? Promise.resolve();
    const next = prev.then(fn).finally(() => {
      if (this.chains.get(targetId) === next) this.chains.delete(targetId);
    });
    this.chains.set(targetId, next);
    return next;
  }

  private async applyAll(actions: Action[]): Promise<void> {
    for (const a of actions) await this.apply(a);
    this.updateGauges();
  }

  private async apply(a: Action): Promise<void> {
    const { store, bus, log, metrics } = this.o;
    let row: Incident | null;
    let announce = false;
    try {
      if (a.type === 'open') {
        const res = await store.incidents.open({ target_id: a.target_id, kind: a.kind, severity: a.severity, started_at: a.at, regions: a.regions, details: a.details });
        row = res?.incident ?? null;
        announce = res?.created === true;
      } else if (a.type === 'resolve') {
        row = await store.incidents.resolve(a.incident.id, a.at, a.details);
        announce = row !== null;
      } else row = await store.incidents.update(a.incident.id, a.regions, a.details);
    } catch (e: unknown) {
      this.engine.settle(a, 'failed');
      log.warn('incident not written; retrying on the next result', { target_id: a.target_id, kind: a.kind, action: a.type, error: errorMessage(e) });
      return;
    }
    this.engine.settle(a, row);
    const target = this.targets.get(a.target_id);
    if (!announce || !row || !target || a.type === 'update') return;
    const transition = a.type === 'open' ? 'opened' : 'resolved';
    if (transition === 'opened') metrics.incidentsTotal.inc({ kind: a.kind });
    log.info(`incident ${transition}`, { target_id: a.target_id, kind: a.kind, id: row.id, message: row.details.message });
    await publishTransition(bus, transitionOf(transition, row, target, Date.parse(a.at) || Date.now()), log).catch(() => undefined);
  }

  private updateGauges(): void {
    for (const [kind, n] of this.engine.openCounts()) this.o.metrics.incidentsOpen.set({ kind }, n);
    this.o.metrics.anomalySeries.set(this.engine.seriesCount());
  }
}
