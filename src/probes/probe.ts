// The contract every probe kind implements (one file per kind, listed in registry.ts).
import type { ProbeOutcome, Target } from '../domain/types.js';

/** What a probe needs of a target. */
export type ProbeTarget = Pick<Target, 'url' | 'timeout_ms' | 'options'>;

/**
 * Probes `target` once. Must always resolve (never reject): a failure of the target is an outcome
 * with `ok: false` and an error class. `signal` aborts the probe (shutdown); the kind enforces
 * `target.timeout_ms` itself and releases every socket and timer before resolving.
 */
export type ProbeFn = (target: ProbeTarget, signal?: AbortSignal) => Promise<ProbeOutcome>;

/** A probe kind: its function plus how its URL and options are validated and defaulted. */
export interface ProbeKind {
  /** URL schemes this kind accepts, e.g. ['http:', 'https:']. */
  schemes: string[];
  /** JSON schema (draft-07 subset Fastify/Ajv understands) of `options`, additionalProperties false. */
  optionsSchema: Record<string, unknown>;
  /** Fills defaults into validated options. */
  defaults(options: Record<string, unknown>): Record<string, unknown>;
  /** Checks cross-field rules the schema cannot express; throws AppError('validation') naming the field. */
  validate?(options: Record<string, unknown>): void;
  /** Checks kind-specific URL rules (e.g. tcp needs a port); throws AppError('validation') on field `url`. */
  validateUrl?(url: URL): void;
  probe: ProbeFn;
}
