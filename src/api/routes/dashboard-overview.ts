// The fleet overview as a read model kept in memory, so GET /overview answers for 10,000 targets
// without a query: the target list (re-read only when a cheap fingerprint changes), sparklines and
// uptime kept current by live results (dashboard-live.ts), and each row's JSON re-serialised only
// when that row changed. Stored data is read in the background, in small chunks.
import type { ProbeResult, Target } from '../../domain/types.js';
import type { LiveState } from '../../services/live.js';
import type { Store } from '../../store/store.js';
import { computeUptime, SPARK_POINTS, spark, SparkRings, uptimeCounts, UptimeBook, yieldToLoop, type UptimeTable } from './dashboard-live.js';

const COMMA = Buffer.from(',');
const END = Buffer.from(']}');
/** Targets per sparkline-seed query (well under 100 ms on PGlite). */
const CHUNK = 500;
/** How long the target list is trusted before its fingerprint is checked (local changes invalidate at once). */
const LIST_TTL_MS = 3000;
const round1 = (ms: number) => Math.round(ms * 10) / 10;

/** Rows per block: a block's JSON is kept concatenated and rebuilt only when one of its rows changed. */
const BLOCK = 256;

/** Uptime % for 24 h, 7 d, 30 d. */
type Uptimes = [number | null, number | null, number | null];

/** A row's JSON and the values it was built from (compared field by field: no key to format). */
interface Row {
  updated: string;
  spark: number;
  uptime: Uptimes;
  open: number | null;
  json: Buffer;
}

export interface OverviewOptions {
  openIncidents?: () => Promise<Map<number, number>>;
  downQuorum: number;
}

