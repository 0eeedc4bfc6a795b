// Incident use cases shared by the API and the anomaly role: build and publish transition events,
// list/read incidents, acknowledge one; read and replace a target's anomaly overrides.
import type { Bus } from '../bus/bus.js';
import type { Incident, IncidentTransition, Transition } from '../domain/incident.js';
import type { Target } from '../domain/types.js';
import { errorMessage, notFound, validationError } from '../errors.js';
import { DEFAULT_DETECTOR, isDetectorName } from '../anomaly/registry.js';
import { DEFAULT_MIN_CHANGE_MS, DEFAULT_MIN_CHANGE_PCT, THRESHOLDS } from '../anomaly/params.js';
import { SENSITIVITIES, type AnomalyOverrides, type IncidentFilter, type Sensitivity } from '../store/incident-store.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/log.js';
import { uuidv7 } from '../util/uuid.js';

/** A transition event for `incident` (the row after the change). */
export function transitionOf(transition: Transition, incident: Incident, target: Pick<Target, 'id' | 'name' | 'url'>, atMs = Date.now()): IncidentTransition {
  return { id: uuidv7(atMs), transition, at: new Date(atMs).toISOString(), incident, target: { id: target.id, name: target.name, url: target.url } };
}

const PUBLISH_TRIES = 3;

/** Publishes on `incidents` (key = target id), retrying twice; the event id stays the same, so the bus stores it once. */
export async function publishTransition(bus: Bus, t: IncidentTransition, log?: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await bus.publish('incidents', String(t.target.id), t);
    } catch (e: unknown) {
      if (attempt >= PUBLISH_TRIES) {
        log?.error('incident transition not published', { incident_id: t.incident.id, transition: t.transition, error: errorMessage(e) });
        throw e;
      }
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}

/** Checks the configured default sensitivity (fails at start-up on a bad value). */
export function parseSensitivity(value: string, field = 'anomaly_sensitivity'): Sensitivity {
  if (!(SENSITIVITIES as readonly string[]).includes(value)) throw validationError(field, `${field} must be one of ${SENSITIVITIES.join(', ')}, got "${value}"`);
  return value as Sensitivity;
}

/** A target's anomaly settings as the API shows them: effective values plus the stored overrides. */
export interface AnomalySettingsView {
  target_id: number;
  sensitivity: Sensitivity;
  /** Detector score that counts as a detection (null when sensitivity is off). */
  threshold: number | null;
  detector: string;
  direction: 'up' | 'down' | 'both';
  min_change_ms: number;
  min_change_pct: number;
  overrides: AnomalyOverrides;
  updated_at: string | null;
}

const NO_OVERRIDES: AnomalyOverrides = { sensitivity: null, detector: null, direction: null, min_change_ms: null, min_change_pct: null };

export class IncidentService {
  constructor(private readonly o: { store: Store; bus: Bus; defaultSensitivity: Sensitivity; log?: Logger }) {}

  list(filter: IncidentFilter): Promise<Incident[]> {
    if (filter.from && filter.to && Date.parse(filter.from) > Date.parse(filter.to)) throw validationError('from', '"from" must not be after "to"');
    return this.o.store.incidents.list(filter);
  }

  async get(id: string): Promise<Incident> {
    const inc = await this.o.store.incidents.get(id);
    if (!inc) throw notFound(`incident ${id}`);
    return inc;
  }

  /** Open (unresolved) incidents of one target, newest first. */
  current(targetId: number): Promise<Incident[]> {
    return this.o.store.incidents.list({ target_id: targetId, state: 'open', limit: 100 });
  }

  /** Records who acknowledged and when; publishes `acknowledged` the first time. 409 when resolved. */
  async acknowledge(id: string, by: string, nowMs = Date.now()): Promise<Incident> {
    const res = await this.o.store.incidents.acknowledge(id, by, new Date(nowMs).toISOString());
    if (!res) throw notFound(`incident ${id}`);
    if (res.changed) {
      const target = await this.o.store.targets.get(res.incident.target_id);
      if (target) await publishTransition(this.o.bus, transitionOf('acknowledged', res.incident, target, nowMs), this.o.log);
    }
    return res.incident;
  }

  async settings(targetId: number): Promise<AnomalySettingsView> {
    if (!(await this.o.store.targets.get(targetId))) throw notFound(`target ${targetId}`);
    const stored = await this.o.store.anomaly.getOverrides(targetId);
    return this.view(targetId, stored ?? { ...NO_OVERRIDES }, stored?.updated_at ?? null);
  }

  /** Replaces the overrides (absent or null = default) and tells the anomaly role (targets.changed). */
  async putSettings(targetId: number, input: Partial<AnomalyOverrides>): Promise<AnomalySettingsView> {
    const o: AnomalyOverrides = { ...NO_OVERRIDES, ...input };
    if (o.detector !== null && !isDetectorName(o.detector)) throw validationError('detector', `unknown detector "${o.detector}"`);
    const stored = await this.o.store.anomaly.putOverrides(targetId, o);
    if (!stored) throw notFound(`target ${targetId}`);
    // Not fatal: the anomaly role also re-reads every target's settings once a minute.
    await this.o.bus.publish('targets', 'changed', { id: uuidv7(), target_id: targetId, op: 'updated' }).catch(() => undefined);
    return this.view(targetId, o, stored.updated_at);
  }

  private view(targetId: number, o: AnomalyOverrides, updatedAt: string | null): AnomalySettingsView {
    const sensitivity = o.sensitivity ?? this.o.defaultSensitivity;
    return {
      target_id: targetId,
      sensitivity,
      threshold: sensitivity === 'off' ? null : THRESHOLDS[sensitivity],
      detector: o.detector ?? DEFAULT_DETECTOR,
      direction: o.direction ?? 'up',
      min_change_ms: o.min_change_ms ?? DEFAULT_MIN_CHANGE_MS,
      min_change_pct: o.min_change_pct ?? DEFAULT_MIN_CHANGE_PCT,
      overrides: o,
      updated_at: updatedAt,
    };
  }
}
