// One cell per day for the last N days, coloured by that day's availability.
import { fmtPct } from '../format';

interface Day {
  date: string;
  count: number;
  ok_count: number;
}

function cls(d: Day | undefined): string {
  if (!d || d.count === 0) return 'cell-none';
  const p = (d.ok_count / d.count) * 100;
  if (p >= 99.9) return 'cell-good';
  if (p >= 99) return 'cell-warn';
  return 'cell-bad';
}

export function UptimeBar({ days, count = 90 }: { days: Day[]; count?: number }) {
  const byDate = new Map(days.map((d) => [d.date, d]));
  const today = new Date();
  const cells = Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - (count - 1 - i)));
    const key = d.toISOString().slice(0, 10);
    return { key, day: byDate.get(key) };
  });
  const total = days.reduce((a, d) => a + d.count, 0);
  const ok = days.reduce((a, d) => a + d.ok_count, 0);
  return (
    <div className="uptime-bar" data-testid="uptime-bar">
      <div className="cells">
        {cells.map(({ key, day }) => (
          <span key={key} className={`cell ${cls(day)}`} title={`${key}: ${day && day.count ? `${fmtPct((day.ok_count / day.count) * 100)} of ${day.count} probes` : 'no data'}`} />
        ))}
      </div>
      <div className="uptime-bar-foot muted">
        <span>{count} days ago</span>
        <span>{total ? `${fmtPct((ok / total) * 100)} over ${total.toLocaleString()} probes` : 'no data'}</span>
        <span>today</span>
      </div>
    </div>
  );
}
