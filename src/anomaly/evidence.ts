// The `details` of incidents: what was seen, what was normal, and one human sentence, per kind.
// Pure functions of the engine's series state.
import type { IncidentDetails } from '../domain/incident.js';
import { ERROR_WINDOW, type Series } from './series.js';

const DAY_MS = 86_400_000;

/** 0.734 -> "0.7", 12.36 -> "12", for messages. */
export const fmtMs = (ms: number): string => (ms < 10 ? ms.toFixed(1) : String(Math.round(ms)));
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const pct = (rate: number): string => `${Math.round(rate * 100)}%`;
const regionList = (series: Series[]): string => series.map((s) => s.region).join(', ');

/** Evidence for `down`: failing regions, streaks and the last error. */
export function downEvidence(failing: Series[], probing: number, quorum: number): IncidentDetails {
  const first = failing[0];
  const e = first?.lastError;
  const why = e ? (e.status_code !== null && e.error_class === 'status' ? `HTTP ${e.status_code}` : (e.error_message ?? e.error_class ?? 'failed')) : 'failed';
  const streak = Math.min(...failing.map((s) => s.up.failStreak));
  const where = probing > 1 ? `from ${failing.length} of ${probing} regions (${regionList(failing)})` : `in ${regionList(failing)}`;
  return {
    message: `${streak} consecutive failed probes ${where}: ${why}`,
    values: { failures: streak, error_class: e?.error_class ?? null, status_code: e?.status_code ?? null, error_message: e?.error_message ?? null },
    regions_failing: failing.length,
    regions_probing: probing,
    quorum,
  };
}

/** Evidence for `latency_anomaly` from the series that confirmed it. */
export function latencyEvidence(s: Series, threshold: number, detector: string): IncidentDetails {
  const t = s.latency;
  const x = t.samples[t.samples.length - 1] ?? NaN;
  const change = t.frozen > 0 ? (x - t.frozen) / t.frozen : 0;
  const sign = change >= 0 ? '+' : '';
  return {
    message: `latency ${fmtMs(x)} ms vs ${fmtMs(t.frozen)} ms normal (${sign}${Math.round(change * 100)}%) in ${s.region}`,
    values: { latency_ms: round(x, 1), change_pct: Math.round(change * 100) },
    samples_ms: t.samples.slice(-5).map((v) => round(v, 1)),
    baseline: round(t.frozen, 1),
    score: round(t.score, 3),
    threshold,
    detector,
  };
}

/** Evidence for `error_rate` from the series that confirmed it. */
export function errorRateEvidence(s: Series, threshold: number, detector: string): IncidentDetails {
  const t = s.errors;
  const rate = s.errorRate();
  return {
    message: `${pct(rate)} of the last ${ERROR_WINDOW} probes failed in ${s.region} (normally ${pct(t.frozen)})`,
    values: { error_rate: round(rate, 3), failed: Math.round(rate * ERROR_WINDOW), window: ERROR_WINDOW, last_error: s.lastError?.error_message ?? null },
    baseline: round(t.frozen, 3),
    score: round(t.score, 3),
    threshold,
    detector,
  };
}

/** Evidence for `tls_expiry` from the series that saw the soonest expiry. */
export function tlsEvidence(s: Series, nowMs: number, thresholdDays: number): IncidentDetails {
  const exp = s.tlsExpiresMs ?? nowMs;
  const days = (exp - nowMs) / DAY_MS;
  const when = new Date(exp).toISOString();
  return {
    message: days <= 0 ? `TLS certificate expired on ${when}` : `TLS certificate expires in ${days < 1 ? 'less than a day' : `${Math.floor(days)} days`} (${when})`,
    values: { tls_expires_at: when, days_left: round(days, 2) },
    baseline: thresholdDays,
  };
}

/** How each kind ended, for `details.resolution`. */
export function resolution(kind: string, s: Series | undefined, nowMs: number): { message: string; values?: Record<string, number | string | null> } {
  if (!s) return { message: 'no longer observed' };
  switch (kind) {
    case 'down':
      return { message: `answering again: ${s.up.okStreak} successful probes in a row in ${s.region}`, values: { successes: s.up.okStreak } };
    case 'latency_anomaly': {
      const x = s.latency.samples[s.latency.samples.length - 1] ?? NaN;
      return { message: `latency back to ${fmtMs(x)} ms (normal ${fmtMs(s.latency.frozen)} ms)`, values: { latency_ms: round(x, 1) } };
    }
    case 'error_rate':
      return { message: `error rate back to ${pct(s.errorRate())}`, values: { error_rate: round(s.errorRate(), 3) } };
    case 'tls_expiry': {
      const exp = s.tlsExpiresMs;
      return exp === null ? { message: 'no certificate seen' } : { message: `certificate renewed: expires ${new Date(exp).toISOString()}`, values: { days_left: round((exp - nowMs) / DAY_MS, 2) } };
    }
    default:
      return { message: 'resolved' };
  }
}
