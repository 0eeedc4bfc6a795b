// The prober loop: takes jobs for its region from the bus, probes, publishes each result. Expired
// jobs (the next run is already due) are dropped and counted, so an overloaded prober falls behind
// by skipping, never by piling work up. Concurrency is the bus consumer's in-flight limit. Jobs
// are kept alive while probing, so a prober that dies hands its jobs to another within 6 s.
import { setMaxListeners } from 'node:events';
import type { Bus, Subscription } from '../bus/bus.js';
import type { ProbeJob, ProbeOutcome, ProbeResult } from '../domain/types.js';
import type { Metrics } from '../metrics.js';
import type { Logger } from '../util/log.js';
import { errorMessage } from '../errors.js';
import { failedOutcome } from '../probes/net.js';
import { getProbeKind } from '../probes/registry.js';
import { uuidv7 } from '../util/uuid.js';

export interface ProberOptions {
  bus: Bus;
  metrics: Metrics;
  log: Logger;
  region: string;
  concurrency: number;
  /** Runs a probe (default runProbe, on this thread; ProbePool.run for probe threads). */
  run?: (job: ProbeJob, signal: AbortSignal) => Promise<ProbeOutcome>;
}

/** Runs one job's probe; never throws (an unknown kind is an `invalid` outcome). */
export async function runProbe(job: Pick<ProbeJob, 'target'>, signal?: AbortSignal): Promise<ProbeOutcome> {
  const kind = getProbeKind(job.target.type);
  if (!kind) return failedOutcome({ cls: 'invalid', message: `unknown probe type "${job.target.type}"` });
  return kind.probe(job.target, signal);
}

export class Prober {
  private sub: Subscription | undefined;
  private abort = new AbortController();

  constructor(private readonly o: ProberOptions) {
    // Every probe in flight listens on this one signal.
    setMaxListeners(0, this.abort.signal);
  }

  async start(): Promise<void> {
    const { bus, region, concurrency } = this.o;
    this.sub = await bus.consume('jobs', { group: `probers-${region}`, filter: region, concurrency, ackWaitMs: 6_000, keepAlive: true }, (msg) => this.handle(msg.data));
  }

  /** Stops taking jobs; probes in flight are cancelled (they still publish their result). */
  async stop(): Promise<void> {
    const closing = this.sub?.close();
    this.abort.abort();
    await closing;
  }

  private async handle(job: ProbeJob): Promise<void> {
    const { metrics, region } = this.o;
    const start = Date.now();
    if (start >= Date.parse(job.expires_at)) {
      metrics.skippedRuns.inc({ region, reason: 'expired' });
      return;
    }
    metrics.scheduleLag.observe({ region }, Math.max(0, start - Date.parse(job.scheduled_at)) / 1000);
    metrics.probesInFlight.inc();
    let outcome: ProbeOutcome;
    try {
      outcome = await (this.o.run ?? runProbe)(job, this.abort.signal);
    } finally {
      metrics.probesInFlight.dec();
    }
    metrics.probes.inc({ kind: job.target.type, region, result: outcome.error_class ?? 'ok' });
    metrics.probeDuration.observe({ kind: job.target.type, region }, outcome.latency_ms / 1000);
    const result: ProbeResult = { id: uuidv7(start), target_id: job.target.id, region, ts: new Date(start).toISOString(), scheduled_at: job.scheduled_at, ...outcome };
    try {
      await this.o.bus.publish('results', `${region}.${job.target.id}`, result);
    } catch (e: unknown) {
      // Not acking the job makes the bus redeliver it; the probe runs again rather than being lost.
      this.o.log.warn('result publish failed', { target_id: job.target.id, error: errorMessage(e) });
      throw e;
    }
  }
}
