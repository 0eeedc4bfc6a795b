// The notification route groups (channels and routing, deliveries, maintenance windows), built
// from the API's dependencies. Plugged in by roles/api.ts.
import type { RouteGroup } from '../server.js';
import { ChannelService, dashboardUrl } from '../../services/notify/channels.js';
import { MaintenanceService } from '../../services/notify/maintenance-windows.js';
import { notifyStore } from '../../store/sql/notify.js';
import { channelRoutes } from './channels.js';
import { deliveryRoutes } from './deliveries.js';
import { maintenanceRoutes } from './maintenance.js';

export function notificationRoutes(): RouteGroup {
  return (app, deps) => {
    const channels = new ChannelService(deps.store, { metrics: deps.metrics, render: { dashboardUrl: dashboardUrl(deps.config) }, timeoutMs: deps.config.notify_timeout_ms });
    channelRoutes(app, channels);
    deliveryRoutes(app, notifyStore(deps.store.db));
    maintenanceRoutes(app, new MaintenanceService(deps.store));
  };
}
