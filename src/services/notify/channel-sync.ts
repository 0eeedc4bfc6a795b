// Channels declared outside the API: the `channels:` list of pulseguard.yaml and SLACK_WEBHOOK_URL.
// At start they are upserted by name; ones removed from the file (or the variable) are deleted.
// `${VAR}` in a config string is read from the environment, so secrets can stay out of the file.
import { AppError } from '../../errors.js';
import type { ChannelFields, ChannelStore } from '../../store/notify-store.js';
import type { Logger } from '../../util/log.js';
import { prepareChannel } from './channels.js';

/** Name of the channel SLACK_WEBHOOK_URL creates. */
export const ENV_SLACK_CHANNEL = 'slack-default';

export interface SyncInput {
  /** The parsed `channels:` section, if any. */
  section: unknown;
  slackWebhookUrl: string | null;
  env?: NodeJS.ProcessEnv;
}

/** Replaces `${NAME}` in every string of `value` from `env`; unknown names are problems. */
function expand(value: unknown, env: NodeJS.ProcessEnv, path: string, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) problems.push(`${path}: environment variable ${name} is not set`);
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expand(v, env, `${path}[${i}]`, problems));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, env, `${path}.${k}`, problems)]));
  }
  return value;
}

/** Validates the `channels:` section; throws one AppError listing every problem. */
export function parseChannelsSection(section: unknown, env: NodeJS.ProcessEnv = process.env): ChannelFields[] {
  if (section === undefined || section === null) return [];
  if (!Array.isArray(section)) throw new AppError('validation', 'invalid configuration:\n  - channels: must be a list of channels', 'channels');
  const problems: string[] = [];
  const out: ChannelFields[] = [];
  const names = new Set<string>();
  section.forEach((raw, i) => {
    const path = `channels[${i}]`;
    const before = problems.length;
    const expanded = expand(raw, env, path, problems);
    if (problems.length > before) return;
    try {
      const ch = prepareChannel(expanded, 'config', path);
      if (names.has(ch.name)) problems.push(`${path}.name: "${ch.name}" is used by another channel`);
      names.add(ch.name);
      out.push(ch);
    } catch (e: unknown) {
      if (!(e instanceof AppError)) throw e;
      problems.push(`${e.field ?? path}: ${e.message}`);
    }
  });
  if (problems.length > 0) throw new AppError('validation', `invalid configuration:\n  - ${problems.join('\n  - ')}`, 'channels');
  return out;
}

/** Upserts the declared channels and deletes declared ones that are gone. Logs names, never configs. */
export async function syncDeclaredChannels(channels: ChannelStore, input: SyncInput, log: Logger): Promise<void> {
  const declared = parseChannelsSection(input.section, input.env);
  for (const ch of declared) await channels.upsertByName(ch);
  const gone = await channels.deleteManagedExcept('config', declared.map((c) => c.name));
  if (input.slackWebhookUrl) {
    let slack: ChannelFields;
    try {
      slack = prepareChannel({ name: ENV_SLACK_CHANNEL, type: 'slack', config: { webhook_url: input.slackWebhookUrl }, default: true }, 'env');
    } catch (e: unknown) {
      if (e instanceof AppError) throw new AppError('validation', `invalid configuration:\n  - SLACK_WEBHOOK_URL: ${e.message}`, 'slack_webhook_url');
      throw e;
    }
    await channels.upsertByName(slack);
  }
  gone.push(...(await channels.deleteManagedExcept('env', input.slackWebhookUrl ? [ENV_SLACK_CHANNEL] : [])));
  if (declared.length > 0 || input.slackWebhookUrl || gone.length > 0) {
    log.info('notification channels from configuration', {
      channels: declared.map((c) => c.name).concat(input.slackWebhookUrl ? [ENV_SLACK_CHANNEL] : []),
      removed: gone,
    });
  }
}
