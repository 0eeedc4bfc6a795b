// The composition root: opens the store and the bus from config, starts the chosen roles, serves
// HTTP (the API, or a small health server), and stops everything in order on shutdown.
import type { Server } from 'node:http';
import type { Config } from '../config/settings.js';
import { openBus } from '../bus/open.js';
import { createMetrics } from '../metrics.js';
import { openStore } from '../store/open.js';
import { AppError } from '../errors.js';
import type { Logger } from '../util/log.js';
import { startAnomaly } from './anomaly.js';
import { startApi, type ApiRole } from './api.js';
import { startHealthServer } from './health-server.js';
import { startIngester } from './ingester.js';
import { startNotifier } from './notifier.js';
import { startProber } from './prober.js';
import { ROLE_NAMES, type RoleDeps, type RoleName, type RunningRole } from './role.js';
import { startScheduler } from './scheduler.js';

const STARTERS: Record<Exclude<RoleName, 'api'>, (d: RoleDeps) => Promise<RunningRole>> = {
  ingester: startIngester,
  anomaly: startAnomaly,
  notifier: startNotifier,
  prober: startProber,
  scheduler: startScheduler,
};

export interface Running {
  roles: RunningRole[];
  api?: ApiRole;
  /** Port of the health server, for roles without the API. */
  healthPort?: number;
  deps: RoleDeps;
  stop(): Promise<void>;
}

export function parseRoles(spec: string): RoleName[] {
  if (spec === 'all') return [...ROLE_NAMES];
  const names = spec.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(ROLE_NAMES as readonly string[]).includes(n)) throw new AppError('validation', `unknown role "${n}" (roles: ${ROLE_NAMES.join(', ')}, all)`, 'role');
  }
  return names as RoleName[];
}

export async function runRoles(names: RoleName[], config: Config, log: Logger): Promise<Running> {
  const all = ROLE_NAMES.every((n) => names.includes(n));
  if (!config.nats_url && !all) {
    throw new AppError('validation', `role ${names.join(',')} on its own needs NATS_URL: the in-process bus only connects roles inside one process (use "all")`, 'nats_url');
  }
  const store = await openStore({ databaseUrl: config.database_url ?? undefined, dataDir: config.data_dir });
  const stack: Array<() => Promise<void>> = [() => store.close()];
  const roles: RunningRole[] = [];
  let healthServer: Server | undefined;
  let api: ApiRole | undefined;
  const stop = async () => {
    healthServer?.close();
    // Stop in reverse: API and scheduler first, the ingester (which flushes) last, then bus and store.
    for (const r of [...roles].reverse()) await r.stop().catch((e: unknown) => log.error('stop failed', { role: r.name, error: e }));
    while (stack.length) await stack.pop()!().catch(() => undefined);
  };
  try {
    await store.migrate();
    const bus = await openBus({ natsUrl: config.nats_url ?? undefined, prefix: config.nats_prefix, name: `pulseguard-${names.join('-')}` });
    stack.push(() => bus.close());
    const metrics = createMetrics({ perTarget: config.metrics_per_target });
    metrics.info.set({ role: all ? 'all' : names.join(','), store: store.kind, bus: bus.kind, version: '0.1.0' }, 1);
    const deps: RoleDeps = { config, store, bus, metrics, log };
    const readiness = async () => {
      const checks: Record<string, boolean> = {
        store: await store.ping().then(() => true, () => false),
        bus: await bus.ping().then(() => true, () => false),
      };
      for (const r of roles) checks[r.name] = await r.ready();
      return checks;
    };
    // Consumers first, producers last, so nothing is published before someone listens.
    for (const name of ['ingester', 'notifier', 'anomaly', 'prober', 'scheduler'] as const) {
      if (names.includes(name)) roles.push(await STARTERS[name]({ ...deps, log: log.child({ role: name }) }));
    }
    let healthPort: number | undefined;
    if (names.includes('api')) {
      api = await startApi({ ...deps, log: log.child({ role: 'api' }) }, readiness);
      roles.push(api);
    } else {
      const h = await startHealthServer(config.host, config.health_port, metrics, readiness);
      healthServer = h.server;
      healthPort = h.port;
    }
    return { roles, ...(api ? { api } : {}), ...(healthPort !== undefined ? { healthPort } : {}), deps, stop };
  } catch (e: unknown) {
    await stop();
    throw e;
  }
}
