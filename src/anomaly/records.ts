// "records": scores how far a deviation beats the largest deviation of its kind seen so far.
// Four signed deviations (point, short-term mean, same hour yesterday, slow drift) each keep a
// slowly decaying record; score = r / (1 + r) with r the best ratio to its record (0.5 = ties it).
// After a score is emitted, lower scores are silenced for a refractory period (one alert per event).
import { validationError } from '../errors.js';
import { checkState, clamp01, num, nums, resolveOptions, type Detector, type DetectorKind, type DetectorOptions, type DetectorState, type Json } from './detector.js';

export interface RecordsOptions extends DetectorOptions {
  /** EWMA weight of the recent level that point deviations are measured from (~1/points). */
  levelAlpha: number;
  /** EWMA weight of the short-term mean compared against that level. */
  fastAlpha: number;
  /** EWMA weights of the drift pair: a medium mean compared against a very slow one. */
  driftFastAlpha: number;
  driftSlowAlpha: number;
  /** Width of a time-of-day slot for the seasonal comparison, in minutes (60 = hour of day, UTC). */
  seasonSlotMin: number;
  /** Per-point decay of each record, so old extremes are slowly forgotten (0.9999 ~ 10,000 points). */
  recordDecay: number;
  /** Points after an emitted score during which only a higher score is emitted. */
  refractoryPoints: number;
  /** Points learnt before any score is emitted. */
  warmupPoints: number;
}

const KIND = 'records';
const VERSION = 1;
const DAY_MS = 86_400_000;
const FEATURES = 8; // 4 deviations x (up, down)

const defaults: RecordsOptions = {
  levelAlpha: 0.05,
  fastAlpha: 0.2,
  driftFastAlpha: 0.05,
  driftSlowAlpha: 0.001,
  seasonSlotMin: 60,
  recordDecay: 0.9999,
  refractoryPoints: 50,
  warmupPoints: 150,
};

interface RecordsState {
  n: number;
  /** Seasonal comparisons made so far. */
  seasonN: number;
  firstMs: number;
  level: number;
  fast: number;
  driftFast: number;
  driftSlow: number;
  hold: number;
  holdLeft: number;
  records: Float64Array;
  /** Last value seen in each time-of-day slot; NaN = none yet. */
  season: Float64Array;
}

function validate(o: RecordsOptions): RecordsOptions {
  for (const k of ['levelAlpha', 'fastAlpha', 'driftFastAlpha', 'driftSlowAlpha'] as const) {
    if (!(o[k] > 0 && o[k] <= 1)) throw validationError(`options.${k}`, `${k} must be in (0, 1]`);
  }
  if (!(o.recordDecay > 0 && o.recordDecay <= 1)) throw validationError('options.recordDecay', 'recordDecay must be in (0, 1]');
  if (!(o.seasonSlotMin >= 1 && 1440 % o.seasonSlotMin === 0)) throw validationError('options.seasonSlotMin', 'seasonSlotMin must divide 1440');
  if (!(o.refractoryPoints >= 0 && o.warmupPoints >= 0)) throw validationError('options.refractoryPoints', 'point counts must be >= 0');
  return o;
}

class Records implements Detector {
  private readonly f = new Float64Array(FEATURES);
  private readonly slotMs: number;

  constructor(
    private readonly o: RecordsOptions,
    private readonly s: RecordsState,
  ) {
    this.slotMs = o.seasonSlotMin * 60_000;
  }

