// Telegram Bot API sendMessage (https://core.telegram.org/bots/api#sendmessage) in HTML parse mode,
// which needs only &, < and > escaped. A 429 carries `parameters.retry_after` in the body.
import { validationError } from '../errors.js';
import { checkHttpUrl, secretValues, type Channel } from './channel.js';
import { escapeHtml, formatTime, truncate } from './format.js';
import { classifyReply, postJson, snippet, type HttpReply } from './http-delivery.js';
import type { Message } from './render.js';

export const TELEGRAM_API_URL = 'https://api.telegram.org';

export interface TelegramConfig {
  bot_token: string;
  /** Numeric chat id (negative for groups) or @channelusername. */
  chat_id: string;
  /** Topic of a forum supergroup. */
  message_thread_id?: number;
  disable_notification?: boolean;
  /** Bot API base URL (a self-hosted Bot API server; tests). Default https://api.telegram.org. */
  api_url?: string;
}

/** Builds the message text in Telegram's HTML subset (exported for tests and docs). */
export function telegramText(m: Message): string {
  const parts = [`${m.emoji} <b>${escapeHtml(truncate(m.title, 256))}</b>`, ''];
  for (const f of m.fields) parts.push(`<b>${escapeHtml(f.name)}:</b> ${escapeHtml(truncate(f.value, 300))}`);
  if (m.lines.length > 0) parts.push('', escapeHtml(truncate(m.lines.join('\n'), 2000)));
  if (m.link) parts.push('', `<a href="${escapeHtml(m.link.url)}">${escapeHtml(m.link.label)}</a>`);
  parts.push('', `<i>PulseGuard · ${escapeHtml(formatTime(m.at))}</i>`);
  return parts.join('\n');
}

interface BotReply {
  ok?: boolean;
  description?: string;
  parameters?: { retry_after?: number };
}

function readReply(reply: HttpReply, host: string, nowMs: number, secrets: readonly string[]) {
  const d = classifyReply(reply, host, secrets, nowMs);
  if (d.ok) return d;
  let parsed: BotReply;
  try {
    parsed = JSON.parse(reply.body) as BotReply;
  } catch {
    return d;
  }
  const out = { ...d };
  if (typeof parsed.description === 'string') out.error = `HTTP ${reply.status} from ${host}: ${snippet(parsed.description, secrets)}`;
  const after = parsed.parameters?.retry_after;
  if (out.retryable && out.retryAfterMs === undefined && typeof after === 'number') out.retryAfterMs = Math.round(after * 1000);
  return out;
}

export const telegram: Channel<TelegramConfig> = {
  type: 'telegram',
  label: 'Telegram',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['bot_token', 'chat_id'],
    properties: {
      bot_token: { type: 'string', minLength: 1, maxLength: 200 },
      chat_id: { type: 'string', minLength: 1, maxLength: 100 },
      message_thread_id: { type: 'integer', minimum: 1 },
      disable_notification: { type: 'boolean' },
      api_url: { type: 'string', maxLength: 2048 },
    },
  },
  secretFields: [{ name: 'bot_token', mask: 'tail' }],
  validate(c) {
    if (!/^\d+:[A-Za-z0-9_-]+$/.test(c.bot_token)) throw validationError('bot_token', '"bot_token" must look like 123456:ABC-DEF… (from @BotFather)');
    if (!/^(-?\d+|@[A-Za-z][A-Za-z0-9_]{3,})$/.test(c.chat_id)) throw validationError('chat_id', '"chat_id" must be a numeric chat id or @channelusername');
    if (c.api_url !== undefined) checkHttpUrl(c.api_url, 'api_url');
  },
  send(n, c, ctx) {
    const base = (c.api_url ?? TELEGRAM_API_URL).replace(/\/+$/, '');
    const url = `${base}/bot${c.bot_token}/sendMessage`;
    const body = {
      chat_id: c.chat_id,
      text: telegramText(n.message),
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...(c.message_thread_id !== undefined ? { message_thread_id: c.message_thread_id } : {}),
      ...(c.disable_notification !== undefined ? { disable_notification: c.disable_notification } : {}),
    };
    const secrets = secretValues(telegram, c);
    return postJson(url, JSON.stringify(body), ctx, { secrets, interpret: (r, { host, nowMs }) => readReply(r, host, nowMs, secrets) });
  },
};
