import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Timeline, nextGridPoint, offsetFor } from './timeline.js';

test('offsets spread 10,000 targets with one interval evenly over it', () => {
  const buckets = new Array<number>(10).fill(0);
  for (let id = 1; id <= 10_000; id++) buckets[Math.floor(offsetFor(id, 10_000) / 1000)]!++;
  for (const b of buckets) assert.ok(b > 850 && b < 1150, `bucket of ${b} is uneven`);
  assert.equal(offsetFor(42, 60_000), offsetFor(42, 60_000));
});

test('a new target runs at once, then on its grid, with no drift over ten simulated hours', () => {
  const tl = new Timeline<{ id: number; interval_s: number }>();
  const t0 = 1_700_000_000_123;
  tl.upsert({ id: 7, interval_s: 30 }, t0, true);
  const runs: number[] = [];
  let now = t0;
  while (now < t0 + 10 * 3600_000) {
    // Wake a little late each time, as real timers do.
    now = (tl.nextDue() ?? now) + 3;
    for (const r of tl.takeDue(now, 5000)) runs.push(r.scheduledAt);
  }
  assert.equal(runs[0], t0);
  const grid = runs.slice(1);
  const offset = offsetFor(7, 30_000);
  for (const at of grid) assert.equal((at - offset) % 30_000, 0);
  for (let i = 1; i < grid.length; i++) assert.equal(grid[i]! - grid[i - 1]!, 30_000);
  assert.ok(Math.abs(grid.length - 10 * 120) <= 1, `${grid.length} runs`);
});

test('a timeline that fell behind emits one run per target and counts the missed ones', () => {
  const tl = new Timeline<{ id: number; interval_s: number }>();
  const t0 = 1_000_000;
  tl.upsert({ id: 1, interval_s: 1 }, t0, false);
  const first = tl.nextDue()!;
  const due = tl.takeDue(first + 10_500, 2000);
  assert.equal(due.length, 1);
  assert.equal(due[0]!.missed, 10);
  assert.ok(tl.nextDue()! > first + 10_500);
});

test('removing or replacing a target takes effect for its pending runs', () => {
  const tl = new Timeline<{ id: number; interval_s: number; v?: number }>();
  tl.upsert({ id: 1, interval_s: 10 }, 0, true);
  tl.upsert({ id: 2, interval_s: 10 }, 0, true);
  tl.remove(1);
  tl.upsert({ id: 2, interval_s: 5, v: 2 }, 0, true);
  const due = tl.takeDue(0, 1000);
  assert.deepEqual(due.map((d) => [d.target.id, d.target.v]), [[2, 2]]);
  assert.equal(tl.size, 1);
  assert.equal(tl.nextDue(), nextGridPoint(2, 5000, 0));
});
