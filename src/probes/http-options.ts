// Options of the http kind: JSON schema, defaults, cross-field validation, and the compiled form
// the probe runs with (parsed status ranges, keyword, JSON paths), cached so a probe re-parses little.
import { errorMessage, validationError } from '../errors.js';
import { compile } from '../util/validate.js';
import { JSON_OPS, parseJsonPath, type JsonAssertion, type PathSegment } from './json-path.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
export const MAX_BODY_LIMIT = 16 * 1024 * 1024;

/** Options of an http target after `defaults()`; see docs/probes/http.md. */
export interface HttpOptions {
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  follow_redirects: boolean;
  max_redirects: number;
  /** Canonical form: comma-separated codes and ranges, sorted and merged, e.g. "200,204,300-399". */
  expected_status: string;
  keyword?: string;
  keyword_mode: 'present' | 'absent';
  keyword_regex: boolean;
  json_assertions: JsonAssertion[];
  max_body_bytes: number;
  tls_verify: boolean;
  ip_family?: 4 | 6;
}

const statusItem = { anyOf: [{ type: 'integer', minimum: 100, maximum: 599 }, { type: 'string', minLength: 1, maxLength: 20 }] };

export const httpOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    method: { type: 'string', enum: HTTP_METHODS },
    headers: {
      type: 'object', maxProperties: 50,
      propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$" },
      additionalProperties: { type: 'string', maxLength: 8192, pattern: '^[\\t\\x20-\\x7e\\x80-\\xff]*$' },
    },
    body: { type: 'string', maxLength: 1048576 },
    follow_redirects: { type: 'boolean' },
    max_redirects: { type: 'integer', minimum: 0, maximum: 20 },
    expected_status: { anyOf: [{ type: 'string', minLength: 1, maxLength: 200 }, { type: 'array', minItems: 1, maxItems: 50, items: statusItem }] },
    keyword: { type: 'string', minLength: 1, maxLength: 1000 },
    keyword_mode: { type: 'string', enum: ['present', 'absent'] },
    keyword_regex: { type: 'boolean' },
    json_assertions: {
      type: 'array', maxItems: 50,
      items: {
        type: 'object', additionalProperties: false, required: ['path', 'op'],
        properties: { path: { type: 'string', minLength: 1, maxLength: 200 }, op: { type: 'string', enum: JSON_OPS }, value: {} },
      },
    },
    max_body_bytes: { type: 'integer', minimum: 1, maximum: MAX_BODY_LIMIT },
    tls_verify: { type: 'boolean' },
    ip_family: { type: 'integer', enum: [4, 6] },
  },
} as const;

export type StatusRange = readonly [number, number];

function parseStatusItem(item: unknown): StatusRange {
  if (typeof item === 'number') {
    if (Number.isInteger(item) && item >= 100 && item <= 599) return [item, item];
    throw new Error(`${item} is not a status code (100-599)`);
  }
  if (typeof item !== 'string') throw new Error('items must be status codes or ranges');
  const s = item.trim();
  let m = /^([1-5])xx$/i.exec(s);
  if (m) return [Number(m[1]) * 100, Number(m[1]) * 100 + 99];
  m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(s);
  if (!m) throw new Error(`"${s}" is not a status code, a range like 200-299, or 2xx`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 100 || hi > 599 || lo > hi) throw new Error(`"${s}" is not a range within 100-599`);
  return [lo, hi];
}

// Probes re-parse options from every job; the few distinct status strings are parsed once.
const statusCache = new Map<string, readonly StatusRange[]>();

/** Parses "200,204,300-399", "2xx" or an array of codes/ranges into sorted, merged ranges. */
export function parseExpectedStatus(value: unknown): readonly StatusRange[] {
  if (typeof value !== 'string') return parseStatusList(value);
  let hit = statusCache.get(value);
  if (!hit) {
    hit = Object.freeze(parseStatusList(value));
    if (statusCache.size >= 1000) statusCache.clear();
    statusCache.set(value, hit);
  }
  return hit;
}

function parseStatusList(value: unknown): StatusRange[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
  if (!items || items.length === 0) throw new Error('must be a string like "200-399" or an array of codes and ranges');
  const ranges = items.map(parseStatusItem).sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [lo, hi] of ranges) {
    const last = merged[merged.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  return merged;
}

export function formatStatusRanges(ranges: readonly StatusRange[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)).join(',');
}

export function statusMatches(ranges: readonly StatusRange[], code: number): boolean {
  for (const [lo, hi] of ranges) if (code >= lo && code <= hi) return true;
  return false;
}

