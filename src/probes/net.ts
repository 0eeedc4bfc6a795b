// Socket helpers shared by the connection-based probe kinds (http, tcp): the stage a probe is in,
// error classification by code and stage, phase arithmetic, and a resolver honouring RFC 6761.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { ErrorClass, PhaseTimings, ProbeOutcome } from '../domain/types.js';

/** Where a connection-based probe is; decides how an error or a timeout is classified and worded. */
export type Stage = 'dns' | 'connect' | 'tls' | 'request' | 'body';

const STAGE_TEXT: Record<Stage, string> = {
  dns: 'resolving the host',
  connect: 'connecting',
  tls: 'in the TLS handshake',
  request: 'waiting for the response',
  body: 'reading the body',
};

export interface Failure {
  cls: ErrorClass;
  message: string;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL', 'ENONAME']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN']);

function codeOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function short(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Turns a socket/HTTP error into an error class and a short message; `host` names the peer. */
export function classifyError(e: unknown, stage: Stage, host: string): Failure {
  const code = codeOf(e);
  const raw = e instanceof Error ? e.message : String(e);
  if (DNS_CODES.has(code)) return { cls: 'dns', message: `DNS lookup of ${host} failed (${code})` };
  if (code === 'ECONNREFUSED') return { cls: 'refused', message: `connection refused by ${host}` };
  if (code === 'ETIMEDOUT') return { cls: 'timeout', message: `connection to ${host} timed out (ETIMEDOUT)` };
  if (UNREACHABLE_CODES.has(code)) return { cls: 'refused', message: `${host} is unreachable (${code})` };
  // During the handshake any failure (junk, a reset, a protocol alert) is a TLS failure.
  if (stage === 'tls' || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.includes('CERT')) {
    // OpenSSL messages carry a queue dump and a source path; its `reason` is the readable part.
    const reason = (e as { reason?: unknown }).reason;
    const text = typeof reason === 'string' && reason !== '' ? reason : raw;
    return { cls: 'tls', message: short(`TLS handshake failed: ${text}${code && !text.includes(code) ? ` (${code})` : ''}`) };
  }
  if (code.startsWith('HPE_')) return { cls: 'invalid', message: short(`malformed HTTP response: ${raw}`) };
  if (RESET_CODES.has(code)) {
    const where = stage === 'body' ? 'while reading the body' : stage === 'request' ? 'before the response' : STAGE_TEXT[stage];
    return { cls: 'reset', message: `connection reset by ${host} ${where}` };
  }
  return { cls: 'invalid', message: short(code ? `${raw} (${code})` : raw) };
}

export function timeoutFailure(timeoutMs: number, stage: Stage): Failure {
  return { cls: 'timeout', message: `timed out after ${timeoutMs} ms ${STAGE_TEXT[stage]}` };
}

export const ABORTED: Failure = { cls: 'timeout', message: 'probe aborted' };

/** The probe's time budget: the target's timeout, or 10 s when a caller passed none that makes sense. */
export function budgetMs(timeoutMs: number): number {
  return Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : 10_000;
}

export function emptyPhases(): PhaseTimings {
  return { dns_ms: null, connect_ms: null, tls_ms: null, ttfb_ms: null, transfer_ms: null };
}

/** Rounds ms to µs: sub-µs digits are noise and bloat every stored row. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Adds `ms` to a phase that may not have happened yet (phases are summed over redirects). */
export function addPhase(phases: PhaseTimings, key: keyof PhaseTimings, ms: number): void {
  phases[key] = roundMs((phases[key] ?? 0) + (ms > 0 ? ms : 0));
}

export function failedOutcome(f: Failure, latencyMs = 0, phases: PhaseTimings = emptyPhases()): ProbeOutcome {
  return {
    ok: false, latency_ms: roundMs(latencyMs), status_code: null, error_class: f.cls, error_message: f.message,
    phases, tls_expires_at: null, tls_issuer: null,
  };
}

function notFound(hostname: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  err.code = 'ENOTFOUND';
  err.syscall = 'getaddrinfo';
  return err;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family: number) => void;

/**
 * dns.lookup, except that names under `.invalid` fail at once without a query, as RFC 6761 §6.4
 * asks of resolver libraries (and so tests never send DNS traffic off the machine).
 */
export const probeLookup = ((hostname: string, options: LookupOptions, callback: LookupCallback): void => {
  const h = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (h === 'invalid' || h.toLowerCase().endsWith('.invalid')) {
    process.nextTick(callback, notFound(hostname), options.all ? [] : '', 0);
    return;
  }
  dnsLookup(hostname, options, callback);
}) as LookupFunction;

/** The host of a URL as sockets want it: IPv6 literals lose their brackets. */
export function socketHost(url: URL): string {
  const h = url.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}
