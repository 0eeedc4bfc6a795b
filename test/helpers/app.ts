// Starts PulseGuard (every role, one process) on a fresh embedded store in a temp dir, for
// end-to-end tests over real HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { ROLE_NAMES } from '../../src/roles/role.js';
import { runRoles, type Running } from '../../src/roles/run.js';
import { silentLogger } from '../../src/util/log.js';

export const TEST_TOKEN = 'test-token-0123456789';

export interface TestApp {
  running: Running;
  url: string;
  dataDir: string;
  /** fetch against the API with the token (unless `auth: false`), parsing JSON. */
  api(method: string, path: string, body?: unknown, opts?: { auth?: boolean; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = env.PULSEGUARD_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'pulseguard-test-'));
  const config = loadConfig({
    file: '/dev/null',
    env: { PULSEGUARD_PORT: '0', PULSEGUARD_HOST: '127.0.0.1', PULSEGUARD_API_TOKEN: TEST_TOKEN, PULSEGUARD_DATA_DIR: dataDir, PULSEGUARD_INGEST_FLUSH_MS: '50', ...env },
  });
  const running = await runRoles([...ROLE_NAMES], config, silentLogger);
  const url = running.api!.url;
  return {
    running,
    url,
    dataDir,
    async api(method, path, body, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.auth !== false) headers.authorization = `Bearer ${TEST_TOKEN}`;
      if (body !== undefined || opts.raw !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(url + path, { method, headers, ...(opts.raw !== undefined ? { body: opts.raw } : body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stop() {
      await running.stop();
      if (!env.PULSEGUARD_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
