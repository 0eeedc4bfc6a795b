// "records": scores how far a deviation beats the largest deviation of its kind seen so far.
// Five signed deviations (point, short-term mean, same hour yesterday or last week, slow drift, and a
// running median against its slow mean, whose ratio is capped) each
// keep a slowly decaying record; r = the best ratio to its record (1 = ties it). A short mean of r
// (scaled by persistGain) also counts, so a run of near-record points scores like one record break.
// Score = r / (1 + r). After a score is emitted, lower scores are silenced for a refractory period,
// then the bar decays slowly (one alert per event).
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
  /** Width of a time slot for the seasonal comparison, in minutes (60 = hour of day / hour of week, UTC). */
  seasonSlotMin: number;
  /** Per-point decay of each record, so old extremes are slowly forgotten (0.9999 ~ 10,000 points). */
  recordDecay: number;
  /** Points after an emitted score during which only a higher score is emitted. */
  refractoryPoints: number;
  /** After the refractory period, per-point decay of the score a new one must beat (0 = forget at once). */
  holdDecay: number;
  /** EWMA weight of the persistence mean (the recent mean of the best ratio). */
  persistAlpha: number;
  /** The persistence mean times this gain competes with the current ratio (0 = off). */
  persistGain: number;
  /** Points learnt before any score is emitted. */
  warmupPoints: number;
  /** Points in the running median that is compared with its own slow mean (0 = off). */
  medianPoints: number;
  /** EWMA weight of that slow mean of the running median. */
  medianAlpha: number;
  /** Cap on the median feature's ratio: it can tip a near-threshold score over, not page on its own. */
  medianCap: number;
}

const KIND = 'records';
const VERSION = 3;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const FEATURES = 10; // 5 deviations x (up, down)

const defaults: RecordsOptions = {
  levelAlpha: 0.05,
  fastAlpha: 0.2,
  driftFastAlpha: 0.05,
  driftSlowAlpha: 0.001,
  seasonSlotMin: 60,
  recordDecay: 0.9999,
  refractoryPoints: 50,
  holdDecay: 0.99,
  persistAlpha: 0.15,
  persistGain: 1.17,
  warmupPoints: 150,
  medianPoints: 11,
  medianAlpha: 0.002,
  medianCap: 1.3,
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
  /** Recent mean of the best ratio (persistence). */
  persist: number;
  hold: number;
  holdLeft: number;
  records: Float64Array;
  /** Last value seen in each time-of-day slot (UTC); NaN = none yet. */
  season: Float64Array;
  /** Last value seen in each time-of-week slot (UTC, weeks counted from the epoch, a Thursday); NaN = none yet. */
  week: Float64Array;
  /** Last medianPoints values (ring buffer, filled up to n). */
  buf: Float64Array;
  medLevel: number;
}

function validate(o: RecordsOptions): RecordsOptions {
  for (const k of ['levelAlpha', 'fastAlpha', 'driftFastAlpha', 'driftSlowAlpha', 'persistAlpha', 'medianAlpha'] as const) {
    if (!(o[k] > 0 && o[k] <= 1)) throw validationError(`options.${k}`, `${k} must be in (0, 1]`);
  }
  if (!(o.recordDecay > 0 && o.recordDecay <= 1)) throw validationError('options.recordDecay', 'recordDecay must be in (0, 1]');
  if (!(o.holdDecay >= 0 && o.holdDecay <= 1)) throw validationError('options.holdDecay', 'holdDecay must be in [0, 1]');
  if (!(o.persistGain >= 0)) throw validationError('options.persistGain', 'persistGain must be >= 0');
  if (!(o.medianCap > 0)) throw validationError('options.medianCap', 'medianCap must be > 0');
  if (!(o.seasonSlotMin >= 1 && 1440 % o.seasonSlotMin === 0)) throw validationError('options.seasonSlotMin', 'seasonSlotMin must divide 1440');
  if (!(o.refractoryPoints >= 0 && o.warmupPoints >= 0)) throw validationError('options.refractoryPoints', 'point counts must be >= 0');
  if (!(Number.isInteger(o.medianPoints) && o.medianPoints >= 0 && o.medianPoints <= 1000)) {
    throw validationError('options.medianPoints', 'medianPoints must be an integer in [0, 1000]');
  }
  return o;
}

class Records implements Detector {
  private readonly f = new Float64Array(FEATURES);
  private readonly slotMs: number;
  /** The buffer's values in ascending order (derived from it, so not in the snapshot). */
  private readonly sorted: Float64Array;

