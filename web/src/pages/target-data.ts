// Data of the target detail page: loads target, summary, series, breakdown, daily uptime, recent
// results and incidents, and keeps them current from live events.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get, hasPath } from '../api';
import { onLive } from '../live';
import type { Breakdown, Bucket, DailyUptime, Incident, Overview, OverviewItem, ProbeResult, RangeName, Series, TargetWithStatus } from '../types';

export const toLocalInput = (ms: number) => new Date(ms - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export interface CustomRange {
  from: string;
  to: string;
}

function rangeQuery(range: RangeName, custom: CustomRange): string {
  if (range !== 'custom') return `range=${range}`;
  return `range=custom&from=${encodeURIComponent(new Date(custom.from).toISOString())}&to=${encodeURIComponent(new Date(custom.to).toISOString())}`;
}

function resultBucket(r: ProbeResult): Bucket {
  return { ts: r.ts, count: 1, ok_count: r.ok ? 1 : 0, min_ms: r.latency_ms, max_ms: r.latency_ms, mean_ms: r.latency_ms, p50_ms: r.latency_ms, p95_ms: r.latency_ms };
}

export function useTargetData(id: number, range: RangeName, custom: CustomRange) {
  const [target, setTarget] = useState<TargetWithStatus | null>(null);
  const [summary, setSummary] = useState<OverviewItem | null>(null);
  const [missing, setMissing] = useState(false);
  const [series, setSeries] = useState<Series | null>(null);
  const [breakdown, setBreakdown] = useState<Breakdown | null>(null);
  const [daily, setDaily] = useState<DailyUptime | null>(null);
  const [recent, setRecent] = useState<ProbeResult[]>([]);
  const [incidents, setIncidents] = useState<Incident[]>([]);
  const q = rangeQuery(range, custom);
  const targetRef = useRef(target);
  targetRef.current = target;

  const loadTarget = useCallback(() => {
    get<TargetWithStatus>(`/targets/${id}`).then(setTarget, (e: unknown) => e instanceof ApiError && e.status === 404 && setMissing(true));
    get<Overview>(`/overview?ids=${id}`).then((o) => setSummary(o.items[0] ?? null), () => undefined);
  }, [id]);
  const loadIncidents = useCallback(async () => {
    if (!(await hasPath('/incidents'))) return;
    const body = await get<Incident[] | { incidents: Incident[] }>(`/incidents?target_id=${id}`).catch(() => null);
    const list = Array.isArray(body) ? body : (body?.incidents ?? []);
    setIncidents(list.filter((i) => i.target_id === id));
  }, [id]);
  const loadSeries = useCallback(() => {
    get<Series>(`/targets/${id}/series?${q}`).then(setSeries, () => undefined);
    get<Breakdown>(`/targets/${id}/breakdown?${q}`).then(setBreakdown, () => undefined);
  }, [id, q]);

  useEffect(() => {
    loadTarget();
    void loadIncidents();
    get<DailyUptime>(`/targets/${id}/daily?days=90`).then(setDaily, () => undefined);
    get<ProbeResult[]>(`/results/${id}?limit=60`).then(setRecent, () => undefined);
  }, [id, loadTarget, loadIncidents]);
  useEffect(() => {
    loadSeries();
    const t = setInterval(loadSeries, 60_000);
    return () => clearInterval(t);
  }, [loadSeries]);

  useEffect(() => {
    const offResult = onLive('result', (r) => {
      if (r.target_id !== id) return;
      setRecent((prev) => (prev.some((p) => p.id === r.id) ? prev : [r, ...prev].slice(0, 60)));
      const flipped = targetRef.current?.regions_status[r.region]?.ok !== r.ok;
      setTarget((t) => (t ? { ...t, regions_status: { ...t.regions_status, [r.region]: r } } : t));
      if (range === '1h') setSeries((s) => (s && s.step === 'raw' ? { ...s, to: new Date().toISOString(), buckets: [...s.buckets, resultBucket(r)] } : s));
      // The overall status (with the regions quorum) is the server's call: ask again when a region flips.
      if (flipped) loadTarget();
    });
    const offIncident = onLive('incident', () => void loadIncidents());
    return () => {
      offResult();
      offIncident();
    };
  }, [id, range, loadTarget, loadIncidents]);

  return { target, summary, missing, series, breakdown, daily, recent, incidents, loadTarget };
}