export function httpDefaults(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    method: 'GET', headers: {}, follow_redirects: true, max_redirects: 5, expected_status: '200-399',
    keyword_mode: 'present', keyword_regex: false, json_assertions: [], max_body_bytes: 1024 * 1024, tls_verify: true,
    ...options,
  };
  try {
    out.expected_status = formatStatusRanges(parseExpectedStatus(out.expected_status));
  } catch {
    // Left as given: validate() reports it with the field name.
  }
  return out;
}

/** Cross-field checks on defaulted options; throws AppError('validation') naming the field. */
export function validateHttpOptions(o: Record<string, unknown>): void {
  try {
    parseExpectedStatus(o.expected_status);
  } catch (e: unknown) {
    throw validationError('options.expected_status', `"options.expected_status" ${errorMessage(e)}`);
  }
  if (o.keyword_regex === true && typeof o.keyword === 'string') {
    try {
      new RegExp(o.keyword);
    } catch (e: unknown) {
      throw validationError('options.keyword', `"options.keyword" is not a valid regular expression: ${errorMessage(e)}`);
    }
  }
  if (o.keyword_regex === true && o.keyword === undefined) throw validationError('options.keyword', '"options.keyword" is required when keyword_regex is true');
  const list = Array.isArray(o.json_assertions) ? (o.json_assertions as JsonAssertion[]) : [];
  list.forEach((a, i) => {
    try {
      parseJsonPath(a.path);
    } catch (e: unknown) {
      throw validationError(`options.json_assertions.${i}.path`, `"options.json_assertions.${i}.path" ${errorMessage(e)}`);
    }
    if (a.op !== 'exists' && a.value === undefined) throw validationError(`options.json_assertions.${i}.value`, `"options.json_assertions.${i}.value" is required for op "${a.op}"`);
    if (a.op === 'exists' && a.value !== undefined && typeof a.value !== 'boolean') throw validationError(`options.json_assertions.${i}.value`, `"options.json_assertions.${i}.value" must be a boolean for op "exists"`);
  });
}

/** Options as the probe runs with them: everything parsed once. */
export interface CompiledHttp {
  method: HttpMethod;
  headers: Record<string, string>;
  hasHost: boolean;
  body: string | undefined;
  maxRedirects: number;
  statusRanges: readonly StatusRange[];
  expectedText: string;
  keyword: { text: string; bytes: Buffer; regex: RegExp | null; present: boolean } | null;
  assertions: { a: JsonAssertion; path: PathSegment[] }[];
  needBody: boolean;
  maxBodyBytes: number;
  tlsVerify: boolean;
  family: 4 | 6 | undefined;
}

const checkSchema = compile<Record<string, unknown>>(httpOptionsSchema, 'options');
const compiledCache = new WeakMap<object, CompiledHttp>();
const EMPTY: Record<string, unknown> = {};
const USER_AGENT = 'PulseGuard/0.1 (uptime probe)';

function build(raw: Record<string, unknown>): CompiledHttp {
  checkSchema(raw);
  const o = httpDefaults(raw) as unknown as HttpOptions;
  validateHttpOptions(o as unknown as Record<string, unknown>);
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  let hasHost = false;
  for (const [k, v] of Object.entries(o.headers)) {
    const lk = k.toLowerCase();
    if (lk === 'host') hasHost = true;
    headers[lk] = v;
  }
  const statusRanges = parseExpectedStatus(o.expected_status);
  const kw = o.keyword;
  const assertions = o.json_assertions.map((a) => ({ a, path: parseJsonPath(a.path) }));
  return {
    method: o.method, headers, hasHost, body: o.body,
    maxRedirects: o.follow_redirects ? o.max_redirects : 0,
    statusRanges, expectedText: formatStatusRanges(statusRanges),
    keyword: kw === undefined ? null : { text: kw, bytes: Buffer.from(kw), regex: o.keyword_regex ? new RegExp(kw) : null, present: o.keyword_mode !== 'absent' },
    assertions,
    needBody: kw !== undefined || assertions.length > 0,
    maxBodyBytes: o.max_body_bytes, tlsVerify: o.tls_verify, family: o.ip_family,
  };
}

/**
 * Compiles options for a probe run (validating them again: a job may carry options stored before a
 * rule changed). Cached per options object. Returns an error message instead of throwing.
 */
export function compileHttpOptions(raw: Record<string, unknown> | undefined): CompiledHttp | string {
  const key = raw ?? EMPTY;
  const hit = compiledCache.get(key);
  if (hit) return hit;
  try {
    const c = build(key);
    compiledCache.set(key, c);
    return c;
  } catch (e: unknown) {
    return `bad options: ${errorMessage(e)}`;
  }
}
