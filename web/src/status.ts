// Overall status from per-region results, as the server computes it (services/live.ts), so live
// updates can be applied in the browser; and the "problems first" order.
import type { OverviewItem, ProbeResult, RegionState, Status } from './types';

export const STATUSES: Status[] = ['down', 'degraded', 'unknown', 'up', 'paused'];

export function overallStatus(enabled: boolean, regions: string[], byRegion: Record<string, RegionState>, quorum: number): Status {
  if (!enabled) return 'paused';
  const relevant = Object.entries(byRegion).filter(([r]) => regions.length === 0 || regions.includes(r)).map(([, s]) => s);
  if (relevant.length === 0) return 'unknown';
  const failing = relevant.filter((r) => !r.ok).length;
  if (failing === 0) return 'up';
  return failing >= Math.min(quorum, relevant.length) ? 'down' : 'degraded';
}

const RANK: Record<Status, number> = { down: 0, degraded: 1, unknown: 3, up: 4, paused: 5 };

/** Problems first: down, degraded, open incidents, unknown, up, paused; then by name. */
export function compareItems(a: OverviewItem, b: OverviewItem): number {
  const ra = RANK[a.status] - (a.open_incidents ? 1.5 : 0);
  const rb = RANK[b.status] - (b.open_incidents ? 1.5 : 0);
  return ra - rb || a.name.localeCompare(b.name) || a.id - b.id;
}

const SPARK_POINTS = 60;

/** Applies one live result to an overview row; returns a new row (or the same when stale). */
export function applyResult(item: OverviewItem, r: ProbeResult, quorum: number): OverviewItem {
  const prev = item.regions_status[r.region];
  if (prev && prev.ts > r.ts) return item;
  const regions_status = { ...item.regions_status, [r.region]: { ok: r.ok, latency_ms: r.latency_ms, ts: r.ts } };
  const sparkline = [...item.sparkline, r.ok ? r.latency_ms : null].slice(-SPARK_POINTS);
  return {
    ...item,
    regions_status,
    sparkline,
    latency_ms: r.latency_ms,
    last_ts: r.ts,
    error_message: r.ok ? null : (r.error_message ?? r.error_class),
    status: overallStatus(item.enabled, item.regions, regions_status, quorum),
  };
}
