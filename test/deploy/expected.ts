// What the deployment artefacts must agree with: the roles, settings, ports and CLI of the code,
// plus the names of roles and metrics that other engineers are still building.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/args.js';
import { SETTINGS } from '../../src/config/settings.js';
import { ROLE_NAMES } from '../../src/roles/role.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const read = (rel: string): string => readFileSync(join(ROOT, rel), 'utf8');

/** Every role the code knows is deployed. */
export const DEPLOYED_ROLES: string[] = [...ROLE_NAMES];

/** Series Prometheus itself makes, not PulseGuard. */
export const PROMETHEUS_SERIES = ['up'];

export const ENV_NAMES = new Set<string>(SETTINGS.map((s) => s.env));
export const SECRET_ENV_NAMES = new Set<string>(SETTINGS.filter((s) => 'secret' in s && s.secret).map((s) => s.env));

function settingDefault(key: string): number {
  const s = SETTINGS.find((x) => x.key === key);
  if (!s || typeof s.default !== 'number') throw new Error(`setting ${key} has no numeric default`);
  return s.default;
}
export const API_PORT = settingDefault('port');
export const HEALTH_PORT = settingDefault('health_port');

/** Port a role serves /health, /ready and /metrics on. */
export const portOfRole = (role: string): number => (role === 'api' ? API_PORT : HEALTH_PORT);

/**
 * Options `pulseguard start` and the role commands accept: the allowFlags list in
 * src/cli/start.ts, read from its source (importing it would load every role and the store).
 */
export function startFlags(): string[] {
  const m = /allowFlags\(p, \[([^\]]*)\]\)/.exec(read('src/cli/start.ts'));
  if (!m?.[1]) throw new Error('src/cli/start.ts: no allowFlags(p, [...]) call found');
  return [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]!);
}

/**
 * Checks a container command line (`args` after the image's ENTRYPOINT) the way the CLI parses
 * it and returns the role and flags; throws with the reason when the CLI would reject it.
 */
export function parseRoleCommand(args: readonly string[]): { role: string; flags: Record<string, string | true> } {
  const p = parseArgs([...args], ['json', 'due', 'once']);
  const role = p.positionals[0];
  if (!role || p.positionals.length !== 1) throw new Error(`expected exactly one command, got ${JSON.stringify(args)}`);
  if (!DEPLOYED_ROLES.includes(role)) throw new Error(`"${role}" is not a role (${DEPLOYED_ROLES.join(', ')})`);
  const allowed = startFlags();
  for (const f of Object.keys(p.flags)) {
    if (!allowed.includes(f)) throw new Error(`option --${f} is not one \`pulseguard ${role}\` accepts`);
  }
  return { role, flags: p.flags };
}
