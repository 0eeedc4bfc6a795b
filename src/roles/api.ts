// api role: REST API, OpenAPI, dashboard sign-in and live events, on the configured port.
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { buildApi, type RouteGroup } from '../api/server.js';
import { setupAuth } from '../api/auth.js';
import { dashboardRoutes } from '../api/routes/dashboard.js';
import { incidentRoutes } from '../api/routes/incidents.js';
import { notificationRoutes } from '../api/routes/notifications.js';
import { staticRoutes } from '../api/static.js';
import { LiveState } from '../services/live.js';
import { TargetService } from '../services/targets.js';
import { uuidv7 } from '../util/uuid.js';
import type { RoleDeps, RunningRole } from './role.js';

export interface ApiRole extends RunningRole {
  url: string;
  port: number;
  generatedToken?: string;
}

export async function startApi(d: RoleDeps, readiness: () => Promise<Record<string, boolean>>, extra: RouteGroup[] = []): Promise<ApiRole> {
  const { auth, generatedToken } = await setupAuth(d.store.settings, d.config.api_token);
  const targets = new TargetService(d.store, d.bus, { interval_s: d.config.default_interval_s, timeout_ms: d.config.default_timeout_ms });
  const live = new LiveState({ store: d.store, bus: d.bus, metrics: d.metrics, quorum: d.config.down_quorum, instance: `${hostname()}-${process.pid}-${uuidv7().slice(-6)}` });
  await live.start();
  const app = await buildApi({ config: d.config, store: d.store, metrics: d.metrics, auth, targets, live, readiness }, [dashboardRoutes({ openIncidents: () => d.store.incidents.openCounts() }), notificationRoutes(), incidentRoutes(d.bus, d.log), ...extra, staticRoutes()]);
  await app.listen({ host: d.config.host, port: d.config.port });
  const port = (app.server.address() as AddressInfo).port;
  const shownHost = d.config.host === '0.0.0.0' || d.config.host === '::' ? 'localhost' : d.config.host;
  return {
    name: 'api',
    url: `http://${shownHost}:${port}`,
    port,
    ...(generatedToken ? { generatedToken } : {}),
    ready: async () => d.store.ping().then(() => true, () => false),
    stop: async () => {
      await app.close();
      await live.stop();
    },
  };
}
