// One pass of "probe everything that is due", for cron- or function-style runners
// (`pulseguard probe --due --once`). A (target, region) is due when it has no result yet or its
// newest result is at least one interval old.
import type { Bus } from '../bus/bus.js';
import type { ProbeJob, ProbeResult } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { uuidv7 } from '../util/uuid.js';
import { runProbe } from './prober.js';

export interface DueOnceOptions {
  store: Store;
  /** When set, results are published (the ingester stores them); else written to the store here. */
  bus?: Bus | undefined;
  /** The region this runner probes from. */
  region: string;
  regions: string[];
  concurrency: number;
  now?: number;
}

export async function runDueOnce(o: DueOnceOptions): Promise<{ probed: number; failed: number; notDue: number }> {
  const now = o.now ?? Date.now();
  const targets = await o.store.targets.list({ enabled: true });
  const last = new Map<string, number>();
  for (const r of await o.store.results.latest()) last.set(`${r.target_id}/${r.region}`, Date.parse(r.ts));
  const jobs: ProbeJob[] = [];
  let notDue = 0;
  for (const t of targets) {
    const regions = t.regions.length ? t.regions : o.regions;
    if (!regions.includes(o.region)) continue;
    const prev = last.get(`${t.id}/${o.region}`);
    // A little slack so a cron firing every interval does not miss runs by milliseconds.
    if (prev !== undefined && now - prev < t.interval_s * 1000 - 1000) {
      notDue++;
      continue;
    }
    jobs.push({ id: uuidv7(now), region: o.region, scheduled_at: new Date(now).toISOString(), expires_at: new Date(now + t.interval_s * 1000).toISOString(), target: t });
  }
  const results: ProbeResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const start = Date.now();
      const outcome = await runProbe(job);
      results.push({ id: uuidv7(start), target_id: job.target.id, region: job.region, ts: new Date(start).toISOString(), scheduled_at: job.scheduled_at, ...outcome });
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, jobs.length) }, worker));
  if (o.bus) await Promise.all(results.map((r) => o.bus!.publish('results', `${r.region}.${r.target_id}`, r)));
  else if (results.length) await o.store.results.insertBatch(results);
  return { probed: results.length, failed: results.filter((r) => !r.ok).length, notDue };
}
