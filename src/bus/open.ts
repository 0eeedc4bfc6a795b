// Picks the Bus implementation: NATS JetStream when a URL is given, else the in-process bus.
import type { Bus, Topic } from './bus.js';
import { MemoryBus } from './memory.js';
import { connectNatsBus } from './nats.js';
import type { StreamSettings } from './subjects.js';
import type { Logger } from '../util/log.js';

export interface OpenBusOptions {
  /** NATS server URL(s), comma-separated; unset = the in-process bus. */
  natsUrl?: string | null;
  /** Replaces `pulseguard` in subjects and stream names (tests use a random one). */
  prefix?: string;
  /** Connection name shown by the NATS server. */
  name?: string;
  log?: Logger;
  /** NATS stream limits per topic (outage budget); see docs/bus.md. */
  streams?: Partial<Record<Topic, Partial<StreamSettings>>>;
}

export async function openBus(opts: OpenBusOptions = {}): Promise<Bus> {
  if (opts.natsUrl) {
    opts.log?.info('connecting to NATS', { url: opts.natsUrl, prefix: opts.prefix });
    return connectNatsBus({ url: opts.natsUrl, prefix: opts.prefix, name: opts.name, log: opts.log, streams: opts.streams });
  }
  return new MemoryBus({ prefix: opts.prefix, log: opts.log });
}
