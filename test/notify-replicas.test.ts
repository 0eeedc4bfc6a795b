// Two notifier replicas, as two processes would run them: each its own PostgreSQL pool and NATS
// connection, one database and one stream. Every incident is delivered, and none twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { openBus } from '../src/bus/open.js';
import { streamName, TOPICS } from '../src/bus/subjects.js';
import { createMetrics } from '../src/metrics.js';
import { Notifier } from '../src/services/notify/notifier.js';
import { openPostgresDb } from '../src/store/db.js';
import { notifyStore } from '../src/store/sql/notify.js';
import { sqlStore } from '../src/store/sql/index.js';
import { silentLogger } from '../src/util/log.js';
import { waitFor } from './helpers/app.js';
import { startCaptureServer } from './helpers/capture-server.js';
import { FAST, transitionOf } from './helpers/notify.js';
import { NATS_URL, needs } from './helpers/services.js';
import { createPgDatabase, targetFields } from './helpers/store.js';

const small = { maxBytes: 16 * 1024 ** 2 };

test('two notifier replicas on PostgreSQL and NATS deliver every incident exactly once', async (t) => {
  if (!(await needs(t, 'postgres', 'nats'))) return;
  const prefix = `pgnotify-${randomBytes(5).toString('hex')}`;
  const database = await createPgDatabase();
  const cap = await startCaptureServer();
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    const replicas = await Promise.all(['a', 'b'].map(async (name) => {
      const store = sqlStore(await openPostgresDb(database.url, { poolSize: 4 }));
      cleanup.push(() => store.close());
      await store.migrate();
      const bus = await openBus({ natsUrl: NATS_URL, prefix, name: `notifier-${name}`, streams: { jobs: small, results: small, incidents: small, targets: small } });
      cleanup.push(() => bus.close());
      return { store, bus };
    }));
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    const ns = notifyStore(a.store.db);
    await ns.channels.create({ name: 'hook', type: 'webhook', config: { url: `${cap.url}/hook` }, enabled: true, default: true, remind_every_minutes: null, rate_limit_per_minute: null, managed_by: 'api' });
    const notifiers = [a, b].map((r, i) => new Notifier({ store: r.store, bus: r.bus, metrics: createMetrics({ perTarget: false, defaults: false }), log: silentLogger, instance: `replica-${i}`, ...FAST }));
    for (const n of notifiers) await n.start();
    cleanup.unshift(async () => {
      for (const n of notifiers) await n.stop();
    });

    const targets = await Promise.all(Array.from({ length: 20 }, (_, i) => a.store.targets.create(targetFields({ name: `t${i}` }))));
    const transitions = targets.map((x) => transitionOf(x, 'opened'));
    // Each published twice, through both connections: at-least-once from the producer's side too.
    await Promise.all(transitions.flatMap((x) => [a.bus.publish('incidents', String(x.target.id), x), b.bus.publish('incidents', String(x.target.id), { ...x, id: `${x.id}-again` })]));
    await waitFor(async () => (await ns.deliveries.list({ status: 'delivered', limit: 1000 })).length === 20, 15_000, '20 deliveries');
    await new Promise((r) => setTimeout(r, 300));
    const sent = cap.requests.flatMap((r) => r.json<{ incidents: Array<{ id: string }> }>().incidents.map((i) => i.id));
    assert.equal(sent.length, 20, 'no incident sent twice');
    assert.deepEqual(new Set(sent), new Set(transitions.map((x) => x.incident.id)));
    assert.equal((await ns.deliveries.list({ limit: 1000 })).length, 20);
  } finally {
    for (const c of cleanup) await c().catch(() => undefined);
    await cap.close();
    await database.drop();
    const nc = await connect({ servers: NATS_URL }).catch(() => undefined);
    if (nc) {
      const jsm = await nc.jetstreamManager();
      for (const topic of TOPICS) await jsm.streams.delete(streamName(prefix, topic)).catch(() => false);
      await nc.close();
    }
  }
});
