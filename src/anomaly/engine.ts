// The incident engine: probe results in, incident actions out. Pure (no I/O, time from the
// results), so tests drive it with synthetic series. Decisions are level-triggered: after each
// result it compares what should be open for the target with what is open, so a failed write is
// simply retried on the next result. The caller applies actions and reports back with settle().
import type { Incident, IncidentDetails, IncidentKind, IncidentSeverity } from '../domain/incident.js';
import { SEVERITY } from '../domain/incident.js';
import type { ProbeResult } from '../domain/types.js';
import type { AnomalyOverrides, DetectorStateRow, Sensitivity } from '../store/incident-store.js';
import { downEvidence, errorRateEvidence, latencyEvidence, resolution, tlsEvidence } from './evidence.js';
import { paramsFor, type Params } from './params.js';
import { Series } from './series.js';
import { feedTrack, freshTrack, seedAnomalous } from './track.js';

export interface EngineConfig {
  /** Failed probes in a row before a region counts as down (N). */
  downFailures: number;
  /** Regions that must be down for `down` (capped at the regions probing the target). */
  downQuorum: number;
  /** Successful / normal probes in a row before an incident resolves (M). */
  resolveSuccesses: number;
  /** And this long since the last bad probe (K). */
  resolveCalmMs: number;
  tlsExpiryDays: number;
  /** Points per series before latency / error-rate incidents may open. */
  warmupPoints: number;
  sensitivity: Sensitivity;
  /** Told about every detection (score >= threshold), before confirmation. */
  onDetection?: (metric: 'latency' | 'error_rate') => void;
}

export interface TargetConfig {
  intervalS: number;
  enabled: boolean;
  overrides: AnomalyOverrides | null;
}

/** Incidents of one kind resolved within this window make the next one need longer calm (2x each). */
export const FLAP_WINDOW_MS = 3 * 3_600_000;
const FLAP_MAX_DOUBLINGS = 3;
const DAY_MS = 86_400_000;

export type Action =
  | { type: 'open'; target_id: number; kind: IncidentKind; severity: IncidentSeverity; at: string; regions: string[]; details: IncidentDetails }
  | { type: 'update'; target_id: number; kind: IncidentKind; incident: Incident; regions: string[]; details: IncidentDetails }
  | { type: 'resolve'; target_id: number; kind: IncidentKind; incident: Incident; at: string; details: IncidentDetails };

interface TargetState {
  id: number;
  cfg: TargetConfig;
  params: Params;
  series: Map<string, Series>;
  open: Map<IncidentKind, Incident>;
  pending: Set<IncidentKind>;
  /** When incidents of each kind resolved lately (flap damping). */
  resolves: Map<IncidentKind, number[]>;
}

const ENGINE_KINDS: IncidentKind[] = ['down', 'latency_anomaly', 'error_rate', 'tls_expiry'];

export class IncidentEngine {
  private readonly targets = new Map<number, TargetState>();
  /** Series across all targets (kept, not counted: the gauge reads it on every result). */
  private nSeries = 0;

  constructor(private readonly c: EngineConfig) {}

  /** Sets a target's interval, paused state and overrides; a new detector kind restarts its learning. */
  configure(targetId: number, cfg: TargetConfig): void {
    const ts = this.target(targetId);
    const before = ts.params;
    ts.cfg = cfg;
    ts.params = paramsFor(cfg.overrides, this.c);
    for (const s of ts.series.values()) {
      if (ts.params.detector !== before.detector) {
        const fresh = Series.create(targetId, s.region, ts.params.detector, this.c.warmupPoints);
        Object.assign(s, { latencyDet: fresh.latencyDet, errorDet: fresh.errorDet, latency: freshTrack(), errors: freshTrack(), dirty: true });
      }
      if (ts.params.off) s.latency.anomalous = s.errors.anomalous = false;
    }
  }

  /** Feeds one result; returns what to open, update or resolve. Old and repeated results are ignored. */
  process(r: ProbeResult): Action[] {
    const t = Date.parse(r.ts);
    if (!Number.isFinite(t)) return [];
    const ts = this.target(r.target_id);
    if (!ts.cfg.enabled) return [];
    let s = ts.series.get(r.region);
    if (!s) {
      s = Series.create(ts.id, r.region, ts.params.detector, this.c.warmupPoints);
      ts.series.set(r.region, s);
      this.nSeries++;
      this.seed(ts, s, t);
    }
    if (t < s.lastMs || (t === s.lastMs && r.id <= s.lastId)) return [];
    s.lastMs = t;
    s.lastId = r.id;
    s.dirty = true;
    this.feed(ts, s, r, t);
    return this.evaluate(ts, s, t);
  }

