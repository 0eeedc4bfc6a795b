// The one way channels talk HTTP: POST a JSON body within a deadline and turn whatever happens
// into a Delivery. Error messages name the host only, never the URL (webhook URLs are secrets),
// and are scrubbed of every secret fragment the channel passes in.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { DEFAULT_TIMEOUT_MS, scrubSecrets, type Delivery, type SendContext } from './channel.js';

/** Most bytes of a reply body kept (for error text and channel-specific reading). */
export const MAX_REPLY_BYTES = 64 * 1024;
const USER_AGENT = 'PulseGuard-Notifier/1';

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as text, cut at MAX_REPLY_BYTES. */
  body: string;
}

export interface PostJsonOptions {
  /** Extra request headers (signatures, auth). */
  headers?: Record<string, string>;
  /** Secret fragments to scrub from every error (see secretValues in channel.ts). */
  secrets: readonly string[];
  /** A channel's own reading of a reply; return undefined to apply the default rules (classifyReply). */
  interpret?: (reply: HttpReply, info: { host: string; nowMs: number }) => Delivery | undefined;
}

/** Retry-After as ms: delta-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The first 200 characters of a reply body on one line, for error messages. */
export function snippet(body: string, secrets: readonly string[]): string {
  const s = scrubSecrets(body, secrets).replace(/\s+/g, ' ').trim();
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/**
 * Default rules: 2xx ok; 429, 408 and 5xx retryable (honouring Retry-After); 3xx final (redirects
 * are not followed: a webhook URL should be the final one); any other status final.
 */
export function classifyReply(reply: HttpReply, host: string, secrets: readonly string[], nowMs: number): Delivery {
  const { status } = reply;
  if (status >= 200 && status < 300) return { ok: true, status };
  const body = snippet(reply.body, secrets);
  const error = `HTTP ${status} from ${host}${body ? `: ${body}` : ''}`;
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfterMs = parseRetryAfterMs(reply.headers['retry-after'], nowMs);
    return { ok: false, retryable: true, status, error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status >= 300 && status < 400) return { ok: false, retryable: false, status, error: `${error} (redirect not followed; configure the final URL)` };
  return { ok: false, retryable: false, status, error };
}

function networkError(e: unknown, host: string, secrets: readonly string[]): Delivery {
  const err = e as NodeJS.ErrnoException;
  const text = err instanceof Error ? `${err.code ? `${err.code}: ` : ''}${err.message}` : String(e);
  return { ok: false, retryable: true, error: `network error talking to ${host}: ${scrubSecrets(text, secrets)}` };
}

/** Collects a reply, keeping at most MAX_REPLY_BYTES of its body (the rest is read and dropped). */
function readReply(res: http.IncomingMessage, done: (r: HttpReply) => void, fail: (e: Error) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (c: Buffer) => {
    if (size < MAX_REPLY_BYTES) chunks.push(c);
    size += c.length;
  });
  res.on('error', fail);
  res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).subarray(0, MAX_REPLY_BYTES).toString('utf8') }));
}

/** POSTs `body` (already serialised JSON) to `url`. Always resolves; releases the socket on failure. */
export function postJson(url: string, body: string, ctx: SendContext, opts: PostJsonOptions): Promise<Delivery> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, retryable: false, error: 'the configured URL is not valid' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return Promise.resolve({ ok: false, retryable: false, error: `unsupported URL scheme ${u.protocol}` });
  }
  const host = u.host;
  const timeoutMs = ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = ctx.nowMs ?? Date.now;
  if (ctx.signal.aborted) return Promise.resolve({ ok: false, retryable: true, error: 'aborted before sending' });
  const payload = Buffer.from(body, 'utf8');

  return new Promise<Delivery>((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let req: http.ClientRequest | undefined;
    const finish = (d: Delivery, destroy: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      if (destroy) req?.destroy();
      resolve(d);
    };
    const onAbort = () => finish({ ok: false, retryable: true, error: `aborted while talking to ${host}` }, true);
    const onReply = (res: http.IncomingMessage) =>
      readReply(res, (reply) => {
        try {
          const nowMs = now();
          finish(opts.interpret?.(reply, { host, nowMs }) ?? classifyReply(reply, host, opts.secrets, nowMs), false);
        } catch (e: unknown) {
          finish({ ok: false, retryable: false, status: reply.status, error: scrubSecrets(`reading the reply of ${host} failed: ${String(e)}`, opts.secrets) }, false);
        }
      }, (e) => finish(networkError(e, host, opts.secrets), true));
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(payload.length),
      'user-agent': USER_AGENT,
      ...opts.headers,
    };
    try {
      req = (u.protocol === 'https:' ? https : http).request(u, { method: 'POST', headers }, onReply);
    } catch (e: unknown) {
      // e.g. a header value with invalid characters: a configuration problem, not a transient one
      finish({ ok: false, retryable: false, error: scrubSecrets(`cannot build the request to ${host}: ${String(e)}`, opts.secrets) }, false);
      return;
    }
    // after a timeout or abort, destroy() makes the request emit an error we have already reported
    req.on('error', (e) => finish(networkError(e, host, opts.secrets), true));
    timer = setTimeout(() => finish({ ok: false, retryable: true, error: `timed out after ${timeoutMs} ms waiting for ${host}` }, true), timeoutMs);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    req.end(payload);
  });
}
