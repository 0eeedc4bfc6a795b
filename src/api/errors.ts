// Maps errors to HTTP once: AppError codes to statuses, Fastify's own validation and parsing
// errors to the same JSON body `{ error: { code, message, field? } }`. See docs/errors.md.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors.js';
import { describe, fieldOf } from '../util/validate.js';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  validation: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unavailable: 503,
  internal: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

export function toErrorBody(e: unknown): { status: number; body: ErrorBody } {
  if (e instanceof AppError) {
    return { status: HTTP_STATUS[e.code], body: { error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } } };
  }
  const fe = e as Partial<FastifyError> & { validation?: Parameters<typeof fieldOf>[0][]; validationContext?: string };
  if (fe.validation && fe.validation[0]) {
    const ctx = fe.validationContext === 'body' ? '' : (fe.validationContext ?? '');
    const field = fieldOf(fe.validation[0], ctx === 'querystring' || ctx === 'params' ? '' : ctx);
    return { status: 400, body: { error: { code: 'validation', message: describe(fe.validation[0], field), field } } };
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, body: { error: { code: 'too_large', message: 'request body is too large', field: '(body)' } } };
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, body: { error: { code: 'validation', message: 'send the body as application/json', field: '(body)' } } };
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { error: { code: 'validation', message: fe.message ?? 'bad request', field: '(body)' } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}

export function errorHandler(this: unknown, e: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorBody(e);
  if (status >= 500 && status !== 503) req.log.error(e);
  void reply.status(status).send(body);
}
