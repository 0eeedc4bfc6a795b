// /deliveries: the notification outbox and its history, newest first, with filters.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../errors.js';
import { DELIVERY_STATUSES, DELIVERY_TRANSITIONS, type DeliveryFilter, type NotifyStore } from '../../store/notify-store.js';
import { errors, idParams } from '../schemas.js';

const nullableInt = { type: ['integer', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;

export const deliverySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    channel_id: { type: 'integer' },
    channel_name: nullableString,
    channel_type: { type: 'string' },
    event_id: { type: 'string' },
    incident_id: { type: 'string' },
    target_id: { type: 'integer' },
    transition: { type: 'string', enum: [...DELIVERY_TRANSITIONS] },
    seq: { type: 'integer', description: 'Reminder number (0 for other transitions).' },
    status: { type: 'string', enum: [...DELIVERY_STATUSES] },
    note: { ...nullableString, description: 'Why it was suppressed, or that it gave up.' },
    attempts: { type: 'integer' },
    next_attempt_at: { type: 'string', format: 'date-time' },
    last_status: nullableInt,
    last_error: { ...nullableString, description: 'Never contains a secret.' },
    group_size: { ...nullableInt, description: 'Incidents in the message it went out in (1 = alone).' },
    created_at: { type: 'string', format: 'date-time' },
    settled_at: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...DELIVERY_STATUSES] },
    channel_id: { type: 'integer', minimum: 1 },
    target_id: { type: 'integer', minimum: 0 },
    incident_id: { type: 'string', maxLength: 200 },
    transition: { type: 'string', enum: [...DELIVERY_TRANSITIONS] },
    since: { type: 'string', format: 'date-time' },
    before_id: { type: 'integer', minimum: 1, description: 'Paging: rows older than this id.' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;

export function deliveryRoutes(app: FastifyInstance, store: NotifyStore): void {
  const tag = { tags: ['channels'] };
  app.get<{ Querystring: DeliveryFilter }>('/deliveries', {
    schema: { ...tag, summary: 'Notification deliveries, newest first: pending, delivered, failed (with the error) or suppressed', querystring: listQuery, response: { 200: { type: 'array', items: deliverySchema }, ...errors } },
  }, (req) => store.deliveries.list(req.query));

  app.get<{ Params: { id: number } }>('/deliveries/:id', {
    schema: { ...tag, summary: 'One delivery', params: idParams, response: { 200: deliverySchema, ...errors } },
  }, async (req) => {
    const d = await store.deliveries.get(req.params.id);
    if (!d) throw notFound(`delivery ${req.params.id}`);
    return d;
  });
}
