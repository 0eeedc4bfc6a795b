// Finds the external services integration tests need (PostgreSQL, NATS, Chromium, kubectl, promtool).
// When one is missing the test is skipped with a visible notice, unless PULSEGUARD_REQUIRE_SERVICES=1,
// in which case the test fails: CI must never turn green by skipping.
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { ownServersAvailable } from './servers-own.js';

export const PG_URL = process.env.PULSEGUARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const NATS_URL = process.env.PULSEGUARD_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
export const CHROMIUM = process.env.PULSEGUARD_TEST_CHROMIUM ?? '/usr/bin/chromium';

const required = process.env.PULSEGUARD_REQUIRE_SERVICES === '1';

function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function hostPort(url: string, defaultPort: number): [string, number] {
  const u = new URL(url);
  return [u.hostname || '127.0.0.1', Number(u.port) || defaultPort];
}

const checks: Record<string, () => Promise<boolean>> = {
  postgres: () => reachable(...hostPort(PG_URL, 5432)),
  nats: () => reachable(...hostPort(NATS_URL, 4222)),
  chromium: async () => existsSync(CHROMIUM),
  kubectl: async () => existsSync('/usr/bin/kubectl'),
  promtool: async () => existsSync('/usr/bin/promtool'),
  prometheus: async () => existsSync('/usr/bin/prometheus'),
  /** Binaries to run private PostgreSQL and NATS servers (fault tests stop and restart them). */
  'own-servers': async () => ownServersAvailable(),
};
export type Service = keyof typeof checks;

/**
 * Returns true when every named service is available. Otherwise skips the test with a notice
 * (returns false), or throws when PULSEGUARD_REQUIRE_SERVICES=1.
 */
export async function needs(t: TestContext, ...services: Service[]): Promise<boolean> {
  for (const s of services) {
    const check = checks[s];
    if (check && (await check())) continue;
    const msg = `${s} is not available`;
    if (required) throw new Error(`${msg} and PULSEGUARD_REQUIRE_SERVICES=1`);
    console.log(`# NOTICE: skipping "${t.name}": ${msg} (set PULSEGUARD_REQUIRE_SERVICES=1 to fail instead)`);
    t.skip(msg);
    return false;
  }
  return true;
}
