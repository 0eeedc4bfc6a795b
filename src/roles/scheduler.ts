// scheduler role: while holding the lease, schedules probe jobs and runs housekeeping.
import { hostname } from 'node:os';
import { Lease } from '../services/lease.js';
import { Maintenance } from '../services/maintenance.js';
import { Scheduler } from '../services/scheduler.js';
import { uuidv7 } from '../util/uuid.js';
import type { RoleDeps, RunningRole } from './role.js';

/** A standby takes over at most TTL + TTL/4 after the active scheduler died (6.25 s). */
export const LEASE_TTL_MS = 5000;

export async function startScheduler(d: RoleDeps): Promise<RunningRole> {
  const instance = `${hostname()}-${process.pid}-${uuidv7().slice(-6)}`;
  let active: { scheduler: Scheduler; maintenance: Maintenance } | undefined;
  const lease = new Lease({
    db: d.store.db,
    name: 'scheduler',
    holder: instance,
    ttlMs: LEASE_TTL_MS,
    log: d.log,
    onAcquired: async () => {
      const scheduler = new Scheduler({ store: d.store, bus: d.bus, metrics: d.metrics, log: d.log, regions: d.config.regions, instance });
      const maintenance = new Maintenance({ store: d.store, log: d.log, retentionDays: d.config.retention_days });
      await scheduler.start();
      maintenance.start();
      active = { scheduler, maintenance };
      d.metrics.schedulerActive.set(1);
    },
    onLost: async () => {
      const a = active;
      active = undefined;
      d.metrics.schedulerActive.set(0);
      await a?.scheduler.stop();
      await a?.maintenance.stop();
    },
  });
  lease.start();
  return {
    name: 'scheduler',
    // A standby is ready too: it is ready to take over.
    ready: async () => d.store.ping().then(() => true, () => false),
    stop: () => lease.stop(),
  };
}
