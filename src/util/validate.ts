// JSON-schema validation that throws AppError('validation') naming the offending field, shared by
// the API, the CLI and config sections (probe options, channel configs).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { AppError } from '../errors.js';

const ajv = new Ajv({ allErrors: false, strict: false, useDefaults: false, coerceTypes: false });

/** The dotted path of the field an Ajv error is about (`options.expected_status`, `labels.env`). */
export function fieldOf(err: ErrorObject, prefix = ''): string {
  const path = err.instancePath.split('/').filter(Boolean).join('.');
  const extra = err.keyword === 'additionalProperties' ? (err.params as { additionalProperty: string }).additionalProperty
    : err.keyword === 'required' ? (err.params as { missingProperty: string }).missingProperty : '';
  return [prefix, path, extra].filter(Boolean).join('.') || prefix || '(body)';
}

export function describe(err: ErrorObject, field: string): string {
  if (err.keyword === 'additionalProperties') return `unknown field "${field}"`;
  if (err.keyword === 'required') return `"${field}" is required`;
  return `"${field}" ${err.message ?? 'is invalid'}`;
}

export function compile<T>(schema: Record<string, unknown>, prefix = ''): (value: unknown) => T {
  const fn: ValidateFunction = ajv.compile(schema);
  return (value: unknown): T => {
    if (fn(value)) return value as T;
    const err = fn.errors?.[0];
    if (!err) throw new AppError('validation', 'invalid input', prefix || undefined);
    const field = fieldOf(err, prefix);
    throw new AppError('validation', describe(err, field), field);
  };
}
