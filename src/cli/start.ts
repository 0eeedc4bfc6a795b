// `pulseguard start` and the per-role commands: run roles until SIGTERM/SIGINT, then shut down
// gracefully (in-flight probes finish or are cancelled, pending results are written) and exit 0.
import { loadConfig } from '../config/load.js';
import { parseRoles, runRoles } from '../roles/run.js';
import { createLogger } from '../util/log.js';
import { allowFlags, flagInt, flagString, type Parsed } from './args.js';

export const START_HELP = `Usage: pulseguard start [--role ROLES] [options]
       pulseguard api|scheduler|prober|ingester|all [options]

Runs PulseGuard. With no DATABASE_URL/NATS_URL every role runs in this process on the
embedded store (under --data-dir) and the in-process bus.

Options:
  --role ROLES       all (default) or a comma-separated list: api,scheduler,prober,ingester
  --port N           API port (PULSEGUARD_PORT, default 8080)
  --health-port N    health/metrics port of roles without the API (PULSEGUARD_HEALTH_PORT, default 8081)
  --data-dir DIR     embedded store directory (PULSEGUARD_DATA_DIR, default ./data)
  --region NAME      region of this prober (PULSEGUARD_REGION, default "default")
  --config FILE      settings file (default ./pulseguard.yaml when present)
  -h, --help         this help
`;

export async function startCommand(p: Parsed, roleSpec: string | undefined): Promise<number> {
  allowFlags(p, ['role', 'port', 'data-dir', 'region', 'config', 'health-port']);
  const overrides: Record<string, unknown> = {};
  const port = flagInt(p, 'port');
  if (port !== undefined) overrides.port = port;
  const healthPort = flagInt(p, 'health-port');
  if (healthPort !== undefined) overrides.health_port = healthPort;
  const dataDir = flagString(p, 'data-dir');
  if (dataDir) overrides.data_dir = dataDir;
  const region = flagString(p, 'region');
  if (region) overrides.region = region;
  const file = flagString(p, 'config');
  const config = loadConfig({ overrides, ...(file ? { file } : {}) });
  const log = createLogger(config.log_level);
  const names = parseRoles(roleSpec ?? flagString(p, 'role') ?? 'all');
  const running = await runRoles(names, config, log);
  const d = running.deps;
  const lines = [`PulseGuard is running: roles ${names.join(', ')}; store ${d.store.kind}${d.store.kind === 'embedded' ? ` (${config.data_dir})` : ''}; bus ${d.bus.kind}.`];
  if (running.api) {
    lines.push(`  Dashboard and API: ${running.api.url}   (API docs: ${running.api.url}/docs)`);
    if (running.api.generatedToken) {
      lines.push(`  API token (shown once, stored hashed; set PULSEGUARD_API_TOKEN to choose your own):`, `    ${running.api.generatedToken}`);
    } else lines.push('  Authenticate with your API token as "Authorization: Bearer <token>" (or sign in on the dashboard).');
  } else lines.push(`  Health and metrics: http://localhost:${running.healthPort}/health /ready /metrics`);
  process.stdout.write(lines.join('\n') + '\n');

  await new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      log.info('shutting down', { signal: sig });
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await running.stop();
  log.info('stopped');
  return 0;
}
