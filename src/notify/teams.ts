// Microsoft Teams through a Workflows (Power Automate) webhook: the body is a message with one
// Adaptive Card attachment, the format of the "Send webhook alerts to a channel" template.
// Office 365 connectors (MessageCard) are retired by Microsoft, so we do not target them.
import { checkHttpUrl, secretValues, type Channel } from './channel.js';
import { formatTime, truncate } from './format.js';
import { postJson } from './http-delivery.js';
import type { Message, Severity } from './render.js';

export interface TeamsConfig {
  /** The HTTP POST URL of the workflow's "When a Teams webhook request is received" trigger. */
  webhook_url: string;
}

/** Adaptive Card text colours (https://adaptivecards.io/explorer/TextBlock.html). */
const COLOR: Record<Severity, string> = { critical: 'Attention', warning: 'Warning', info: 'Accent', ok: 'Good' };

/** Builds the Adaptive Card message (exported for tests and docs). */
export function teamsPayload(m: Message): Record<string, unknown> {
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: truncate(`${m.emoji} ${m.title}`, 500), weight: 'Bolder', size: 'Medium', wrap: true, color: COLOR[m.severity] },
  ];
  if (m.fields.length > 0) body.push({ type: 'FactSet', facts: m.fields.map((f) => ({ title: f.name, value: truncate(f.value, 1000) })) });
  for (const line of m.lines) body.push({ type: 'TextBlock', text: truncate(line, 2000), wrap: true, spacing: 'Small' });
  body.push({ type: 'TextBlock', text: `PulseGuard · ${formatTime(m.at)}`, isSubtle: true, size: 'Small', wrap: true });
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body,
  };
  if (m.link) card.actions = [{ type: 'Action.OpenUrl', title: m.link.label, url: m.link.url }];
  return {
    type: 'message',
    summary: truncate(m.title, 200),
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
}

export const teams: Channel<TeamsConfig> = {
  type: 'teams',
  label: 'Microsoft Teams',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['webhook_url'],
    properties: { webhook_url: { type: 'string', minLength: 1, maxLength: 4096 } },
  },
  secretFields: [{ name: 'webhook_url', mask: 'url' }],
  validate(c) {
    checkHttpUrl(c.webhook_url, 'webhook_url');
  },
  send(n, c, ctx) {
    return postJson(c.webhook_url, JSON.stringify(teamsPayload(n.message)), ctx, { secrets: secretValues(teams, c) });
  },
};
