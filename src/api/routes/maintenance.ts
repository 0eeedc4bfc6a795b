// /maintenance: windows during which notifications of a target's (or every target's) incidents
// are suppressed and recorded as such.
import type { FastifyInstance } from 'fastify';
import { maintenanceWriteSchema, type MaintenanceService } from '../../services/notify/maintenance-windows.js';
import { errors, idParams } from '../schemas.js';

const windowSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    target_id: { type: ['integer', 'null'], description: 'null: every target.' },
    starts_at: { type: 'string', format: 'date-time' },
    ends_at: { type: 'string', format: 'date-time' },
    reason: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    active: { type: 'boolean', description: 'Only windows covering now.' },
    target_id: { type: 'integer', minimum: 1, description: 'Windows for this target or for every target.' },
    include_ended: { type: 'boolean', description: 'Also windows that are over.' },
  },
} as const;

export function maintenanceRoutes(app: FastifyInstance, windows: MaintenanceService): void {
  const tag = { tags: ['maintenance'] };
  app.post('/maintenance', {
    schema: { ...tag, summary: 'Declare a maintenance window for a target or for all (give ends_at or duration_minutes)', body: maintenanceWriteSchema, response: { 201: windowSchema, ...errors } },
  }, async (req, reply) => reply.status(201).send(await windows.create(req.body)));

  app.get<{ Querystring: { active?: boolean; target_id?: number; include_ended?: boolean } }>('/maintenance', {
    schema: { ...tag, summary: 'Current and upcoming maintenance windows', querystring: listQuery, response: { 200: { type: 'array', items: windowSchema }, ...errors } },
  }, (req) => windows.list({ ...req.query, includeEnded: req.query.include_ended === true }));

  app.delete<{ Params: { id: number } }>('/maintenance/:id', {
    schema: { ...tag, summary: 'End (delete) a maintenance window', params: idParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await windows.delete(req.params.id);
    return reply.status(204).send();
  });
}
