// Drives the incident engine with synthetic, seeded series and applies its actions to an
// in-memory incident list (what the anomaly service does with the store), recording transitions.
import type { Incident, IncidentKind } from '../../src/domain/incident.js';
import type { ProbeResult } from '../../src/domain/types.js';
import { IncidentEngine, type Action, type EngineConfig, type TargetConfig } from '../../src/anomaly/engine.js';
import { uuidv7 } from '../../src/util/uuid.js';

export const MINUTE = 60_000;
export const T0 = Date.UTC(2025, 0, 6); // a Monday, 00:00 UTC

/** mulberry32: a small seeded PRNG, so every run sees the same series. */
export function rng(seed: number): { next(): number; gauss(): number } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, gauss: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()) };
}

export interface Point {
  latencyMs: number;
  ok?: boolean;
  region?: string;
  tlsExpiresMs?: number;
}

export interface Transition {
  i: number;
  tMs: number;
  transition: 'opened' | 'resolved' | 'updated';
  kind: IncidentKind;
  incident: Incident;
}

export const TEST_CONFIG: EngineConfig = {
  downFailures: 3, downQuorum: 1, resolveSuccesses: 3, resolveCalmMs: 10 * MINUTE, tlsExpiryDays: 14, warmupPoints: 150, sensitivity: 'normal',
};

export class Sim {
  readonly engine: IncidentEngine;
  readonly transitions: Transition[] = [];
  detections = 0;
  /** Index of the next point (across regions: one per feed call). */
  i = 0;

  constructor(cfg: Partial<EngineConfig> = {}, target: Partial<TargetConfig> = {}, readonly targetId = 1) {
    this.engine = new IncidentEngine({ ...TEST_CONFIG, ...cfg, onDetection: () => this.detections++ });
    this.engine.configure(targetId, { intervalS: 60, enabled: true, overrides: null, ...target });
  }

  /** Feeds one result at `tMs`. */
  feed(tMs: number, p: Point): void {
    const ok = p.ok ?? true;
    const r: ProbeResult = {
      id: uuidv7(tMs), target_id: this.targetId, region: p.region ?? 'default', ts: new Date(tMs).toISOString(), scheduled_at: new Date(tMs).toISOString(),
      ok, latency_ms: p.latencyMs, status_code: ok ? 200 : 503, error_class: ok ? null : 'status', error_message: ok ? null : 'HTTP 503',
      phases: { dns_ms: null, connect_ms: null, tls_ms: null, ttfb_ms: null, transfer_ms: null },
      tls_expires_at: p.tlsExpiresMs === undefined ? null : new Date(p.tlsExpiresMs).toISOString(), tls_issuer: null,
    };
    for (const a of this.engine.process(r)) this.apply(a, tMs);
    this.i++;
  }

  /** Feeds `n` points `stepMs` apart from `startMs`; `at(k)` gives the k-th point. Returns the time after the last. */
  run(startMs: number, n: number, stepMs: number, at: (k: number, tMs: number) => Point): number {
    for (let k = 0; k < n; k++) this.feed(startMs + k * stepMs, at(k, startMs + k * stepMs));
    return startMs + n * stepMs;
  }

  apply(a: Action, tMs: number): void {
    if (a.type === 'open') {
      const incident: Incident = {
        id: uuidv7(tMs), target_id: a.target_id, target_name: 'sim', kind: a.kind, state: 'open', severity: a.severity, started_at: a.at,
        ended_at: null, acknowledged_at: null, acknowledged_by: null, regions: a.regions, details: a.details, updated_at: a.at,
      };
      this.engine.settle(a, incident);
      this.transitions.push({ i: this.i, tMs, transition: 'opened', kind: a.kind, incident });
    } else if (a.type === 'resolve') {
      const incident: Incident = { ...a.incident, state: 'resolved', ended_at: a.at, details: a.details };
      this.engine.settle(a, incident);
      this.transitions.push({ i: this.i, tMs, transition: 'resolved', kind: a.kind, incident });
    } else {
      const incident: Incident = { ...a.incident, regions: a.regions, details: a.details };
      this.engine.settle(a, incident);
      this.transitions.push({ i: this.i, tMs, transition: 'updated', kind: a.kind, incident });
    }
  }

  opened(kind?: IncidentKind): Transition[] {
    return this.transitions.filter((t) => t.transition === 'opened' && (kind === undefined || t.kind === kind));
  }

  resolved(kind?: IncidentKind): Transition[] {
    return this.transitions.filter((t) => t.transition === 'resolved' && (kind === undefined || t.kind === kind));
  }
}

/** Gaussian noise around `mean` with standard deviation `sd`, never below 0.1 ms. */
export const noisy = (r: ReturnType<typeof rng>, mean: number, sd: number): number => Math.max(0.1, mean + sd * r.gauss());
