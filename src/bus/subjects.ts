// Names on the bus: subjects `<prefix>.<topic>.<key>`, stream names `<prefix>_<topic>`, group and
// filter checks, and the per-topic stream settings of the NATS bus. The prefix (default
// `pulseguard`) isolates installations and tests that share one NATS server.
import type { Topic } from './bus.js';
import { validationError } from '../errors.js';

export const DEFAULT_PREFIX = 'pulseguard';
export const TOPICS: readonly Topic[] = ['jobs', 'results', 'incidents', 'targets'];

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
// A subject token: no dots, wildcards or whitespace (NATS would split or widen the subject).
const KEY = /^[^\s.*>]+(\.[^\s.*>]+)*$/;
const FILTER = /^([^\s.*>]+|\*)(\.([^\s.*>]+|\*))*(\.>)?$|^>$/;

export function checkTopic(topic: string): Topic {
  if (!(TOPICS as readonly string[]).includes(topic)) throw validationError('topic', `unknown topic "${topic}"`);
  return topic as Topic;
}

/** Checks a subject/stream prefix; throws AppError('validation', field `prefix`). */
export function checkPrefix(prefix: string): string {
  if (!NAME.test(prefix)) throw validationError('prefix', 'prefix must be 1-64 letters, digits, "_" or "-"');
  return prefix;
}

/** Checks a consumer group name (it becomes a NATS durable name). */
export function checkGroup(group: string): string {
  if (!NAME.test(group)) throw validationError('group', 'group must be 1-64 letters, digits, "_" or "-"');
  return group;
}

/** Checks a publish key: one or more subject tokens, no wildcards. */
export function checkKey(key: string): string {
  if (!KEY.test(key)) throw validationError('key', `invalid subject key "${key}" (dot-separated tokens, no spaces or wildcards)`);
  return key;
}

/** Checks a consume filter: tokens below the topic, `*` for one token, a final `>` for the rest. */
export function checkFilter(filter: string): string {
  if (!FILTER.test(filter)) throw validationError('filter', `invalid filter "${filter}"`);
  return filter;
}

export const subjectOf = (prefix: string, topic: Topic, key: string): string => `${prefix}.${topic}.${key}`;
export const streamName = (prefix: string, topic: Topic): string => `${prefix}_${topic}`;
/** The NATS filter subject of a consumer, or undefined for the whole topic. */
export const filterSubject = (prefix: string, topic: Topic, filter: string | undefined): string | undefined =>
  filter === undefined || filter === '>' ? undefined : `${prefix}.${topic}.${filter}`;

/** A predicate on keys for a filter (NATS wildcard rules), used by the in-process bus. */
export function keyMatcher(filter: string | undefined): (key: string) => boolean {
  if (filter === undefined || filter === '>') return () => true;
  if (!filter.includes('*') && !filter.includes('>')) return (key) => key === filter;
  const want = filter.split('.');
  const tail = want[want.length - 1] === '>';
  if (tail) want.pop();
  return (key) => {
    const got = key.split('.');
    if (tail ? got.length <= want.length : got.length !== want.length) return false;
    for (let i = 0; i < want.length; i++) if (want[i] !== '*' && want[i] !== got[i]) return false;
    return true;
  };
}

/** How a topic's stream keeps messages. */
export interface StreamSettings {
  /** `interest`: kept until every group acked it; `limits`: kept until maxAgeMs/maxBytes drop it. */
  retention: 'interest' | 'limits';
  /** Messages older than this are dropped even when unacked: the outage budget in time. */
  maxAgeMs: number;
  /** Oldest messages are dropped beyond this size: the outage budget in bytes. */
  maxBytes: number;
  /** A second publish with the same message id within this window is stored once. */
  duplicateWindowMs: number;
}

const HOUR_MS = 3_600_000;
const GIB = 1024 ** 3;

/**
 * Defaults per topic. Interest retention (deleted once every group acked) for the few-subject topics;
 * limits for the per-target ones, as NATS 2.9 interest acks slow with many subjects (docs/bus.md).
 */
export const STREAM_DEFAULTS: Readonly<Record<Topic, StreamSettings>> = {
  jobs: { retention: 'interest', maxAgeMs: HOUR_MS, maxBytes: GIB / 4, duplicateWindowMs: 120_000 },
  results: { retention: 'limits', maxAgeMs: 24 * HOUR_MS, maxBytes: GIB, duplicateWindowMs: 120_000 },
  incidents: { retention: 'limits', maxAgeMs: 7 * 24 * HOUR_MS, maxBytes: GIB / 4, duplicateWindowMs: 120_000 },
  targets: { retention: 'interest', maxAgeMs: HOUR_MS, maxBytes: 64 * 1024 ** 2, duplicateWindowMs: 120_000 },
};

/** The defaults with per-topic overrides applied. */
export function streamSettings(overrides: Partial<Record<Topic, Partial<StreamSettings>>> = {}): Record<Topic, StreamSettings> {
  const out = {} as Record<Topic, StreamSettings>;
  for (const t of TOPICS) out[t] = { ...STREAM_DEFAULTS[t], ...overrides[t] };
  return out;
}
