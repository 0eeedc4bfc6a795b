// Incidents timeline: open first, then the most recent; kind, duration, evidence, acknowledgement.
// Works before the incidents API exists: without GET /incidents it says there are none yet.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, get, hasPath } from '../api';
import { onLive } from '../live';
import { Link } from '../router';
import type { Incident, Target } from '../types';
import { fmtDuration, fmtTime } from '../format';

const KIND_LABEL: Record<string, string> = { down: 'Down', latency_anomaly: 'Latency anomaly', error_rate: 'Error rate', slo_burn: 'SLO burn', tls_expiry: 'TLS expiry' };

function Evidence({ details }: { details: Record<string, unknown> | undefined }) {
  if (!details) return null;
  const { message, values, baseline, score, ...rest } = details;
  const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : typeof v === 'string' ? v : JSON.stringify(v));
  const pairs: [string, string][] = [];
  if (values !== undefined) pairs.push(['observed', Array.isArray(values) ? values.map(fmt).join(', ') : Object.entries(values as Record<string, unknown>).map(([k, v]) => `${k.replace(/_/g, ' ')}: ${fmt(v)}`).join(' · ')]);
  if (baseline !== undefined) pairs.push(['baseline', typeof baseline === 'object' && baseline !== null ? Object.entries(baseline).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') : fmt(baseline)]);
  if (typeof score === 'number') pairs.push(['score', score.toFixed(2)]);
  for (const [k, v] of Object.entries(rest).slice(0, 4)) if (v !== null && typeof v !== 'object') pairs.push([k, String(v)]);
  return (
    <div className="evidence">
      {typeof message === 'string' ? <p>{message}</p> : null}
      {pairs.length ? <dl>{pairs.map(([k, v]) => <div key={k}><dt>{k.replace(/_/g, ' ')}</dt><dd>{v}</dd></div>)}</dl> : null}
    </div>
  );
}

export function IncidentsPage({ focus }: { focus?: string }) {
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [available, setAvailable] = useState(true);
  const [names, setNames] = useState<Map<number, string>>(new Map());
  const [showAll, setShowAll] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  const load = useCallback(async () => {
    if (!(await hasPath('/incidents'))) {
      setAvailable(false);
      setIncidents([]);
      return;
    }
    try {
      const body = await get<Incident[] | { incidents: Incident[] }>('/incidents');
      const list = Array.isArray(body) ? body : body.incidents;
      setIncidents(list);
      if (list.some((i) => !i.target_name)) {
        const targets = await get<Target[]>('/targets');
        setNames(new Map(targets.map((t) => [t.id, t.name])));
      }
    } catch (e: unknown) {
      if (e instanceof ApiError && e.status === 404) {
        setAvailable(false);
        setIncidents([]);
      } else setError(e instanceof Error ? e.message : String(e));
    }
  }, []);

  useEffect(() => {
    void load();
    const off = onLive('incident', () => void load());
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      off();
      clearInterval(tick);
    };
  }, [load]);

  // A notification links to one incident: bring it into view once the list is there.
  useEffect(() => {
    if (focus && incidents?.length) document.getElementById(`incident-${focus}`)?.scrollIntoView({ block: 'center' });
  }, [focus, incidents !== null && incidents.length > 0]); // eslint-disable-line react-hooks/exhaustive-deps

  const sorted = useMemo(() => {
    const list = (incidents ?? []).filter((i) => showAll || !i.ended_at || i.id === focus);
    return list.sort((a, b) => Number(Boolean(a.ended_at)) - Number(Boolean(b.ended_at)) || b.started_at.localeCompare(a.started_at));
  }, [incidents, showAll]);

  const ack = async (id: string) => {
    try {
      await api('POST', `/incidents/${encodeURIComponent(id)}/ack`, { by: 'dashboard' });
      await load();
    } catch (e: unknown) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  if (incidents === null) return <div className="loading">Loading incidents…</div>;
  const open = incidents.filter((i) => !i.ended_at).length;
  return (
    <div className="incidents">
      <div className="page-head">
        <h1>Incidents {open ? <span className="pill bad">{open} open</span> : null}</h1>
        {available ? (
          <div className="chips">
            <button className={`chip ${showAll ? 'on' : ''}`} onClick={() => setShowAll(true)}>All</button>
            <button className={`chip ${!showAll ? 'on' : ''}`} onClick={() => setShowAll(false)}>Open</button>
          </div>
        ) : null}
      </div>
      {error ? <div className="alert">{error}</div> : null}
      {sorted.length === 0 ? (
        <div className="empty card" data-testid="no-incidents">
          <h2>No incidents yet</h2>
          <p className="muted">{available ? 'When a target goes down or behaves unusually, it shows up here.' : 'Incident detection is not enabled on this server.'}</p>
        </div>
      ) : (
        <ol className="timeline">
          {sorted.map((i) => {
            const end = i.ended_at ? Date.parse(i.ended_at) : now;
            return (
              <li key={i.id} id={`incident-${i.id}`} className={`incident ${i.ended_at ? 'resolved' : 'open'} ${i.id === focus ? 'focused' : ''}`} data-testid="incident" data-kind={i.kind}>
                <span className="tl-dot" />
                <div className="card">
                  <div className="incident-head">
                    <span className={`pill ${i.kind === 'down' ? 'bad' : 'warn'}`}>{KIND_LABEL[i.kind] ?? i.kind}</span>
                    <Link to={`/ui/targets/${i.target_id}`}><b>{i.target_name ?? names.get(i.target_id) ?? `target ${i.target_id}`}</b></Link>
                    <span className={i.ended_at ? 'muted' : 'bad'}>{i.ended_at ? 'resolved' : 'ongoing'} · {fmtDuration(end - Date.parse(i.started_at))}</span>
                    <span className="spacer" />
                    {i.acknowledged_at
                      ? <span className="muted small">acknowledged{i.acknowledged_by ? ` by ${i.acknowledged_by}` : ''} {fmtTime(i.acknowledged_at)}</span>
                      : !i.ended_at ? <button className="btn small" onClick={() => void ack(i.id)}>Acknowledge</button> : null}
                  </div>
                  <div className="muted small">
                    {fmtTime(i.started_at)} → {i.ended_at ? fmtTime(i.ended_at) : 'now'}
                    {i.regions?.length ? ` · regions ${i.regions.join(', ')}` : ''}
                    {i.severity ? ` · ${i.severity}` : ''}
                  </div>
                  <Evidence details={i.details} />
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
