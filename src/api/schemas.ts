// JSON schemas of API responses and parameters, shared by routes and the OpenAPI document.
import { targetWriteSchema } from '../services/targets.js';

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } }, required: ['code', 'message'] } },
} as const;

const nullableNumber = { type: ['number', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;

export const targetSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    ...targetWriteSchema.properties,
    options: { type: 'object', additionalProperties: true },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const resultSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    target_id: { type: 'integer' },
    region: { type: 'string' },
    ts: { type: 'string', format: 'date-time' },
    scheduled_at: { type: 'string', format: 'date-time' },
    ok: { type: 'boolean' },
    latency_ms: { type: 'number' },
    status_code: { type: ['integer', 'null'] },
    error_class: nullableString,
    error_message: nullableString,
    phases: {
      type: 'object',
      properties: { dns_ms: nullableNumber, connect_ms: nullableNumber, tls_ms: nullableNumber, ttfb_ms: nullableNumber, transfer_ms: nullableNumber },
    },
    tls_expires_at: nullableString,
    tls_issuer: nullableString,
  },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: 9007199254740991 } },
} as const;

export const historyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    limit: { type: 'integer', minimum: 1, maximum: 10000, default: 100 },
    region: { type: 'string' },
  },
} as const;

export const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema } as const;
