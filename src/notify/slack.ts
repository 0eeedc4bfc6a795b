// Slack incoming webhook (https://api.slack.com/messaging/webhooks): `text` is the notification
// fallback, `blocks` the headline, one attachment carries the severity colour bar and the details.
// Also works with Slack-compatible receivers (Mattermost, Rocket.Chat) that read `text`/attachments.
import { checkHttpUrl, secretValues, type Channel } from './channel.js';
import { formatTime, truncate } from './format.js';
import { postJson } from './http-delivery.js';
import type { Message } from './render.js';

export interface SlackConfig {
  webhook_url: string;
  /** Prepended on opened and reminder messages, e.g. `<!here>` or `<@U0123ABC>`. */
  mention?: string;
}

/** Slack mrkdwn needs only &, < and > escaped (https://api.slack.com/reference/surfaces/formatting#escaping). */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Builds the webhook body (exported for tests and docs). */
export function slackPayload(m: Message, mention?: string): Record<string, unknown> {
  const headline = `${m.emoji} *${esc(truncate(m.title, 2900))}*`;
  const details: Record<string, unknown>[] = [];
  if (m.fields.length > 0) {
    details.push({ type: 'section', fields: m.fields.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: truncate(`*${esc(f.name)}*\n${esc(f.value)}`, 2000) })) });
  }
  if (m.lines.length > 0) details.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(m.lines.map(esc).join('\n'), 3000) } });
  if (m.link) {
    details.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: truncate(m.link.label, 75) }, url: m.link.url }] });
  }
  details.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `PulseGuard · ${formatTime(m.at)}` }] });
  const prefix = mention ? `${mention} ` : '';
  return {
    text: `${prefix}${m.emoji} ${esc(m.title)}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${prefix}${headline}` } }],
    attachments: [{ color: m.color, fallback: esc(m.title), blocks: details }],
  };
}

export const slack: Channel<SlackConfig> = {
  type: 'slack',
  label: 'Slack',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['webhook_url'],
    properties: {
      webhook_url: { type: 'string', minLength: 1, maxLength: 2048 },
      mention: { type: 'string', maxLength: 200 },
    },
  },
  secretFields: [{ name: 'webhook_url', mask: 'url' }],
  validate(c) {
    checkHttpUrl(c.webhook_url, 'webhook_url');
  },
  send(n, c, ctx) {
    const urgent = n.event.kind === 'opened' || n.event.kind === 'reminder';
    const body = JSON.stringify(slackPayload(n.message, urgent ? c.mention : undefined));
    return postJson(c.webhook_url, body, ctx, { secrets: secretValues(slack, c) });
  },
};
