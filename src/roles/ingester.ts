// ingester role: writes results from the bus to the store in batches.
import { Ingester } from '../services/ingester.js';
import type { RoleDeps, RunningRole } from './role.js';

export async function startIngester(d: RoleDeps): Promise<RunningRole> {
  const ingester = new Ingester({ store: d.store, bus: d.bus, metrics: d.metrics, log: d.log, batchSize: d.config.ingest_batch, flushMs: d.config.ingest_flush_ms });
  await ingester.start();
  return {
    name: 'ingester',
    ready: async () => d.store.ping().then(() => true, () => false),
    stop: () => ingester.stop(),
  };
}
