// Local servers for probe tests, well-behaved and hostile (slow, dripping, huge, rude), all on
// 127.0.0.1 port 0, plus a throwaway self-signed certificate and a check that nothing leaked.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface RunningServer {
  port: number;
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** Connections the server currently has open. */
  connections(): number;
  /** Connections ever accepted. */
  accepted(): number;
  /** Destroys open connections and stops listening. */
  close(): Promise<void>;
}

function track(server: Server, scheme: string): Promise<RunningServer> {
  const open = new Set<Socket>();
  let accepted = 0;
  server.on('connection', (s: Socket) => {
    accepted++;
    open.add(s);
    s.on('error', () => {});
    s.once('close', () => open.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        url: `${scheme}://127.0.0.1:${port}`,
        connections: () => open.size,
        accepted: () => accepted,
        close: () => new Promise<void>((done) => {
          for (const s of open) s.destroy();
          server.close(() => done());
        }),
      });
    });
  });
}

export function startHttpServer(handler: RequestListener): Promise<RunningServer> {
  return track(createHttpServer(handler), 'http');
}

export function startHttpsServer(cert: TestCert, handler: RequestListener): Promise<RunningServer> {
  return track(createHttpsServer({ key: cert.key, cert: cert.cert }, handler), 'https');
}

/**
 * A raw TCP server; `onConnection` decides how rude to be. What the handler does not read is
 * discarded (unless it paused the socket): unread data would hide the peer's close from us.
 */
export function startTcpServer(onConnection: (s: Socket) => void): Promise<RunningServer> {
  return track(createNetServer((s) => {
    onConnection(s);
    if (s.listenerCount('data') === 0 && s.readableFlowing !== false) s.resume();
  }), 'tcp');
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released), so connecting is refused. */
export async function refusedPort(): Promise<number> {
  const srv = await startTcpServer(() => {});
  await srv.close();
  return srv.port;
}

export interface TestCert {
  key: string;
  cert: string;
  /** The certificate's notAfter, ISO 8601. */
  expiresAt: string;
}

let certPromise: Promise<TestCert> | undefined;

/** A self-signed RSA certificate for CN=localhost (SAN DNS:localhost only) made with openssl, once per process. */
export function testCert(): Promise<TestCert> {
  certPromise ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pulseguard-cert-'));
    try {
      const keyFile = join(dir, 'key.pem');
      const certFile = join(dir, 'cert.pem');
      const run = promisify(execFile);
      await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost/O=PulseGuard Test', '-addext', 'subjectAltName=DNS:localhost', '-days', '30', '-keyout', keyFile, '-out', certFile]);
      const { stdout } = await run('openssl', ['x509', '-in', certFile, '-noout', '-enddate']);
      const notAfter = stdout.trim().replace(/^notAfter=/, '');
      return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8'), expiresAt: new Date(notAfter).toISOString() };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return certPromise;
}

/** Sends headers, then one byte every `everyMs` forever (until the client goes away). */
export function dripHandler(everyMs = 20): RequestListener {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => res.write('.'), everyMs);
    res.once('close', () => clearInterval(timer));
  };
}

/** Streams `totalBytes` of 'x' in 64 KiB chunks with backpressure; `sent()` says how far it got. */
export function hugeBodyHandler(totalBytes: number, prefix = ''): RequestListener & { sent(): number } {
  let sent = 0;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const handler = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(totalBytes) });
    let left = totalBytes;
    if (prefix) {
      res.write(prefix);
      left -= prefix.length;
      sent += prefix.length;
    }
    const pump = (): void => {
      while (left > 0 && !res.destroyed) {
        const c = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= c.length;
        sent += c.length;
        if (!res.write(c)) return void res.once('drain', pump);
      }
      if (left === 0) res.end();
    };
    pump();
  };
  return Object.assign(handler, { sent: () => sent });
}

/** Listens on a port without ever accepting, its backlog already full: connecting hangs. */
export async function fullBacklogServer(): Promise<{ port: number; close(): Promise<void> } | null> {
  const script = "import socket,sys\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()";
  const py = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'ignore'] });
  const port = await new Promise<number | null>((resolve) => {
    py.once('error', () => resolve(null));
    py.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()) || null));
    py.once('exit', () => resolve(null));
  });
  const exited = new Promise<void>((resolve) => { if (py.exitCode !== null) resolve(); else py.once('exit', () => resolve()); });
  if (port === null) {
    py.kill();
    await exited;
    return null;
  }
  // With backlog 0 the kernel queues one connection; fill it so the next SYN is dropped.
  const filler = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  return {
    port,
    close: async () => {
      filler.destroy();
      py.stdin.end();
      await exited;
    },
  };
}

const IGNORED_RESOURCES = new Set(['TTYWrap', 'PipeWrap', 'ProcessWrap', 'FSReqCallback', 'StatWatcher']);

function countResources(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (!IGNORED_RESOURCES.has(r)) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

/** Records the active handles and timers now, to compare with `assertNoLeaks` after the work. */
export function resourceSnapshot(): Map<string, number> {
  return countResources();
}

/**
 * Waits (bounded) until no more sockets, timers or other handles are active than in `before`;
 * closing a socket takes a loop turn or two, so the check polls briefly before failing.
 */
export async function assertNoLeaks(before: Map<string, number>, withinMs = 2000): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const now = countResources();
    const extra = [...now].filter(([k, n]) => n > (before.get(k) ?? 0)).map(([k, n]) => `${k} +${n - (before.get(k) ?? 0)}`);
    if (extra.length === 0) return;
    if (Date.now() > deadline) throw new Error(`leaked resources: ${extra.join(', ')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