export class OverviewModel {
  readonly sparks = new SparkRings();
  private uptime = new UptimeBook();
  private targets: Target[] = [];
  private byId = new Map<number, Target>();
  private fingerprint = '';
  private listAt = 0;
  private listing: Promise<void> | null = null;
  private gen = 0;
  /** A change was made through this API: the next list() waits for the fresh list. */
  private stale = false;
  private rows = new Map<number, Row>();
  /** Concatenated rows per BLOCK of `blocksOf` (the target list they were built for). */
  private blocks: (Buffer | undefined)[] = [];
  private blocksOf: Target[] = [];
  /** Position of each target in `blocksOf`. */
  private index = new Map<number, number>();
  /** Targets whose row may have changed since the last response (live results, seeded sparklines, incident counts). */
  private dirty = new Set<number>();
  /** Bumped when every row may have changed (uptime re-read); `builtEpoch` is what the blocks saw. */
  private epoch = 0;
  private builtEpoch = -1;
  private refreshing: Promise<void> | null = null;
  private seeding: Promise<void> | null = null;
  private seeded = false;
  private incidents: { at: number; value: Map<number, number> | null } | null = null;
  private incidentsLoading: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly store: Store, private readonly live: LiveState, private readonly o: OverviewOptions) {}

  close(): void {
    this.closed = true;
  }

  /** Feeds one live result (sparkline and uptime counts). */
  record(r: ProbeResult): void {
    this.sparks.record(r);
    this.uptime.record(r.target_id, r.ok);
    this.dirty.add(r.target_id);
  }

  forget(id: number): void {
    this.sparks.forget(id);
    this.uptime.forget(id);
    this.dirty.add(id);
  }

  /**
   * The target list, re-read only when count, newest id or newest change differ (one cheap query).
   * Past LIST_TTL_MS the cached list is served while the check runs in the background, so a request
   * never waits behind other queries; the first call and `invalidate()` (a change through this API) wait.
   */
  async list(now = Date.now()): Promise<Target[]> {
    if (this.fingerprint && !this.stale) {
      if (now - this.listAt >= LIST_TTL_MS) this.startReload(now).catch(() => undefined);
      return this.targets;
    }
    // A change through this API may land while we read: read again (bounded) until a read saw it.
    for (let i = 0; i < 3 && (this.stale || !this.fingerprint); i++) await this.startReload(now);
    return this.targets;
  }

  private startReload(now: number): Promise<void> {
    const gen = this.gen;
    this.listing ??= this.reload(now, gen).finally(() => {
      if (this.gen === gen) this.listing = null;
    });
    return this.listing;
  }

  /** Reads the fingerprint (and the list when it changed); ignored when invalidated meanwhile. */
  private async reload(now: number, gen: number): Promise<void> {
    const key = await this.store.targets.fingerprint();
    const targets = key === this.fingerprint ? this.targets : await this.store.targets.list();
    if (gen !== this.gen) return;
    if (targets !== this.targets) {
      this.targets = targets;
      this.byId = new Map(targets.map((t) => [t.id, t]));
    }
    this.fingerprint = key;
    this.listAt = now;
    this.stale = false;
  }

  /** A target changed through this API: the next list() waits for a read that started after now. */
  invalidate(): void {
    this.gen++;
    this.listing = null;
    this.stale = true;
  }

  /** One target from the list when it is fresh, else from the store. */
  async target(id: number): Promise<Target | null> {
    if (this.fingerprint && !this.stale && Date.now() - this.listAt < LIST_TTL_MS) return this.byId.get(id) ?? null;
    return this.store.targets.get(id);
  }

  /** Starts what is due (sparkline seed once, stale uptime windows); resolves when both are done. */
  private refresh(targets: Target[], now: number): Promise<void> {
    const ids = () => targets.map((t) => t.id);
    this.seeding ??= this.seed(ids()).catch(() => undefined).finally(() => {
      this.seeded = true;
    });
    const due = this.uptime.due(now);
    if (due.length && !this.refreshing) {
      const all = ids();
      this.refreshing = (async () => {
        for (const w of due) {
          await yieldToLoop();
          if (this.closed) return;
          this.uptime.set(w, await uptimeCounts(this.store.results, w, now, all), now);
          this.epoch++;
        }
      })()
        // A failed refresh keeps the old base; the next request tries again.
        .catch(() => undefined)
        .finally(() => {
          this.refreshing = null;
        });
    }
    return Promise.all([this.seeding, this.refreshing]).then(() => undefined);
  }

  /** Loads the last SPARK_POINTS results of the last 2 hours for every target, CHUNK targets per query. */
  private async seed(ids: number[]): Promise<void> {
    const since = new Date(Date.now() - 2 * 3600_000).toISOString();
    for (let i = 0; i < ids.length && !this.closed; i += CHUNK) {
      if (i > 0) await yieldToLoop();
      const rows = await this.store.db.query<{ j: string | null }>(
        `SELECT coalesce(json_agg(json_build_array(t.id, extract(epoch FROM p.ts) * 1000, p.ok, p.latency_ms) ORDER BY t.id, p.ts), '[]')::text AS j
           FROM unnest($1::bigint[]) t(id)
           CROSS JOIN LATERAL (SELECT ts, ok, latency_ms FROM probes WHERE target_id = t.id AND ts > $2 ORDER BY ts DESC LIMIT ${SPARK_POINTS}) p`,
        [ids.slice(i, i + CHUNK), since],
      );
      const list = JSON.parse(rows[0]?.j ?? '[]') as [number, number, boolean, number][];
      let cur = -1;
      let ts: number[] = [];
      let v: (number | null)[] = [];
      const flush = () => {
        if (cur < 0 || !ts.length) return;
        this.sparks.prependOlder(cur, ts, v);
        this.dirty.add(cur);
      };
      for (const [id, t, ok, ms] of list) {
        if (id !== cur) {
          flush();
          cur = id;
          ts = [];
          v = [];
        }
        ts.push(t);
        v.push(ok ? spark(ms) : null);
      }
      flush();
    }
  }

  private item(t: Target, uptime: Uptimes, open: number | null) {
    const s = this.live.statusOf(t);
    const results = Object.values(s.regions);
    const latest = results.reduce<ProbeResult | undefined>((a, r) => (!a || r.ts > a.ts ? r : a), undefined);
    const failing = results.find((r) => !r.ok);
    return {
      id: t.id,
      name: t.name,
      url: t.url,
      enabled: t.enabled,
      labels: t.labels,
      regions: t.regions,
      status: s.status,
      latency_ms: latest ? round1(latest.latency_ms) : null,
      last_ts: latest?.ts ?? null,
      error_message: failing ? (failing.error_message ?? failing.error_class) : null,
      uptime_24h: uptime[0],
      uptime_7d: uptime[1],
      uptime_30d: uptime[2],
      sparkline: this.sparks.values(t.id),
      regions_status: Object.fromEntries(results.map((r) => [r.region, { ok: r.ok, latency_ms: round1(r.latency_ms), ts: r.ts }])),
      open_incidents: open,
    };
  }

  /** Brings a target's row up to date; true when its JSON was rebuilt. */
  private refreshRow(t: Target, incidents: Map<number, number> | null): boolean {
    const open = incidents ? (incidents.get(t.id) ?? 0) : null;
    const up = this.uptime;
    const u24 = up.percent('24h', t.id), u7 = up.percent('7d', t.id), u30 = up.percent('30d', t.id);
    const spark = this.sparks.version(t.id);
    const r = this.rows.get(t.id);
    if (r && r.updated === t.updated_at && r.spark === spark && r.open === open && r.uptime[0] === u24 && r.uptime[1] === u7 && r.uptime[2] === u30) return false;
    const uptime: Uptimes = [u24, u7, u30];
    this.rows.set(t.id, { updated: t.updated_at, spark, uptime, open, json: Buffer.from(JSON.stringify(this.item(t, uptime, open))) });
    return true;
  }

  /**
   * The overview as UTF-8 JSON in a few parts, to be written one after another (rows are kept
   * encoded and blocks of rows concatenated, so a response copies little). The first call waits
   * up to `waitMs` for uptime and sparklines; `complete: false` says some are still computed.
   */
  async json(waitMs = 2000, now = Date.now()): Promise<Buffer[]> {
    const targets = await this.list();
    const done = this.refresh(targets, now);
    let complete = this.uptime.complete() && this.seeded;
    if (!complete) complete = await Promise.race([done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), waitMs).unref())]);
    const incidents = await this.openIncidents(now);
    if (this.rows.size > targets.length * 2) this.prune(targets);
    if (this.blocksOf !== targets || this.builtEpoch !== this.epoch) this.rebuildAll(targets, incidents);
    else this.rebuildDirty(targets, incidents);
    this.dirty.clear();
    this.builtEpoch = this.epoch;
    const parts: Buffer[] = [Buffer.from(`{"generated_at":"${new Date(now).toISOString()}","down_quorum":${this.o.downQuorum},"complete":${complete},"items":[`)];
    for (let b = 0; b * BLOCK < targets.length; b++) parts.push((this.blocks[b] ??= this.block(targets, b)));
    parts.push(END);
    return parts;
  }

  /** Every row compared with what it was built from (a new target list, or uptime re-read). */
  private rebuildAll(targets: Target[], incidents: Map<number, number> | null): void {
    if (this.blocksOf !== targets) {
      this.blocks = [];
      this.blocksOf = targets;
      this.index = new Map(targets.map((t, i) => [t.id, i]));
    }
    for (let i = 0; i < targets.length; i++) if (this.refreshRow(targets[i]!, incidents)) this.blocks[Math.floor(i / BLOCK)] = undefined;
  }

  /** Only the rows of targets marked dirty; their blocks are rebuilt. */
  private rebuildDirty(targets: Target[], incidents: Map<number, number> | null): void {
    for (const id of this.dirty) {
      const i = this.index.get(id);
      if (i !== undefined && this.refreshRow(targets[i]!, incidents)) this.blocks[Math.floor(i / BLOCK)] = undefined;
    }
  }

  /** Block `b` of the rows, comma-separated (a leading comma after the first block). */
  private block(targets: Target[], b: number): Buffer {
    const rows: Buffer[] = [];
    for (let i = b * BLOCK; i < Math.min(targets.length, (b + 1) * BLOCK); i++) {
      if (i > 0) rows.push(COMMA);
      rows.push(this.rows.get(targets[i]!.id)!.json);
    }
    return Buffer.concat(rows);
  }

  /** Open incident counts, at most 2 s old; refreshed in the background after the first call. */
  private async openIncidents(now: number): Promise<Map<number, number> | null> {
    const load = this.o.openIncidents;
    if (!load) return null;
    if (!this.incidents || now - this.incidents.at > 2000) {
      this.incidentsLoading ??= load().catch(() => null).then((value) => {
        this.markChanged(this.incidents?.value ?? null, value);
        this.incidents = { at: Date.now(), value };
      }).finally(() => {
        this.incidentsLoading = null;
      });
      if (!this.incidents) await this.incidentsLoading;
    }
    return this.incidents?.value ?? null;
  }

  /** Marks the targets whose open incident count differs between two readings (all when one is missing). */
  private markChanged(before: Map<number, number> | null, after: Map<number, number> | null): void {
    if (!before || !after) {
      if (before !== after) this.epoch++;
      return;
    }
    for (const [id, n] of after) if (before.get(id) !== n) this.dirty.add(id);
    for (const id of before.keys()) if (!after.has(id)) this.dirty.add(id);
  }

  private prune(targets: Target[]): void {
    const ids = new Set(targets.map((t) => t.id));
    for (const id of this.rows.keys()) if (!ids.has(id)) this.rows.delete(id);
  }

  /** Overview rows of a few targets (the detail page), with uptime computed now. */
  async itemsOf(ids: number[]): Promise<ReturnType<OverviewModel['item']>[]> {
    const wanted = new Set(ids);
    const targets = (await this.list()).filter((t) => wanted.has(t.id));
    const uptime = await computeUptime(this.store.results, Date.now(), targets.map((t) => t.id));
    const incidents = await this.openIncidents(Date.now());
    const of = (w: keyof UptimeTable, id: number) => uptime[w].get(id) ?? null;
    return targets.map((t) => this.item(t, [of('24h', t.id), of('7d', t.id), of('30d', t.id)], incidents ? (incidents.get(t.id) ?? 0) : null));
  }
}
