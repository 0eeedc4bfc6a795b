// One metric of one series (latency or error rate of a target in a region) turned into an
// "anomalous or not" state with confirmation and hysteresis. A detector score >= threshold only
// arms the track; it becomes anomalous when, while armed, 3 of the last 5 points (and the current
// one) differ from the baseline by at least the minimum change. It calms down after M points, and
// K ms, back within half that change. Pure: time comes from the points. See docs/anomaly.md.
import { validationError } from '../errors.js';
import type { Detector, Json } from './detector.js';

export type Direction = 'up' | 'down' | 'both';

export interface TrackParams {
  /** Detector score that arms the track. */
  threshold: number;
  direction: Direction;
  /** Smallest change (same unit as the values) that matters, given the baseline and its mean absolute deviation. */
  minChange(base: number, dev: number): number;
  /** Points learnt before the track may arm. */
  warmupPoints: number;
  /** Calm points in a row needed to calm down. */
  resolvePoints: number;
  /** And this long since the last point that was not calm. */
  calmMs: number;
}

/**
 * After a detection, confirmation may happen within this many points: longer than the records
 * detector's refractory period (50) and the first steps of its hold decay, so a change it silences
 * because of an earlier, smaller detection is still confirmed by its bad points.
 */
export const ARM_POINTS = 60;
/** Bad points needed among the last CONFIRM_OF (the current one included). */
export const CONFIRM_NEEDED = 3;
export const CONFIRM_OF = 5;
/** EWMA weight of the baseline after warm-up (~1,000 points); slow, so a drift stands out against it. */
export const BASE_ALPHA = 0.001;
/** A change that lasts this long becomes the new normal: the frozen baseline follows it (~100 points). */
export const ADAPT_AFTER_MS = 86_400_000;
const ADAPT_ALPHA = 0.01;
/** Values kept: the warm-up baseline is their median (robust to a slow first probe), evidence shows the last 5. */
const SAMPLES = 16;
/** Median absolute deviation x 1.19 ~ mean absolute deviation for normal noise, the unit `dev` uses. */
const MAD_TO_MEAN_DEV = 1.19;

export interface TrackState {
  n: number;
  base: number;
  dev: number;
  armLeft: number;
  /** Bit i = the point i steps ago was bad (CONFIRM_OF bits). */
  hits: number;
  anomalous: boolean;
  /** Baseline (and deviation) when it became anomalous; bad/calm are judged against these. */
  frozen: number;
  frozenDev: number;
  sinceMs: number;
  lastBadMs: number;
  calm: number;
  /** Score of the detection that armed (or confirmed) it. */
  score: number;
  /** The last SAMPLES values, newest last (warm-up median; the last 5 are evidence). */
  samples: number[];
}

export type TrackEvent = 'confirmed' | 'calmed' | null;

export function freshTrack(): TrackState {
  return { n: 0, base: 0, dev: 0, armLeft: 0, hits: 0, anomalous: false, frozen: 0, frozenDev: 0, sinceMs: 0, lastBadMs: 0, calm: 0, score: 0, samples: [] };
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
}

/** Whether `x` differs from `base` by at least the minimum change, in the direction that counts. */
export function isBad(x: number, base: number, dev: number, p: TrackParams): boolean {
  const mc = p.minChange(base, dev);
  const up = x >= base + mc;
  const down = x <= base - mc;
  return p.direction === 'up' ? up : p.direction === 'down' ? down : up || down;
}

/** Back within half the minimum change: counts towards calming down (hysteresis). */
function isCalm(x: number, base: number, dev: number, p: TrackParams): boolean {
  if (!Number.isFinite(base)) return true;
  const half = p.minChange(base, dev) / 2;
  return p.direction === 'up' ? x < base + half : p.direction === 'down' ? x > base - half : Math.abs(x - base) < half;
}

/**
 * Feeds one point: updates the detector, the baseline and the state. Returns 'confirmed' when the
 * track became anomalous at this point, 'calmed' when it stopped being anomalous, else null.
 * `onDetection` is told when the detector scored >= threshold (for metrics).
 */
