// Discord webhook (https://discord.com/developers/docs/resources/webhook#execute-webhook): `content`
// is the notification line, one embed carries colour, fields and the link. Mentions are off unless
// configured, so "@everyone" in a target name never pings anyone.
import { checkHttpUrl, secretValues, type Channel } from './channel.js';
import { truncate } from './format.js';
import { postJson } from './http-delivery.js';
import type { Message } from './render.js';

export interface DiscordConfig {
  webhook_url: string;
  /** Display name of the webhook's messages (default: the webhook's own). */
  username?: string;
  avatar_url?: string;
  /** Prepended on opened and reminder messages: `<@&role id>`, `<@user id>`, `@here` or `@everyone`. */
  mention?: string;
}

/** Escapes Discord markdown so target names and evidence show literally. */
const esc = (s: string) => s.replace(/([\\*_~`|>#[\]])/g, '\\$1').replace(/@(everyone|here)/g, '@\u200b$1');

/** Only the configured mention may ping (https://discord.com/developers/docs/resources/message#allowed-mentions-object). */
function allowedMentions(mention: string | undefined): Record<string, unknown> {
  if (!mention) return { parse: [] };
  const roles = [...mention.matchAll(/<@&(\d+)>/g)].map((m) => m[1]);
  const users = [...mention.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]);
  return { parse: /@(everyone|here)/.test(mention) ? ['everyone'] : [], roles, users };
}

/** Builds the webhook body (exported for tests and docs). */
export function discordPayload(m: Message, c: Pick<DiscordConfig, 'username' | 'avatar_url'>, mention?: string): Record<string, unknown> {
  const embed: Record<string, unknown> = {
    title: truncate(`${m.emoji} ${m.title}`, 256),
    color: parseInt(m.color.slice(1), 16),
    fields: m.fields.slice(0, 25).map((f) => ({ name: truncate(f.name, 256), value: truncate(esc(f.value) || '-', 1024), inline: true })),
    timestamp: m.at,
    footer: { text: 'PulseGuard' },
  };
  if (m.lines.length > 0) embed.description = truncate(m.lines.map(esc).join('\n'), 4096);
  if (m.link) embed.url = m.link.url;
  return {
    content: truncate(`${mention ? `${mention} ` : ''}${m.emoji} ${esc(m.title)}`, 2000),
    ...(c.username ? { username: c.username } : {}),
    ...(c.avatar_url ? { avatar_url: c.avatar_url } : {}),
    embeds: [embed],
    allowed_mentions: allowedMentions(mention),
  };
}

export const discord: Channel<DiscordConfig> = {
  type: 'discord',
  label: 'Discord',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['webhook_url'],
    properties: {
      webhook_url: { type: 'string', minLength: 1, maxLength: 2048 },
      username: { type: 'string', minLength: 1, maxLength: 80 },
      avatar_url: { type: 'string', maxLength: 2048 },
      mention: { type: 'string', maxLength: 200 },
    },
  },
  secretFields: [{ name: 'webhook_url', mask: 'url' }],
  validate(c) {
    checkHttpUrl(c.webhook_url, 'webhook_url');
    if (c.avatar_url !== undefined) checkHttpUrl(c.avatar_url, 'avatar_url');
  },
  send(n, c, ctx) {
    const urgent = n.event.kind === 'opened' || n.event.kind === 'reminder';
    const body = JSON.stringify(discordPayload(n.message, c, urgent ? c.mention : undefined));
    return postJson(c.webhook_url, body, ctx, { secrets: secretValues(discord, c) });
  },
};
