// One overview row (memoised: with 10,000 targets only rows whose data changed re-render).
import { memo } from 'react';
import type { OverviewItem } from '../types';
import { StatusDot } from '../components/status-dot';
import { Sparkline } from '../components/sparkline';
import { Link } from '../router';
import { fmtAgo, fmtMs, fmtPct, uptimeClass } from '../format';

export const ROW_HEIGHT = 64;

export const OverviewRow = memo(function OverviewRow({ item }: { item: OverviewItem }) {
  const regions = Object.entries(item.regions_status);
  const labels = Object.entries(item.labels);
  return (
    <Link to={`/ui/targets/${item.id}`} className="trow overview-grid" data-testid="target-row" data-name={item.name} data-status={item.status}>
      <span className="tname">
        <StatusDot status={item.status} />
        <span className="tname-text">
          <b>{item.name}</b>
          <small className="muted ellipsis">{item.url}</small>
          {labels.length ? <span className="labels">{labels.slice(0, 3).map(([k, v]) => <i key={k}>{k}={v}</i>)}</span> : null}
        </span>
      </span>
      <span className="regions">
        {regions.length > 1 || (regions.length === 1 && regions[0]![0] !== 'default')
          ? regions.map(([r, s]) => <i key={r} className={s.ok ? 'rg-up' : 'rg-down'} title={`${r}: ${s.ok ? 'up' : 'down'}, ${fmtMs(s.latency_ms)}`}>{r}</i>)
          : <small className="muted">{item.status === 'paused' ? 'paused' : item.last_ts ? `checked ${fmtAgo(item.last_ts)}` : 'not checked yet'}</small>}
      </span>
      <span className="num">
        <b>{item.status === 'paused' ? '—' : fmtMs(item.latency_ms)}</b>
        {item.error_message && item.status !== 'up' ? <small className="bad ellipsis" title={item.error_message}>{item.error_message}</small> : null}
      </span>
      <span><Sparkline values={item.sparkline} /></span>
      <span className={`num ${uptimeClass(item.uptime_24h)}`}>{fmtPct(item.uptime_24h)}</span>
      <span className={`num ${uptimeClass(item.uptime_7d)}`}>{fmtPct(item.uptime_7d)}</span>
      <span className={`num ${uptimeClass(item.uptime_30d)}`}>{fmtPct(item.uptime_30d)}</span>
      <span className="num">{item.open_incidents ? <b className="pill bad">{item.open_incidents}</b> : <small className="muted">{item.open_incidents === null ? '—' : '0'}</small>}</span>
    </Link>
  );
});
