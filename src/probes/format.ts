// Human-readable text of one probe outcome, for `pulseguard probe <url>`: the verdict, then each
// phase with a bar scaled to the whole probe, then what was learnt about the TLS certificate.
import type { PhaseTimings, ProbeOutcome } from '../domain/types.js';

const BAR_WIDTH = 30;
const PHASES: [keyof PhaseTimings, string][] = [
  ['dns_ms', 'dns'], ['connect_ms', 'connect'], ['tls_ms', 'tls'], ['ttfb_ms', 'ttfb'], ['transfer_ms', 'transfer'],
];

function ms(v: number): string {
  return v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`;
}

function bar(v: number, total: number): string {
  if (total <= 0 || v <= 0) return '';
  return '█'.repeat(Math.max(1, Math.round((v / total) * BAR_WIDTH)));
}

function expiryText(iso: string, nowMs: number): string {
  const days = (Date.parse(iso) - nowMs) / 86_400_000;
  if (Number.isNaN(days)) return iso;
  const rel = days < 0 ? `expired ${Math.ceil(-days)} day(s) ago` : `in ${Math.floor(days)} day(s)`;
  return `${iso} (${rel})`;
}

/** Multi-line text for one outcome of probing `url`; `nowMs` only matters for "expires in N days". */
export function formatOutcome(url: string, o: ProbeOutcome, nowMs: number = Date.now()): string {
  const lines = [url];
  const verdict = o.ok ? 'OK' : `FAIL (${o.error_class ?? 'unknown'})`;
  lines.push(`  result    ${verdict}`);
  if (o.error_message) lines.push(`  error     ${o.error_message}`);
  if (o.status_code !== null) lines.push(`  status    ${o.status_code}`);
  lines.push(`  latency   ${ms(o.latency_ms)}`);
  const seen = PHASES.filter(([k]) => o.phases[k] !== null);
  if (seen.length > 0) {
    lines.push('  phases');
    // Bars are relative to the sum of phases, so they still add up when latency includes overhead.
    const total = seen.reduce((sum, [k]) => sum + (o.phases[k] ?? 0), 0);
    for (const [k, label] of PHASES) {
      const v = o.phases[k];
      const value = v === null ? '—' : ms(v);
      lines.push(`    ${label.padEnd(9)}${value.padStart(10)}  ${v === null ? '' : bar(v, total)}`.trimEnd());
    }
  }
  if (o.tls_expires_at) lines.push(`  tls cert  expires ${expiryText(o.tls_expires_at, nowMs)}`);
  if (o.tls_issuer) lines.push(`  issuer    ${o.tls_issuer}`);
  return lines.join('\n');
}
