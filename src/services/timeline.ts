// When each target is due. Pure: time comes in as arguments, so tests can run hours in a loop.
// Each target fires on a fixed grid `k * interval + offset` (ms since the epoch), with a stable
// per-target offset spreading targets over the interval; runs are computed from the grid, never
// from "now + interval", so there is no drift. A new target runs at once, then joins its grid.
import { MinHeap } from '../util/heap.js';

export interface TimelineTarget {
  id: number;
  interval_s: number;
}

export interface DueRun<T> {
  target: T;
  /** When the run was due (ms since the epoch). */
  scheduledAt: number;
  /** Runs of this target that were passed over because the timeline fell behind (not emitted). */
  missed: number;
}

/** A stable offset in [0, intervalMs) from the target id (splitmix-style hash). */
export function offsetFor(id: number, intervalMs: number): number {
  let x = BigInt.asUintN(64, BigInt(id) + 0x9e3779b97f4a7c15n);
  x = BigInt.asUintN(64, (x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n);
  x = BigInt.asUintN(64, (x ^ (x >> 27n)) * 0x94d049bb133111ebn);
  x ^= x >> 31n;
  return Number(x % BigInt(intervalMs));
}

/** The first grid point of the target strictly after `afterMs`. */
export function nextGridPoint(id: number, intervalMs: number, afterMs: number): number {
  const offset = offsetFor(id, intervalMs);
  return Math.floor((afterMs - offset) / intervalMs) * intervalMs + offset + intervalMs;
}

interface Entry<T> {
  target: T;
  gen: number;
}

export class Timeline<T extends TimelineTarget> {
  private heap = new MinHeap<Entry<T> & { due: number }>();
  private current = new Map<number, Entry<T>>();
  private gen = 0;

  get size(): number {
    return this.current.size;
  }

  has(id: number): boolean {
    return this.current.has(id);
  }

  get(id: number): T | undefined {
    return this.current.get(id)?.target;
  }

  ids(): number[] {
    return [...this.current.keys()];
  }

  /** Adds or replaces a target. `immediate`: first run at `now` (new target), or at the given time, else at its next grid point. */
  upsert(target: T, now: number, immediate: boolean | number): void {
    const entry = { target, gen: ++this.gen };
    this.current.set(target.id, entry);
    const due = typeof immediate === 'number' ? immediate : immediate ? now : nextGridPoint(target.id, target.interval_s * 1000, now);
    this.heap.push(due, { ...entry, due });
  }

  remove(id: number): void {
    this.current.delete(id);
  }

  /** When the next run is due, or undefined when nothing is scheduled. Skips removed entries. */
  nextDue(): number | undefined {
    this.dropStale();
    return this.heap.peekKey();
  }

  /**
   * Pops every run due at or before `now` and schedules each target's next grid point. A target
   * more than `graceMs` behind gets one run now and the runs it missed counted, never a burst.
   */
  takeDue(now: number, graceMs: number): DueRun<T>[] {
    const out: DueRun<T>[] = [];
    for (;;) {
      this.dropStale();
      const key = this.heap.peekKey();
      if (key === undefined || key > now) break;
      const e = this.heap.pop()!;
      if (this.current.get(e.target.id)?.gen !== e.gen) continue;
      const intervalMs = e.target.interval_s * 1000;
      let missed = 0;
      let next = nextGridPoint(e.target.id, intervalMs, e.due);
      if (now - e.due > graceMs && next <= now) {
        const after = nextGridPoint(e.target.id, intervalMs, now);
        missed = Math.round((after - next) / intervalMs);
        next = after;
      }
      out.push({ target: e.target, scheduledAt: e.due, missed });
      this.heap.push(next, { target: e.target, gen: e.gen, due: next });
    }
    return out;
  }

  private dropStale(): void {
    for (;;) {
      const top = this.heap.peekKey();
      if (top === undefined) return;
      // Peek at the entry without a second heap API: pop and push back when it is live.
      const e = this.heap.pop()!;
      const cur = this.current.get(e.target.id);
      if (cur && cur.gen === e.gen) {
        this.heap.push(e.due, e);
        return;
      }
    }
  }
}
