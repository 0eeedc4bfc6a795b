// Channel use cases for the API and the CLI: validate, store, show masked, route targets, send a
// test. Secrets leave this module only masked (maskConfig); updates keep a secret sent back masked.
import type { Config } from '../../config/settings.js';
import { AppError, notFound, validationError } from '../../errors.js';
import type { Metrics } from '../../metrics.js';
import { buildTestEvent } from '../../notify/event.js';
import { CHANNEL_TYPES, maskConfig, restoreSecrets, sendVia, validateChannelConfig } from '../../notify/registry.js';
import { buildNotification, type RenderOptions } from '../../notify/render.js';
import type { ChannelFields, ChannelRecord, NotifyStore } from '../../store/notify-store.js';
import type { Store } from '../../store/store.js';
import { notifyStore } from '../../store/sql/notify.js';
import { compile } from '../../util/validate.js';
import { uuidv7 } from '../../util/uuid.js';

/** Where notification links point: `public_url`, else the API on this host. */
export function dashboardUrl(config: Pick<Config, 'public_url' | 'port'>): string {
  return config.public_url ?? `http://localhost:${config.port}`;
}

/** A channel as the API returns it: like ChannelRecord, with `config` masked. */
export type ChannelView = ChannelRecord;

/** JSON schema of a channel's writable fields (API bodies, the `channels:` section of pulseguard.yaml). */
export const channelWriteSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^\\S(.*\\S)?$' },
    type: { type: 'string', enum: CHANNEL_TYPES },
    config: { type: 'object' },
    enabled: { type: 'boolean' },
    default: { type: 'boolean', description: 'Serve every target that has no routes of its own.' },
    remind_every_minutes: { type: ['integer', 'null'], minimum: 1, maximum: 10080, description: 'Remind while an incident stays open and unacknowledged; null = never.' },
    rate_limit_per_minute: { type: ['integer', 'null'], minimum: 1, maximum: 600, description: 'Messages per minute; null = the notifier default.' },
  },
} as const;

type Input = Partial<Omit<ChannelFields, 'managed_by'>>;
const checkCreate = compile<Input & Pick<ChannelFields, 'name' | 'type' | 'config'>>({ ...channelWriteSchema, required: ['name', 'type', 'config'] });
const checkPatch = compile<Input>({ ...channelWriteSchema, minProperties: 1 });

/** The masked view; a type no longer registered shows no config rather than failing the list. */
export function viewOf(c: ChannelRecord): ChannelView {
  let config: Record<string, unknown> = {};
  try {
    config = maskConfig(c.type, c.config);
  } catch {
    // unknown type: nothing can be masked reliably, so nothing is shown
  }
  return { ...c, config };
}

/** Validates a full channel (create, config file); throws AppError naming the field. */
export function prepareChannel(input: unknown, managedBy: ChannelFields['managed_by'], prefix = ''): ChannelFields {
  const i = prefix ? compile<ReturnType<typeof checkCreate>>({ ...channelWriteSchema, required: ['name', 'type', 'config'] }, prefix)(input) : checkCreate(input);
  const config = withPrefix(prefix, () => validateChannelConfig(i.type, i.config));
  return {
    name: i.name,
    type: i.type,
    config,
    enabled: i.enabled ?? true,
    default: i.default ?? false,
    remind_every_minutes: i.remind_every_minutes ?? null,
    rate_limit_per_minute: i.rate_limit_per_minute ?? null,
    managed_by: managedBy,
  };
}

function withPrefix<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (e: unknown) {
    if (prefix && e instanceof AppError && e.code === 'validation') throw validationError(`${prefix}.${e.field ?? ''}`, e.message);
    throw e;
  }
}

export interface TestResult {
  ok: boolean;
  status?: number;
  error?: string;
  /** The deliveries row recording this test. */
  delivery_id: number | null;
}

export class ChannelService {
  private readonly s: NotifyStore;

