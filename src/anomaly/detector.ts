// The contract every anomaly detector implements (one file per algorithm, listed in registry.ts).
// Detectors are online: one call per point, no look-ahead, O(1) amortised work and bounded memory.
import { validationError } from '../errors.js';

/** A JSON value (what a snapshot may contain). Numbers must be finite: NaN/Infinity do not survive JSON. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Options every detector accepts; kinds add their own numeric knobs. */
export interface DetectorOptions {
  /**
   * Expected lower/upper bound of the values, if known up front (NAB passes a file's min/max as
   * inputMin/inputMax). Optional: detectors must work without them; ours ignore them by default.
   */
  inputMin?: number;
  inputMax?: number;
}

/** A detector's whole state, JSON-serialisable, so a restarted process resumes without a cold start. */
export interface DetectorState {
  /** Registry name of the detector kind, e.g. 'zscore'. */
  kind: string;
  /** Version of the state layout; restore() rejects layouts it does not know. */
  version: number;
  /** The options the detector was created with (defaults filled in). */
  options: { [key: string]: Json };
  /** Kind-specific state (ring buffers, running sums, counters). */
  state: { [key: string]: Json };
}

/** One series' online detector. */
export interface Detector {
  /**
   * Feeds one point (t in ms since the epoch, normally non-decreasing; a step back must not break it) and returns its anomaly score in
   * [0, 1]: 0 = normal, 1 = certainly anomalous. Non-finite values are ignored (score 0).
   */
  update(tMs: number, value: number): number;
  /** The state to persist; `restore(snapshot())` continues exactly as this detector would. */
  snapshot(): DetectorState;
}

/** A detector kind: creates fresh detectors and restores persisted ones. */
export interface DetectorKind<O extends DetectorOptions = DetectorOptions> {
  /** One sentence on what it detects, for docs and the API. */
  description: string;
  defaults: Required<Omit<O, keyof DetectorOptions>> & DetectorOptions;
  create(options?: Partial<O>): Detector;
  /** Rebuilds a detector from `snapshot()`; throws AppError('validation') on a foreign or corrupt state. */
  restore(state: DetectorState): Detector;
}

/** Merges options over defaults, rejecting unknown keys and non-finite numbers (field named). */
export function resolveOptions<O extends object>(defaults: O, options: Partial<O> | undefined): O {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(options ?? {})) {
    if (v === undefined) continue;
    if (!(k in defaults) && k !== 'inputMin' && k !== 'inputMax') throw validationError(`options.${k}`, `unknown detector option '${k}'`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw validationError(`options.${k}`, `option '${k}' must be a finite number`);
    out[k] = v;
  }
  return out as O;
}

/** Checks that a state belongs to `kind` at `version` and returns its kind-specific part. */
export function checkState(state: DetectorState, kind: string, version: number): { [key: string]: Json } {
  if (state.kind !== kind) throw validationError('state.kind', `state is for detector '${state.kind}', not '${kind}'`);
  if (state.version !== version) throw validationError('state.version', `unsupported ${kind} state version ${state.version}`);
  return state.state;
}

/** Reads a finite number from a snapshot, or throws naming the field. */
export function num(s: { [key: string]: Json }, key: string): number {
  const v = s[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw validationError(`state.${key}`, `state field '${key}' must be a finite number`);
  return v;
}

/** Reads an array of finite numbers from a snapshot, or throws naming the field. */
export function nums(s: { [key: string]: Json }, key: string, maxLength: number): number[] {
  const v = s[key];
  if (!Array.isArray(v) || v.length > maxLength || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw validationError(`state.${key}`, `state field '${key}' must be an array of at most ${maxLength} finite numbers`);
  }
  return v as number[];
}

/** Clamps to [0, 1] (NaN -> 0), the range every score must be in. */
export const clamp01 = (x: number): number => (x > 1 ? 1 : x > 0 ? x : 0);
