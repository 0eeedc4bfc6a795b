// Email over SMTP with nodemailer, one connection per send (notifications are rare; a pool would
// hold sockets open for nothing). Messages of one incident share a thread: the opened mail's
// Message-ID is derived from the incident id and later mails reference it.
import nodemailer from 'nodemailer';
import { validationError } from '../errors.js';
import { DEFAULT_TIMEOUT_MS, scrubSecrets, secretValues, type Channel, type Delivery, type SendContext } from './channel.js';
import { escapeHtml } from './format.js';
import { messageText, type Message, type Notification } from './render.js';

export interface EmailConfig {
  host: string;
  /** Default 465 with `secure`, else 587. */
  port?: number;
  /** Implicit TLS from the first byte (port 465). */
  secure?: boolean;
  /** Refuse to send unless STARTTLS succeeds. Default: true when a password is set, so it never goes out in clear. */
  require_tls?: boolean;
  /** Set false only for a relay with a self-signed certificate. Default true. */
  tls_reject_unauthorized?: boolean;
  username?: string;
  password?: string;
  from: string;
  to: string[];
  /** Default "[PulseGuard]". */
  subject_prefix?: string;
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;
/** SMTP error codes that no retry will fix: bad credentials, bad addresses, bad config. */
const FINAL_CODES = new Set(['EAUTH', 'ENOAUTH', 'EENVELOPE', 'EMESSAGE', 'ECONFIG', 'ETLS', 'EREQUIRETLS', 'EMAXRECIPIENTS']);

function domainOf(from: string): string {
  return /@([^\s>]+)>?\s*$/.exec(from)?.[1] ?? 'pulseguard.local';
}

/** Message-ID and thread headers: one thread per incident (single-incident events only). */
function threading(n: Notification, domain: string): { messageId: string; inReplyTo?: string; references?: string } {
  const e = n.event;
  if (e.incidents.length > 1 || e.summary !== undefined || e.kind === 'test') return { messageId: `<pulseguard.event.${e.id}@${domain}>` };
  const root = `<pulseguard.incident.${e.incidents[0].id}@${domain}>`;
  if (e.kind === 'opened') return { messageId: root };
  return { messageId: `<pulseguard.event.${e.id}@${domain}>`, inReplyTo: root, references: root };
}

/** The HTML part: the same content as the text part, escaped, in a plain table. */
export function emailHtml(m: Message): string {
  const rows = m.fields.map((f) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(f.name)}</th><td>${escapeHtml(f.value)}</td></tr>`).join('');
  const lines = m.lines.map((l) => `<p style="margin:4px 0">${escapeHtml(l)}</p>`).join('');
  const link = m.link ? `<p><a href="${escapeHtml(m.link.url)}">${escapeHtml(m.link.label)}</a></p>` : '';
  return [
    `<div style="font-family:sans-serif;border-left:6px solid ${m.color};padding-left:12px">`,
    `<h2 style="margin:0 0 8px">${escapeHtml(`${m.emoji} ${m.title}`)}</h2>`,
    `<table>${rows}</table>${lines}${link}`,
    `<p style="color:#667085;font-size:12px">PulseGuard · ${escapeHtml(m.at)}</p></div>`,
  ].join('\n');
}

/** Maps a nodemailer error to a Delivery: SMTP 4xx and network trouble retry, 5xx and config errors do not. */
export function classifySmtpError(e: unknown, host: string, secrets: readonly string[], timedOut: boolean): Delivery {
  const err = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const code = typeof err.code === 'string' ? err.code : undefined;
  const text = scrubSecrets(typeof err.message === 'string' ? err.message : String(e), secrets);
  if (timedOut) return { ok: false, retryable: true, error: `timed out talking to SMTP server ${host}` };
  const error = `SMTP ${host}: ${code ? `${code}: ` : ''}${text}`;
  if (typeof err.responseCode === 'number') {
    // RFC 5321 §4.2.1: 4yz is transient, 5yz permanent
    return { ok: false, retryable: err.responseCode < 500, status: err.responseCode, error };
  }
  return { ok: false, retryable: !(code && FINAL_CODES.has(code)), error };
}

async function sendEmail(n: Notification, c: EmailConfig, ctx: SendContext): Promise<Delivery> {
  const secrets = secretValues(email, c);
  const timeoutMs = ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const port = c.port ?? (c.secure ? 465 : 587);
  const host = `${c.host}:${port}`;
  const transport = nodemailer.createTransport({
    host: c.host,
    port,
    secure: c.secure ?? false,
    requireTLS: c.require_tls ?? Boolean(c.password),
    tls: { rejectUnauthorized: c.tls_reject_unauthorized ?? true },
    ...(c.username ? { auth: { user: c.username, pass: c.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    socketCloseTimeout: 1000,
    logger: false,
  });
  const m = n.message;
  try {
    const info = await transport.sendMail({
      from: c.from,
      to: c.to,
      subject: `${c.subject_prefix ?? '[PulseGuard]'} ${m.title}`.trim(),
      text: messageText(m),
      html: emailHtml(m),
      headers: { 'X-PulseGuard-Event': n.event.kind, 'X-PulseGuard-Event-Id': n.event.id },
      ...threading(n, domainOf(c.from)),
      signal: AbortSignal.any([ctx.signal, deadline]),
    });
    const code = /^(\d{3})/.exec(String(info.response))?.[1];
    return { ok: true, ...(code ? { status: Number(code) } : {}) };
  } catch (e: unknown) {
    return classifySmtpError(e, host, secrets, deadline.aborted && !ctx.signal.aborted);
  } finally {
    transport.close();
  }
}

export const email: Channel<EmailConfig> = {
  type: 'email',
  label: 'Email (SMTP)',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['host', 'from', 'to'],
    properties: {
      host: { type: 'string', minLength: 1, maxLength: 255 },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      secure: { type: 'boolean' },
      require_tls: { type: 'boolean' },
      tls_reject_unauthorized: { type: 'boolean' },
      username: { type: 'string', minLength: 1, maxLength: 320 },
      password: { type: 'string', maxLength: 1024 },
      from: { type: 'string', minLength: 3, maxLength: 320 },
      to: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', minLength: 3, maxLength: 320 } },
      subject_prefix: { type: 'string', maxLength: 100 },
    },
  },
  secretFields: [{ name: 'password', mask: 'full' }],
  validate(c) {
    const bare = (a: string) => /<([^>]*)>\s*$/.exec(a)?.[1] ?? a.trim();
    if (!ADDRESS.test(bare(c.from))) throw validationError('from', '"from" must be an email address, optionally with a name: "PulseGuard <alerts@example.com>"');
    c.to.forEach((a, i) => {
      if (!ADDRESS.test(bare(a))) throw validationError(`to[${i}]`, `"to[${i}]" must be an email address`);
    });
    if (c.password !== undefined && !c.username) throw validationError('username', '"username" is required with "password"');
  },
  send: sendEmail,
};