  private feed(ts: TargetState, s: Series, r: ProbeResult, t: number): void {
    const { c } = this;
    const u = s.up;
    const { latency, errors } = ts.params;
    latency.calmMs = this.calmMs(ts, 'latency_anomaly', t);
    errors.calmMs = this.calmMs(ts, 'error_rate', t);
    if (r.ok) {
      u.okStreak++;
      u.failStreak = 0;
      if (u.failing && u.okStreak >= c.resolveSuccesses && t - u.lastFailMs >= this.calmMs(ts, 'down', t)) u.failing = false;
    } else {
      u.failStreak++;
      u.okStreak = 0;
      u.lastFailMs = t;
      s.lastError = { error_class: r.error_class, error_message: r.error_message, status_code: r.status_code };
      // Down in this region: the streak's failures are `down` evidence, not error-rate evidence.
      if (!u.failing && u.failStreak >= c.downFailures) {
        u.failing = true;
        s.dropNewest(c.downFailures - 1);
      }
    }
    if (!u.failing) {
      s.pushOutcome(!r.ok);
      feedTrack(s.errors, s.errorDet, t, s.errorRate(), errors, () => c.onDetection?.('error_rate'));
    }
    if (r.ok) feedTrack(s.latency, s.latencyDet, t, r.latency_ms, latency, () => c.onDetection?.('latency'));
    if (r.tls_expires_at) {
      const exp = Date.parse(r.tls_expires_at);
      if (Number.isFinite(exp)) s.tlsExpiresMs = exp;
    }
  }

  private evaluate(ts: TargetState, s: Series, t: number): Action[] {
    const staleMs = 3 * ts.cfg.intervalS * 1000 + 30_000;
    const active = [...ts.series.values()].filter((x) => x.lastMs >= t - staleMs);
    const out: Action[] = [];
    const failing = active.filter((x) => x.up.failing);
    const quorum = Math.max(1, Math.min(this.c.downQuorum, active.length));
    this.reconcile(ts, 'down', failing.length >= quorum ? failing : [], t, s, out, () => downEvidence(failing, active.length, quorum));
    const { latency, errors, detector } = ts.params;
    const slow = active.filter((x) => x.latency.anomalous).sort((a, b) => b.latency.sinceMs - a.latency.sinceMs);
    this.reconcile(ts, 'latency_anomaly', slow, t, s, out, () => latencyEvidence(slow[0]!, latency.threshold, detector));
    const erring = active.filter((x) => x.errors.anomalous).sort((a, b) => b.errors.sinceMs - a.errors.sinceMs);
    this.reconcile(ts, 'error_rate', erring, t, s, out, () => errorRateEvidence(erring[0]!, errors.threshold, detector));
    const certs = active.filter((x) => x.tlsExpiresMs !== null).sort((a, b) => a.tlsExpiresMs! - b.tlsExpiresMs!);
    const soonest = certs[0];
    const expiring = soonest && this.c.tlsExpiryDays > 0 && soonest.tlsExpiresMs! - t < this.c.tlsExpiryDays * DAY_MS ? [soonest] : [];
    this.reconcile(ts, 'tls_expiry', expiring, t, soonest ?? s, out, () => tlsEvidence(soonest!, t, this.c.tlsExpiryDays));
    return out;
  }

  /** Opens, widens or resolves one kind so that it matches `why` (the series that want it open). */
  private reconcile(ts: TargetState, kind: IncidentKind, why: Series[], t: number, s: Series, out: Action[], evidence: () => IncidentDetails): void {
    if (ts.pending.has(kind)) return;
    const open = ts.open.get(kind);
    if (why.length === 0 && !open) return;
    const at = new Date(t).toISOString();
    if (why.length > 0 && !open) {
      const regions = why.map((x) => x.region).sort();
      out.push({ type: 'open', target_id: ts.id, kind, severity: SEVERITY[kind], at, regions, details: evidence() });
    } else if (why.length === 0 && open) {
      const ended = open.regions.includes(s.region) ? s : (ts.series.get(open.regions[0] ?? '') ?? s);
      out.push({ type: 'resolve', target_id: ts.id, kind, incident: open, at, details: { ...open.details, resolution: resolution(kind, ended, t) } });
    } else if (open) {
      const regions = [...new Set([...open.regions, ...why.map((x) => x.region)])].sort();
      if (regions.length === open.regions.length) return;
      out.push({ type: 'update', target_id: ts.id, kind, incident: open, regions, details: open.details });
    }
    ts.pending.add(kind);
  }

  /** Reports how an action went: the stored row (null = nothing to do, e.g. already resolved) or 'failed' (retried on the next result). */
  settle(a: Action, result: Incident | null | 'failed'): void {
    const ts = this.targets.get(a.target_id);
    if (!ts) return;
    ts.pending.delete(a.kind);
    if (result === 'failed') return;
    if (a.type === 'resolve') {
      const at = Date.parse(a.at);
      ts.resolves.set(a.kind, [...(ts.resolves.get(a.kind) ?? []), at].filter((x) => at - x < FLAP_WINDOW_MS).slice(-FLAP_MAX_DOUBLINGS));
    }
    if (a.type === 'resolve' || result === null) ts.open.delete(a.kind);
    else ts.open.set(a.kind, result);
  }