export function feedTrack(s: TrackState, det: Detector, tMs: number, x: number, p: TrackParams, onDetection?: () => void): TrackEvent {
  if (!Number.isFinite(x)) return null;
  const score = det.update(tMs, x);
  s.n++;
  s.samples.push(x);
  if (s.samples.length > SAMPLES) s.samples.shift();
  if (s.anomalous) return feedAnomalous(s, tMs, x, p);

  const warm = s.n <= p.warmupPoints;
  const bad = !warm && isBad(x, s.base, s.dev, p);
  s.hits = ((s.hits << 1) | (bad ? 1 : 0)) & ((1 << CONFIRM_OF) - 1);
  if (!warm && score >= p.threshold) {
    onDetection?.();
    if (s.armLeft === 0 || score > s.score) s.score = score;
    s.armLeft = ARM_POINTS;
  }
  if (s.armLeft > 0) {
    s.armLeft--;
    if (bad && popcount(s.hits) >= CONFIRM_NEEDED) {
      Object.assign(s, { anomalous: true, frozen: s.base, frozenDev: s.dev, sinceMs: tMs, lastBadMs: tMs, calm: 0, armLeft: 0 });
      return 'confirmed';
    }
    // Armed: the baseline waits, so the change being confirmed does not become normal meanwhile.
    if (s.armLeft > 0) return null;
    s.score = 0;
  }
  learn(s, x, p.warmupPoints);
  return null;
}

function feedAnomalous(s: TrackState, tMs: number, x: number, p: TrackParams): TrackEvent {
  // Only a point back within half the minimum change is calm; anything else restarts the clock.
  if (isCalm(x, s.frozen, s.frozenDev, p)) s.calm++;
  else {
    s.lastBadMs = tMs;
    s.calm = 0;
  }
  if (tMs - s.sinceMs > ADAPT_AFTER_MS) s.frozen += ADAPT_ALPHA * (x - s.frozen);
  if (s.calm >= p.resolvePoints && tMs - s.lastBadMs >= p.calmMs) {
    Object.assign(s, { anomalous: false, base: Number.isFinite(s.frozen) ? s.frozen : x, dev: s.frozenDev, hits: 0, calm: 0, score: 0 });
    return 'calmed';
  }
  return null;
}

/**
 * Baseline and mean absolute deviation: during warm-up the median (and scaled MAD) of the recent
 * samples, so one slow first probe does not skew them; then a slow EWMA of clamped values.
 */
function learn(s: TrackState, x: number, warmupPoints: number): void {
  if (s.n <= warmupPoints) {
    s.base = median(s.samples);
    s.dev = MAD_TO_MEAN_DEV * median(s.samples.map((v) => Math.abs(v - s.base)));
    return;
  }
  // One wild value must not drag the baseline: values count at most 4 deviations away.
  const lim = 4 * s.dev;
  const y = lim === 0 ? x : Math.min(s.base + lim, Math.max(s.base - lim, x));
  s.dev += BASE_ALPHA * (Math.abs(y - s.base) - s.dev);
  s.base += BASE_ALPHA * (y - s.base);
}

function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** Marks a track anomalous without a detection (an open incident found at start without state). */
export function seedAnomalous(s: TrackState, tMs: number, baseline: number | undefined): void {
  const frozen = baseline !== undefined && Number.isFinite(baseline) ? baseline : s.n > 0 ? s.base : NaN;
  Object.assign(s, { anomalous: true, frozen, frozenDev: s.dev, sinceMs: tMs, lastBadMs: tMs, calm: 0, armLeft: 0 });
}

const NUM_KEYS = ['n', 'base', 'dev', 'armLeft', 'hits', 'frozen', 'frozenDev', 'sinceMs', 'lastBadMs', 'calm', 'score'] as const;

export function trackToJson(s: TrackState): { [key: string]: Json } {
  const out: { [key: string]: Json } = { anomalous: s.anomalous, samples: [...s.samples] };
  // NaN (an unknown frozen baseline) does not survive JSON: stored as null.
  for (const k of NUM_KEYS) out[k] = Number.isFinite(s[k]) ? s[k] : null;
  return out;
}

/** Reads a track back; throws AppError('validation') naming the field on a corrupt state. */
export function trackFromJson(j: unknown): TrackState {
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw validationError('track', 'track state must be an object');
  const o = j as Record<string, unknown>;
  const s = freshTrack();
  for (const k of NUM_KEYS) {
    const v = o[k];
    if (v === null && (k === 'frozen' || k === 'frozenDev')) s[k] = NaN;
    else if (typeof v === 'number' && Number.isFinite(v)) s[k] = v;
    else throw validationError(`track.${k}`, `track field '${k}' must be a finite number`);
  }
  if (typeof o.anomalous !== 'boolean') throw validationError('track.anomalous', "track field 'anomalous' must be a boolean");
  s.anomalous = o.anomalous;
  const samples = o.samples;
  if (!Array.isArray(samples) || samples.length > SAMPLES || !samples.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw validationError('track.samples', `track field 'samples' must hold at most ${SAMPLES} numbers`);
  }
  s.samples = samples as number[];
  return s;
}
