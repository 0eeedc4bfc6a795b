// `pulseguard probe <url>`: one probe, printed with its phases (debugging a target);
// `pulseguard probe --due --once`: every due probe once, then exit (cron-style runners).
import { loadConfig } from '../config/load.js';
import type { ProbeJob } from '../domain/types.js';
import { AppError } from '../errors.js';
import { formatOutcome } from '../probes/format.js';
import { getProbeKind } from '../probes/registry.js';
import { runProbe } from '../services/prober.js';
import { prepareTarget } from '../services/targets.js';
import { openStore } from '../store/open.js';
import { openBus } from '../bus/open.js';
import { uuidv7 } from '../util/uuid.js';
import { allowFlags, flagInt, flagString, type Parsed } from './args.js';
import { runDueOnce } from '../services/due-once.js';

export const PROBE_HELP = `Usage: pulseguard probe URL [--type KIND] [--timeout-ms N] [--options JSON] [--json]
       pulseguard probe --due --once [--region NAME]

The first form probes URL once and prints the result with its timing phases (DNS, connect,
TLS, time to first byte, transfer); exit code 0 when the probe succeeded, 1 when it failed.
The second runs every probe that is due (per target and region) once against the configured
store, writes the results (or publishes them when NATS_URL is set) and exits.
`;

export async function probeCommand(p: Parsed, out: (s: string) => void): Promise<number> {
  if (p.flags.due) {
    allowFlags(p, ['due', 'once', 'region', 'config', 'data-dir']);
    if (!p.flags.once) throw new AppError('validation', '--due needs --once (it runs each due probe one time and exits)', 'once');
    const dataDir = flagString(p, 'data-dir');
    const region = flagString(p, 'region');
    const file = flagString(p, 'config');
    const config = loadConfig({ overrides: { ...(dataDir ? { data_dir: dataDir } : {}), ...(region ? { region } : {}) }, ...(file ? { file } : {}) });
    const store = await openStore({ databaseUrl: config.database_url ?? undefined, dataDir: config.data_dir });
    try {
      await store.migrate();
      const bus = config.nats_url ? await openBus({ natsUrl: config.nats_url, prefix: config.nats_prefix, name: 'pulseguard-probe-once' }) : undefined;
      try {
        const n = await runDueOnce({ store, bus, region: config.region, regions: config.regions, concurrency: config.concurrency });
        out(`ran ${n.probed} due probe(s) (${n.failed} failed); ${n.notDue} not due`);
      } finally {
        await bus?.close();
      }
    } finally {
      await store.close();
    }
    return 0;
  }
  allowFlags(p, ['type', 'timeout-ms', 'options', 'json']);
  const url = p.positionals[1];
  if (!url) throw new AppError('validation', 'probe needs a URL (see pulseguard probe --help)', 'url');
  const input: Record<string, unknown> = { name: url, url };
  const type = flagString(p, 'type');
  if (type) input.type = type;
  const timeout = flagInt(p, 'timeout-ms');
  input.timeout_ms = timeout ?? 10_000;
  input.interval_s = Math.max(60, Math.ceil((timeout ?? 10_000) / 1000));
  const options = flagString(p, 'options');
  if (options) input.options = JSON.parse(options) as unknown;
  // Validate exactly as the API would, without a store.
  const target = prepareTarget(input, { interval_s: 60, timeout_ms: 10_000 });
  if (!getProbeKind(target.type)) throw new AppError('validation', `unknown type ${target.type}`, 'type');
  const job: ProbeJob = { id: uuidv7(), region: 'cli', scheduled_at: new Date().toISOString(), expires_at: new Date(Date.now() + 3600_000).toISOString(), target: { id: 0, ...target } };
  const outcome = await runProbe(job);
  if (p.flags.json) out(JSON.stringify(outcome, null, 2));
  else out(formatOutcome(url, outcome));
  return outcome.ok ? 0 : 1;
}
