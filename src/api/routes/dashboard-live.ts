// In-memory parts of the overview read model that live results keep current: the last ~60
// latencies per target (sparklines) and probe/ok counts per uptime window (a stored base, refreshed
// now and then, plus every result seen since), so uptime moves with each probe without a query.
import type { ProbeResult } from '../../domain/types.js';
import type { ResultStore } from '../../store/store.js';

export const SPARK_POINTS = 60;
const UPTIME_CHUNK = 100;

/**
 * Embedded PGlite runs queries on this thread and resolves them without I/O, so a loop of awaited
 * queries never lets timers or sockets run; yielding a macrotask between chunks keeps the API live.
 */
export const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));
/** Sparkline precision: 0.1 ms below 10 ms, whole ms above (keeps 10,000 rows small). */
export const spark = (ms: number) => (ms < 10 ? Math.round(ms * 10) / 10 : Math.round(ms));

/** The last SPARK_POINTS results of each target, oldest first: latency of ok probes, null for failures. */
export class SparkRings {
  private rings = new Map<number, { ts: number[]; v: (number | null)[]; version: number }>();

  private ring(id: number) {
    let r = this.rings.get(id);
    if (!r) this.rings.set(id, (r = { ts: [], v: [], version: 0 }));
    return r;
  }

  record(r: Pick<ProbeResult, 'target_id' | 'ts' | 'ok' | 'latency_ms'>): void {
    const ring = this.ring(r.target_id);
    ring.ts.push(Date.parse(r.ts));
    ring.v.push(r.ok ? spark(r.latency_ms) : null);
    if (ring.ts.length > SPARK_POINTS) {
      ring.ts.shift();
      ring.v.shift();
    }
    ring.version++;
  }

  /** Puts older samples (oldest first) before what the live stream has added meanwhile. */
  prependOlder(id: number, ts: number[], v: (number | null)[]): void {
    const ring = this.ring(id);
    const first = ring.ts[0] ?? Infinity;
    let n = 0;
    while (n < ts.length && ts[n]! < first) n++;
    ring.ts = [...ts.slice(0, n), ...ring.ts].slice(-SPARK_POINTS);
    ring.v = [...v.slice(0, n), ...ring.v].slice(-SPARK_POINTS);
    ring.version++;
  }

  values(id: number): (number | null)[] {
    return this.rings.get(id)?.v ?? [];
  }

  version(id: number): number {
    return this.rings.get(id)?.version ?? 0;
  }

  forget(id: number): void {
    this.rings.delete(id);
  }
}

export const UPTIME_WINDOWS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type UptimeWindow = keyof typeof UPTIME_WINDOWS;
export const WINDOWS = Object.keys(UPTIME_WINDOWS) as UptimeWindow[];
/** Uptime % per target id, per window. */
export type UptimeTable = Record<UptimeWindow, Map<number, number>>;
/** [probes, ok probes] per target id. */
type Counts = Map<number, [number, number]>;

/**
 * How long a stored base serves before it is read again. Live results are added meanwhile, so
 * only probes leaving the window are missed (at most a few minutes' worth of 24 hours).
 */
const MAX_AGE_MS: Record<UptimeWindow, number> = { '24h': 5 * 60_000, '7d': 15 * 60_000, '30d': 30 * 60_000 };

const percent = (n: number, ok: number) => Math.floor((ok / n) * 1e5) / 1e3;

/** Probe and ok counts of `ids` over one window, 100 targets per query, yielding between queries. */
export async function uptimeCounts(results: ResultStore, w: UptimeWindow, now: number, ids: number[]): Promise<Counts> {
  const out: Counts = new Map();
  for (let i = 0; i < ids.length; i += UPTIME_CHUNK) {
    if (i > 0) await yieldToLoop();
    for (const c of await results.uptime(new Date(now - UPTIME_WINDOWS[w]), ids.slice(i, i + UPTIME_CHUNK))) {
      if (c.count > 0) out.set(c.target_id, [c.count, c.ok_count]);
    }
  }
  return out;
}

/** Uptime % for 24 h / 7 d / 30 d of a few targets, read now. */
export async function computeUptime(results: ResultStore, now: number, ids: number[]): Promise<UptimeTable> {
  const table = {} as UptimeTable;
  for (const w of WINDOWS) {
    const counts = await uptimeCounts(results, w, now, ids);
    table[w] = new Map([...counts].map(([id, [n, ok]]) => [id, percent(n, ok)]));
  }
  return table;
}

export class UptimeBook {
  private base: Partial<Record<UptimeWindow, Counts>> = {};
  private at: Partial<Record<UptimeWindow, number>> = {};
  private live: Record<UptimeWindow, Counts> = { '24h': new Map(), '7d': new Map(), '30d': new Map() };

  record(targetId: number, ok: boolean): void {
    for (const w of WINDOWS) {
      const c = this.live[w].get(targetId);
      if (c) {
        c[0]++;
        if (ok) c[1]++;
      } else this.live[w].set(targetId, [1, ok ? 1 : 0]);
    }
  }

  /** Windows never read or past their max age. */
  due(now: number): UptimeWindow[] {
    return WINDOWS.filter((w) => !this.base[w] || now - (this.at[w] ?? 0) >= MAX_AGE_MS[w]);
  }

  complete(): boolean {
    return WINDOWS.every((w) => this.base[w]);
  }

  /** A fresh base read at `at`; live counts restart (results seen during the read may count twice, a rounding error). */
  set(w: UptimeWindow, counts: Counts, at: number): void {
    this.base[w] = counts;
    this.at[w] = at;
    this.live[w] = new Map();
  }

  percent(w: UptimeWindow, id: number): number | null {
    const b = this.base[w]?.get(id);
    const l = this.live[w].get(id);
    const n = (b?.[0] ?? 0) + (l?.[0] ?? 0);
    return n === 0 ? null : percent(n, (b?.[1] ?? 0) + (l?.[1] ?? 0));
  }

  forget(id: number): void {
    for (const w of WINDOWS) {
      this.base[w]?.delete(id);
      this.live[w].delete(id);
    }
  }
}
