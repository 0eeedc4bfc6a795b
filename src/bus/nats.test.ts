import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { connect, RetentionPolicy } from 'nats';
import type { Bus } from './bus.js';
import { busContract, Inbox, publishResults } from './bus.contract.js';
import { openBus } from './open.js';
import { streamName, TOPICS } from './subjects.js';
import { AppError } from '../errors.js';
import { needs, NATS_URL } from '../../test/helpers/services.js';

const randomPrefix = () => `pgtest-${randomBytes(5).toString('hex')}`;
// JetStream reserves max_bytes per stream; tests share one server, so they keep streams small.
const small = { maxBytes: 16 * 1024 ** 2 };
const streams = { jobs: small, results: small, incidents: small, targets: small };

async function deleteStreams(prefix: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await nc.jetstreamManager();
    for (const t of TOPICS) await jsm.streams.delete(streamName(prefix, t)).catch(() => false);
  } finally {
    await nc.close();
  }
}

async function natsBus(t: TestContext, prefix = randomPrefix(), url = NATS_URL): Promise<{ bus: Bus; cleanup: () => Promise<void> } | undefined> {
  if (!(await needs(t, 'nats'))) return undefined;
  const bus = await openBus({ natsUrl: url, prefix, name: 'pulseguard-test', streams }).catch(async (e: unknown) => {
    await deleteStreams(prefix);
    throw e;
  });
  return { bus, cleanup: () => deleteStreams(prefix) };
}

busContract('nats', (t) => natsBus(t));

test('NATS: openBus creates one stream per topic, named after the prefix', async (t) => {
  const prefix = randomPrefix();
  const f = await natsBus(t, prefix);
  if (!f) return;
  const nc = await connect({ servers: NATS_URL });
  try {
    assert.equal(f.bus.kind, 'nats');
    const info = await (await nc.jetstreamManager()).streams.info(`${prefix}_results`);
    assert.deepEqual(info.config.subjects, [`${prefix}.results.>`]);
    assert.equal(info.config.retention, RetentionPolicy.Limits);
    const jobs = await (await nc.jetstreamManager()).streams.info(`${prefix}_jobs`);
    assert.equal(jobs.config.retention, RetentionPolicy.Interest);
  } finally {
    await nc.close();
    await f.bus.close();
    await f.cleanup();
  }
});

test('NATS: a later consume() updates the durable consumer of its group', async (t) => {
  const prefix = randomPrefix();
  const f = await natsBus(t, prefix);
  if (!f) return;
  const nc = await connect({ servers: NATS_URL });
  try {
    const sub = await f.bus.consume('jobs', { group: 'probers-eu', filter: 'eu', ackWaitMs: 1000 }, async () => undefined);
    await sub.close();
    await f.bus.consume('jobs', { group: 'probers-eu', filter: 'eu.>', ackWaitMs: 2000 }, async () => undefined);
    const info = await (await nc.jetstreamManager()).consumers.info(`${prefix}_jobs`, 'probers-eu');
    assert.equal(info.config.ack_wait, 2_000_000_000);
    assert.equal(info.config.filter_subject, `${prefix}.jobs.eu.>`);
  } finally {
    await nc.close();
    await f.bus.close();
    await f.cleanup();
  }
});

test('NATS: a durable group resumes on a new connection (a restarted role)', async (t) => {
  const prefix = randomPrefix();
  const f = await natsBus(t, prefix);
  if (!f) return;
  let second: Bus | undefined;
  try {
    const first = new Inbox();
    await f.bus.consume('results', { group: 'ingester' }, async (m) => first.push(m));
    await publishResults(f.bus, 1);
    await first.count(1);
    await f.bus.close();
    second = await openBus({ natsUrl: NATS_URL, prefix, streams });
    const missed = await publishResults(second, 3);
    const again = new Inbox();
    await second.consume('results', { group: 'ingester' }, async (m) => again.push(m));
    await again.count(3);
    assert.deepEqual(again.ids().sort(), missed.map((r) => r.id).sort());
  } finally {
    await second?.close();
    await f.cleanup();
  }
});

/** A TCP proxy in front of NATS that a test can take down and bring back on the same port. */
async function natsProxy(): Promise<{ url: string; down(): Promise<void>; up(): Promise<void> }> {
  const target = new URL(NATS_URL);
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  let server: Server | undefined;
  let port = 0;
  const listen = () => new Promise<void>((resolve) => {
    if (server) return resolve();
    server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port) || 4222, target.hostname);
      track(client);
      track(upstream);
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.listen(port, '127.0.0.1', () => {
      port = (server!.address() as { port: number }).port;
      resolve();
    });
  });
  await listen();
  return {
    url: `nats://127.0.0.1:${port}`,
    down: async () => {
      const s = server;
      server = undefined;
      await new Promise<void>((resolve) => {
        s?.close(() => resolve());
        for (const sock of sockets) sock.destroy();
      });
    },
    up: listen,
  };
}

test('NATS: a bus keeps consuming after its connection drops and comes back', async (t) => {
  if (!(await needs(t, 'nats'))) return;
  const proxy = await natsProxy();
  const f = await natsBus(t, randomPrefix(), proxy.url).catch(async (e: unknown) => {
    await proxy.down();
    throw e;
  });
  if (!f) return;
  try {
    const inbox = new Inbox();
    await f.bus.consume('results', { group: 'ingester' }, async (m) => inbox.push(m));
    await publishResults(f.bus, 1);
    await inbox.count(1);
    await proxy.down();
    await assert.rejects(f.bus.ping(), (e: unknown) => e instanceof AppError && e.code === 'unavailable');
    await proxy.up();
    const deadline = Date.now() + 10_000;
    while (!(await f.bus.ping().then(() => true, () => false))) assert.ok(Date.now() < deadline, 'reconnected within 10 s');
    const after = await publishResults(f.bus, 5);
    await inbox.until((items) => after.every((r) => items.some((m) => m.data.id === r.id)), 15_000);
  } finally {
    await proxy.up();
    await f.bus.close();
    await f.cleanup();
    await proxy.down();
  }
});
