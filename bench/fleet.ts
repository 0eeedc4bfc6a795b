// A local target fleet for benchmarks: a child process serving `200 ok` on a few ports, each
// request on a fresh connection (Connection: close), as uptime probes use them.
import { createServer } from 'node:http';
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';

if (process.argv[2] === '--serve') {
  const ports: number[] = [];
  const n = Number(process.argv[3] ?? 4);
  let pending = n;
  for (let i = 0; i < n; i++) {
    const s = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2', connection: 'close' });
      res.end('ok');
    });
    s.keepAliveTimeout = 0;
    s.listen(0, '127.0.0.1', 4096, () => {
      ports.push((s.address() as AddressInfo).port);
      if (--pending === 0) process.send?.({ ports });
    });
  }
}

export interface Fleet {
  urls: string[];
  child: ChildProcess;
  stop(): void;
}

/** Starts the fleet in its own process; resolves with one URL base per port. */
export function startFleet(servers = 4): Promise<Fleet> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(import.meta.url).pathname, ['--serve', String(servers)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    child.once('error', reject);
    child.once('message', (m: unknown) => {
      const ports = (m as { ports: number[] }).ports;
      resolve({ urls: ports.map((p) => `http://127.0.0.1:${p}`), child, stop: () => child.kill() });
    });
  });
}