  /** K, doubled for each incident of this kind resolved within FLAP_WINDOW_MS (flapping), at most 8x. */
  private calmMs(ts: TargetState, kind: IncidentKind, t: number): number {
    const recent = ts.resolves.get(kind)?.filter((x) => t - x < FLAP_WINDOW_MS).length ?? 0;
    return this.c.resolveCalmMs * 2 ** recent;
  }

  /** Resolves everything open for a target (paused): one action per open incident. */
  closeAll(targetId: number, message: string, nowMs: number): Action[] {
    const ts = this.targets.get(targetId);
    if (!ts) return [];
    const at = new Date(nowMs).toISOString();
    const out: Action[] = [];
    for (const [kind, inc] of ts.open) {
      if (ts.pending.has(kind)) continue;
      ts.pending.add(kind);
      out.push({ type: 'resolve', target_id: targetId, kind, incident: inc, at, details: { ...inc.details, resolution: { message } } });
    }
    return out;
  }

  /** Drops a deleted target; returns the incidents that were open (their rows are gone with it). */
  forget(targetId: number): Incident[] {
    const ts = this.targets.get(targetId);
    this.targets.delete(targetId);
    this.nSeries -= ts?.series.size ?? 0;
    return ts ? [...ts.open.values()] : [];
  }

  /** Open incidents the engine knows (read from the store at start, then its own). */
  loadOpen(incidents: Incident[]): void {
    for (const inc of incidents) {
      const ts = this.target(inc.target_id);
      ts.open.set(inc.kind, inc);
      for (const s of ts.series.values()) this.seed(ts, s, Number.isFinite(s.lastMs) ? s.lastMs : Date.parse(inc.started_at));
    }
  }

  // An incident open in the store but in no series' state (no snapshot, or an older one): mark the
  // series so the incident resolves by the usual hysteresis rather than at once.
  private seed(ts: TargetState, s: Series, t: number): void {
    for (const [kind, inc] of ts.open) {
      if (inc.regions.length > 0 && !inc.regions.includes(s.region)) continue;
      const baseline = typeof inc.details.baseline === 'number' ? inc.details.baseline : undefined;
      const all = [...ts.series.values()];
      if (kind === 'down' && !all.some((x) => x.up.failing)) Object.assign(s.up, { failing: true, failStreak: this.c.downFailures, okStreak: 0, lastFailMs: t });
      if (kind === 'latency_anomaly' && !all.some((x) => x.latency.anomalous)) seedAnomalous(s.latency, t, baseline);
      if (kind === 'error_rate' && !all.some((x) => x.errors.anomalous)) seedAnomalous(s.errors, t, baseline);
    }
  }

  /** Restores series from snapshots; a corrupt series starts fresh. Returns how many rows were unusable. */
  restore(rows: DetectorStateRow[]): number {
    const bySeries = new Map<string, { targetId: number; region: string; rows: Map<string, unknown> }>();
    for (const r of rows) {
      const key = `${r.target_id}\u0000${r.region}`;
      let e = bySeries.get(key);
      if (!e) bySeries.set(key, (e = { targetId: r.target_id, region: r.region, rows: new Map() }));
      e.rows.set(r.metric, r.state);
    }
    let bad = 0;
    for (const e of bySeries.values()) {
      const ts = this.target(e.targetId);
      try {
        const restored = Series.fromRows(e.targetId, e.region, e.rows, ts.params.detector, this.c.warmupPoints);
        if (!ts.series.has(e.region)) this.nSeries++;
        ts.series.set(e.region, restored);
      } catch {
        bad++;
      }
    }
    return bad;
  }

  /** Snapshot rows of (at most `maxSeries`) series changed since they were last taken; `failed()` marks them changed again. */
  takeDirty(maxSeries = Infinity): { rows: DetectorStateRow[]; failed(): void } {
    const taken: Series[] = [];
    outer: for (const ts of this.targets.values()) {
      for (const s of ts.series.values()) {
        if (taken.length >= maxSeries) break outer;
        if (s.dirty) taken.push(s);
      }
    }
    const rows = taken.flatMap((s) => s.toRows());
    for (const s of taken) s.dirty = false;
    return { rows, failed: () => taken.forEach((s) => (s.dirty = true)) };
  }

  /** Open incidents per kind (for the gauge). */
  openCounts(): Map<IncidentKind, number> {
    const out = new Map<IncidentKind, number>(ENGINE_KINDS.map((k) => [k, 0]));
    for (const ts of this.targets.values()) for (const k of ts.open.keys()) out.set(k, (out.get(k) ?? 0) + 1);
    return out;
  }

  seriesCount(): number {
    return this.nSeries;
  }

  private target(id: number): TargetState {
    let ts = this.targets.get(id);
    if (!ts) {
      const cfg: TargetConfig = { intervalS: 60, enabled: true, overrides: null };
      ts = { id, cfg, params: paramsFor(cfg.overrides, this.c), series: new Map(), open: new Map(), pending: new Set(), resolves: new Map() };
      this.targets.set(id, ts);
    }
    return ts;
  }
}
