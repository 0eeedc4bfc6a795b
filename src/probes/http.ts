// The http kind (http: and https:). One fresh connection per request, opened by us rather than an
// Agent: phases come straight from socket events, the TLS peer is verified before a byte of the
// request (headers may carry credentials) is sent, and a probe allocates no pool. See docs/probes/http.md.
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { PhaseTimings, ProbeOutcome } from '../domain/types.js';
import type { ProbeKind, ProbeTarget } from './probe.js';
import { describeCertError, peerCertInfo } from './cert.js';
import { compileHttpOptions, httpDefaults, httpOptionsSchema, statusMatches, validateHttpOptions, type CompiledHttp } from './http-options.js';
import { checkJsonAssertion } from './json-path.js';
import { ABORTED, addPhase, budgetMs, classifyError, emptyPhases, failedOutcome, probeLookup, roundMs, socketHost, timeoutFailure, type Failure, type Stage } from './net.js';

// Not forwarded to another origin on redirect (a user-set Host names the first origin only).
const CROSS_ORIGIN_DROP = ['authorization', 'cookie', 'proxy-authorization', 'host'];

/** Judges a (possibly truncated) body against the keyword and JSON assertions; null when it passes. */
export function checkBody(body: Buffer, truncated: boolean, o: CompiledHttp): Failure | null {
  const kw = o.keyword;
  if (kw) {
    const found = kw.regex ? kw.regex.test(body.toString('utf8')) : body.indexOf(kw.bytes) !== -1;
    if (found !== kw.present) {
      const what = `${kw.regex ? 'pattern' : 'keyword'} ${JSON.stringify(kw.text.slice(0, 60))}`;
      const scope = truncated ? ` (first ${o.maxBodyBytes} bytes searched)` : '';
      return { cls: 'assertion', message: kw.present ? `${what} not found in the body${scope}` : `${what} found in the body` };
    }
  }
  if (o.assertions.length === 0) return null;
  if (truncated) return { cls: 'assertion', message: `body is larger than max_body_bytes (${o.maxBodyBytes}); JSON not checked` };
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return { cls: 'assertion', message: 'body is not valid JSON' };
  }
  for (const { a, path } of o.assertions) {
    const msg = checkJsonAssertion(doc, a, path);
    if (msg !== null) return { cls: 'assertion', message: msg };
  }
  return null;
}

/** One probe run: a chain of hops (redirects), each on its own connection. */
class HttpRun {
  private readonly phases: PhaseTimings = emptyPhases();
  private stage: Stage = 'connect';
  private url: URL;
  private method: string;
  private body: string | undefined;
  private headers: Record<string, string>;
  private socket: Socket | null = null;
  private req: ClientRequest | null = null;
  private lastMark = 0;
  private status: number | null = null;
  private tlsExpiresAt: string | null = null;
  private tlsIssuer: string | null = null;
  private redirects = 0;
  private visited: Set<string> | null = null;
  private chunks: Buffer[] | null = null;
  private bodyBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private done = false;
  private resolve: (o: ProbeOutcome) => void = () => {};

  constructor(
    private readonly o: CompiledHttp,
    url: URL,
    private readonly timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
    private readonly t0: number,
  ) {
    this.url = url;
    this.method = o.method;
    this.body = o.body;
    this.headers = o.hasHost ? o.headers : { ...o.headers, host: url.host };
  }

