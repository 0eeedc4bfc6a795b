// Overview: every target with status, latency, uptime, sparkline, regions and open incidents;
// search and filters; problems first; windowed so 10,000 rows stay smooth; live via SSE.
import { useEffect, useMemo, useRef, useState } from 'react';
import { get } from '../api';
import { onLive } from '../live';
import { applyResult, compareItems } from '../status';
import type { Overview, OverviewItem, ProbeResult, Status } from '../types';
import { OverviewRow, ROW_HEIGHT } from './overview-row';
import { VirtualList } from '../components/virtual-list';
import { Link } from '../router';
import { fmtPct, uptimeClass } from '../format';

const FILTERS: (Status | 'all')[] = ['all', 'down', 'degraded', 'up', 'paused', 'unknown'];
const REFRESH_MS = 60_000;

function useOverview() {
  const [data, setData] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<ProbeResult[]>([]);
  const known = useRef(new Set<number>());
  known.current = new Set(data?.items.map((i) => i.id));
  useEffect(() => {
    let stop = false;
    let soon: ReturnType<typeof setTimeout> | undefined;
    const load = () => get<Overview>('/overview').then((o) => {
      if (stop) return;
      setData(o);
      setError(null);
      // Uptime and sparklines of a large fleet are still being computed: ask again shortly.
      if (!o.complete) soon = setTimeout(load, 5000);
    }, (e: Error) => !stop && setError(e.message));
    void load();
    const timer = setInterval(load, REFRESH_MS);
    // Results arrive one by one; apply them in batches so a large fleet re-renders at most twice a second.
    const flush = setInterval(() => {
      if (pending.current.length === 0) return;
      const batch = pending.current;
      pending.current = [];
      setData((o) => {
        if (!o) return o;
        const index = new Map(o.items.map((it, i) => [it.id, i]));
        const items = o.items.slice();
        let changed = false;
        for (const r of batch) {
          const i = index.get(r.target_id);
          if (i === undefined) continue;
          items[i] = applyResult(items[i]!, r, o.down_quorum);
          changed = true;
        }
        return changed ? { ...o, items } : o;
      });
    }, 500);
    let debounce: ReturnType<typeof setTimeout> | undefined;
    const reload = () => {
      clearTimeout(debounce);
      debounce = setTimeout(load, 300);
    };
    const offResult = onLive('result', (r) => {
      pending.current.push(r);
      // A result of a target we do not list yet (created elsewhere): fetch the list again.
      if (!known.current.has(r.target_id)) reload();
    });
    const offIncident = onLive('incident', reload);
    const offTarget = onLive('target', reload);
    return () => {
      stop = true;
      clearInterval(timer);
      clearInterval(flush);
      clearTimeout(debounce);
      clearTimeout(soon);
      offResult();
      offIncident();
      offTarget();
    };
  }, []);
  return { data, error };
}

export function OverviewPage() {
  const { data, error } = useOverview();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<Status | 'all'>('all');
  const [label, setLabel] = useState('');
  const items = data?.items ?? [];

  const counts = useMemo(() => {
    const c: Record<string, number> = { all: items.length, up: 0, down: 0, degraded: 0, paused: 0, unknown: 0 };
    for (const it of items) c[it.status] = (c[it.status] ?? 0) + 1;
    return c;
  }, [items]);
  const labels = useMemo(() => {
    const s = new Set<string>();
    for (const it of items) for (const [k, v] of Object.entries(it.labels)) s.add(`${k}=${v}`);
    return [...s].sort();
  }, [items]);
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const [lk, lv] = label ? [label.slice(0, label.indexOf('=')), label.slice(label.indexOf('=') + 1)] : ['', ''];
    return items
      .filter((it) => status === 'all' || it.status === status)
      .filter((it) => !label || it.labels[lk] === lv)
      .filter((it) => !needle || it.name.toLowerCase().includes(needle) || it.url.toLowerCase().includes(needle)
        || Object.entries(it.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(needle)))
      .sort(compareItems);
  }, [items, q, status, label]);
  const openIncidents = items.reduce((a, it) => a + (it.open_incidents ?? 0), 0);
  const withUptime = items.filter((it) => it.uptime_24h !== null);
  const avgUptime = withUptime.length ? withUptime.reduce((a, it) => a + it.uptime_24h!, 0) / withUptime.length : null;

  if (!data && !error) return <div className="loading">Loading targets…</div>;
  return (
    <div className="overview">
      <div className="page-head">
        <h1>Overview</h1>
        <Link to="/ui/manage/new" className="btn">New target</Link>
      </div>
      {error ? <div className="alert">Could not load the overview: {error}</div> : null}
      <section className="kpis">
        <div className="kpi"><span>Targets</span><b data-testid="count-all">{counts.all}</b></div>
        <div className="kpi kpi-up"><span>Up</span><b>{counts.up}</b></div>
        <div className="kpi kpi-down"><span>Down</span><b data-testid="count-down">{counts.down}</b></div>
        <div className="kpi kpi-degraded"><span>Degraded</span><b>{counts.degraded}</b></div>
        <div className="kpi"><span>Open incidents</span><b>{openIncidents}</b></div>
        <div className="kpi"><span>Avg uptime 24 h</span><b className={uptimeClass(avgUptime)}>{fmtPct(avgUptime)}</b></div>
      </section>
      <div className="filters">
        <input type="search" placeholder="Search name, URL or label…" value={q} onChange={(e) => setQ(e.target.value)} aria-label="search" />
        <div className="chips" role="group" aria-label="status filter">
          {FILTERS.map((f) => (
            <button key={f} className={`chip ${status === f ? 'on' : ''} chip-${f}`} onClick={() => setStatus(f)}>
              {f === 'all' ? 'All' : f[0]!.toUpperCase() + f.slice(1)} <span>{counts[f] ?? 0}</span>
            </button>
          ))}
        </div>
        {labels.length ? (
          <select value={label} onChange={(e) => setLabel(e.target.value)} aria-label="label filter">
            <option value="">All labels</option>
            {labels.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
        ) : null}
      </div>
      <div className="table overview-table">
        <div className="thead overview-grid">
          <span>Target</span><span>Regions / checked</span><span className="num">Latency</span><span>Recent probes</span>
          <span className="num">24 h</span><span className="num">7 d</span><span className="num">30 d</span><span className="num">Incidents</span>
        </div>
        {shown.length === 0
          ? <div className="empty">{items.length === 0 ? <>No targets yet. <Link to="/ui/manage/new">Create the first one</Link>.</> : 'No target matches the filters.'}</div>
          : <VirtualList items={shown} rowHeight={ROW_HEIGHT} getKey={(it: OverviewItem) => it.id} render={(it) => <OverviewRow item={it} />} />}
      </div>
    </div>
  );
}
