// Pure delivery rules: when to retry (exponential backoff with jitter, Retry-After honoured up to a
// cap, for a bounded time) and how fast one channel may be sent to (a token bucket).

export interface RetryPolicy {
  /** Delay before the first retry; doubles per attempt (default 5,000 ms). */
  baseDelayMs: number;
  /** Largest delay between attempts (default 10 min). */
  maxDelayMs: number;
  /** A delivery still failing this long after it was queued is marked failed (default 1 h). */
  retryForMs: number;
  /** A Retry-After longer than this is cut to it (default 10 min): a broken header must not park a channel for days. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 5000, maxDelayMs: 600_000, retryForMs: 3_600_000, maxRetryAfterMs: 600_000 };

/**
 * Delay before attempt `attempt + 1` after `attempt` failed: base·2^(attempt-1) capped at maxDelayMs,
 * with "equal jitter" (half fixed, half random) so replicas and channels do not retry in step; never
 * sooner than the service's Retry-After (capped).
 */
export function retryDelayMs(attempt: number, p: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  const exp = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  const jittered = exp / 2 + (random() * exp) / 2;
  const floor = retryAfterMs === undefined ? 0 : Math.min(Math.max(0, retryAfterMs), p.maxRetryAfterMs);
  return Math.round(Math.max(jittered, floor));
}

/** Most messages a channel may get at once after a quiet spell. */
export const RATE_BURST = 5;

/** A token bucket: `perMinute` messages per minute on average, bursts of up to min(perMinute, RATE_BURST). */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private perMinute: number,
    nowMs: number,
  ) {
    this.tokens = this.capacity;
    this.last = nowMs;
  }

  private get capacity(): number {
    return Math.max(1, Math.min(RATE_BURST, this.perMinute));
  }

  /** Changes the rate (the channel was edited); keeps the tokens it has, up to the new capacity. */
  setRate(perMinute: number): void {
    this.perMinute = perMinute;
    this.tokens = Math.min(this.tokens, this.capacity);
  }

  private refill(nowMs: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + ((nowMs - this.last) * this.perMinute) / 60_000);
    this.last = nowMs;
  }

  /** Ms until a token is available (0 = now). */
  waitMs(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute);
  }

  /** Takes a token; call only when waitMs() is 0. */
  take(nowMs: number): void {
    this.refill(nowMs);
    this.tokens = Math.max(0, this.tokens - 1);
  }
}
