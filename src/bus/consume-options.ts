// Defaults and checks for ConsumeOptions, and the redelivery backoff, shared by both buses so
// they behave the same.
import type { ConsumeOptions } from './bus.js';
import { checkFilter, checkGroup } from './subjects.js';
import { validationError } from '../errors.js';

export const DEFAULT_CONCURRENCY = 256;
export const DEFAULT_ACK_WAIT_MS = 30_000;
/** How long close() waits for handlers in flight before giving their messages back. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

export interface ResolvedConsumeOptions {
  group: string;
  filter: string | undefined;
  concurrency: number;
  ackWaitMs: number;
  ephemeral: boolean;
  keepAlive: boolean;
}

/** Applies defaults; throws AppError('validation') naming the bad field. */
export function resolveConsumeOptions(opts: ConsumeOptions): ResolvedConsumeOptions {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const ackWaitMs = opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100_000) {
    throw validationError('concurrency', 'concurrency must be an integer from 1 to 100000');
  }
  if (!Number.isInteger(ackWaitMs) || ackWaitMs < 100) throw validationError('ackWaitMs', 'ackWaitMs must be an integer >= 100');
  const ephemeral = opts.ephemeral === true;
  return {
    group: ephemeral ? ephemeralLabel(opts.group) : checkGroup(opts.group),
    filter: opts.filter === undefined ? undefined : checkFilter(opts.filter),
    concurrency,
    ackWaitMs,
    ephemeral,
    keepAlive: opts.keepAlive === true,
  };
}

/** An ephemeral group's name is only a label (e.g. `live-<hostname>-<pid>`): made NATS-safe, not rejected. */
function ephemeralLabel(group: string): string {
  if (typeof group !== 'string' || group.length === 0) throw validationError('group', 'group is required');
  return group.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 48);
}

/**
 * Delay before a failed message (handler rejected on delivery `deliveries`) is offered again:
 * 1 s, 2 s, 4 s ... capped at 60 s. Deliveries are unlimited: results are never dropped.
 */
export function nakDelayMs(deliveries: number): number {
  return Math.min(1000 * 2 ** Math.max(0, Math.min(deliveries - 1, 10)), 60_000);
}
