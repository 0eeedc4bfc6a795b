// Latency over time with uPlot: p50 and p95 lines over a min–max band; incidents shaded (anomalies
// in amber, outages in red), buckets with failed probes ticked in red along the bottom.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Bucket, Incident } from '../types';
import { fmtMs } from '../format';

interface Props {
  buckets: Bucket[];
  incidents: Incident[];
  from: number;
  to: number;
  height?: number;
}

function css(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function toData(buckets: Bucket[]): uPlot.AlignedData {
  const xs: number[] = [];
  const min: (number | null)[] = [];
  const max: (number | null)[] = [];
  const p50: (number | null)[] = [];
  const p95: (number | null)[] = [];
  for (const b of buckets) {
    xs.push(Date.parse(b.ts) / 1000);
    min.push(b.min_ms);
    max.push(b.max_ms);
    p50.push(b.p50_ms);
    p95.push(b.p95_ms);
  }
  return [xs, max, min, p95, p50];
}

export function LatencyChart({ buckets, incidents, from, to, height = 280 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const marks = useRef({ incidents, buckets, from, to });
  marks.current = { incidents, buckets, from, to };

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = { stroke: css('--muted', '#94a3b8'), grid: { stroke: css('--grid', '#1e293b'), width: 1 }, ticks: { stroke: css('--grid', '#1e293b') } };
    const accent = css('--accent', '#60a5fa');
    const drawMarks = (u: uPlot) => {
      const ctx = u.ctx;
      const { top, height: h, left, width: w } = u.bbox;
      ctx.save();
      for (const inc of marks.current.incidents) {
        const s = u.valToPos(Date.parse(inc.started_at) / 1000, 'x', true);
        const e = u.valToPos((inc.ended_at ? Date.parse(inc.ended_at) : Date.now()) / 1000, 'x', true);
        const x0 = Math.max(left, s);
        const x1 = Math.min(left + w, Math.max(e, s + 3));
        if (x1 <= x0) continue;
        const anomaly = inc.kind !== 'down';
        ctx.fillStyle = anomaly ? 'rgba(251,191,36,0.16)' : 'rgba(248,113,113,0.18)';
        ctx.fillRect(x0, top, x1 - x0, h);
        ctx.fillStyle = anomaly ? '#fbbf24' : '#f87171';
        ctx.fillRect(x0, top, 2, h);
      }
      ctx.fillStyle = '#f87171';
      const xs = u.data[0];
      marks.current.buckets.forEach((b, i) => {
        if (b.ok_count < b.count) ctx.fillRect(u.valToPos(xs[i]!, 'x', true) - 1, top + h - 8, 3, 8);
      });
      ctx.restore();
    };
    const opts: uPlot.Options = {
      width: el.clientWidth,
      height,
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      scales: { x: { time: true, auto: false, range: () => [marks.current.from / 1000, marks.current.to / 1000] }, y: { range: (_u, _lo, hi) => [0, Math.max(10, (hi ?? 10) * 1.1)] } },
      axes: [axis, { ...axis, size: 64, values: (_u, vals) => vals.map((v) => fmtMs(v)) }],
      series: [
        {},
        { label: 'max', stroke: 'transparent', points: { show: false }, value: (_u, v) => fmtMs(v) },
        { label: 'min', stroke: 'transparent', points: { show: false }, value: (_u, v) => fmtMs(v) },
        { label: 'p95', stroke: '#a78bfa', width: 1.5, value: (_u, v) => fmtMs(v) },
        { label: 'p50', stroke: accent, width: 2, value: (_u, v) => fmtMs(v) },
      ],
      bands: [{ series: [1, 2], fill: 'rgba(96,165,250,0.14)' }],
      hooks: { draw: [drawMarks] },
    };
    const u = new uPlot(opts, toData(marks.current.buckets), el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [height]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(toData(buckets));
  }, [buckets, incidents, from, to]);

  return <div ref={box} className="chart" data-testid="latency-chart" data-points={buckets.length} />;
}
