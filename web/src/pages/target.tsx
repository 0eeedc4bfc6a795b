// Target detail: latency chart over a chosen range with incidents marked, timing phases, status
// and error breakdown, 90-day uptime bar, TLS expiry, per-region state, recent results, config.
import { useMemo, useState } from 'react';
import { api } from '../api';
import { navigate, Link } from '../router';
import type { RangeName } from '../types';
import { toLocalInput, useTargetData, type CustomRange } from './target-data';
import { StatusBadge } from '../components/status-dot';
import { LatencyChart } from '../components/latency-chart';
import { PhasesChart } from '../components/phases-chart';
import { UptimeBar } from '../components/uptime-bar';
import { BreakdownPanel, ConfigPanel, RecentTable, RegionsPanel, TlsCard } from './target-panels';
import { fmtAgo, fmtMs, fmtPct, uptimeClass } from '../format';

const RANGES: RangeName[] = ['1h', '24h', '7d', '30d', 'custom'];
const RANGE_MS: Record<Exclude<RangeName, 'custom'>, number> = { '1h': 3600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

export function TargetPage({ id }: { id: number }) {
  const [range, setRange] = useState<RangeName>('24h');
  const [custom, setCustom] = useState<CustomRange>(() => ({ from: toLocalInput(Date.now() - 3 * 86_400_000), to: toLocalInput(Date.now()) }));
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const { target, summary, missing, series, breakdown, daily, recent, incidents, loadTarget } = useTargetData(id, range, custom);

  const window_ = useMemo(() => {
    if (range === 'custom') return { from: Date.parse(new Date(custom.from).toISOString()), to: Date.parse(new Date(custom.to).toISOString()) };
    const to = series ? Date.parse(series.to) : Date.now();
    return { from: to - RANGE_MS[range], to };
  }, [range, custom, series]);

  if (missing) return <div className="empty"><h2>Target {id} does not exist</h2><p><Link to="/">Back to the overview</Link></p></div>;
  if (!target) return <div className="loading">Loading…</div>;

  const act = async (fn: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await fn();
    } catch (e: unknown) {
      setActionError(e instanceof Error ? e.message : String(e));
    }
  };
  const togglePause = () => act(async () => {
    await api('PATCH', `/targets/${id}`, { enabled: !target.enabled });
    loadTarget();
  });
  const remove = () => act(async () => {
    await api('DELETE', `/targets/${id}`);
    navigate('/');
  });
  const results = Object.values(target.regions_status);
  const latest = results.sort((a, b) => b.ts.localeCompare(a.ts))[0];

  return (
    <div className="detail">
      <div className="page-head">
        <div>
          <div className="crumbs"><Link to="/">Overview</Link> / {target.name}</div>
          <h1 data-testid="target-name">{target.name} <StatusBadge status={target.status} /></h1>
          <a className="muted url" href={target.url} target="_blank" rel="noreferrer noopener">{target.url}</a>
        </div>
        <div className="actions">
          <Link to={`/ui/targets/${id}/edit`} className="btn ghost">Edit</Link>
          <button className="btn ghost" onClick={() => void togglePause()}>{target.enabled ? 'Pause' : 'Resume'}</button>
          {confirmDelete
            ? <button className="btn danger" onClick={() => void remove()}>Confirm delete</button>
            : <button className="btn ghost danger-text" onClick={() => setConfirmDelete(true)}>Delete</button>}
        </div>
      </div>
      {actionError ? <div className="alert">{actionError}</div> : null}
      <section className="kpis">
        <div className="kpi"><span>Latency</span><b>{fmtMs(latest?.latency_ms)}</b><small className="muted">{fmtAgo(latest?.ts)}</small></div>
        <div className="kpi"><span>Uptime 24 h</span><b className={uptimeClass(summary?.uptime_24h)}>{fmtPct(summary?.uptime_24h)}</b></div>
        <div className="kpi"><span>Uptime 7 d</span><b className={uptimeClass(summary?.uptime_7d)}>{fmtPct(summary?.uptime_7d)}</b></div>
        <div className="kpi"><span>Uptime 30 d</span><b className={uptimeClass(summary?.uptime_30d)}>{fmtPct(summary?.uptime_30d)}</b></div>
        <TlsCard results={results} />
        <div className="kpi"><span>Open incidents</span><b className={incidents.some((i) => !i.ended_at) ? 'bad' : ''}>{incidents.filter((i) => !i.ended_at).length}</b></div>
      </section>
      <section className="card">
        <div className="card-head">
          <h2>Latency</h2>
          <div className="chips">
            {RANGES.map((r) => <button key={r} className={`chip ${range === r ? 'on' : ''}`} onClick={() => setRange(r)}>{r}</button>)}
          </div>
        </div>
        {range === 'custom' ? (
          <div className="custom-range">
            <label>From <input type="datetime-local" value={custom.from} onChange={(e) => setCustom({ ...custom, from: e.target.value })} /></label>
            <label>To <input type="datetime-local" value={custom.to} onChange={(e) => setCustom({ ...custom, to: e.target.value })} /></label>
          </div>
        ) : null}
        <LatencyChart buckets={series?.buckets ?? []} incidents={incidents} from={window_.from} to={window_.to} />
        <p className="muted small">
          {series ? `${series.buckets.length} ${series.step === 'raw' ? 'probes' : `${series.step} buckets`}` : 'loading'} · p50 and p95 lines over the min–max band
          {incidents.length ? ' · shaded: incidents (red) and anomalies (amber)' : ''} · red ticks: failed probes
        </p>
      </section>
      <div className="grid2">
        <section className="card"><h2>Timing phases</h2><PhasesChart results={recent} /></section>
        <section className="card"><h2>Status codes and errors <small className="muted">({range})</small></h2><BreakdownPanel breakdown={breakdown} /></section>
      </div>
      <section className="card"><h2>Uptime, last 90 days</h2><UptimeBar days={daily?.days ?? []} /></section>
      <div className="grid2">
        <section className="card"><h2>Regions</h2><RegionsPanel target={target} /></section>
        <section className="card"><h2>Configuration</h2><ConfigPanel target={target} /></section>
      </div>
      <section className="card"><h2>Recent results</h2><RecentTable results={recent} /></section>
    </div>
  );
}
