// Synthetic but realistic probe history (daily latency cycle, noise, rare failures, optional
// incident windows), for the dashboard e2e screenshots and bench/dashboard-api.ts.
import type { ProbeResult } from '../../src/domain/types.js';
import { uuidv7 } from '../../src/util/uuid.js';

export interface HistoryShape {
  /** Typical latency in ms. */
  baseMs: number;
  /** Share of probes that fail at random (0..1). */
  failRate?: number;
  /** Windows [fromMs, toMs) in which every probe fails with HTTP 503. */
  outages?: [number, number][];
  /** Windows [fromMs, toMs) in which latency is multiplied by `factor`. */
  slow?: { from: number; to: number; factor: number }[];
  region?: string;
  /** tcp: no status code, TLS or TTFB phases. */
  kind?: 'http' | 'tcp';
  /** Deterministic randomness. */
  seed?: number;
}

/** A small fast PRNG (mulberry32), so runs are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const within = (ms: number, windows: [number, number][] | undefined) => windows?.some(([a, b]) => ms >= a && ms < b) ?? false;
const round = (v: number) => Math.round(v * 100) / 100;

/** One result per `stepMs` from `fromMs` (inclusive) to `toMs` (exclusive), oldest first. */
export function syntheticHistory(targetId: number, fromMs: number, toMs: number, stepMs: number, shape: HistoryShape): ProbeResult[] {
  const rand = prng(shape.seed ?? targetId);
  const out: ProbeResult[] = [];
  for (let ms = fromMs; ms < toMs; ms += stepMs) {
    const daily = 1 + 0.25 * Math.sin(((ms % 86_400_000) / 86_400_000) * 2 * Math.PI - Math.PI / 2);
    const noise = Math.exp((rand() - 0.5) * 0.6) * (rand() < 0.02 ? 2.5 : 1);
    const slow = shape.slow?.find((s) => ms >= s.from && ms < s.to)?.factor ?? 1;
    const latency = shape.baseMs * daily * noise * slow;
    const outage = within(ms, shape.outages);
    const failed = outage || rand() < (shape.failRate ?? 0);
    const timeout = failed && !outage && rand() < 0.4;
    const ts = new Date(ms).toISOString();
    if (shape.kind === 'tcp') {
      out.push({
        id: uuidv7(ms), target_id: targetId, region: shape.region ?? 'default', ts, scheduled_at: ts, ok: !failed,
        latency_ms: round(latency * 0.3), status_code: null, error_class: failed ? 'refused' : null, error_message: failed ? 'connection refused' : null,
        phases: { dns_ms: null, connect_ms: round(latency * 0.3), tls_ms: null, ttfb_ms: null, transfer_ms: null },
        tls_expires_at: null, tls_issuer: null,
      });
      continue;
    }
    out.push({
      id: uuidv7(ms),
      target_id: targetId,
      region: shape.region ?? 'default',
      ts,
      scheduled_at: ts,
      ok: !failed,
      latency_ms: round(timeout ? 10_000 : latency),
      status_code: timeout ? null : failed ? 503 : 200,
      error_class: timeout ? 'timeout' : failed ? 'status' : null,
      error_message: timeout ? 'no response within 10000 ms' : failed ? 'status 503 not in 200-399' : null,
      phases: {
        dns_ms: round(latency * 0.08),
        connect_ms: round(latency * 0.17),
        tls_ms: round(latency * 0.25),
        ttfb_ms: timeout ? null : round(latency * 0.44),
        transfer_ms: timeout ? null : round(latency * 0.06),
      },
      tls_expires_at: new Date(toMs + 47 * 86_400_000).toISOString(),
      tls_issuer: "Let's Encrypt R11",
    });
  }
  return out;
}
