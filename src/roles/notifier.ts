// notifier role: syncs the channels declared in pulseguard.yaml and SLACK_WEBHOOK_URL, then
// delivers incident transitions from the bus through the outbox to every routed channel.
import { hostname } from 'node:os';
import { loadConfigSection } from '../config/load.js';
import { syncDeclaredChannels } from '../services/notify/channel-sync.js';
import { dashboardUrl } from '../services/notify/channels.js';
import { Notifier } from '../services/notify/notifier.js';
import { notifyStore } from '../store/sql/notify.js';
import { uuidv7 } from '../util/uuid.js';
import type { RoleDeps, RunningRole } from './role.js';

export async function startNotifier(d: RoleDeps): Promise<RunningRole> {
  await syncDeclaredChannels(notifyStore(d.store.db).channels, { section: loadConfigSection('channels'), slackWebhookUrl: d.config.slack_webhook_url }, d.log);
  const notifier = new Notifier({
    store: d.store,
    bus: d.bus,
    metrics: d.metrics,
    log: d.log,
    instance: `${hostname()}-${process.pid}-${uuidv7().slice(-6)}`,
    render: { dashboardUrl: dashboardUrl(d.config) },
    retry: { retryForMs: d.config.notify_retry_minutes * 60_000 },
    groupWaitMs: d.config.notify_group_wait_ms,
    rateLimitPerMinute: d.config.notify_rate_limit_per_minute,
    timeoutMs: d.config.notify_timeout_ms,
    retentionDays: d.config.retention_days,
  });
  await notifier.start();
  return {
    name: 'notifier',
    ready: async () => d.store.ping().then(() => true, () => false),
    stop: () => notifier.stop(),
  };
}