  constructor(
    private readonly o: RecordsOptions,
    private readonly s: RecordsState,
  ) {
    this.slotMs = o.seasonSlotMin * 60_000;
    const filled = Math.min(s.n, o.medianPoints);
    this.sorted = new Float64Array(o.medianPoints);
    this.sorted.set(s.buf.subarray(0, filled).slice().sort());
  }

  /** Writes x over the oldest buffered value and keeps `sorted` in order (O(medianPoints), no allocation). */
  private push(x: number): void {
    const K = this.o.medianPoints, buf = this.s.buf, a = this.sorted, i = (this.s.n - 1) % K;
    let len = Math.min(this.s.n - 1, K);
    if (this.s.n > K) {
      const old = buf[i]!;
      let j = 0;
      while (j < len - 1 && a[j] !== old) j++;
      for (; j < len - 1; j++) a[j] = a[j + 1]!;
      len--;
    }
    let j = len;
    while (j > 0 && a[j - 1]! > x) { a[j] = a[j - 1]!; j--; }
    a[j] = x;
    buf[i] = x;
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
    const warm = s.n <= o.warmupPoints;
    const avg = 1 / s.n;
    s.driftFast += (warm && avg > o.driftFastAlpha ? avg : o.driftFastAlpha) * (x - s.driftFast);
    s.driftSlow += (warm && avg > o.driftSlowAlpha ? avg : o.driftSlowAlpha) * (x - s.driftSlow);
    s.fast += (warm && avg > o.fastAlpha ? avg : o.fastAlpha) * (x - s.fast);
    // Seasonal reference: the last value seen in this slot of the day (the previous point of the same
    // slot today, or yesterday's last one for a slot's first point), or in this slot of the week if
    // that is closer (weekly cycles: a Saturday is compared with last Saturday, not with Friday).
    const slot = Math.floor((((tMs % DAY_MS) + DAY_MS) % DAY_MS) / this.slotMs);
    const wslot = Math.floor((((tMs % WEEK_MS) + WEEK_MS) % WEEK_MS) / this.slotMs);
    const seen = s.season[slot]!;
    const seenWeek = s.week[wslot]!;
    signed(f, 0, x - s.level);
    signed(f, 2, s.fast - s.level);
    if (!Number.isNaN(seen) && tMs - s.firstMs > DAY_MS) {
      let d = x - seen;
      if (!Number.isNaN(seenWeek) && tMs - s.firstMs > WEEK_MS && Math.abs(x - seenWeek) < Math.abs(d)) d = x - seenWeek;
      signed(f, 4, d);
      s.seasonN++;
    } else f[4] = f[5] = 0;
    signed(f, 6, s.driftFast - s.driftSlow);
    const K = o.medianPoints;
    f[8] = f[9] = 0;
    if (K > 0) this.push(x);
    if (K > 0 && s.n >= K) {
      const m = K % 2 ? this.sorted[(K - 1) >> 1]! : 0.5 * (this.sorted[K / 2 - 1]! + this.sorted[K / 2]!);
      if (s.n === K) s.medLevel = m;
      signed(f, 8, m - s.medLevel);
      const avgM = 1 / (s.n - K + 1);
      s.medLevel += (warm && avgM > o.medianAlpha ? avgM : o.medianAlpha) * (m - s.medLevel);
    }
    s.season[slot] = x;
    s.week[wslot] = x;
    s.level += (warm && avg > o.levelAlpha ? avg : o.levelAlpha) * (x - s.level);

    let r = 0;
    const rec = s.records;
    // A feature that has just started has no record yet (a ratio to ~0 would score 1 and its hold
    // would silence the next real event): each learns for warmupPoints of its own first. The drift
    // pair starts once its two means stop being the same running average, the median once it has
    // K values, same-hour-yesterday after day one.
    const driftLive = s.n - Math.min(o.warmupPoints, Math.floor(1 / o.driftFastAlpha)) > o.warmupPoints;
    const medianLive = s.n - K > o.warmupPoints;
    const seasonLive = s.seasonN > o.warmupPoints;
    for (let i = 0; i < FEATURES; i++) {
      const fi = f[i]!;
      if (fi > 0 && (i < 4 || (i < 6 ? seasonLive : i < 8 ? driftLive : medianLive))) {
        let ri = fi / (rec[i]! + 1e-12);
        // The running median moves smoothly, so on noise it breaks young records in runs: capped, it
        // can lift a borderline score over the threshold but not make a confident alarm on its own.
        if (i > 7 && ri > o.medianCap) ri = o.medianCap;
        if (ri > r) r = ri;
      }
      rec[i] = Math.max(rec[i]! * o.recordDecay, fi);
    }
    if (warm) return 0;
    // Persistence: several near-record points in a row are as telling as one clear record break.
    s.persist += o.persistAlpha * (r - s.persist);
    const p = o.persistGain * s.persist;
    if (p > r) r = p;
    return this.emit(r / (1 + r));
  }