  constructor(
    private readonly store: Store,
    private readonly o: { metrics: Metrics; render: RenderOptions; timeoutMs: number },
  ) {
    this.s = notifyStore(store.db);
  }

  async list(): Promise<ChannelView[]> {
    return (await this.s.channels.list()).map(viewOf);
  }

  async get(id: number): Promise<ChannelView> {
    return viewOf(await this.record(id));
  }

  async create(input: unknown): Promise<ChannelView> {
    return viewOf(await this.s.channels.create(prepareChannel(input, 'api')));
  }

  /** `config`, when given, replaces the stored one; its secret fields may be left out or sent masked to keep them. */
  async update(id: number, patch: unknown): Promise<ChannelView> {
    const p = checkPatch(patch);
    const current = await this.record(id);
    const type = p.type ?? current.type;
    if (p.type !== undefined && p.type !== current.type && p.config === undefined) {
      throw validationError('config', '"config" is required when "type" changes');
    }
    const fields: Partial<ChannelFields> = { ...p };
    if (p.config !== undefined) {
      const stored = type === current.type ? current.config : {};
      fields.config = validateChannelConfig(type, restoreSecrets(type, p.config, stored));
    }
    const updated = await this.s.channels.update(id, fields);
    if (!updated) throw notFound(`channel ${id}`);
    return viewOf(updated);
  }

  async delete(id: number): Promise<void> {
    if (!(await this.s.channels.delete(id))) throw notFound(`channel ${id}`);
  }

  /** Sends a test notification now (not through the outbox) and records it in the deliveries. */
  async test(id: number, requestedBy?: string): Promise<TestResult> {
    const ch = await this.record(id);
    const event = buildTestEvent({ id: uuidv7(), at: new Date().toISOString(), ...(requestedBy ? { requestedBy } : {}) });
    const d = await sendVia(ch.type, ch.config, buildNotification(event, this.o.render), { signal: new AbortController().signal, timeoutMs: this.o.timeoutMs });
    this.o.metrics.notifications.inc({ channel: ch.name, channel_type: ch.type, outcome: d.ok ? 'delivered' : 'failed' });
    const [row] = await this.s.deliveries.insert([
      {
        channel_id: ch.id,
        channel_type: ch.type,
        event_id: event.id,
        incident_id: event.incidents[0].id,
        target_id: 0,
        transition: 'test',
        seq: 0,
        event,
        status: d.ok ? 'delivered' : 'failed',
        note: 'test',
        last_status: d.status ?? null,
        last_error: d.ok ? null : d.error,
      },
    ]);
    return { ok: d.ok, ...(d.status !== undefined ? { status: d.status } : {}), ...(d.ok ? {} : { error: d.error }), delivery_id: row?.id ?? null };
  }

  /** A target's routing: its own channels, or the default ones. */
  async routesOf(targetId: number): Promise<{ target_id: number; routing: 'explicit' | 'default'; channels: ChannelView[] }> {
    await this.target(targetId);
    const explicit = await this.s.channels.routesOf(targetId);
    const all = await this.s.channels.list();
    const channels = explicit.length > 0 ? all.filter((c) => explicit.includes(c.id)) : all.filter((c) => c.default);
    return { target_id: targetId, routing: explicit.length > 0 ? 'explicit' : 'default', channels: channels.map(viewOf) };
  }

  /** Routes a target to exactly these channels; an empty list returns it to the default channels. */
  async setRoutes(targetId: number, channelIds: number[]) {
    await this.target(targetId);
    await this.s.channels.setRoutes(targetId, channelIds);
    return this.routesOf(targetId);
  }

  private async record(id: number): Promise<ChannelRecord> {
    const c = await this.s.channels.get(id);
    if (!c) throw notFound(`channel ${id}`);
    return c;
  }

  private async target(id: number): Promise<void> {
    if (!(await this.store.targets.get(id))) throw notFound(`target ${id}`);
  }
}
