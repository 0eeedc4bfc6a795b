// A tiny argument parser: positionals and `--flag value` / `--flag=value` / boolean `--flag`.
import { AppError } from '../errors.js';

export interface Parsed {
  positionals: string[];
  flags: Record<string, string | true>;
}

export function parseArgs(argv: string[], booleans: string[] = []): Parsed {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h') flags.help = true;
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq > 0 ? eq : undefined);
      if (eq > 0) flags[name] = a.slice(eq + 1);
      else if (booleans.includes(name) || name === 'help') flags[name] = true;
      else {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith('--')) throw new AppError('validation', `--${name} needs a value`, name);
        flags[name] = v;
        i++;
      }
    } else positionals.push(a);
  }
  return { positionals, flags };
}

export function flagString(p: Parsed, name: string): string | undefined {
  const v = p.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function flagInt(p: Parsed, name: string): number | undefined {
  const v = flagString(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new AppError('validation', `--${name} must be a whole number, got "${v}"`, name);
  return n;
}

/** Fails on flags the command does not know, naming them. */
export function allowFlags(p: Parsed, allowed: string[]): void {
  for (const f of Object.keys(p.flags)) {
    if (f !== 'help' && !allowed.includes(f)) throw new AppError('validation', `unknown option --${f}`, f);
  }
}
