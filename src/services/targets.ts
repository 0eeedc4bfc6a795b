// Target use cases: validate and default input, store it, announce the change on the bus so
// schedulers pick it up within a second. Shared by the API, the CLI and tests.
import type { Bus } from '../bus/bus.js';
import type { Target, TargetInput } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { notFound, validationError } from '../errors.js';
import { getProbeKind, probeKinds } from '../probes/registry.js';
import { compile } from '../util/validate.js';
import { uuidv7 } from '../util/uuid.js';

export interface TargetDefaults {
  interval_s: number;
  timeout_ms: number;
}

/** The JSON schema of a target's writable fields (also in the OpenAPI document). */
export const targetWriteSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    type: { type: 'string', enum: Object.keys(probeKinds) },
    enabled: { type: 'boolean' },
    interval_s: { type: 'integer', minimum: 1, maximum: 86400 },
    timeout_ms: { type: 'integer', minimum: 100, maximum: 120000 },
    regions: { type: 'array', maxItems: 50, uniqueItems: true, items: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,31}$' } },
    labels: { type: 'object', maxProperties: 32, additionalProperties: { type: 'string', maxLength: 200 }, propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,62}$' } },
    options: { type: 'object' },
  },
} as const;

const checkCreate = compile<TargetInput>({ ...targetWriteSchema, required: ['name', 'url'] });
const checkPatch = compile<Partial<TargetInput>>({ ...targetWriteSchema, minProperties: 1 });

/** Picks the probe kind from an explicit type or the URL's scheme. */
function kindFor(url: string, type: string | undefined): string {
  if (type) return type;
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw validationError('url', `"url" is not a valid URL: ${JSON.stringify(url.slice(0, 100))}`);
  }
  const match = Object.entries(probeKinds).find(([, k]) => k.schemes.includes(scheme));
  if (!match) throw validationError('url', `"url" has unsupported scheme "${scheme}" (supported: ${Object.values(probeKinds).flatMap((k) => k.schemes).join(' ')})`);
  return match[0];
}

/** Validates a full target (after defaults or a merged patch); throws AppError naming the field. */
function finish(t: Omit<Target, 'id' | 'created_at' | 'updated_at'>): Omit<Target, 'id' | 'created_at' | 'updated_at'> {
  const kind = getProbeKind(t.type);
  if (!kind) throw validationError('type', `"type" must be one of ${Object.keys(probeKinds).join(', ')}`);
  let url: URL;
  try {
    url = new URL(t.url);
  } catch {
    throw validationError('url', `"url" is not a valid URL`);
  }
  if (!kind.schemes.includes(url.protocol)) throw validationError('url', `"url" must use ${kind.schemes.join(' or ')} for type "${t.type}"`);
  if (!url.hostname) throw validationError('url', '"url" has no host');
  kind.validateUrl?.(url);
  if (t.timeout_ms > t.interval_s * 1000) throw validationError('timeout_ms', `"timeout_ms" (${t.timeout_ms}) must not exceed the interval (${t.interval_s * 1000} ms)`);
  compile<Record<string, unknown>>(kind.optionsSchema, 'options')(t.options);
  const options = kind.defaults(t.options);
  kind.validate?.(options);
  return { ...t, options };
}

/** Validates and defaults a new target without storing it (API, CLI, config files). */
export function prepareTarget(input: unknown, defaults: TargetDefaults): Omit<Target, 'id' | 'created_at' | 'updated_at'> {
  const i = checkCreate(input);
  const interval_s = i.interval_s ?? defaults.interval_s;
  return finish({
    name: i.name,
    url: i.url,
    type: kindFor(i.url, i.type),
    enabled: i.enabled ?? true,
    interval_s,
    timeout_ms: i.timeout_ms ?? Math.min(defaults.timeout_ms, interval_s * 1000),
    regions: i.regions ?? [],
    labels: i.labels ?? {},
    options: i.options ?? {},
  });
}

export class TargetService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly defaults: TargetDefaults,
  ) {}

  prepare(input: unknown): Omit<Target, 'id' | 'created_at' | 'updated_at'> {
    return prepareTarget(input, this.defaults);
  }

  async create(input: unknown): Promise<Target> {
    const t = await this.store.targets.create(this.prepare(input));
    await this.announce(t.id, 'created');
    return t;
  }

  async update(id: number, patch: unknown): Promise<Target> {
    const p = checkPatch(patch);
    const current = await this.store.targets.get(id);
    if (!current) throw notFound(`target ${id}`);
    const merged = { ...current, ...p };
    if (p.url !== undefined && p.type === undefined) merged.type = kindFor(merged.url, undefined);
    // A new kind starts from its own defaults rather than the old kind's options.
    if (merged.type !== current.type && p.options === undefined) merged.options = {};
    const { id: _id, created_at: _c, updated_at: _u, ...rest } = merged;
    const valid = finish(rest);
    const updated = await this.store.targets.update(id, valid);
    if (!updated) throw notFound(`target ${id}`);
    await this.announce(id, 'updated');
    return updated;
  }

  async delete(id: number): Promise<void> {
    if (!(await this.store.targets.delete(id))) throw notFound(`target ${id}`);
    await this.announce(id, 'deleted');
  }

  async get(id: number): Promise<Target> {
    const t = await this.store.targets.get(id);
    if (!t) throw notFound(`target ${id}`);
    return t;
  }

  private async announce(targetId: number, op: 'created' | 'updated' | 'deleted'): Promise<void> {
    // Best effort: the change is stored, and schedulers also reload every minute, so a lost
    // announcement delays it rather than losing it.
    await this.bus.publish('targets', 'changed', { id: uuidv7(), target_id: targetId, op }).catch(() => undefined);
  }
}
