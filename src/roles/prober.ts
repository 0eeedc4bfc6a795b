// prober role: runs probe jobs of its region.
import { Prober } from '../services/prober.js';
import type { RoleDeps, RunningRole } from './role.js';

export async function startProber(d: RoleDeps): Promise<RunningRole> {
  const prober = new Prober({ bus: d.bus, metrics: d.metrics, log: d.log, region: d.config.region, concurrency: d.config.concurrency });
  await prober.start();
  return {
    name: 'prober',
    ready: async () => d.bus.ping().then(() => true, () => false),
    stop: () => prober.stop(),
  };
}
