// docker-compose.yml, the Dockerfile and .dockerignore, checked against the code without a Docker
// engine: roles, commands, ports and settings come from src/, and the health-check one-liners
// run for real (with node) against a local server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { API_PORT, DEPLOYED_ROLES, ENV_NAMES, HEALTH_PORT, parseRoleCommand, portOfRole, read, ROOT } from './expected.js';

interface Service {
  image?: string; build?: unknown; command?: string[]; environment?: Record<string, string>; ports?: string[];
  healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>; volumes?: string[];
  profiles?: string[]; deploy?: { replicas?: number }; read_only?: boolean; cap_drop?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
// PulseGuard's own services: those running its image.
const roleServices = Object.entries(compose.services).filter(([, s]) => s.image?.includes('PULSEGUARD_IMAGE'));
const dockerfile = read('Dockerfile').replace(/\\\n\s*/g, ' ');
const instructions = (name: string) => [...dockerfile.matchAll(new RegExp(`^${name}\\s+(.*)$`, 'gm'))].map((m) => m[1]!.trim());

test('compose runs every role from one image, probers in two regions, with the commands the CLI accepts', () => {
  const roles = roleServices.map(([name, s]) => ({ name, ...parseRoleCommand(s.command!) }));
  assert.deepEqual([...new Set(roles.map((r) => r.role))].sort(), [...DEPLOYED_ROLES].sort());
  assert.equal(new Set(roleServices.map(([, s]) => s.image)).size, 1, 'one image');
  const probers = roles.filter((r) => r.role === 'prober');
  assert.deepEqual(probers.map((p) => p.flags.region).sort(), ['eu', 'us']);
  for (const [name, s] of roleServices) {
    assert.equal(s.environment?.PULSEGUARD_REGIONS, 'eu,us', `${name}: PULSEGUARD_REGIONS lists both regions`);
    assert.equal(s.read_only, true, `${name}: read-only root filesystem`);
    assert.ok(s.cap_drop?.includes('ALL'), `${name}: drops capabilities`);
  }
  assert.equal(compose.services.scheduler?.deploy?.replicas, 2, 'two schedulers (lease)');
});

test('compose passes only settings PulseGuard reads, including the database, NATS, token and Slack', () => {
  for (const [name, s] of roleServices) {
    for (const k of Object.keys(s.environment ?? {})) assert.ok(ENV_NAMES.has(k), `${name}: ${k} is not a PulseGuard setting`);
    for (const k of ['DATABASE_URL', 'NATS_URL', 'PULSEGUARD_API_TOKEN', 'SLACK_WEBHOOK_URL']) assert.ok(k in (s.environment ?? {}), `${name}: sets ${k}`);
    assert.equal(new URL(s.environment!.DATABASE_URL!).hostname, 'postgres');
    assert.equal(new URL(s.environment!.NATS_URL!).hostname, 'nats');
  }
});

test('compose: PostgreSQL 15+ and NATS with JetStream on volumes, healthy before any role starts', () => {
  const pg = compose.services.postgres!;
  const nats = compose.services.nats!;
  assert.ok(Number(/^postgres:(\d+)/.exec(pg.image ?? '')?.[1]) >= 15, `postgres image ${pg.image}`);
  assert.ok(nats.command?.includes('-js'), 'nats runs JetStream');
  for (const s of [pg, nats]) {
    assert.ok(s.healthcheck?.test.length, 'has a health check');
    for (const v of s.volumes ?? []) assert.ok(v.split(':')[0]! in compose.volumes, `named volume ${v}`);
    assert.ok(s.volumes?.length, 'keeps its data on a volume');
  }
  for (const [name, s] of roleServices) {
    assert.deepEqual(s.depends_on, { postgres: { condition: 'service_healthy' }, nats: { condition: 'service_healthy' } }, name);
  }
});

test('compose health checks ask each role on the port the code serves it, and the api publishes its port', () => {
  for (const [name, s] of roleServices) {
    const role = parseRoleCommand(s.command!).role;
    const script = s.healthcheck?.test.join(' ') ?? '';
    assert.match(script, new RegExp(`127\\.0\\.0\\.1:${portOfRole(role)}/(ready|health)`), `${name}: health check on ${portOfRole(role)}`);
  }
  assert.ok(compose.services.api!.ports?.some((p) => p.endsWith(`:${API_PORT}`)), 'api publishes the API port');
});

test('prometheus.yml discovers exactly the compose role services, each on its port', () => {
  const prom = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: Array<{ dns_sd_configs: Array<{ names: string[]; port: number }> }> };
  const found = prom.scrape_configs[0]!.dns_sd_configs.flatMap((c) => c.names.map((n) => [n, c.port] as const));
  const expected = roleServices.map(([name, s]) => [name, portOfRole(parseRoleCommand(s.command!).role)] as const);
  assert.deepEqual([...found].sort(), [...expected].sort());
});

