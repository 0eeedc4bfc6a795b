// An HTTP server on 127.0.0.1:0 that records every request and answers from a script: a queue of
// replies (status, headers, body, delay, or hang forever), then a fallback. Tests of webhook-style
// channels point a channel at it and read back exactly what was sent.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EventEmitter, once } from 'node:events';

export interface CapturedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as received (signatures are computed over it). */
  body: string;
  json<T = unknown>(): T;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the client must give up on its own). */
  hang?: boolean;
  /** Send the status line, headers and the first half of the body, then stall. */
  stallBody?: boolean;
}
export type Responder = Reply | ((req: CapturedRequest) => Reply);

export interface CaptureServer {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: CapturedRequest[];
  /** Queues replies for the next requests, in order; after them the fallback answers. */
  reply(...replies: Responder[]): void;
  setFallback(r: Responder): void;
  /** The next request not yet taken by this method (waits at most timeoutMs). */
  nextRequest(timeoutMs?: number): Promise<CapturedRequest>;
  /** TCP connections currently open on the server side. */
  openConnections(): number;
  /** Resolves when every client connection is closed; rejects after timeoutMs. */
  waitForNoConnections(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCaptureServer(fallback: Responder = { status: 200, body: 'ok' }): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const queue: Responder[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const events = new EventEmitter();
  let taken = 0;
  let fb = fallback;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const captured: CapturedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json: <T>() => JSON.parse(body) as T };
      requests.push(captured);
      events.emit('request');
      const r = queue.shift() ?? fb;
      const reply = typeof r === 'function' ? r(captured) : r;
      if (reply.hang) return;
      const send = () => {
        if (res.destroyed) return;
        const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        const type = typeof reply.body === 'string' || reply.body === undefined ? 'text/plain' : 'application/json';
        res.writeHead(reply.status ?? 200, { 'content-type': type, ...reply.headers });
        if (reply.stallBody) res.write(text.slice(0, Math.floor(text.length / 2)));
        else res.end(text);
      };
      if (!reply.delayMs) return send();
      const t = setTimeout(() => {
        timers.delete(t);
        send();
      }, reply.delayMs);
      timers.add(t);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      events.emit('closed');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...r) => void queue.push(...r),
    setFallback: (r) => {
      fb = r;
    },
    async nextRequest(timeoutMs = 2000) {
      const deadline = AbortSignal.timeout(timeoutMs);
      while (requests.length <= taken) await once(events, 'request', { signal: deadline });
      return requests[taken++]!;
    },
    openConnections: () => sockets.size,
    async waitForNoConnections(timeoutMs = 2000) {
      const deadline = AbortSignal.timeout(timeoutMs);
      while (sockets.size > 0) await once(events, 'closed', { signal: deadline });
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
