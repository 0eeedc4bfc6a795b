// The contract every notification channel implements (one file per channel, listed in registry.ts),
// and the secret handling they share: masking for the API, scrubbing for errors and logs.
import { validationError } from '../errors.js';
import type { Notification } from './render.js';

/**
 * The outcome of one delivery attempt. Never thrown: failures are data. `retryable` failures are
 * tried again later (after `retryAfterMs` when the service said so); final ones are not.
 * `error` never contains a secret (URL, token, password).
 */
export type Delivery =
  | { ok: true; status?: number }
  | { ok: false; retryable: boolean; retryAfterMs?: number; status?: number; error: string };

/** Default deadline of one attempt (connect, send, wait for the answer), in ms. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface SendContext {
  /** Aborts the attempt (shutdown); the result is then a retryable failure. */
  signal: AbortSignal;
  /** Deadline of the whole attempt in ms (default DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Clock in ms since the epoch (webhook signature time, Retry-After dates); default Date.now. */
  nowMs?: () => number;
}

/** How the API shows a secret: a URL keeps its origin and last 4 characters, a token its last 4, a password nothing. */
export type SecretMask = 'url' | 'tail' | 'full';

export interface SecretField<C> {
  name: keyof C & string;
  mask: SecretMask;
}

/** A JSON schema (the draft-07 subset Fastify/Ajv understands). */
export type JsonSchema = Record<string, unknown>;

export interface Channel<C extends object> {
  /** Registry name, e.g. 'slack'. */
  readonly type: string;
  /** Human name, e.g. 'Microsoft Teams'. */
  readonly label: string;
  /** JSON schema of the config object, additionalProperties false; the API validates with it. */
  readonly configSchema: JsonSchema;
  /** Config fields that hold secrets: masked by the API, scrubbed from every error. */
  readonly secretFields: readonly SecretField<C>[];
  /** Rules the schema cannot express; throws AppError('validation') naming the field. */
  validate?(config: C): void;
  /**
   * Delivers one notification. Always resolves (never rejects), within `ctx.timeoutMs`, with every
   * socket and timer released. Must be safe to call again with the same notification (retries).
   */
  send(n: Notification, config: C, ctx: SendContext): Promise<Delivery>;
}

export const MASK = '****';

/** The masked form of one secret value, as the API returns it. */
export function maskSecret(value: string, mask: SecretMask): string {
  if (mask === 'full' || value.length < 12) return MASK;
  if (mask === 'tail') return `${MASK}${value.slice(-4)}`;
  try {
    const u = new URL(value);
    const path = u.pathname.replace(/\/+$/, '');
    return `${u.protocol}//${u.host}/…/${MASK}${path.slice(-4)}`;
  } catch {
    return MASK;
  }
}

/** Every string worth scrubbing for one secret: the value, its encodings, a URL's path parts and query values. */
function fragmentsOf(value: string): string[] {
  const out = [value, encodeURIComponent(value)];
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') {
      out.push(u.pathname + u.search, u.pathname, u.username, u.password);
      // long path segments and query values are the token parts (Slack, Discord, Teams sig=);
      // short ones ("services", "api") are not secret and scrubbing them would garble errors
      out.push(...u.pathname.split('/').filter((s) => s.length >= 16));
      for (const v of u.searchParams.values()) if (v.length >= 12) out.push(v, encodeURIComponent(v));
    }
  } catch {
    // not a URL: the value itself is the secret
  }
  // a path of "/" or a tiny value would mangle harmless text without protecting anything
  return out.filter((s) => s.length >= 4 && s !== '/');
}

/** The secret values of a config, expanded into the fragments `scrubSecrets` removes. */
export function secretValues<C extends object>(channel: Channel<C>, config: C): string[] {
  const out = new Set<string>();
  for (const f of channel.secretFields) {
    const v = config[f.name];
    if (typeof v === 'string' && v) for (const s of fragmentsOf(v)) out.add(s);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of every secret fragment with ****. Longest first, so parts of a URL go too. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join(MASK);
  return out;
}

/** Checks that `value` is an absolute http(s) URL with a host; the message never repeats the value. */
export function checkHttpUrl(value: unknown, field: string): void {
  let u: URL;
  try {
    u = new URL(String(value));
  } catch {
    throw validationError(field, `"${field}" is not a valid URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw validationError(field, `"${field}" must be an http or https URL`);
  if (!u.hostname) throw validationError(field, `"${field}" has no host`);
}
