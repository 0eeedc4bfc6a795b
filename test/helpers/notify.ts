// Test material for the notifier: incident transitions as the anomaly role publishes them, and a
// harness with a fresh embedded store, the in-process bus, metrics and a captured log.
import type { Incident, IncidentTransition, Transition } from '../../src/domain/incident.js';
import type { Target } from '../../src/domain/types.js';
import { MemoryBus } from '../../src/bus/memory.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { Notifier, type NotifierOptions } from '../../src/services/notify/notifier.js';
import type { ChannelFields, ChannelRecord, DeliveryRecord, NotifyStore } from '../../src/store/notify-store.js';
import { notifyStore } from '../../src/store/sql/notify.js';
import type { Store } from '../../src/store/store.js';
import { createLogger, type Logger } from '../../src/util/log.js';
import { uuidv7 } from '../../src/util/uuid.js';
import { waitFor } from './app.js';
import { targetFields, testStore } from './store.js';

/** Options that make the notifier quick enough for tests: no grouping wait, short backoffs. */
export const FAST: Partial<NotifierOptions> = {
  groupWaitMs: 0,
  pollMs: 100,
  timeoutMs: 5000,
  rateLimitPerMinute: 600,
  retry: { baseDelayMs: 40, maxDelayMs: 200, retryForMs: 10_000, maxRetryAfterMs: 5000 },
};

/** A transition of incident `incidentId` of `target`, shaped like src/domain/incident.ts. */
export function transitionOf(target: Pick<Target, 'id' | 'name' | 'url'>, transition: Transition, over: { incidentId?: string; eventId?: string; at?: string; kind?: Incident['kind'] } = {}): IncidentTransition {
  const at = over.at ?? new Date().toISOString();
  const startedAt = new Date(Date.parse(at) - (transition === 'opened' ? 0 : 300_000)).toISOString();
  const incident: Incident = {
    id: over.incidentId ?? uuidv7(),
    target_id: target.id,
    target_name: target.name,
    kind: over.kind ?? 'down',
    state: transition === 'resolved' ? 'resolved' : transition === 'acknowledged' ? 'acknowledged' : 'open',
    severity: 'critical',
    started_at: startedAt,
    ended_at: transition === 'resolved' ? at : null,
    acknowledged_at: transition === 'acknowledged' ? at : null,
    acknowledged_by: transition === 'acknowledged' ? 'ana' : null,
    regions: ['eu'],
    details: { message: 'connection refused from 1 of 1 regions' },
    updated_at: at,
  };
  return { id: over.eventId ?? uuidv7(), transition, at, incident, target: { id: target.id, name: target.name, url: target.url } };
}

export interface Harness {
  store: Store;
  ns: NotifyStore;
  bus: MemoryBus;
  metrics: Metrics;
  log: Logger;
  /** Every log line written, as JSON text. */
  logLines: string[];
  target(name?: string): Promise<Target>;
  channel(f: Partial<ChannelFields> & Pick<ChannelFields, 'type' | 'config'>): Promise<ChannelRecord>;
  /** Starts a notifier on this store and bus (FAST options plus `over`); stopped by cleanup. */
  notifier(over?: Partial<NotifierOptions>): Promise<Notifier>;
  publish(t: IncidentTransition): Promise<void>;
  /** Waits (≤ timeoutMs) until a delivery row matches. */
  waitForDelivery(pred: (d: DeliveryRecord) => boolean, timeoutMs?: number): Promise<DeliveryRecord>;
  /** A counter value of pulseguard_notifications_total. */
  counted(outcome: string, channel?: string): Promise<number>;
  cleanup(): Promise<void>;
}

export async function notifyHarness(): Promise<Harness> {
  const { store, cleanup } = await testStore('embedded');
  const bus = new MemoryBus({ prefix: `t${uuidv7().slice(-8)}` });
  const metrics = createMetrics({ perTarget: false, defaults: false });
  const logLines: string[] = [];
  const log = createLogger('debug', {}, (l) => void logLines.push(l));
  const ns = notifyStore(store.db);
  const notifiers: Notifier[] = [];
  let n = 0;
  return {
    store,
    ns,
    bus,
    metrics,
    log,
    logLines,
    target: (name = `target-${++n}`) => store.targets.create(targetFields({ name, url: `https://${name}.example.test/health` })),
    channel: (f) =>
      ns.channels.create({ name: `channel-${++n}`, enabled: true, default: true, remind_every_minutes: null, rate_limit_per_minute: null, managed_by: 'api', ...f }),
    async notifier(over = {}) {
      const notifier = new Notifier({ store, bus, metrics, log, instance: `test-${++n}`, render: { dashboardUrl: 'https://pulse.example.test' }, ...FAST, ...over });
      await notifier.start();
      notifiers.push(notifier);
      return notifier;
    },
    publish: (t) => bus.publish('incidents', String(t.target.id), t),
    waitForDelivery: (pred, timeoutMs = 10_000) => waitFor(async () => (await ns.deliveries.list({ limit: 1000 })).find(pred), timeoutMs, 'a matching delivery row'),
    async counted(outcome, channel) {
      const m = await metrics.notifications.get();
      return m.values.filter((v) => v.labels.outcome === outcome && (channel === undefined || v.labels.channel === channel)).reduce((a, v) => a + v.value, 0);
    },
    async cleanup() {
      for (const x of notifiers) await x.stop();
      await bus.close();
      await cleanup();
    },
  };
}
