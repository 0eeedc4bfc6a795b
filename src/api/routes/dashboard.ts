// Read models for the dashboard: the fleet overview, a target's latency series (raw rows or
// rollups by range), its status/error breakdown and daily uptime, and the probe kinds and channel
// types with their option schemas (so forms are generated, not hand-written per kind).
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ProbeResult } from '../../domain/types.js';
import { probeKinds } from '../../probes/registry.js';
import { channels } from '../../notify/registry.js';
import type { SeriesQuery } from '../../store/store.js';
import type { ApiDeps, RouteGroup } from '../server.js';
import { errors, idParams } from '../schemas.js';
import { notFound } from '../../errors.js';
import { breakdown, chooseStep, resolveRange, rollupWatermarks, seriesWithTail, TtlCache, type Breakdown, type RangeQuery } from './dashboard-data.js';
import { OverviewModel } from './dashboard-overview.js';

export interface DashboardOptions {
  /** Open incidents per target id; absent until the incidents feature provides it (counts are then null). */
  openIncidents?: () => Promise<Map<number, number>>;
}

const num = { type: ['number', 'null'] } as const;
const regionState = { type: 'object', properties: { ok: { type: 'boolean' }, latency_ms: { type: 'number' }, ts: { type: 'string' } } } as const;

const overviewItem = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    url: { type: 'string' },
    enabled: { type: 'boolean' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    regions: { type: 'array', items: { type: 'string' } },
    status: { type: 'string', enum: ['up', 'down', 'degraded', 'paused', 'unknown'] },
    latency_ms: num,
    last_ts: { type: ['string', 'null'] },
    error_message: { type: ['string', 'null'] },
    uptime_24h: { ...num, description: 'percent, 3 decimals, rounded down (99.9995 shows as 99.999, never 100)' },
    uptime_7d: num,
    uptime_30d: num,
    sparkline: { type: 'array', items: num, description: 'latency (ms) of the last ~60 probes, oldest first; null = failed' },
    regions_status: { type: 'object', additionalProperties: regionState },
    open_incidents: { type: ['integer', 'null'], description: 'null when this server does not track incidents' },
  },
} as const;

const overviewSchema = {
  type: 'object',
  properties: { generated_at: { type: 'string' }, down_quorum: { type: 'integer' }, complete: { type: 'boolean' }, items: { type: 'array', items: overviewItem } },
} as const;

const rangeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    range: { type: 'string', enum: ['1h', '24h', '7d', '30d', 'custom'], default: '24h' },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    region: { type: 'string' },
  },
} as const;

const bucketSchema = {
  type: 'object',
  properties: { ts: { type: 'string' }, count: { type: 'integer' }, ok_count: { type: 'integer' }, min_ms: num, max_ms: num, mean_ms: num, p50_ms: num, p95_ms: num },
} as const;

const seriesSchema = {
  type: 'object',
  properties: {
    target_id: { type: 'integer' },
    step: { type: 'string', enum: ['raw', '1m', '1h'] },
    from: { type: 'string' },
    to: { type: 'string' },
    buckets: { type: 'array', items: bucketSchema },
  },
} as const;

const breakdownSchema = {
  type: 'object',
  properties: {
    total: { type: 'integer' },
    ok: { type: 'integer' },
    status_codes: { type: 'array', items: { type: 'object', properties: { status_code: { type: ['integer', 'null'] }, count: { type: 'integer' } } } },
    error_classes: { type: 'array', items: { type: 'object', properties: { error_class: { type: 'string' }, count: { type: 'integer' } } } },
  },
} as const;

const dailySchema = {
  type: 'object',
  properties: { days: { type: 'array', items: { type: 'object', properties: { date: { type: 'string' }, count: { type: 'integer' }, ok_count: { type: 'integer' } } } } },
} as const;

type SeriesRange = RangeQuery & { region?: string };

/** Sends JSON text as is: JSON.stringify is many times faster than the schema serializer on these shapes. */
const sendJson = (reply: FastifyReply, body: unknown) => reply.type('application/json; charset=utf-8').send(Buffer.isBuffer(body) || body instanceof Readable ? body : JSON.stringify(body));