  // One alert per event: a score is emitted only when it beats the last emitted one (held for
  // refractoryPoints, then decaying by holdDecay per point).
  private emit(score: number): number {
    const s = this.s;
    if (s.holdLeft > 0) {
      if (--s.holdLeft === 0 && this.o.holdDecay === 0) s.hold = 0;
    } else s.hold *= this.o.holdDecay;
    if (score <= s.hold) return 0;
    s.hold = score;
    s.holdLeft = this.o.refractoryPoints;
    return clamp01(score);
  }

  snapshot(): DetectorState {
    const s = this.s;
    const state: { [key: string]: Json } = {
      n: s.n, seasonN: s.seasonN, firstMs: s.firstMs, level: s.level, fast: s.fast, driftFast: s.driftFast, driftSlow: s.driftSlow,
      persist: s.persist, hold: s.hold, holdLeft: s.holdLeft, records: Array.from(s.records),
      season: slotsJson(s.season), week: slotsJson(s.week), buf: Array.from(s.buf), medLevel: s.medLevel,
    };
    return { kind: KIND, version: VERSION, options: { ...this.o }, state };
  }
}

const slotsJson = (a: Float64Array): Json[] => Array.from(a, (v) => (Number.isNaN(v) ? null : v));

/** Writes max(0, d) and max(0, -d) to f[i], f[i + 1]: rises and falls keep separate records. */
function signed(f: Float64Array, i: number, d: number): void {
  f[i] = d > 0 ? d : 0;
  f[i + 1] = d < 0 ? -d : 0;
}

function freshState(o: RecordsOptions): RecordsState {
  return {
    n: 0, seasonN: 0, firstMs: 0, level: 0, fast: 0, driftFast: 0, driftSlow: 0, persist: 0, hold: 0, holdLeft: 0,
    records: new Float64Array(FEATURES), season: new Float64Array(1440 / o.seasonSlotMin).fill(NaN),
    week: new Float64Array((7 * 1440) / o.seasonSlotMin).fill(NaN),
    buf: new Float64Array(o.medianPoints), medLevel: 0,
  };
}

/** Reads a slot array (numbers or nulls for NaN) of exactly `slots` entries, or throws naming the field. */
function slotsState(j: { [key: string]: Json }, key: string, slots: number): Float64Array {
  const v = j[key];
  if (!Array.isArray(v) || v.length !== slots || !v.every((x) => x === null || (typeof x === 'number' && Number.isFinite(x)))) {
    throw validationError(`state.${key}`, `state field '${key}' must be ${slots} numbers or nulls`);
  }
  return Float64Array.from(v, (x) => (x === null ? NaN : (x as number)));
}

function restoreState(o: RecordsOptions, j: { [key: string]: Json }): RecordsState {
  const slots = 1440 / o.seasonSlotMin;
  const records = nums(j, 'records', FEATURES);
  const buf = nums(j, 'buf', o.medianPoints);
  if (buf.length !== o.medianPoints) throw validationError('state.buf', `state field 'buf' must hold ${o.medianPoints} numbers`);
  if (records.length !== FEATURES) throw validationError('state.records', `state field 'records' must hold ${FEATURES} numbers`);
  if (!(Number.isInteger(j.n) && (j.n as number) >= 0)) throw validationError('state.n', "state field 'n' must be a count");
  return {
    n: num(j, 'n'), seasonN: num(j, 'seasonN'), firstMs: num(j, 'firstMs'), level: num(j, 'level'), fast: num(j, 'fast'),
    driftFast: num(j, 'driftFast'), driftSlow: num(j, 'driftSlow'), persist: num(j, 'persist'), hold: num(j, 'hold'), holdLeft: num(j, 'holdLeft'),
    records: Float64Array.from(records), season: slotsState(j, 'season', slots), week: slotsState(j, 'week', 7 * slots),
    buf: Float64Array.from(buf), medLevel: num(j, 'medLevel'),
  };
}

export const records: DetectorKind<RecordsOptions> = {
  description: 'Record-breaking deviations (point, short mean, same hour yesterday or last week, drift, running median) and runs of near-records, one alert per event.',
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
