// PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
// Each incident is one PagerDuty alert keyed by `pulseguard-<incident id>`, so a retried or
// repeated trigger is deduplicated and acknowledge/resolve find the alert the trigger opened.
import { validationError } from '../errors.js';
import { DEFAULT_TIMEOUT_MS, checkHttpUrl, secretValues, type Channel, type Delivery, type SendContext } from './channel.js';
import type { IncidentEvent, IncidentInfo } from './event.js';
import { truncate } from './format.js';
import { postJson } from './http-delivery.js';
import { incidentSeverity, splitNotification, type Notification } from './render.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
type PdSeverity = (typeof PD_SEVERITIES)[number];
type PdAction = 'trigger' | 'acknowledge' | 'resolve';

export interface PagerDutyConfig {
  /** The integration key of an Events API v2 integration (32 characters). */
  routing_key: string;
  /** Default: the US endpoint; EU accounts use https://events.eu.pagerduty.com/v2/enqueue. */
  events_url?: string;
  /** Overrides the severity derived from the incident (critical for outages, warning otherwise). */
  severity?: PdSeverity;
}

/** The dedup key of an incident's alert: stable for the incident's whole life. */
export const dedupKey = (incidentId: string) => `pulseguard-${incidentId}`;

function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/** Builds one Events API v2 body (exported for tests and docs). */
export function pagerdutyEvent(action: PdAction, n: Notification, inc: IncidentInfo, c: PagerDutyConfig): Record<string, unknown> {
  const base = { routing_key: c.routing_key, event_action: action, dedup_key: dedupKey(inc.id) };
  if (action !== 'trigger') return base;
  const m = n.message;
  const summary = [m.title, inc.details.message].filter(Boolean).join(': ');
  return {
    ...base,
    payload: {
      summary: truncate(summary, 1024),
      source: hostOf(inc.target_url),
      severity: c.severity ?? incidentSeverity(inc),
      timestamp: inc.started_at,
      component: inc.target_name,
      ...(inc.regions.length > 0 ? { group: inc.regions.join(',') } : {}),
      class: inc.kind,
      custom_details: { incident_id: inc.id, target_id: inc.target_id, target_url: inc.target_url, regions: inc.regions, started_at: inc.started_at, ...inc.details },
    },
    ...(m.link ? { links: [{ href: m.link.url, text: m.link.label }] } : {}),
    client: 'PulseGuard',
    ...(m.link ? { client_url: m.link.url } : {}),
  };
}

function actionsFor(event: IncidentEvent): PdAction[] {
  switch (event.kind) {
    case 'opened':
    case 'reminder':
      return ['trigger'];
    case 'acknowledged':
      return ['acknowledge'];
    case 'resolved':
      return ['resolve'];
    case 'test':
      // resolve right away so a test never leaves an open incident behind
      return ['trigger', 'resolve'];
  }
}

async function sendAll(n: Notification, c: PagerDutyConfig, ctx: SendContext): Promise<Delivery> {
  const secrets = secretValues(pagerduty, c);
  const url = c.events_url ?? PAGERDUTY_EVENTS_URL;
  const timeoutMs = ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const endAt = performance.now() + timeoutMs;
  let last: Delivery = { ok: true };
  // one request per incident and action, all within one deadline; safe to repeat on retry
  // because PagerDuty dedupes on dedup_key
  for (const one of splitNotification(n)) {
    for (const action of actionsFor(one.event)) {
      const left = Math.ceil(endAt - performance.now());
      if (left <= 0) return { ok: false, retryable: true, error: `timed out after ${timeoutMs} ms sending ${splitNotification(n).length} PagerDuty events` };
      const body = JSON.stringify(pagerdutyEvent(action, one, one.event.incidents[0], c));
      last = await postJson(url, body, { ...ctx, timeoutMs: Math.min(timeoutMs, left) }, { secrets });
      if (!last.ok) return last;
    }
  }
  return last;
}

export const pagerduty: Channel<PagerDutyConfig> = {
  type: 'pagerduty',
  label: 'PagerDuty',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['routing_key'],
    properties: {
      routing_key: { type: 'string', minLength: 1, maxLength: 64 },
      events_url: { type: 'string', maxLength: 2048 },
      severity: { type: 'string', enum: [...PD_SEVERITIES] },
    },
  },
  secretFields: [{ name: 'routing_key', mask: 'tail' }],
  validate(c) {
    if (!/^[A-Za-z0-9]{20,64}$/.test(c.routing_key)) throw validationError('routing_key', '"routing_key" must be the 32-character integration key of an Events API v2 integration');
    if (c.events_url !== undefined) checkHttpUrl(c.events_url, 'events_url');
  },
  send: sendAll,
};
