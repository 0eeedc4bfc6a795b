// What a target's settings mean for its tracks: the detector score that arms them, the minimum
// change that matters, the warm-up and the hysteresis. Defaults here; overrides per target come
// from anomaly_settings (PUT /targets/:id/anomaly). See docs/anomaly.md.
import type { AnomalyOverrides, Sensitivity } from '../store/incident-store.js';
import { DEFAULT_DETECTOR } from './registry.js';
import { ERROR_WINDOW } from './series.js';
import type { TrackParams } from './track.js';

/** Score that arms a track, per sensitivity. */
export const THRESHOLDS: Record<Exclude<Sensitivity, 'off'>, number> = { low: 0.6, normal: 0.55, high: 0.52 };
export const DEFAULT_MIN_CHANGE_MS = 20;
export const DEFAULT_MIN_CHANGE_PCT = 50;
/** Latency changes smaller than this many mean absolute deviations are noise, whatever the minimum. */
export const NOISE_DEVS = 4;
/** An error rate below this never counts; it must also be twice the normal rate and 4 binomial sd above it. */
export const ERROR_RATE_MIN = 0.2;
const ERROR_SDS = 4;

export interface Params {
  latency: TrackParams;
  errors: TrackParams;
  detector: string;
  /** Sensitivity `off`: no latency or error-rate incidents. */
  off: boolean;
}

export interface ParamDefaults {
  sensitivity: Sensitivity;
  warmupPoints: number;
  resolveSuccesses: number;
  resolveCalmMs: number;
}

export function paramsFor(o: AnomalyOverrides | null, d: ParamDefaults): Params {
  const sensitivity = o?.sensitivity ?? d.sensitivity;
  const threshold = sensitivity === 'off' ? Infinity : THRESHOLDS[sensitivity];
  const minMs = o?.min_change_ms ?? DEFAULT_MIN_CHANGE_MS;
  const minFrac = (o?.min_change_pct ?? DEFAULT_MIN_CHANGE_PCT) / 100;
  const common = { threshold, warmupPoints: d.warmupPoints, resolvePoints: d.resolveSuccesses, calmMs: d.resolveCalmMs };
  return {
    latency: { ...common, direction: o?.direction ?? 'up', minChange: (base, dev) => Math.max(minMs, minFrac * Math.abs(base), NOISE_DEVS * dev) },
    errors: { ...common, direction: 'up', minChange: (base) => Math.max(ERROR_RATE_MIN - base, base, ERROR_SDS * Math.sqrt((base * (1 - base)) / ERROR_WINDOW)) },
    detector: o?.detector ?? DEFAULT_DETECTOR,
    off: sensitivity === 'off',
  };
}
