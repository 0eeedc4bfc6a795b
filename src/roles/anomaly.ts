// anomaly role: online detectors per (target, region, metric); opens and resolves incidents.
import { hostname } from 'node:os';
import { AnomalyService } from '../services/anomaly.js';
import { parseSensitivity } from '../services/incidents.js';
import { uuidv7 } from '../util/uuid.js';
import type { RoleDeps, RunningRole } from './role.js';

export async function startAnomaly(d: RoleDeps): Promise<RunningRole> {
  const c = d.config;
  const service = new AnomalyService({
    store: d.store,
    bus: d.bus,
    metrics: d.metrics,
    log: d.log,
    engine: {
      downFailures: c.down_failures,
      downQuorum: c.down_quorum,
      resolveSuccesses: c.resolve_successes,
      resolveCalmMs: c.resolve_calm_s * 1000,
      tlsExpiryDays: c.tls_expiry_days,
      warmupPoints: c.anomaly_warmup_points,
      sensitivity: parseSensitivity(c.anomaly_sensitivity),
    },
    snapshotMs: c.anomaly_snapshot_s * 1000,
    instance: `${hostname()}-${process.pid}-${uuidv7().slice(-6)}`,
  });
  await service.start();
  return {
    name: 'anomaly',
    ready: async () => d.store.ping().then(() => true, () => false),
    stop: () => service.stop(),
  };
}
