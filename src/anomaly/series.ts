// Everything the incident engine keeps for one (target, region): the up/down streaks, the error
// window, the latency and error-rate tracks with their detectors, and the certificate expiry.
// Bounded: two detectors, a few scalars, 5 samples per track. Snapshots are three JSON rows
// (metrics `up`, `latency`, `error_rate`) of detector_state.
import { validationError } from '../errors.js';
import type { DetectorStateRow } from '../store/incident-store.js';
import type { Detector, DetectorState, Json } from './detector.js';
import { createDetector, detectors, isDetectorName, restoreDetector } from './registry.js';
import { freshTrack, trackFromJson, trackToJson, type TrackState } from './track.js';

/** Probes in the error-rate window (a bit mask: must stay below 32). */
export const ERROR_WINDOW = 20;
const WINDOW_MASK = (1 << ERROR_WINDOW) - 1;
const VERSION = 1;

export interface UpState {
  failStreak: number;
  okStreak: number;
  /** Down in this region: set after N failures in a row, cleared after M successes and K calm. */
  failing: boolean;
  lastFailMs: number;
}

/** What the last failure said (evidence for `down`). */
export interface LastError {
  error_class: string | null;
  error_message: string | null;
  status_code: number | null;
}

export class Series {
  lastMs = -Infinity;
  lastId = '';
  up: UpState = { failStreak: 0, okStreak: 0, failing: false, lastFailMs: 0 };
  /** Bit i = the probe i steps ago failed; only probes while not `failing` enter. */
  window = 0;
  lastError: LastError | null = null;
  tlsExpiresMs: number | null = null;
  latency: TrackState = freshTrack();
  errors: TrackState = freshTrack();
  dirty = false;

  constructor(
    readonly targetId: number,
    readonly region: string,
    public latencyDet: Detector,
    public errorDet: Detector,
  ) {}

  static create(targetId: number, region: string, detector: string, warmupPoints: number): Series {
    return new Series(targetId, region, newDetector(detector, warmupPoints), newDetector(detector, warmupPoints));
  }

  /** Failures in the window divided by its length (a partly filled window under-counts: conservative). */
  errorRate(): number {
    let c = 0;
    for (let v = this.window; v; v &= v - 1) c++;
    return c / ERROR_WINDOW;
  }

  pushOutcome(failed: boolean): void {
    this.window = ((this.window << 1) | (failed ? 1 : 0)) & WINDOW_MASK;
  }

  /** Clears the newest `k` outcomes (the failures of a streak that turned out to be an outage). */
  dropNewest(k: number): void {
    this.window &= ~((1 << Math.min(k, ERROR_WINDOW)) - 1) & WINDOW_MASK;
  }

  toRows(): DetectorStateRow[] {
    const base = { target_id: this.targetId, region: this.region };
    const up: { [key: string]: Json } = {
      v: VERSION, lastMs: Number.isFinite(this.lastMs) ? this.lastMs : null, lastId: this.lastId, up: { ...this.up }, window: this.window,
      lastError: this.lastError ? { ...this.lastError } : null, tlsExpiresMs: this.tlsExpiresMs,
    };
    return [
      { ...base, metric: 'up', state: up },
      { ...base, metric: 'latency', state: { v: VERSION, detector: this.latencyDet.snapshot() as unknown as Json, track: trackToJson(this.latency) } },
      { ...base, metric: 'error_rate', state: { v: VERSION, detector: this.errorDet.snapshot() as unknown as Json, track: trackToJson(this.errors) } },
    ];
  }

  /**
   * Rebuilds a series from its rows; a metric whose row is missing, corrupt or for another detector
   * kind starts fresh. Throws AppError('validation') only when the `up` row is corrupt.
   */
  static fromRows(targetId: number, region: string, rows: Map<string, unknown>, detector: string, warmupPoints: number): Series {
    const s = Series.create(targetId, region, detector, warmupPoints);
    const up = rows.get('up');
    if (up !== undefined) readUp(s, up);
    const lat = readMetric(rows.get('latency'), detector);
    if (lat) [s.latencyDet, s.latency] = lat;
    const err = readMetric(rows.get('error_rate'), detector);
    if (err) [s.errorDet, s.errors] = err;
    return s;
  }
}

/** A fresh detector; `warmupPoints` is passed to kinds that have that option. */
export function newDetector(name: string, warmupPoints: number): Detector {
  if (!isDetectorName(name)) throw validationError('detector', `unknown detector '${name}'`);
  return createDetector(name, 'warmupPoints' in detectors[name].defaults ? { warmupPoints } : {});
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function readUp(s: Series, j: unknown): void {
  if (!isObj(j) || j.v !== VERSION || !isObj(j.up)) throw validationError('state.up', 'unsupported up/down state');
  const u = j.up;
  if (!isNum(u.failStreak) || !isNum(u.okStreak) || typeof u.failing !== 'boolean' || !isNum(u.lastFailMs) || !isNum(j.window)) {
    throw validationError('state.up', 'corrupt up/down state');
  }
  s.up = { failStreak: u.failStreak, okStreak: u.okStreak, failing: u.failing, lastFailMs: u.lastFailMs };
  s.window = j.window & WINDOW_MASK;
  s.lastMs = isNum(j.lastMs) ? j.lastMs : -Infinity;
  s.lastId = typeof j.lastId === 'string' ? j.lastId : '';
  s.tlsExpiresMs = isNum(j.tlsExpiresMs) ? j.tlsExpiresMs : null;
  const e = j.lastError;
  if (isObj(e)) {
    s.lastError = {
      error_class: typeof e.error_class === 'string' ? e.error_class : null,
      error_message: typeof e.error_message === 'string' ? e.error_message : null,
      status_code: isNum(e.status_code) ? e.status_code : null,
    };
  }
}

function readMetric(j: unknown, detector: string): [Detector, TrackState] | null {
  if (!isObj(j) || j.v !== VERSION || !isObj(j.detector)) return null;
  const state = j.detector as unknown as DetectorState;
  if (state.kind !== detector) return null;
  try {
    return [restoreDetector(state), trackFromJson(j.track)];
  } catch {
    return null;
  }
}
