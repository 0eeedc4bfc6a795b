// Maintenance windows: while one covers a target (or all targets), notifications of its incidents
// are written to the outbox as suppressed instead of sent. Use cases for the API.
import { notFound, validationError } from '../../errors.js';
import type { MaintenanceWindow, NotifyStore } from '../../store/notify-store.js';
import type { Store } from '../../store/store.js';
import { notifyStore } from '../../store/sql/notify.js';
import { compile } from '../../util/validate.js';

export const maintenanceWriteSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    target_id: { type: ['integer', 'null'], minimum: 1, description: 'The target; null or absent = every target.' },
    starts_at: { type: 'string', maxLength: 40, description: 'ISO 8601; default: now.' },
    ends_at: { type: 'string', maxLength: 40, description: 'ISO 8601.' },
    duration_minutes: { type: 'integer', minimum: 1, maximum: 525600, description: 'Instead of ends_at.' },
    reason: { type: 'string', maxLength: 500 },
  },
} as const;

interface Input {
  target_id?: number | null;
  starts_at?: string;
  ends_at?: string;
  duration_minutes?: number;
  reason?: string;
}

const check = compile<Input>(maintenanceWriteSchema);

function time(value: string, field: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw validationError(field, `"${field}" must be an ISO 8601 time`);
  return ms;
}

export class MaintenanceService {
  private readonly s: NotifyStore;

  constructor(private readonly store: Store) {
    this.s = notifyStore(store.db);
  }

  async create(input: unknown, nowMs = Date.now()): Promise<MaintenanceWindow> {
    const i = check(input);
    if ((i.ends_at === undefined) === (i.duration_minutes === undefined)) {
      throw validationError('ends_at', 'give exactly one of "ends_at" and "duration_minutes"');
    }
    const startMs = i.starts_at === undefined ? nowMs : time(i.starts_at, 'starts_at');
    const endMs = i.ends_at !== undefined ? time(i.ends_at, 'ends_at') : startMs + (i.duration_minutes ?? 0) * 60_000;
    if (endMs <= startMs) throw validationError('ends_at', '"ends_at" must be after "starts_at"');
    if (endMs <= nowMs) throw validationError('ends_at', '"ends_at" is in the past');
    const targetId = i.target_id ?? null;
    if (targetId !== null && !(await this.store.targets.get(targetId))) throw validationError('target_id', `"target_id": target ${targetId} does not exist`);
    return this.s.maintenance.create({
      target_id: targetId,
      starts_at: new Date(startMs).toISOString(),
      ends_at: new Date(endMs).toISOString(),
      reason: i.reason ?? '',
    });
  }

  /** Current and future windows (all, including ended, with `includeEnded`); `active` = covering now. */
  list(f: { active?: boolean; target_id?: number; includeEnded?: boolean } = {}): Promise<MaintenanceWindow[]> {
    return this.s.maintenance.list({
      ...(f.active ? { activeAt: new Date().toISOString() } : {}),
      ...(f.target_id !== undefined ? { target_id: f.target_id } : {}),
      ...(f.includeEnded ? { includeEnded: true } : {}),
    });
  }

  async delete(id: number): Promise<void> {
    if (!(await this.s.maintenance.delete(id))) throw notFound(`maintenance window ${id}`);
  }
}
