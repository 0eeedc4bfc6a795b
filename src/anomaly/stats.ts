// Small numeric helpers shared by the detectors: normal tail probabilities and a fixed-size
// ring buffer with running sums (bounded memory, O(1) per push, JSON round trip).
import { nums, num, type Json } from './detector.js';

/** erfc(x) with fractional error < 1.2e-7 everywhere (Chebyshev fit, Numerical Recipes `erfcc`). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export const normalTail = (z: number): number => 0.5 * erfc(z / Math.SQRT2);

/** Fixed-capacity ring buffer of numbers with running sum and sum of squares. */
export class Ring {
  readonly capacity: number;
  private buf: Float64Array;
  private head = 0; // next write position
  private count = 0;
  private sum = 0;
  private sumSq = 0;
  private sinceRecompute = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.buf = new Float64Array(this.capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Appends x, evicting the oldest value when full; returns the evicted value or undefined. */
  push(x: number): number | undefined {
    let out: number | undefined;
    if (this.count === this.capacity) {
      out = this.buf[this.head]!;
      this.sum -= out;
      this.sumSq -= out * out;
    } else this.count++;
    this.buf[this.head] = x;
    this.head = (this.head + 1) % this.capacity;
    this.sum += x;
    this.sumSq += x * x;
    // Running sums drift after many add/remove pairs; recomputing once per capacity keeps it O(1) amortised.
    if (++this.sinceRecompute >= this.capacity) this.recompute();
    return out;
  }

  /** The i-th newest value (0 = newest). */
  back(i: number): number {
    return this.buf[(this.head - 1 - i + 2 * this.capacity) % this.capacity]!;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** Population standard deviation. */
  std(): number {
    if (this.count < 2) return 0;
    const m = this.sum / this.count;
    return Math.sqrt(Math.max(0, this.sumSq / this.count - m * m));
  }

  private recompute(): void {
    let s = 0;
    let q = 0;
    for (let i = 0; i < this.count; i++) {
      const v = this.back(i);
      s += v;
      q += v * v;
    }
    this.sum = s;
    this.sumSq = q;
    this.sinceRecompute = 0;
  }

  /** Oldest-first values, for snapshots. */
  toJSON(): Json {
    const values: number[] = [];
    for (let i = this.count - 1; i >= 0; i--) values.push(this.back(i));
    return { values, since: this.sinceRecompute, sum: this.sum, sumSq: this.sumSq };
  }

  static fromJSON(capacity: number, j: Json | undefined): Ring {
    const o = j !== null && typeof j === 'object' && !Array.isArray(j) ? j : {};
    const r = new Ring(capacity);
    for (const v of nums(o, 'values', r.capacity)) r.push(v);
    // Restore the exact running sums too, so scores after a restore match an uninterrupted run bit for bit.
    r.sum = num(o, 'sum');
    r.sumSq = num(o, 'sumSq');
    r.sinceRecompute = num(o, 'since');
    return r;
  }
}
