// /channels: create, list, read, change, delete, send a test; /targets/:id/channels: routing.
// Thin: rules live in ChannelService, which returns configs with their secrets masked.
import type { FastifyInstance } from 'fastify';
import { validationError } from '../../errors.js';
import { channelWriteSchema, type ChannelService } from '../../services/notify/channels.js';
import { errorSchema, errors, idParams } from '../schemas.js';

export const channelSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    ...channelWriteSchema.properties,
    config: { type: 'object', additionalProperties: true, description: 'Secret fields are masked.' },
    managed_by: { type: 'string', enum: ['api', 'config', 'env'], description: 'config/env: declared in pulseguard.yaml or SLACK_WEBHOOK_URL and rewritten at start.' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

const routingSchema = {
  type: 'object',
  properties: {
    target_id: { type: 'integer' },
    routing: { type: 'string', enum: ['explicit', 'default'], description: 'default: the target has no routes and uses the default channels.' },
    channels: { type: 'array', items: channelSchema },
  },
} as const;

const testResultSchema = {
  type: 'object',
  properties: { ok: { type: 'boolean' }, status: { type: 'integer' }, error: { type: 'string' }, delivery_id: { type: ['integer', 'null'] } },
} as const;

export function channelRoutes(app: FastifyInstance, channels: ChannelService): void {
  const tag = { tags: ['channels'] };
  const withConflict = { ...errors, 409: errorSchema };

  app.post('/channels', {
    schema: { ...tag, summary: 'Create a notification channel', body: { ...channelWriteSchema, required: ['name', 'type', 'config'] }, response: { 201: channelSchema, ...withConflict } },
  }, async (req, reply) => reply.status(201).send(await channels.create(req.body)));

  app.get('/channels', {
    schema: { ...tag, summary: 'List channels (secrets masked)', response: { 200: { type: 'array', items: channelSchema } } },
  }, () => channels.list());

  app.get<{ Params: { id: number } }>('/channels/:id', {
    schema: { ...tag, summary: 'One channel (secrets masked)', params: idParams, response: { 200: channelSchema, ...errors } },
  }, (req) => channels.get(req.params.id));

  app.patch<{ Params: { id: number } }>('/channels/:id', {
    schema: {
      ...tag,
      summary: 'Change a channel; a new `config` replaces the old one, and its secrets may be left out or sent back masked to keep them',
      params: idParams,
      body: { ...channelWriteSchema, minProperties: 1 },
      response: { 200: channelSchema, ...withConflict },
    },
  }, (req) => channels.update(req.params.id, req.body));

  app.delete<{ Params: { id: number } }>('/channels/:id', {
    schema: { ...tag, summary: 'Delete a channel, its routes and its delivery history', params: idParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await channels.delete(req.params.id);
    return reply.status(204).send();
  });

  app.post<{ Params: { id: number } }>('/channels/:id/test', {
    schema: {
      ...tag,
      summary: 'Send a test notification now; `ok: false` with the (secret-free) error when the channel refused it',
      params: idParams,
      response: { 200: testResultSchema, ...errors },
    },
  }, async (req) => {
    const body: unknown = req.body;
    const by = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).requested_by : undefined;
    if (by !== undefined && (typeof by !== 'string' || by.length > 100)) throw validationError('requested_by', '"requested_by" must be a string of at most 100 characters');
    return channels.test(req.params.id, by ?? 'the API');
  });

  app.get<{ Params: { id: number } }>('/targets/:id/channels', {
    schema: { tags: ['channels', 'targets'], summary: "The channels a target's notifications go to", params: idParams, response: { 200: routingSchema, ...errors } },
  }, (req) => channels.routesOf(req.params.id));

  app.put<{ Params: { id: number }; Body: { channel_ids: number[] } }>('/targets/:id/channels', {
    schema: {
      tags: ['channels', 'targets'],
      summary: 'Route a target to exactly these channels; an empty list returns it to the default channels',
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['channel_ids'],
        properties: { channel_ids: { type: 'array', maxItems: 100, items: { type: 'integer', minimum: 1 } } },
      },
      response: { 200: routingSchema, ...errors },
    },
  }, (req) => channels.setRoutes(req.params.id, req.body.channel_ids));
}
