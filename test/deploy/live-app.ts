// Runs PulseGuard (every role in one process, on a fresh PostgreSQL database) with one local HTTP
// target, for the tests that need a live /metrics. PostgreSQL rather than the embedded store
// because PGlite's first start costs 5-20 s on a busy 2-core machine. Call needs(t, 'postgres').
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestApp } from '../helpers/app.js';

export interface LiveApp {
  app: TestApp;
  /** host:port of the API, which serves /metrics. */
  address: string;
  metricsText(): Promise<string>;
  waitFor: <T>(fn: () => Promise<T | undefined | null | false>, timeoutMs?: number, what?: string) => Promise<T>;
  stop(): Promise<void>;
}

/** Starts the app and adds a target on a local server, so probes run and counters move. */
export async function startLiveApp(): Promise<LiveApp> {
  const { startTestApp, waitFor } = await import('../helpers/app.js');
  const { createPgDatabase } = await import('../helpers/store.js');
  const target: Server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const db = await createPgDatabase();
  const app = await startTestApp({ DATABASE_URL: db.url }).catch(async (e: unknown) => {
    target.close();
    await db.drop();
    throw e;
  });
  const stop = async () => {
    await app.stop();
    target.close();
    await db.drop();
  };
  try {
    const created = await app.api('POST', '/targets', { name: 'deploy-check', url: `http://127.0.0.1:${(target.address() as AddressInfo).port}/`, interval_s: 1 });
    if (created.status !== 201) throw new Error(`POST /targets: ${created.status} ${JSON.stringify(created.body)}`);
  } catch (e: unknown) {
    await stop();
    throw e;
  }
  return {
    app,
    address: new URL(app.url).host,
    metricsText: async () => (await fetch(`${app.url}/metrics`)).text(),
    waitFor,
    stop,
  };
}
