// Channels by name. Adding a channel = one file + one line in ChannelConfigs + one line in
// `channels` (tsc fails until both agree) + its tests and docs/channels/<name>.md.
import { AppError, errorMessage, validationError } from '../errors.js';
import { compile } from '../util/validate.js';
import { maskSecret, scrubSecrets, secretValues, type Channel, type Delivery, type SendContext } from './channel.js';
import { discord, type DiscordConfig } from './discord.js';
import { email, type EmailConfig } from './email.js';
import { pagerduty, type PagerDutyConfig } from './pagerduty.js';
import type { Notification } from './render.js';
import { slack, type SlackConfig } from './slack.js';
import { teams, type TeamsConfig } from './teams.js';
import { telegram, type TelegramConfig } from './telegram.js';
import { webhook, type WebhookConfig } from './webhook.js';

/** Channel type -> its config type. */
export interface ChannelConfigs {
  slack: SlackConfig;
  webhook: WebhookConfig;
  email: EmailConfig;
  discord: DiscordConfig;
  teams: TeamsConfig;
  pagerduty: PagerDutyConfig;
  telegram: TelegramConfig;
}
export type ChannelType = keyof ChannelConfigs;

export const channels: { readonly [K in ChannelType]: Channel<ChannelConfigs[K]> } = {
  slack,
  webhook,
  email,
  discord,
  teams,
  pagerduty,
  telegram,
};

export const CHANNEL_TYPES = Object.keys(channels) as ChannelType[];

export function isChannelType(type: string): type is ChannelType {
  return Object.hasOwn(channels, type);
}

/** A channel with its config type erased, for code that holds configs as stored JSON. */
type AnyChannel = Channel<Record<string, unknown>>;

function channelOf(type: string): AnyChannel {
  if (!isChannelType(type)) throw validationError('type', `"type" must be one of ${CHANNEL_TYPES.join(', ')}`);
  // each entry is typed by its own config; stored configs were validated against that channel's schema
  return channels[type] as unknown as AnyChannel;
}

const schemaChecks = new Map<string, (value: unknown) => Record<string, unknown>>();

/**
 * Validates a channel config: its JSON schema, then the channel's own rules. Throws
 * AppError('validation') naming `config.<field>`; messages never repeat a value.
 */
export function validateChannelConfig(type: string, config: unknown): Record<string, unknown> {
  const ch = channelOf(type);
  let check = schemaChecks.get(type);
  if (!check) schemaChecks.set(type, (check = compile<Record<string, unknown>>(ch.configSchema, 'config')));
  const valid = check(config);
  try {
    ch.validate?.(valid);
  } catch (e: unknown) {
    if (e instanceof AppError && e.code === 'validation') throw validationError(`config.${e.field ?? ''}`, e.message);
    throw e;
  }
  return valid;
}

/** The config as the API returns it: every secret field replaced by its masked form. */
export function maskConfig(type: string, config: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config };
  for (const f of channelOf(type).secretFields) {
    const v = out[f.name];
    if (typeof v === 'string' && v) out[f.name] = maskSecret(v, f.mask);
  }
  return out;
}

/**
 * For updates: a secret field that comes back absent or exactly as maskConfig showed it keeps the
 * stored value, so a client can edit other fields without knowing the secret; `null` removes it.
 */
export function restoreSecrets(type: string, incoming: Record<string, unknown>, stored: Record<string, unknown>): Record<string, unknown> {
  const out = { ...incoming };
  for (const f of channelOf(type).secretFields) {
    if (incoming[f.name] === null) {
      delete out[f.name];
      continue;
    }
    const old = stored[f.name];
    if (typeof old !== 'string') continue;
    if (!(f.name in incoming) || incoming[f.name] === maskSecret(old, f.mask)) out[f.name] = old;
  }
  return out;
}

/**
 * Sends through the channel of `type`. Never rejects: an unknown type is a final failure, and a
 * channel that throws (our bug) becomes a retryable one with the message scrubbed of its secrets.
 */
export async function sendVia(type: string, config: Record<string, unknown>, n: Notification, ctx: SendContext): Promise<Delivery> {
  if (!isChannelType(type)) return { ok: false, retryable: false, error: `unknown channel type "${type}"` };
  const ch = channelOf(type);
  try {
    return await ch.send(n, config, ctx);
  } catch (e: unknown) {
    return { ok: false, retryable: true, error: scrubSecrets(`${type} channel failed: ${errorMessage(e)}`, secretValues(ch, config)) };
  }
}
