// A real NATS restart, on a private nats-server (own port and store) so the shared one is untouched:
// consumers must resume without reopening the bus, durable and ephemeral alike.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inbox, publishResults } from './bus.contract.js';
import { openBus } from './open.js';

const BIN = process.env.PULSEGUARD_TEST_NATS_SERVER ?? '/usr/sbin/nats-server';

function haveBinary(t: TestContext): boolean {
  if (existsSync(BIN)) return true;
  if (process.env.PULSEGUARD_REQUIRE_SERVICES === '1') throw new Error(`${BIN} is missing and PULSEGUARD_REQUIRE_SERVICES=1`);
  console.log(`# NOTICE: skipping "${t.name}": ${BIN} is not available`);
  t.skip(`${BIN} is not available`);
  return false;
}

/** Starts nats-server with JetStream; resolves with its client port once it listens. */
function startServer(storeDir: string, port: number): Promise<{ proc: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => reject(new Error(`nats-server did not start: ${log}`)), 10_000);
    proc.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const m = /Listening for client connections on [^\s]+:(\d+)/.exec(log);
      if (m && /Server is ready/.test(log)) {
        clearTimeout(timer);
        proc.stderr!.removeAllListeners('data');
        proc.stderr!.resume();
        resolve({ proc, port: Number(m[1]) });
      }
    });
    proc.once('exit', (code) => reject(new Error(`nats-server exited (${String(code)}): ${log}`)));
  });
}

const stopServer = (proc: ChildProcess) => new Promise<void>((resolve) => {
  if (proc.exitCode !== null) return resolve();
  proc.once('exit', () => resolve());
  proc.kill('SIGKILL');
});

test('NATS: consumers resume after the server restarts, without reopening the bus', async (t) => {
  if (!haveBinary(t)) return;
  const storeDir = mkdtempSync(join(tmpdir(), 'pulseguard-nats-'));
  let server = await startServer(storeDir, -1);
  const bus = await openBus({ natsUrl: `nats://127.0.0.1:${server.port}`, prefix: 'restart' });
  try {
    const durable = new Inbox();
    const live = new Inbox();
    await bus.consume('results', { group: 'ingester' }, async (m) => durable.push(m));
    await bus.consume('results', { group: 'sse', ephemeral: true }, async (m) => live.push(m));
    await publishResults(bus, 2);
    await durable.count(2);
    await live.count(2);
    await stopServer(server.proc);
    await assert.rejects(bus.ping());
    server = await startServer(storeDir, server.port);
    const deadline = Date.now() + 15_000;
    while (!(await bus.ping().then(() => true, () => false))) assert.ok(Date.now() < deadline, 'reconnected within 15 s');
    const after = await publishResults(bus, 3);
    const has = (inbox: Inbox) => () => after.every((r) => inbox.items.some((m) => m.data.id === r.id));
    await durable.until(has(durable), 15_000);
    await live.until(has(live), 15_000);
  } finally {
    await bus.close();
    await stopServer(server.proc);
    rmSync(storeDir, { recursive: true, force: true });
  }
});