  update(tMs: number, x: number): number {
    if (!Number.isFinite(x) || !Number.isFinite(tMs)) return 0;
    const { o, s, f } = this;
    s.n++;
    if (s.n === 1) {
      s.firstMs = tMs;
      s.level = s.fast = s.driftFast = s.driftSlow = x;
    }
    // Early on the slow means average everything seen so far instead of trailing the first value.
    const warm = s.n < o.warmupPoints;
    const avg = 1 / s.n;
    s.driftFast += (warm && avg > o.driftFastAlpha ? avg : o.driftFastAlpha) * (x - s.driftFast);
    s.driftSlow += (warm && avg > o.driftSlowAlpha ? avg : o.driftSlowAlpha) * (x - s.driftSlow);
    s.fast += (warm && avg > o.fastAlpha ? avg : o.fastAlpha) * (x - s.fast);
    const slot = Math.floor((((tMs % DAY_MS) + DAY_MS) % DAY_MS) / this.slotMs);
    const seen = s.season[slot]!;
    signed(f, 0, x - s.level);
    signed(f, 2, s.fast - s.level);
    if (!Number.isNaN(seen) && tMs - s.firstMs > DAY_MS) {
      signed(f, 4, x - seen);
      s.seasonN++;
    } else f[4] = f[5] = 0;
    signed(f, 6, s.driftFast - s.driftSlow);
    s.season[slot] = x;
    s.level += (warm && avg > o.levelAlpha ? avg : o.levelAlpha) * (x - s.level);

    let r = 0;
    const rec = s.records;
    for (let i = 0; i < FEATURES; i++) {
      const fi = f[i]!;
      // A feature that has just started (same-hour-yesterday after day one) has no record yet: learn first.
      if (fi > 0 && (i < 4 || i > 5 || s.seasonN > o.warmupPoints)) {
        const ri = fi / (rec[i]! + 1e-12);
        if (ri > r) r = ri;
      }
      rec[i] = Math.max(rec[i]! * o.recordDecay, fi);
    }
    if (warm) return 0;
    return this.emit(r / (1 + r));
  }

  // One alert per event: a score is emitted only when it beats the last emitted one (held for refractoryPoints).
  private emit(score: number): number {
    const s = this.s;
    if (s.holdLeft > 0 && --s.holdLeft === 0) s.hold = 0;
    if (score <= s.hold) return 0;
    s.hold = score;
    s.holdLeft = this.o.refractoryPoints;
    return clamp01(score);
  }

  snapshot(): DetectorState {
    const s = this.s;
    const state: { [key: string]: Json } = {
      n: s.n, seasonN: s.seasonN, firstMs: s.firstMs, level: s.level, fast: s.fast, driftFast: s.driftFast, driftSlow: s.driftSlow,
      hold: s.hold, holdLeft: s.holdLeft, records: Array.from(s.records),
      season: Array.from(s.season, (v) => (Number.isNaN(v) ? null : v)),
    };
    return { kind: KIND, version: VERSION, options: { ...this.o }, state };
  }
}

/** Writes max(0, d) and max(0, -d) to f[i], f[i + 1]: rises and falls keep separate records. */
function signed(f: Float64Array, i: number, d: number): void {
  f[i] = d > 0 ? d : 0;
  f[i + 1] = d < 0 ? -d : 0;
}

function freshState(o: RecordsOptions): RecordsState {
  return {
    n: 0, seasonN: 0, firstMs: 0, level: 0, fast: 0, driftFast: 0, driftSlow: 0, hold: 0, holdLeft: 0,
    records: new Float64Array(FEATURES), season: new Float64Array(1440 / o.seasonSlotMin).fill(NaN),
  };
}

function restoreState(o: RecordsOptions, j: { [key: string]: Json }): RecordsState {
  const slots = 1440 / o.seasonSlotMin;
  const season = j['season'];
  if (!Array.isArray(season) || season.length !== slots || !season.every((v) => v === null || (typeof v === 'number' && Number.isFinite(v)))) {
    throw validationError('state.season', `state field 'season' must be ${slots} numbers or nulls`);
  }
  const records = nums(j, 'records', FEATURES);
  if (records.length !== FEATURES) throw validationError('state.records', `state field 'records' must hold ${FEATURES} numbers`);
  return {
    n: num(j, 'n'), seasonN: num(j, 'seasonN'), firstMs: num(j, 'firstMs'), level: num(j, 'level'), fast: num(j, 'fast'),
    driftFast: num(j, 'driftFast'), driftSlow: num(j, 'driftSlow'), hold: num(j, 'hold'), holdLeft: num(j, 'holdLeft'),
    records: Float64Array.from(records), season: Float64Array.from(season, (v) => (v === null ? NaN : (v as number))),
  };
}

export const records: DetectorKind<RecordsOptions> = {
  description: 'Record-breaking deviations (point, short mean, same hour yesterday, drift), one alert per event.',
  defaults,
  create: (options) => {
    const o = validate(resolveOptions(defaults, options));
    return new Records(o, freshState(o));
  },
  restore: (state) => {
    const j = checkState(state, KIND, VERSION);
    const o = validate(resolveOptions(defaults, state.options as Partial<RecordsOptions>));
    return new Records(o, restoreState(o, j));
  },
};