  run(): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.timer = setTimeout(this.onTimeout, this.timeoutMs);
      this.signal?.addEventListener('abort', this.onAbort, { once: true });
      this.hop();
    });
  }

  private readonly onTimeout = (): void => this.finish(timeoutFailure(this.timeoutMs, this.stage));
  private readonly onAbort = (): void => this.finish(ABORTED);

  private mark(key: keyof PhaseTimings): void {
    const now = performance.now();
    addPhase(this.phases, key, now - this.lastMark);
    this.lastMark = now;
  }

  private fail(e: unknown): void {
    this.finish(classifyError(e, this.stage, this.url.host));
  }

  private hop(): void {
    const url = this.url;
    const host = socketHost(url);
    const secure = url.protocol === 'https:';
    const port = Number(url.port) || (secure ? 443 : 80);
    const ip = isIP(host) !== 0;
    this.stage = ip ? 'connect' : 'dns';
    this.lastMark = performance.now();
    let s: Socket;
    try {
      // tls.connect hands `family` on to net.connect; its type just does not list it.
      s = secure
        ? tlsConnect({ host, port, servername: ip ? undefined : host, rejectUnauthorized: false, lookup: probeLookup, family: this.o.family } as ConnectionOptions)
        : netConnect({ host, port, lookup: probeLookup, family: this.o.family });
    } catch (e: unknown) {
      this.fail(e);
      return;
    }
    this.socket = s;
    s.on('error', (e) => { if (s === this.socket) this.fail(e); });
    s.once('lookup', (err: Error | null) => {
      if (err || s !== this.socket) return;
      this.mark('dns_ms');
      this.stage = 'connect';
    });
    s.once('connect', () => {
      if (s !== this.socket) return;
      this.mark('connect_ms');
      if (secure) this.stage = 'tls';
      else this.send(s);
    });
    if (secure) s.once('secureConnect', () => { if (s === this.socket) this.onSecure(s as TLSSocket); });
  }

  private onSecure(s: TLSSocket): void {
    this.mark('tls_ms');
    const cert = peerCertInfo(s);
    this.tlsExpiresAt = cert.expiresAt;
    this.tlsIssuer = cert.issuer;
    if (this.o.tlsVerify && !s.authorized) {
      this.finish({ cls: 'tls', message: `TLS certificate rejected: ${describeCertError(s.authorizationError)}` });
      return;
    }
    this.send(s);
  }

  private send(s: Socket): void {
    this.stage = 'request';
    let req: ClientRequest;
    try {
      req = request({ createConnection: () => s, method: this.method, path: this.url.pathname + this.url.search, headers: this.requestHeaders(), setHost: false });
    } catch (e: unknown) {
      this.fail(e);
      return;
    }
    this.req = req;
    req.on('error', (e) => { if (req === this.req) this.fail(e); });
    req.once('response', (res) => { if (req === this.req) this.onResponse(res); });
    req.end(this.body);
  }

  /** Headers for this hop: credentials in the URL (user:pass@) become Basic auth unless set explicitly. */
  private requestHeaders(): Record<string, string> {
    const { username, password } = this.url;
    if ((!username && !password) || this.headers.authorization !== undefined) return this.headers;
    const basic = Buffer.from(`${decodeURIComponent(username)}:${decodeURIComponent(password)}`).toString('base64');
    return { ...this.headers, authorization: `Basic ${basic}` };
  }

  private onResponse(res: IncomingMessage): void {
    this.mark('ttfb_ms');
    const code = res.statusCode ?? 0;
    this.status = code;
    const location = res.headers.location;
    if (code >= 300 && code < 400 && this.o.maxRedirects > 0 && location !== undefined) {
      this.redirect(code, location);
      return;
    }
    if (!statusMatches(this.o.statusRanges, code)) {
      this.finish({ cls: 'status', message: `status ${code} not in ${this.o.expectedText}` });
      return;
    }
    this.stage = 'body';
    if (this.o.needBody) this.chunks = [];
    res.on('data', (c: Buffer) => this.onData(c));
    res.on('error', (e) => this.fail(e));
    res.once('end', () => this.onBodyEnd(false));
    // A server closing mid-body makes the response close without 'end' (and maybe without 'error').
    res.once('close', () => {
      if (!res.complete) this.finish({ cls: 'reset', message: `connection closed by ${this.url.host} while reading the body` });
    });
  }

  private onData(c: Buffer): void {
    if (this.done) return;
    const room = this.o.maxBodyBytes - this.bodyBytes;
    this.bodyBytes += c.length;
    if (this.chunks && room > 0) this.chunks.push(c.length > room ? c.subarray(0, room) : c);
    // Past the cap we stop reading: a huge or endless body costs at most max_body_bytes.
    if (this.bodyBytes > this.o.maxBodyBytes) this.onBodyEnd(true);
  }

  private onBodyEnd(truncated: boolean): void {
    if (this.done) return;
    this.mark('transfer_ms');
    this.finish(this.chunks ? checkBody(this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks), truncated, this.o) : null);
  }

  private redirect(code: number, location: string): void {
    if (++this.redirects > this.o.maxRedirects) {
      this.finish({ cls: 'invalid', message: `too many redirects (more than ${this.o.maxRedirects})` });
      return;
    }
    let next: URL;
    try {
      next = new URL(location, this.url);
    } catch {
      this.finish({ cls: 'invalid', message: `redirect to an invalid location ${JSON.stringify(location.slice(0, 100))}` });
      return;
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      this.finish({ cls: 'invalid', message: `redirect to unsupported scheme ${next.protocol}` });
      return;
    }
    next.hash = '';
    this.visited ??= new Set([this.url.href]);
    if (this.visited.has(next.href)) {
      this.finish({ cls: 'invalid', message: `redirect loop at ${next.href.slice(0, 200)}` });
      return;
    }
    this.visited.add(next.href);
    // As browsers do (RFC 9110 §15.4): 303, and 301/302 after POST, continue as GET without a body.
    if ((code === 303 && this.method !== 'HEAD') || ((code === 301 || code === 302) && this.method === 'POST')) {
      this.method = 'GET';
      this.body = undefined;
    }
    const headers = { ...this.headers };
    if (next.origin !== this.url.origin) for (const h of CROSS_ORIGIN_DROP) delete headers[h];
    if (next.origin !== this.url.origin || !this.o.hasHost) headers.host = next.host;
    this.headers = headers;
    this.release();
    this.url = next;
    this.hop();
  }

  /** Closes the current hop's request and socket; their late events are ignored by identity. */
  private release(): void {
    const req = this.req;
    const s = this.socket;
    this.req = null;
    this.socket = null;
    req?.destroy();
    s?.destroy();
  }

  private finish(f: Failure | null): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.release();
    this.resolve({
      ok: f === null, latency_ms: roundMs(performance.now() - this.t0), status_code: this.status,
      error_class: f?.cls ?? null, error_message: f?.message ?? null, phases: this.phases,
      tls_expires_at: this.tlsExpiresAt, tls_issuer: this.tlsIssuer,
    });
  }
}

/** Probes an http(s) URL once; always resolves. */
export function probeHttp(target: ProbeTarget, signal?: AbortSignal): Promise<ProbeOutcome> {
  const t0 = performance.now();
  const o = compileHttpOptions(target.options);
  if (typeof o === 'string') return Promise.resolve(failedOutcome({ cls: 'invalid', message: o }));
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return Promise.resolve(failedOutcome({ cls: 'invalid', message: `invalid URL ${JSON.stringify(target.url.slice(0, 100))}` }));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.resolve(failedOutcome({ cls: 'invalid', message: `unsupported scheme ${url.protocol} for an http probe` }));
  }
  if (signal?.aborted) return Promise.resolve(failedOutcome(ABORTED));
  return new HttpRun(o, url, budgetMs(target.timeout_ms), signal, t0).run();
}

export const http: ProbeKind = {
  schemes: ['http:', 'https:'],
  optionsSchema: httpOptionsSchema,
  defaults: httpDefaults,
  validate: validateHttpOptions,
  probe: probeHttp,
};
