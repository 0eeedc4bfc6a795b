// Pure rules: backoff with jitter and the Retry-After floor, the per-channel token bucket, and the
// grouped event built from claimed rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BURST, OPENED } from '../../../test/helpers/channel-contract.js';
import type { ClaimedDelivery } from '../../store/notify-store.js';
import { composeEvent } from './compose.js';
import { DEFAULT_RETRY, RateLimiter, retryDelayMs } from './policy.js';

test('retry delays double per attempt between half and all of the step, cap at maxDelayMs, and respect a capped Retry-After', () => {
  const p = { ...DEFAULT_RETRY, baseDelayMs: 1000, maxDelayMs: 8000, maxRetryAfterMs: 30_000 };
  assert.equal(retryDelayMs(1, p, undefined, () => 0), 500);
  assert.equal(retryDelayMs(1, p, undefined, () => 1), 1000);
  assert.equal(retryDelayMs(3, p, undefined, () => 1), 4000);
  assert.equal(retryDelayMs(10, p, undefined, () => 1), 8000, 'capped');
  assert.equal(retryDelayMs(50, p, undefined, () => 0.5), 6000, 'no overflow for large attempts');
  assert.equal(retryDelayMs(1, p, 20_000, () => 0), 20_000, 'Retry-After is a floor');
  assert.equal(retryDelayMs(1, p, 86_400_000, () => 0), 30_000, 'an absurd Retry-After is capped');
  const spread = new Set(Array.from({ length: 50 }, () => retryDelayMs(4, p)));
  assert.ok(spread.size > 10, 'jitter spreads retries');
});

test('the rate limiter allows a burst, then one message per 60/perMinute seconds', () => {
  const r = new RateLimiter(6, 0);
  for (let i = 0; i < 5; i++) {
    assert.equal(r.waitMs(0), 0);
    r.take(0);
  }
  assert.equal(r.waitMs(0), 10_000, 'empty: the next token in 10 s');
  assert.equal(r.waitMs(4000), 6000);
  assert.equal(r.waitMs(10_000), 0);
  r.take(10_000);
  r.setRate(60);
  assert.equal(r.waitMs(10_000), 1000);
  const slow = new RateLimiter(1, 0);
  slow.take(0);
  assert.equal(slow.waitMs(0), 60_000, 'a burst of one at 1 per minute');
});

test('one claimed row is sent as its own event; several as one grouped event whose id is stable for the same rows', () => {
  const rows: ClaimedDelivery[] = BURST.incidents.map((inc, i) => ({
    id: 10 + i,
    transition: 'opened',
    attempts: 0,
    created_at: '2024-05-01T13:00:00.000Z',
    event: { kind: 'opened', id: `evt-${i}`, at: `2024-05-01T13:00:0${i}.000Z`, incidents: [inc] },
  }));
  assert.equal(composeEvent([{ ...rows[0]!, event: OPENED }]), OPENED);
  const g = composeEvent(rows);
  assert.equal(g.kind, 'opened');
  assert.deepEqual(g.summary, { total: 3 });
  assert.deepEqual(g.incidents.map((i) => i.id), ['inc-b1', 'inc-b2', 'inc-b3']);
  assert.equal(g.at, '2024-05-01T13:00:02.000Z');
  assert.match(g.id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(composeEvent(rows).id, g.id);
  assert.notEqual(composeEvent(rows.slice(1)).id, g.id);
});
