// Bus throughput: publish and consume N probe results through the in-process bus and NATS JetStream.
// Usage: node --import tsx bench/bus.ts [N=100000]   (NATS at PULSEGUARD_TEST_NATS_URL or 127.0.0.1:4222)
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import type { Bus } from '../src/bus/bus.js';
import { openBus } from '../src/bus/open.js';
import { streamName, TOPICS } from '../src/bus/subjects.js';
import type { ProbeResult } from '../src/domain/types.js';
import { uuidv7 } from '../src/util/uuid.js';

const N = Number(process.argv[2] ?? 100_000);
const NATS_URL = process.env.PULSEGUARD_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1024);

function results(n: number): ProbeResult[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    id: uuidv7(now), target_id: i % 500, region: 'eu', ts: new Date(now).toISOString(), scheduled_at: new Date(now).toISOString(),
    ok: true, latency_ms: 42.1, status_code: 200, error_class: null, error_message: null,
    phases: { dns_ms: 1.2, connect_ms: 3.4, tls_ms: 10.1, ttfb_ms: 20.3, transfer_ms: 0.8 }, tls_expires_at: null, tls_issuer: null,
  }));
}

const publishAll = (bus: Bus, rs: ProbeResult[]) => Promise.all(rs.map((r) => bus.publish('results', `eu.${r.target_id}`, r)));
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en')} msgs/s`;

/** Resolves when `n` messages have been handled by a consumer of `group`. */
async function consumeN(bus: Bus, group: string, n: number): Promise<{ done: Promise<void>; close: () => Promise<void> }> {
  let seen = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const sub = await bus.consume('results', { group, concurrency: CONCURRENCY }, async () => {
    if (++seen === n) finish();
  });
  return { done, close: () => sub.close() };
}

async function run(label: string, bus: Bus): Promise<void> {
  // 1. Backlog: publish with no member connected, then drain it.
  const idle = await consumeN(bus, 'backlog', N);
  await idle.close();
  let rs = results(N);
  let t0 = performance.now();
  await publishAll(bus, rs);
  const pubMs = performance.now() - t0;
  t0 = performance.now();
  const drain = await consumeN(bus, 'backlog', N);
  await drain.done;
  const drainMs = performance.now() - t0;
  await drain.close();
  // 2. Pipelined: a member is connected while publishing; time until the last one is handled.
  const live = await consumeN(bus, 'live', N);
  rs = results(N);
  t0 = performance.now();
  await publishAll(bus, rs);
  await live.done;
  const e2eMs = performance.now() - t0;
  await live.close();
  console.log(`${label.padEnd(7)} publish ${rate(N, pubMs).padStart(16)} | consume backlog ${rate(N, drainMs).padStart(16)} | publish+consume ${rate(N, e2eMs).padStart(16)}`);
}

console.log(`${N.toLocaleString('en')} results, consumer concurrency ${CONCURRENCY}`);
const memory = await openBus({});
await run('memory', memory);
await memory.close();

const prefix = `bench-${randomBytes(4).toString('hex')}`;
const big = { maxBytes: 512 * 1024 ** 2 };
const small = { maxBytes: 16 * 1024 ** 2 };
let nats: Bus | undefined;
try {
  nats = await openBus({ natsUrl: NATS_URL, prefix, streams: { results: big, jobs: small, incidents: small, targets: small } });
  await run('nats', nats);
} finally {
  // Closed first: a publish still in flight must not recreate the streams being deleted.
  await nats?.close();
  // Deleting a stream of 100k messages can take seconds on a busy server.
  const nc = await connect({ servers: NATS_URL });
  const jsm = await nc.jetstreamManager({ timeout: 60_000 });
  for (const t of TOPICS) await jsm.streams.delete(streamName(prefix, t)).catch((e: unknown) => console.error(`could not delete ${streamName(prefix, t)}:`, e));
  await nc.close();
}
