// Private PostgreSQL and NATS servers for fault tests, which stop and restart them: the shared
// ones on 5432/4222 must keep serving every other test.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const newestPg = () => {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  return `/usr/lib/postgresql/${versions[0] ?? '15'}/bin`;
};
export const PG_BIN = process.env.PULSEGUARD_TEST_PG_BIN ?? newestPg();
export const NATS_BIN = process.env.PULSEGUARD_TEST_NATS_BIN ?? '/usr/sbin/nats-server';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitExit(p: ChildProcess, ms: number): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      resolve();
    }, ms);
    p.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** PostgreSQL cannot run as root: run its binaries as the `postgres` user when we are root. */
const asPg = (args: string[]): [string, string[]] => (process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0]!, args.slice(1)]);

export interface OwnPostgres {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

export async function ownPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'pulseguard-pg-'));
  if (process.getuid?.() === 0) {
    const u = spawnSync('id', ['-u', 'postgres']).stdout.toString().trim();
    const g = spawnSync('id', ['-g', 'postgres']).stdout.toString().trim();
    chownSync(dir, Number(u), Number(g));
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const [cmd, args] = asPg([join(PG_BIN, 'initdb'), '-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const init = spawnSync(cmd, args, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const pg: OwnPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      const [c, a] = asPg([join(PG_BIN, 'postgres'), '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=100']);
      proc = spawn(c, a, { stdio: 'ignore' });
      const end = Date.now() + 20_000;
      while (Date.now() < end) {
        const r = spawnSync(join(PG_BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q']);
        if (r.status === 0) return;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('private PostgreSQL did not start');
    },
    async stop() {
      if (!proc) return;
      // runuser does not forward SIGINT, so ask pg_ctl for a fast shutdown.
      const [c, a] = asPg([join(PG_BIN, 'pg_ctl'), 'stop', '-D', data, '-m', 'fast', '-w']);
      spawnSync(c, a, { stdio: 'ignore' });
      await waitExit(proc, 15_000);
      proc = undefined;
    },
    async destroy() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}

export interface OwnNats {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

export async function ownNats(): Promise<OwnNats> {
  const dir = mkdtempSync(join(tmpdir(), 'pulseguard-nats-'));
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const n: OwnNats = {
    url: `nats://127.0.0.1:${port}`,
    async start() {
      proc = spawn(NATS_BIN, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
      const end = Date.now() + 15_000;
      while (Date.now() < end) {
        const ok = await new Promise<boolean>((resolve) => {
          const s = connect(port, '127.0.0.1');
          s.once('connect', () => (s.destroy(), resolve(true)));
          s.once('error', () => resolve(false));
        });
        if (ok) return;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('private NATS did not start');
    },
    async stop() {
      if (!proc) return;
      proc.kill('SIGTERM');
      await waitExit(proc, 10_000);
      proc = undefined;
    },
    async destroy() {
      await n.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await n.start();
  return n;
}

export const ownServersAvailable = () => existsSync(join(PG_BIN, 'initdb')) && existsSync(NATS_BIN);
