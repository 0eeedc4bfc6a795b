// The tcp kind (tcp://host:port): can a connection be opened, and how fast. Optionally sends a
// string and waits for an expected one (banner checks: SMTP "220", Redis "+PONG"). See docs/probes/tcp.md.
import { connect, isIP, type Socket } from 'node:net';
import type { PhaseTimings, ProbeOutcome } from '../domain/types.js';
import { validationError } from '../errors.js';
import type { ProbeKind, ProbeTarget } from './probe.js';
import { ABORTED, addPhase, budgetMs, classifyError, emptyPhases, failedOutcome, probeLookup, roundMs, socketHost, timeoutFailure, type Failure, type Stage } from './net.js';

/** Text kept while waiting for `expect`; a banner is short, and a peer must not grow our memory. */
const EXPECT_WINDOW_CHARS = 64 * 1024;

export interface TcpOptions {
  send?: string;
  expect?: string;
  ip_family?: 4 | 6;
}

export const tcpOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    send: { type: 'string', minLength: 1, maxLength: 65536 },
    expect: { type: 'string', minLength: 1, maxLength: 1024 },
    ip_family: { type: 'integer', enum: [4, 6] },
  },
} as const;

/** Rejects URLs a tcp probe cannot use (no port, a path that would be silently ignored). */
export function validateTcpUrl(url: URL): void {
  if (url.protocol !== 'tcp:') throw validationError('url', '"url" must look like tcp://host:port');
  if (!url.hostname) throw validationError('url', '"url" has no host');
  if (!url.port) throw validationError('url', '"url" needs a port: tcp://host:port');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search) throw validationError('url', '"url" must be tcp://host:port, without a path or query');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

interface TcpPlan {
  url: URL;
  send: string | undefined;
  expect: string | undefined;
  family: 4 | 6 | undefined;
  timeoutMs: number;
}

/** Probes a tcp://host:port URL once; always resolves. */
export function probeTcp(target: ProbeTarget, signal?: AbortSignal): Promise<ProbeOutcome> {
  const t0 = performance.now();
  let url: URL;
  try {
    url = new URL(target.url);
    validateTcpUrl(url);
  } catch (e: unknown) {
    return Promise.resolve(failedOutcome({ cls: 'invalid', message: e instanceof Error ? e.message : 'invalid URL' }));
  }
  if (signal?.aborted) return Promise.resolve(failedOutcome(ABORTED));
  const opts = target.options ?? {};
  const family = opts.ip_family === 4 || opts.ip_family === 6 ? opts.ip_family : undefined;
  return run({ url, send: str(opts.send), expect: str(opts.expect), family, timeoutMs: budgetMs(target.timeout_ms) }, t0, signal);
}

function run({ url, send, expect, family, timeoutMs }: TcpPlan, t0: number, signal: AbortSignal | undefined): Promise<ProbeOutcome> {
  const host = socketHost(url);
  const phases: PhaseTimings = emptyPhases();
  let stage: Stage = isIP(host) ? 'connect' : 'dns';
  let mark = t0;
  let done = false;
  return new Promise((resolve) => {
    const s: Socket = connect({ host, port: Number(url.port), lookup: probeLookup, family });
    const finish = (f: Failure | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      s.destroy();
      resolve({
        ok: f === null, latency_ms: roundMs(performance.now() - t0), status_code: null, error_class: f?.cls ?? null,
        error_message: f?.message ?? null, phases, tls_expires_at: null, tls_issuer: null,
      });
    };
    const step = (key: keyof PhaseTimings, next: Stage): void => {
      const now = performance.now();
      addPhase(phases, key, now - mark);
      mark = now;
      stage = next;
    };
    const onAbort = (): void => finish(ABORTED);
    const timer = setTimeout(() => finish(timeoutFailure(timeoutMs, stage)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    s.on('error', (e) => finish(classifyError(e, stage, url.host)));
    s.once('lookup', (err: Error | null) => { if (!err) step('dns_ms', 'connect'); });
    s.once('connect', () => {
      step('connect_ms', 'request');
      if (send) s.write(send, () => { if (!expect) finish(null); });
      else if (!expect) finish(null);
    });
    if (expect) awaitReply(s, expect, step, finish);
  });
}

/** Reads until `expect` shows up (ok), the peer closes (assertion) or the caller gives up. */
function awaitReply(s: Socket, expect: string, step: (key: keyof PhaseTimings, next: Stage) => void, finish: (f: Failure | null) => void): void {
  let received = '';
  s.setEncoding('utf8');
  s.on('data', (chunk: string) => {
    if (received === '') step('ttfb_ms', 'body');
    received = (received + chunk).slice(-EXPECT_WINDOW_CHARS);
    if (received.includes(expect)) {
      step('transfer_ms', 'body');
      finish(null);
    }
  });
  s.once('end', () => finish({ cls: 'assertion', message: `connection closed before ${JSON.stringify(expect.slice(0, 60))} was received` }));
}

export const tcp: ProbeKind = {
  schemes: ['tcp:'],
  optionsSchema: tcpOptionsSchema,
  defaults: (options) => ({ ...options }),
  validateUrl: validateTcpUrl,
  probe: probeTcp,
};
