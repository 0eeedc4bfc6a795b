// prober role: runs probe jobs of its region (on the main thread, or in `probe_threads` threads).
import { ProbePool } from '../services/probe-pool.js';
import { Prober } from '../services/prober.js';
import type { RoleDeps, RunningRole } from './role.js';

export async function startProber(d: RoleDeps): Promise<RunningRole> {
  const pool = d.config.probe_threads > 0 ? new ProbePool(d.config.probe_threads, d.log) : undefined;
  const run = pool ? { run: pool.run.bind(pool) } : {};
  const prober = new Prober({ bus: d.bus, metrics: d.metrics, log: d.log, region: d.config.region, concurrency: d.config.concurrency, ...run });
  await prober.start();
  return {
    name: 'prober',
    ready: async () => d.bus.ping().then(() => true, () => false),
    stop: async () => {
      await prober.stop();
      await pool?.close();
    },
  };
}
