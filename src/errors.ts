// One error type for the whole app, with a stable code; each transport maps codes once
// (API: src/api/errors.ts). Codes are listed in docs/errors.md.

export const ERROR_CODES = ['validation', 'not_found', 'conflict', 'unauthorized', 'unavailable', 'too_large', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field at fault, for `validation` (dot path, e.g. `options.expected_status`). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const validationError = (field: string, message: string) => new AppError('validation', message, field);
export const notFound = (what: string) => new AppError('not_found', `${what} not found`);

/** Narrows an unknown thrown value to a message, for logs and results. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
