// The public JSON schema of the generic webhook's body (version 1). docs/notifications.md quotes it
// verbatim and a test keeps the two equal. Receivers must ignore fields they do not know: new
// optional fields may appear within version 1; renames or removals bump `version`.

const time = { type: 'string', format: 'date-time' } as const;

export const WEBHOOK_PAYLOAD_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'PulseGuard webhook notification, version 1',
  type: 'object',
  required: ['version', 'id', 'kind', 'at', 'incidents', 'message'],
  properties: {
    version: { const: 1 },
    id: { type: 'string', description: 'Stable id of this transition, the same on every retry: deduplicate on it.' },
    kind: { enum: ['opened', 'acknowledged', 'resolved', 'reminder', 'test'] },
    at: { ...time, description: 'When the transition happened.' },
    acknowledged_by: { type: 'string', description: 'kind acknowledged only.' },
    requested_by: { type: 'string', description: 'kind test only.' },
    summary: {
      type: 'object',
      description: 'Present when a burst is grouped: total incidents, of which `incidents` lists the first.',
      required: ['total'],
      properties: { total: { type: 'integer', minimum: 1 } },
    },
    incidents: { type: 'array', minItems: 1, items: { $ref: '#/definitions/incident' } },
    message: {
      type: 'object',
      description: 'The human-readable rendering every other channel shows.',
      required: ['title', 'text', 'severity', 'link'],
      properties: {
        title: { type: 'string' },
        text: { type: 'string', description: 'Plain text, several lines.' },
        severity: { enum: ['critical', 'warning', 'info', 'ok'] },
        link: { anyOf: [{ type: 'string' }, { type: 'null' }], description: 'The incident on the dashboard; null without a public URL.' },
      },
    },
  },
  definitions: {
    incident: {
      type: 'object',
      required: ['id', 'target_id', 'target_name', 'target_url', 'kind', 'started_at', 'regions', 'details'],
      properties: {
        id: { type: 'string' },
        target_id: { type: 'integer' },
        target_name: { type: 'string' },
        target_url: { type: 'string' },
        kind: { type: 'string', description: 'down, latency_anomaly, error_rate, slo_burn, tls_expiry, or a newer kind.' },
        severity: { enum: ['critical', 'warning', 'info'] },
        started_at: time,
        ended_at: { anyOf: [time, { type: 'null' }], description: 'Set once resolved.' },
        regions: { type: 'array', items: { type: 'string' } },
        details: {
          type: 'object',
          description: 'Evidence from the detector; every field optional, more may appear.',
          properties: {
            message: { type: 'string' },
            values: { anyOf: [{ type: 'object' }, { type: 'array' }] },
            baseline: { anyOf: [{ type: 'number' }, { type: 'object' }] },
            score: { type: 'number', minimum: 0, maximum: 1 },
          },
        },
      },
    },
  },
} as const;
