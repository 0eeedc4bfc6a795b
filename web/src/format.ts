// Formatting of latencies, percentages, durations and times for display.

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function fmtPct(p: number | null | undefined): string {
  if (p === null || p === undefined) return '—';
  if (p >= 100) return '100%';
  if (p >= 99.99) return '99.99%';
  return `${(Math.floor(p * 100) / 100).toFixed(2)}%`;
}

export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function fmtAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const d = now - Date.parse(iso);
  if (d < 5_000) return 'just now';
  return `${fmtDuration(d)} ago`;
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function fmtDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** Uptime colour class by percentage. */
export function uptimeClass(p: number | null | undefined): string {
  if (p === null || p === undefined) return 'muted';
  if (p >= 99.9) return 'good';
  if (p >= 99) return 'warn';
  return 'bad';
}
