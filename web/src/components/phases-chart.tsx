// Timing phases (DNS, connect, TLS, TTFB, transfer) of recent probes as stacked columns, with
// the average of each phase in the legend.
import type { ProbeResult } from '../types';
import { fmtMs } from '../format';

const PHASES = [
  { key: 'dns_ms', label: 'DNS', color: '#38bdf8' },
  { key: 'connect_ms', label: 'Connect', color: '#818cf8' },
  { key: 'tls_ms', label: 'TLS', color: '#c084fc' },
  { key: 'ttfb_ms', label: 'TTFB', color: '#34d399' },
  { key: 'transfer_ms', label: 'Transfer', color: '#fbbf24' },
] as const;

export function PhasesChart({ results, height = 140 }: { results: ProbeResult[]; height?: number }) {
  const rows = [...results].reverse();
  const totals = rows.map((r) => PHASES.reduce((s, p) => s + (r.phases[p.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const colW = 100 / Math.max(rows.length, 40);
  const avg = PHASES.map((p) => {
    const vals = rows.map((r) => r.phases[p.key]).filter((v): v is number => v !== null);
    return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
  });
  if (rows.length === 0) return <p className="muted">No probes yet.</p>;
  return (
    <div className="phases" data-testid="phases-chart">
      <svg viewBox={`0 0 100 ${height}`} preserveAspectRatio="none" style={{ width: '100%', height }} role="img" aria-label="timing phases of recent probes">
        {rows.map((r, i) => {
          let y = height;
          return (
            <g key={r.id}>
              <title>{`${new Date(r.ts).toLocaleTimeString()} — ${PHASES.map((p) => `${p.label} ${fmtMs(r.phases[p.key])}`).join(', ')}`}</title>
              {PHASES.map((p) => {
                const v = r.phases[p.key] ?? 0;
                const h = (v / max) * (height - 4);
                y -= h;
                return h > 0 ? <rect key={p.key} x={i * colW + colW * 0.15} width={colW * 0.7} y={y} height={h} fill={p.color} /> : null;
              })}
            </g>
          );
        })}
      </svg>
      <div className="legend">
        {PHASES.map((p, i) => (
          <span key={p.key}>
            <i style={{ background: p.color }} />
            {p.label} <b>{fmtMs(avg[i])}</b>
          </span>
        ))}
        <span className="muted">avg of last {rows.length} probes · max total {fmtMs(max)}</span>
      </div>
    </div>
  );
}
