// /targets: create, list, read, change, delete. Thin: validation and rules live in TargetService.
import type { FastifyInstance } from 'fastify';
import type { Target } from '../../domain/types.js';
import type { ApiDeps } from '../server.js';
import { errors, idParams, targetSchema } from '../schemas.js';
import { targetWriteSchema } from '../../services/targets.js';
import { incidentSchema } from './incidents.js';

const withStatus = {
  ...targetSchema,
  properties: {
    ...targetSchema.properties,
    status: { type: 'string', enum: ['up', 'down', 'degraded', 'paused', 'unknown'] },
    regions_status: { type: 'object', additionalProperties: true },
  },
} as const;

export function targetRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { targets, live, store } = deps;
  const tag = { tags: ['targets'] };
  const summary = (t: Target) => {
    const s = live.statusOf(t);
    return { ...t, status: s.status, regions_status: s.regions };
  };

  app.post('/targets', {
    schema: { ...tag, summary: 'Create a target (only name and url are required)', body: { ...targetWriteSchema, required: ['name', 'url'] }, response: { 201: targetSchema, ...errors } },
  }, async (req, reply) => {
    const t = await targets.create(req.body);
    live.targetChanged(t, t.id);
    return reply.status(201).send(t);
  });

  app.get('/targets', {
    schema: { ...tag, summary: 'List targets with their current status', response: { 200: { type: 'array', items: withStatus } } },
  }, async () => (await store.targets.list()).map(summary));

  const withIncidents = { ...withStatus, properties: { ...withStatus.properties, incidents: { type: 'array', items: incidentSchema, description: 'its open (unresolved) incidents' } } } as const;
  app.get<{ Params: { id: number } }>('/targets/:id', {
    schema: { ...tag, summary: 'One target with its status per region and its open incidents', params: idParams, response: { 200: withIncidents, ...errors } },
  }, async (req) => ({ ...summary(await targets.get(req.params.id)), incidents: await store.incidents.list({ target_id: req.params.id, state: 'open' }) }));

  app.patch<{ Params: { id: number } }>('/targets/:id', {
    schema: { ...tag, summary: 'Change a target (any writable field; `enabled: false` pauses it)', params: idParams, body: { ...targetWriteSchema, minProperties: 1 }, response: { 200: targetSchema, ...errors } },
  }, async (req) => {
    const t = await targets.update(req.params.id, req.body);
    live.targetChanged(t, t.id);
    return t;
  });

  app.delete<{ Params: { id: number } }>('/targets/:id', {
    schema: { ...tag, summary: 'Delete a target and its history', params: idParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await targets.delete(req.params.id);
    live.targetChanged(null, req.params.id);
    return reply.status(204).send();
  });
}
