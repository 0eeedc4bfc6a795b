// Generic webhook: POSTs the event as JSON (schema: webhook-schema.ts, docs/notifications.md),
// signed like Stripe/Slack do it: HMAC-SHA256 over "<timestamp>.<raw body>", so a receiver can
// check both who sent it and that it is fresh (replays of an old body fail the time check).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { validationError } from '../errors.js';
import { checkHttpUrl, secretValues, type Channel } from './channel.js';
import { postJson } from './http-delivery.js';
import { messageText, type Notification } from './render.js';

export const SIGNATURE_HEADER = 'x-pulseguard-signature';
export const TIMESTAMP_HEADER = 'x-pulseguard-timestamp';
export const EVENT_HEADER = 'x-pulseguard-event';
export const EVENT_ID_HEADER = 'x-pulseguard-event-id';
/** How old a signed request may be before verifyWebhookSignature rejects it, in seconds. */
export const DEFAULT_TOLERANCE_S = 300;

export interface WebhookConfig {
  url: string;
  /** Shared secret for the HMAC signature (at least 16 characters). Without it requests are unsigned. */
  secret?: string;
}

/** The body (exported for tests and docs); `version` changes only on incompatible changes. */
export function webhookPayload(n: Notification): Record<string, unknown> {
  const m = n.message;
  return {
    version: 1,
    ...n.event,
    message: { title: m.title, text: messageText(m), severity: m.severity, link: m.link?.url ?? null },
  };
}

/** "sha256=<hex>" of HMAC-SHA256(secret, "<timestampS>.<rawBody>"). */
export function signWebhook(secret: string, timestampS: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${rawBody}`).digest('hex')}`;
}

export interface VerifyInput {
  secret: string;
  /** The body exactly as received, before any JSON parsing. */
  rawBody: string;
  /** Values of the X-PulseGuard-Timestamp and X-PulseGuard-Signature headers. */
  timestamp: string | undefined;
  signature: string | undefined;
  nowMs?: number;
  toleranceS?: number;
}

/** What a receiver does: recompute the signature, compare in constant time, reject stale timestamps. */
export function verifyWebhookSignature(v: VerifyInput): boolean {
  if (!v.timestamp || !v.signature || !/^\d+$/.test(v.timestamp)) return false;
  const ts = Number(v.timestamp);
  const ageS = Math.abs((v.nowMs ?? Date.now()) / 1000 - ts);
  if (ageS > (v.toleranceS ?? DEFAULT_TOLERANCE_S)) return false;
  const expected = Buffer.from(signWebhook(v.secret, ts, v.rawBody));
  const given = Buffer.from(v.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export const webhook: Channel<WebhookConfig> = {
  type: 'webhook',
  label: 'Webhook',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      url: { type: 'string', minLength: 1, maxLength: 2048 },
      secret: { type: 'string', minLength: 16, maxLength: 256 },
    },
  },
  secretFields: [
    { name: 'url', mask: 'url' },
    { name: 'secret', mask: 'full' },
  ],
  validate(c) {
    checkHttpUrl(c.url, 'url');
    if (c.secret !== undefined && c.secret.length < 16) throw validationError('secret', '"secret" must have at least 16 characters');
  },
  send(n, c, ctx) {
    const raw = JSON.stringify(webhookPayload(n));
    const ts = Math.floor((ctx.nowMs ?? Date.now)() / 1000);
    const headers: Record<string, string> = {
      [EVENT_HEADER]: n.event.kind,
      [EVENT_ID_HEADER]: n.event.id,
      [TIMESTAMP_HEADER]: String(ts),
    };
    if (c.secret) headers[SIGNATURE_HEADER] = signWebhook(c.secret, ts, raw);
    return postJson(c.url, raw, ctx, { headers, secrets: secretValues(webhook, c) });
  },
};
