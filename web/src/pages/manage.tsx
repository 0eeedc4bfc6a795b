// Manage: every target (search, pause/resume, edit, delete) and, when the server has them,
// notification channels.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, get, hasPath } from '../api';
import { Link } from '../router';
import type { Target } from '../types';
import { VirtualList } from '../components/virtual-list';
import { ChannelsSection } from './channels';

const ROW = 56;

function TargetRow({ t, onChanged }: { t: Target; onChanged: () => void }) {
  const [confirm, setConfirm] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const run = (fn: () => Promise<unknown>) => fn().then(onChanged, (e: Error) => setErr(e.message));
  return (
    <div className="trow manage-grid" data-testid="manage-row" data-name={t.name}>
      <span className="tname-text">
        <Link to={`/ui/targets/${t.id}`}><b>{t.name}</b></Link>
        <small className="muted ellipsis">{t.url}</small>
      </span>
      <span>{t.type}</span>
      <span className="num">{t.interval_s} s</span>
      <span>{t.enabled ? <span className="pill good">active</span> : <span className="pill">paused</span>}</span>
      <span className="actions">
        {err ? <small className="bad ellipsis" title={err}>{err}</small> : null}
        <button className="btn ghost small" onClick={() => void run(() => api('PATCH', `/targets/${t.id}`, { enabled: !t.enabled }))}>{t.enabled ? 'Pause' : 'Resume'}</button>
        <Link className="btn ghost small" to={`/ui/targets/${t.id}/edit`}>Edit</Link>
        {confirm
          ? <button className="btn danger small" onClick={() => void run(() => api('DELETE', `/targets/${t.id}`))}>Confirm</button>
          : <button className="btn ghost small danger-text" onClick={() => setConfirm(true)}>Delete</button>}
      </span>
    </div>
  );
}

export function ManagePage() {
  const [targets, setTargets] = useState<Target[] | null>(null);
  const [q, setQ] = useState('');
  const [channels, setChannels] = useState(false);
  const load = useCallback(() => {
    get<Target[]>('/targets').then((list) => setTargets(list.sort((a, b) => a.name.localeCompare(b.name))), () => setTargets([]));
  }, []);
  useEffect(() => {
    load();
    void hasPath('/channels').then(setChannels);
  }, [load]);
  const shown = useMemo(() => {
    const n = q.trim().toLowerCase();
    return (targets ?? []).filter((t) => !n || t.name.toLowerCase().includes(n) || t.url.toLowerCase().includes(n));
  }, [targets, q]);

  return (
    <div className="manage">
      <div className="page-head">
        <h1>Manage</h1>
        <Link to="/ui/manage/new" className="btn">New target</Link>
      </div>
      <section className="card flush">
        <div className="card-head padded">
          <h2>Targets <small className="muted">{targets ? targets.length : ''}</small></h2>
          <input type="search" placeholder="Search…" value={q} onChange={(e) => setQ(e.target.value)} aria-label="search targets" />
        </div>
        <div className="thead manage-grid"><span>Target</span><span>Kind</span><span className="num">Interval</span><span>State</span><span /></div>
        {targets === null ? <div className="loading">Loading…</div>
          : shown.length === 0 ? <div className="empty">{targets.length ? 'No target matches.' : 'No targets yet.'}</div>
          : <VirtualList items={shown} rowHeight={ROW} getKey={(t: Target) => t.id} render={(t) => <TargetRow t={t} onChanged={load} />} />}
      </section>
      {channels ? <ChannelsSection /> : null}
    </div>
  );
}
