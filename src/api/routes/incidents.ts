// /incidents (list, read, acknowledge) and /targets/:id/anomaly (per-target overrides). Thin: the
// rules live in IncidentService. The bus is passed in because acknowledging publishes a transition.
import type { FastifyInstance } from 'fastify';
import type { Bus } from '../../bus/bus.js';
import { INCIDENT_KINDS, INCIDENT_STATES, TRANSITIONS, type IncidentKind } from '../../domain/incident.js';
import { detectorNames } from '../../anomaly/registry.js';
import { DIRECTIONS, SENSITIVITIES, type AnomalyOverrides } from '../../store/incident-store.js';
import { INCIDENTS_DEFAULT_LIMIT, INCIDENTS_MAX_LIMIT } from '../../store/sql/incidents.js';
import { IncidentService, parseSensitivity } from '../../services/incidents.js';
import type { Logger } from '../../util/log.js';
import type { ApiDeps, RouteGroup } from '../server.js';
import { errors, idParams } from '../schemas.js';

const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const values = { type: 'object', additionalProperties: { type: ['number', 'string', 'null'] } } as const;

/** One incident (also in `GET /targets/:id` as `incidents`, and in SSE `incident` events). */
export const incidentSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    target_id: { type: 'integer' },
    target_name: { type: 'string' },
    kind: { type: 'string', enum: INCIDENT_KINDS },
    state: { type: 'string', enum: INCIDENT_STATES },
    severity: { type: 'string', enum: ['critical', 'warning', 'info'] },
    started_at: time,
    ended_at: nullableTime,
    acknowledged_at: nullableTime,
    acknowledged_by: { type: ['string', 'null'] },
    regions: { type: 'array', items: { type: 'string' } },
    details: {
      type: 'object',
      additionalProperties: true,
      description: 'Evidence: message, values, baseline, score, threshold, detector; resolution once resolved (docs/anomaly.md)',
      properties: {
        message: { type: 'string' },
        values,
        baseline: { type: 'number' },
        score: { type: 'number' },
        threshold: { type: 'number' },
        detector: { type: 'string' },
        resolution: { type: 'object', properties: { message: { type: 'string' }, values } },
      },
    },
    updated_at: time,
  },
} as const;

/** The bus / SSE payload of a transition (in the OpenAPI document's components). */
export const transitionSchema = {
  title: 'IncidentTransition',
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    transition: { type: 'string', enum: TRANSITIONS },
    at: time,
    incident: incidentSchema,
    target: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, url: { type: 'string' } } },
  },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    target_id: { type: 'integer', minimum: 1 },
    kind: { type: 'string', enum: INCIDENT_KINDS },
    state: { type: 'string', enum: INCIDENT_STATES, description: '`open` = not resolved (acknowledged included)' },
    from: { ...time, description: 'incidents active at any time in [from, to]' },
    to: time,
    limit: { type: 'integer', minimum: 1, maximum: INCIDENTS_MAX_LIMIT, default: INCIDENTS_DEFAULT_LIMIT },
  },
} as const;

const uuidParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
const conflict = { 409: errors[404] } as const;
const nullable = (enumValues: readonly string[]) => ({ type: ['string', 'null'], enum: [...enumValues, null] });

const overridesSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sensitivity: { ...nullable(SENSITIVITIES), description: 'low (score 0.6), normal (0.55), high (0.52), off (no latency/error-rate incidents)' },
    detector: nullable(detectorNames()),
    direction: { ...nullable(DIRECTIONS), description: 'which latency changes count: up (slower, default), down, both' },
    min_change_ms: { type: ['number', 'null'], minimum: 0, maximum: 600000 },
    min_change_pct: { type: ['number', 'null'], minimum: 0, maximum: 10000 },
  },
} as const;

const settingsSchema = {
  type: 'object',
  properties: {
    target_id: { type: 'integer' },
    sensitivity: { type: 'string' },
    threshold: { type: ['number', 'null'] },
    detector: { type: 'string' },
    direction: { type: 'string' },
    min_change_ms: { type: 'number' },
    min_change_pct: { type: 'number' },
    overrides: overridesSchema,
    updated_at: nullableTime,
  },
} as const;

interface ListQuery {
  target_id?: number;
  kind?: IncidentKind;
  state?: 'open' | 'acknowledged' | 'resolved';
  from?: string;
  to?: string;
  limit?: number;
}

export function incidentRoutes(bus: Bus, log?: Logger): RouteGroup {
  return (app: FastifyInstance, deps: ApiDeps) => {
    const service = new IncidentService({ store: deps.store, bus, defaultSensitivity: parseSensitivity(deps.config.anomaly_sensitivity), ...(log ? { log } : {}) });
    const tag = { tags: ['incidents'] };
    // Not a route: documents the bus / SSE `incident` payload under components.schemas.
    app.addSchema({ $id: 'IncidentTransition', ...transitionSchema });

    app.get<{ Querystring: ListQuery }>('/incidents', {
      schema: { ...tag, summary: 'Incidents, newest first (filters: target, kind, state, time range)', querystring: listQuery, response: { 200: { type: 'array', items: incidentSchema }, ...errors } },
    }, async (req) => service.list(req.query));

    app.get<{ Params: { id: string } }>('/incidents/:id', {
      schema: { ...tag, summary: 'One incident with its evidence', params: uuidParams, response: { 200: incidentSchema, ...errors } },
    }, async (req) => service.get(req.params.id));

    app.post<{ Params: { id: string }; Body: { by?: string } | undefined }>('/incidents/:id/ack', {
      // The body is optional: a bare POST acknowledges as "api".
      preValidation: async (req) => {
        if (req.body === undefined) req.body = {};
      },
      schema: {
        ...tag,
        summary: 'Acknowledge an open incident (records who and when; publishes `acknowledged` once)',
        params: uuidParams,
        body: { type: 'object', additionalProperties: false, properties: { by: { type: 'string', minLength: 1, maxLength: 100, description: 'who acknowledges (default "api")' } } },
        response: { 200: incidentSchema, ...errors, ...conflict },
      },
    }, async (req) => service.acknowledge(req.params.id, req.body?.by ?? 'api'));

    app.get<{ Params: { id: number } }>('/targets/:id/anomaly', {
      schema: { ...tag, summary: "A target's anomaly settings: effective values and its overrides", params: idParams, response: { 200: settingsSchema, ...errors } },
    }, async (req) => service.settings(req.params.id));

    app.put<{ Params: { id: number }; Body: Partial<AnomalyOverrides> }>('/targets/:id/anomaly', {
      schema: {
        ...tag,
        summary: "Replace a target's anomaly overrides (absent or null = the default)",
        params: idParams,
        body: overridesSchema,
        response: { 200: settingsSchema, ...errors },
      },
    }, async (req) => service.putSettings(req.params.id, req.body));
  };
}
