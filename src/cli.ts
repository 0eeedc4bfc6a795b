// The `pulseguard` command: one entry point for every role and tool. Each command is a module
// under src/cli/ with its own --help.
import { AppError } from './errors.js';
import { SETTINGS } from './config/settings.js';
import { ANOMALY_HELP, anomalyCommand } from './cli/anomaly.js';
import { parseArgs, type Parsed } from './cli/args.js';
import { MIGRATE_HELP, migrateCommand } from './cli/migrate.js';
import { NOTIFY_HELP, notifyCommand } from './cli/notify.js';
import { PROBE_HELP, probeCommand } from './cli/probe.js';
import { START_HELP, startCommand } from './cli/start.js';
import { TARGETS_HELP, targetsCommand } from './cli/targets.js';
import { ROLE_NAMES } from './roles/role.js';

type Out = (s: string) => void;
interface Command {
  summary: string;
  help: string;
  run(p: Parsed, out: Out): Promise<number>;
}

const start = (role?: string): Command => ({ summary: role ? `run the ${role} role` : 'run PulseGuard (default: every role in one process)', help: START_HELP, run: (p) => startCommand(p, role) });

export const COMMANDS: Record<string, Command> = {
  start: start(),
  all: start('all'),
  ...Object.fromEntries(ROLE_NAMES.map((r) => [r, start(r)])),
  anomaly: { summary: 'run the anomaly role; "anomaly backtest" scores a CSV series with a detector', help: ANOMALY_HELP, run: anomalyCommand },
  migrate: { summary: 'apply store migrations and exit', help: MIGRATE_HELP, run: migrateCommand },
  targets: { summary: 'list, add or remove targets on a running API', help: TARGETS_HELP, run: targetsCommand },
  notify: { summary: 'send a test notification through a channel, list channels (running API)', help: NOTIFY_HELP, run: notifyCommand },
  probe: { summary: 'probe a URL once and print its timing phases (or run due probes once)', help: PROBE_HELP, run: probeCommand },
};

export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'PulseGuard: uptime, latency and anomaly monitoring.',
    '',
    'Usage: pulseguard [COMMAND] [options]      (no command = start)',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`),
    '',
    'Run "pulseguard COMMAND --help" for a command\'s options.',
    'Settings (environment variables; also keys of pulseguard.yaml):',
    ...SETTINGS.map((s) => `  ${s.env.padEnd(30)} ${s.doc.split('. ')[0]}`),
    '',
  ].join('\n');
}

export async function main(argv: string[], out: Out = (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n')): Promise<number> {
  try {
    const p = parseArgs(argv, ['json', 'due', 'once']);
    const name = p.positionals[0] ?? 'start';
    const cmd = COMMANDS[name];
    if (!cmd) {
      if (name === 'help') return out(mainHelp()), 0;
      process.stderr.write(`pulseguard: unknown command "${name}"\n\n${mainHelp()}`);
      return 2;
    }
    if (p.flags.help) return out(argv.length === 1 ? mainHelp() : cmd.help), 0;
    return await cmd.run(p, out);
  } catch (e: unknown) {
    if (e instanceof AppError) {
      process.stderr.write(`pulseguard: ${e.message}\n`);
      return e.code === 'validation' ? 2 : 1;
    }
    throw e;
  }
}
