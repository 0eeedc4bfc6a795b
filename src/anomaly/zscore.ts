// Rolling z-score: mean and standard deviation of the last `window` values; the score of a value is
// 1 - P(|Z| beyond it) on one side, like NAB's "windowedGaussian". Kept as the baseline.
import { checkState, clamp01, num, resolveOptions, type Detector, type DetectorKind, type DetectorOptions, type DetectorState } from './detector.js';
import { normalTail, Ring } from './stats.js';

export interface ZscoreOptions extends DetectorOptions {
  /** Number of past values the mean/stddev are taken over. */
  window: number;
  /** Values seen before scores leave 0 (too few to estimate a spread). */
  minPoints: number;
}

const KIND = 'zscore';
const VERSION = 1;
const defaults: ZscoreOptions = { window: 6400, minPoints: 2 };

class Zscore implements Detector {
  constructor(
    private readonly opts: ZscoreOptions,
    private readonly ring: Ring,
    private seen = 0,
  ) {}

  update(_tMs: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    let score = 0;
    if (this.seen >= this.opts.minPoints) {
      // A flat window has no spread; NAB's baseline uses a tiny floor so any change scores ~1.
      const sd = Math.max(this.ring.std(), 1e-6);
      score = 1 - normalTail(Math.abs(value - this.ring.mean()) / sd);
    }
    this.ring.push(value);
    this.seen++;
    return clamp01(score);
  }

  snapshot(): DetectorState {
    return { kind: KIND, version: VERSION, options: { ...this.opts }, state: { seen: this.seen, ring: this.ring.toJSON() } };
  }
}

export const zscore: DetectorKind<ZscoreOptions> = {
  description: 'Rolling z-score over a window (NAB windowedGaussian); the baseline.',
  defaults,
  create: (options) => {
    const o = resolveOptions(defaults, options);
    return new Zscore(o, new Ring(o.window));
  },
  restore: (state) => {
    const s = checkState(state, KIND, VERSION);
    const o = resolveOptions(defaults, state.options as Partial<ZscoreOptions>);
    return new Zscore(o, Ring.fromJSON(o.window, s['ring']), num(s, 'seen'));
  },
};