test('the Dockerfile builds in stages and runs non-root on node:20-bookworm-slim, data under /data', () => {
  assert.match(dockerfile, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
  const froms = instructions('FROM');
  assert.ok(froms.length >= 2 && froms.every((f) => f.startsWith('${NODE_IMAGE}')), 'multi-stage, every stage on the slim Node 20 image');
  const runs = instructions('RUN').join('\n');
  assert.match(runs, /npm ci --no-audit/);
  assert.match(runs, /npm run build/);
  assert.match(runs, /npm ci --omit=dev/);
  assert.match(instructions('USER').at(-1) ?? '', /^[1-9]\d*:[1-9]\d*$/, 'the final stage runs as a numeric non-root user');
  assert.deepEqual(instructions('VOLUME'), ['["/data"]']);
  assert.match(dockerfile, /PULSEGUARD_DATA_DIR=\/data/);
  assert.equal(instructions('ENTRYPOINT')[0], '["node", "bin/pulseguard.js"]');
  assert.equal(instructions('CMD').at(-1), '["start"]');
  assert.ok(instructions('EXPOSE')[0]?.split(/\s+/).map(Number).includes(API_PORT) && instructions('EXPOSE')[0]?.split(/\s+/).map(Number).includes(HEALTH_PORT));
  // What the final stage copies is what the build produces: bin/ (in git), dist/ (tsc outDir), web/dist.
  assert.ok(existsSync(join(ROOT, 'bin/pulseguard.js')) && read('bin/pulseguard.js').includes('../dist/cli.js'));
  assert.equal((JSON.parse(read('tsconfig.json')) as { compilerOptions: { outDir: string } }).compilerOptions.outDir, 'dist');
  assert.match(read('package.json'), /"build": "node scripts\/build.mjs"/);
});

// A .dockerignore pattern as a RegExp (enough of Docker's syntax for our file: *, **, dirs).
const ignoreRegExp = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(.*/)?').replace(/\*/g, '[^/]*')}(/.*)?$`);
test('.dockerignore keeps host builds, dependencies, git and data out, and what the build needs in', () => {
  const patterns = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const ignored = (path: string) => patterns.some((p) => ignoreRegExp(p).test(path));
  for (const p of ['node_modules/x', '.git/HEAD', 'dist/cli.js', 'web/dist/index.html', 'data/pg', 'web/node_modules/x', '.env']) assert.ok(ignored(p), `${p} is ignored`);
  for (const p of ['package.json', 'package-lock.json', 'tsconfig.json', 'src/cli.ts', 'bin/pulseguard.js', 'scripts/build.mjs', 'web/vite.config.ts', 'web/src/main.tsx']) assert.ok(!ignored(p), `${p} reaches the build`);
});

const exec = promisify(execFile);
async function exitCode(script: string, env: Record<string, string>): Promise<number> {
  try {
    await exec(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 15_000 });
    return 0;
  } catch (e: unknown) {
    return (e as { code?: number }).code ?? 1;
  }
}
async function server(status: number): Promise<{ port: number; close: () => void }> {
  const s: Server = createServer((req, res) => res.writeHead(['/health', '/ready'].includes(req.url ?? '') ? status : 404).end());
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as AddressInfo).port, close: () => s.close() };
}
async function closedPort(): Promise<string> {
  const s = await server(200);
  s.close();
  return String(s.port);
}

test('the image HEALTHCHECK one-liner passes on the API port or the health port, and fails otherwise', async () => {
  const m = /HEALTHCHECK .*CMD (\[.*\])$/m.exec(dockerfile);
  const cmd = JSON.parse(m?.[1] ?? 'null') as string[] | null;
  assert.ok(cmd && cmd[0] === 'node' && cmd[1] === '-e', 'HEALTHCHECK runs node -e (no curl in slim images)');
  const script = cmd[2]!;
  const [ok, failing, closed] = [await server(200), await server(503), await closedPort()];
  try {
    assert.equal(await exitCode(script, { PULSEGUARD_PORT: String(ok.port), PULSEGUARD_HEALTH_PORT: closed }), 0, 'api answers');
    assert.equal(await exitCode(script, { PULSEGUARD_PORT: closed, PULSEGUARD_HEALTH_PORT: String(ok.port) }), 0, 'health port answers');
    assert.equal(await exitCode(script, { PULSEGUARD_PORT: closed, PULSEGUARD_HEALTH_PORT: closed }), 1, 'nothing answers');
    assert.equal(await exitCode(script, { PULSEGUARD_PORT: String(failing.port), PULSEGUARD_HEALTH_PORT: closed }), 1, '503');
  } finally {
    ok.close();
    failing.close();
  }
});

test('the compose health-check one-liners pass on 200 and fail on 503 or no answer', async () => {
  const scripts = new Set(roleServices.map(([, s]) => s.healthcheck!.test[3]!));
  const [ok, failing, closed] = [await server(200), await server(503), await closedPort()];
  try {
    for (const script of scripts) {
      const at = (port: number | string) => script.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`);
      assert.equal(await exitCode(at(ok.port), {}), 0, script);
      assert.equal(await exitCode(at(failing.port), {}), 1, script);
      assert.equal(await exitCode(at(closed), {}), 1, script);
    }
  } finally {
    ok.close();
    failing.close();
  }
});

test('the Makefile has every documented verb, and each would run the command docs/deploy.md describes', async () => {
  const verbs = ['up', 'down', 'logs', 'build', 'kind-up', 'kind-load', 'k8s-deploy', 'k8s-status', 'port-forward-webapp', 'port-forward-api', 'k8s-render', 'check-deploy'];
  const docs = read('docs/deploy.md');
  for (const v of verbs) {
    const { stdout } = await exec('make', ['-n', '-C', ROOT, v], { timeout: 15_000 });
    assert.ok(stdout.trim(), `make -n ${v} prints its commands`);
    assert.match(docs, new RegExp(`make ${v}\\b|\`${v}\``), `docs/deploy.md explains ${v}`);
  }
  const { stdout } = await exec('make', ['-n', '-C', ROOT, 'k8s-deploy', 'OVERLAY=prod']);
  assert.match(stdout, /kubectl apply -k deploy\/k8s\/overlays\/prod/);
  assert.match(docs, /Helm is not provided/);
});