/** The dashboard's read endpoints as a RouteGroup for buildApi. */
export function dashboardRoutes(opts: DashboardOptions = {}): RouteGroup {
  return (app: FastifyInstance, deps: ApiDeps) => {
    const { store, live, config } = deps;
    const tag = { tags: ['dashboard'] };
    const model = new OverviewModel(store, live, { downQuorum: config.down_quorum, ...(opts.openIncidents ? { openIncidents: opts.openIncidents } : {}) });
    const breakdowns = new TtlCache<Breakdown>(30_000, 500);
    const marks = new TtlCache<Awaited<ReturnType<typeof rollupWatermarks>>>(5_000, 1);
    const watermark = async (step: SeriesQuery['step']) => (step === 'raw' ? undefined : (await marks.get('', () => rollupWatermarks(store.db)))[step]);
    const onResult = (r: ProbeResult) => model.record(r);
    live.on('result', onResult);
    app.addHook('onClose', async () => {
      live.off('result', onResult);
      model.close();
    });
    // onSend: the change is stored, and the client has not seen the answer yet (its next read is fresh).
    app.addHook('onSend', async (req, reply, payload) => {
      const url = req.routeOptions.url ?? '';
      if (req.method === 'GET' || !url.startsWith('/targets') || reply.statusCode >= 300) return payload;
      model.invalidate();
      if (req.method === 'DELETE' && url === '/targets/:id') model.forget((req.params as { id: number }).id);
      return payload;
    });
    const targetOf = async (id: number) => {
      const t = await model.target(id);
      if (!t) throw notFound(`target ${id}`);
      return t;
    };

    app.get<{ Querystring: { ids?: number[] } }>('/overview', {
      schema: {
        ...tag,
        summary: 'Every target (or `ids`) with status, latest latency, uptime 24h/7d/30d, a latency sparkline, regions and open incidents',
        description: 'Served from memory, kept current by live results; stored uptime is re-read in the background (24 h every 5 minutes, 7 d every 15, 30 d every 30). `complete` is false until the first read is done. With `ids`, uptime is read now.',
        querystring: { type: 'object', additionalProperties: false, properties: { ids: { type: 'array', maxItems: 1000, items: { type: 'integer', minimum: 1 } } } },
        response: { 200: overviewSchema, ...errors },
      },
    }, async (req, reply) => {
      const ids = req.query.ids;
      if (!ids?.length) {
        // Written part by part: no 6 MB copy per request for 10,000 targets.
        const parts = await model.json();
        reply.header('content-length', parts.reduce((n, b) => n + b.length, 0));
        return sendJson(reply, Readable.from(parts, { objectMode: false }));
      }
      return sendJson(reply, { generated_at: new Date().toISOString(), down_quorum: config.down_quorum, complete: true, items: await model.itemsOf(ids) });
    });

    app.get<{ Params: { id: number }; Querystring: SeriesRange & { step?: SeriesQuery['step'] } }>('/targets/:id/series', {
      schema: {
        ...tag,
        summary: 'Latency and availability buckets of one target over a range: raw probes for short ranges, 1-minute or 1-hour rollups for long ones',
        params: idParams,
        querystring: { ...rangeQuery, properties: { ...rangeQuery.properties, step: { type: 'string', enum: ['raw', '1m', '1h'], description: 'override the automatic choice' } } },
        response: { 200: seriesSchema, ...errors },
      },
    }, async (req, reply) => {
      const t = await targetOf(req.params.id);
      const { from, to } = resolveRange(req.query);
      const step = req.query.step ?? chooseStep(to.getTime() - from.getTime(), t.interval_s);
      const q: SeriesQuery = { from, to, step, ...(req.query.region ? { region: req.query.region } : {}) };
      const buckets = await seriesWithTail(store.results, t.id, q, await watermark(step));
      return sendJson(reply, { target_id: t.id, step, from: from.toISOString(), to: to.toISOString(), buckets });
    });

    app.get<{ Params: { id: number }; Querystring: SeriesRange }>('/targets/:id/breakdown', {
      schema: { ...tag, summary: 'Status codes and error classes of one target\'s probes over a range', params: idParams, querystring: rangeQuery, response: { 200: breakdownSchema, ...errors } },
    }, async (req) => {
      const t = await targetOf(req.params.id);
      const { from, to } = resolveRange(req.query);
      const range = req.query.range ?? '24h';
      // A day or more of raw rows takes a while to group; a 30-second-old answer is as good.
      if (range === '1h' || range === 'custom') return breakdown(store.db, t.id, from, to, req.query.region);
      return breakdowns.get(`${t.id}|${range}|${req.query.region ?? ''}`, () => breakdown(store.db, t.id, from, to, req.query.region));
    });

    app.get<{ Params: { id: number }; Querystring: { days: number } }>('/targets/:id/daily', {
      schema: {
        ...tag,
        summary: 'Probe and ok counts per UTC day (from the 1-hour rollups), for the uptime bar',
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { days: { type: 'integer', minimum: 1, maximum: 400, default: 90 } } },
        response: { 200: dailySchema, ...errors },
      },
    }, async (req) => {
      const t = await targetOf(req.params.id);
      const now = new Date();
      const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (req.query.days - 1)));
      const buckets = await seriesWithTail(store.results, t.id, { from, to: now, step: '1h' }, await watermark('1h'));
      const days = new Map<string, { date: string; count: number; ok_count: number }>();
      for (const b of buckets) {
        const date = b.ts.slice(0, 10);
        const d = days.get(date) ?? { date, count: 0, ok_count: 0 };
        d.count += b.count;
        d.ok_count += b.ok_count;
        days.set(date, d);
      }
      return { days: [...days.values()] };
    });

    app.get('/kinds', {
      schema: { ...tag, summary: 'Probe kinds (URL schemes, options schema and defaults) and notification channel types (config schema, secret fields)' },
    }, async () => ({
      probes: Object.entries(probeKinds).map(([type, k]) => ({ type, schemes: k.schemes, options_schema: k.optionsSchema, options_defaults: k.defaults({}) })),
      channels: Object.values(channels).map((c) => ({ type: c.type, label: c.label, config_schema: c.configSchema, secret_fields: c.secretFields.map((f) => f.name) })),
    }));
  };
}
