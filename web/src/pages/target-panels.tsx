// Panels of the target detail page.
import type { Breakdown, ProbeResult, TargetWithStatus } from '../types';
import { fmtDate, fmtMs, fmtTime } from '../format';

export function TlsCard({ results }: { results: ProbeResult[] }) {
  const withCert = results.filter((r) => r.tls_expires_at).sort((a, b) => a.tls_expires_at!.localeCompare(b.tls_expires_at!));
  const first = withCert[0];
  if (!first) return <div className="kpi"><span>TLS certificate</span><b className="muted">—</b><small className="muted">no certificate seen</small></div>;
  const days = Math.floor((Date.parse(first.tls_expires_at!) - Date.now()) / 86_400_000);
  const cls = days < 7 ? 'bad' : days < 21 ? 'warn' : 'good';
  return (
    <div className="kpi" data-testid="tls-expiry">
      <span>TLS expires</span>
      <b className={cls}>{days < 0 ? 'expired' : `${days} days`}</b>
      <small className="muted ellipsis" title={first.tls_issuer ?? ''}>{fmtDate(first.tls_expires_at!)}{first.tls_issuer ? ` · ${first.tls_issuer}` : ''}</small>
    </div>
  );
}

function Bars({ rows }: { rows: { label: string; count: number; cls: string }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <div className="bars">
      {rows.map((r) => (
        <div key={r.label} className="bar-row">
          <span className="bar-label">{r.label}</span>
          <span className="bar-track"><i className={r.cls} style={{ width: `${(r.count / max) * 100}%` }} /></span>
          <span className="num">{r.count.toLocaleString()}</span>
        </div>
      ))}
    </div>
  );
}

export function BreakdownPanel({ breakdown }: { breakdown: Breakdown | null }) {
  if (!breakdown) return <p className="muted">Loading…</p>;
  if (breakdown.total === 0) return <p className="muted">No probes in this range.</p>;
  const codes = breakdown.status_codes.map((c) => ({
    label: c.status_code === null ? 'no response' : String(c.status_code),
    count: c.count,
    cls: c.status_code !== null && c.status_code < 400 ? 'fill-good' : 'fill-bad',
  }));
  const errs = breakdown.error_classes.map((e) => ({ label: e.error_class, count: e.count, cls: 'fill-bad' }));
  return (
    <div className="breakdown" data-testid="breakdown">
      <p className="muted small">{breakdown.total.toLocaleString()} probes, {breakdown.ok.toLocaleString()} ok ({((breakdown.ok / breakdown.total) * 100).toFixed(2)}%)</p>
      <h3>Status codes</h3>
      <Bars rows={codes} />
      <h3>Error classes</h3>
      {errs.length ? <Bars rows={errs} /> : <p className="muted small">No errors.</p>}
    </div>
  );
}

export function RegionsPanel({ target }: { target: TargetWithStatus }) {
  const rows = Object.entries(target.regions_status).sort(([a], [b]) => a.localeCompare(b));
  if (rows.length === 0) return <p className="muted">No probes yet{target.regions.length ? ` (regions: ${target.regions.join(', ')})` : ''}.</p>;
  return (
    <table className="simple">
      <thead><tr><th>Region</th><th>State</th><th className="num">Latency</th><th>Checked</th></tr></thead>
      <tbody>
        {rows.map(([region, r]) => (
          <tr key={region}>
            <td>{region}</td>
            <td><span className={`pill ${r.ok ? 'good' : 'bad'}`} title={r.error_message ?? ''}>{r.ok ? 'up' : `down · ${r.error_class ?? 'error'}`}</span></td>
            <td className="num">{fmtMs(r.latency_ms)}</td>
            <td className="muted">{fmtTime(r.ts)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ConfigPanel({ target }: { target: TargetWithStatus }) {
  const rows: [string, string][] = [
    ['Type', target.type],
    ['Interval', `${target.interval_s} s`],
    ['Timeout', `${target.timeout_ms} ms`],
    ['Regions', target.regions.length ? target.regions.join(', ') : 'all'],
    ['Labels', Object.entries(target.labels).map(([k, v]) => `${k}=${v}`).join(', ') || '—'],
    ['Created', fmtTime(target.created_at)],
  ];
  return (
    <div className="config">
      <dl>{rows.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}</dl>
      <details>
        <summary>Probe options</summary>
        <pre>{JSON.stringify(target.options, null, 2)}</pre>
      </details>
    </div>
  );
}

export function RecentTable({ results }: { results: ProbeResult[] }) {
  if (results.length === 0) return <p className="muted">No results yet.</p>;
  return (
    <div className="scroll-x">
      <table className="simple" data-testid="recent-results">
        <thead><tr><th>Time</th><th>Region</th><th>Result</th><th className="num">Status</th><th className="num">Latency</th><th className="num">DNS</th><th className="num">Connect</th><th className="num">TLS</th><th className="num">TTFB</th><th>Error</th></tr></thead>
        <tbody>
          {results.slice(0, 20).map((r) => (
            <tr key={r.id}>
              <td className="muted">{fmtTime(r.ts)}</td>
              <td>{r.region}</td>
              <td><span className={`pill ${r.ok ? 'good' : 'bad'}`}>{r.ok ? 'ok' : r.error_class ?? 'fail'}</span></td>
              <td className="num">{r.status_code ?? '—'}</td>
              <td className="num">{fmtMs(r.latency_ms)}</td>
              <td className="num">{fmtMs(r.phases.dns_ms)}</td>
              <td className="num">{fmtMs(r.phases.connect_ms)}</td>
              <td className="num">{fmtMs(r.phases.tls_ms)}</td>
              <td className="num">{fmtMs(r.phases.ttfb_ms)}</td>
              <td className="ellipsis err-cell" title={r.error_message ?? ''}>{r.error_message ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
