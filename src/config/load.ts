// Reads pulseguard.yaml (optional) and the environment once; the environment wins. Every problem
// is collected and reported together, so a bad configuration fails at start with the whole list.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { AppError } from '../errors.js';
import { SETTINGS, type Config, type Setting } from './settings.js';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Path of the yaml file; default $PULSEGUARD_CONFIG or ./pulseguard.yaml when it exists. */
  file?: string;
  /** Values from command-line flags, by yaml key; they win over everything. */
  overrides?: Partial<Record<string, unknown>>;
}

function coerce(s: Setting, raw: unknown, problems: string[], source: string): unknown {
  if (raw === null || raw === undefined || raw === '') return s.default;
  const where = `${s.key} (${source})`;
  switch (s.type) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isInteger(n)) return void problems.push(`${where}: must be a whole number, got ${JSON.stringify(raw)}`);
      if ((s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) {
        return void problems.push(`${where}: must be between ${s.min} and ${s.max}, got ${n}`);
      }
      return n;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const v = String(raw).trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      return void problems.push(`${where}: must be true or false, got ${JSON.stringify(raw)}`);
    }
    case 'list': {
      const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
      const list = items.map((x) => x.trim()).filter(Boolean);
      return list.length ? list : s.default;
    }
    case 'string':
      if (typeof raw === 'object') return void problems.push(`${where}: must be a string`);
      return String(raw);
  }
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.PULSEGUARD_CONFIG ?? (existsSync('pulseguard.yaml') ? 'pulseguard.yaml' : undefined);
  const problems: string[] = [];
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      const doc: unknown = parse(readFileSync(file, 'utf8'));
      if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) fromFile = doc as Record<string, unknown>;
      else if (doc !== null) problems.push(`${file}: must be a mapping of settings`);
    } catch (e: unknown) {
      problems.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const known = new Set<string>(SETTINGS.map((s) => s.key));
  // Sections other parts of PulseGuard read from the file (e.g. `channels:`) are not plain settings.
  const sections = new Set(['channels']);
  for (const k of Object.keys(fromFile)) {
    if (!known.has(k) && !sections.has(k)) problems.push(`${file}: unknown setting "${k}"`);
  }
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS as readonly Setting[]) {
    const override = opts.overrides?.[s.key];
    const [raw, source] =
      override !== undefined ? [override, 'flag'] : env[s.env] !== undefined ? [env[s.env], s.env] : [fromFile[s.key], file ?? 'default'];
    out[s.key] = coerce(s, raw, problems, source);
  }
  if (problems.length) throw new AppError('validation', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return out as Config;
}

/** The yaml file's extra sections (e.g. `channels`), for the parts that read them. */
export function loadConfigSection(name: string, env: NodeJS.ProcessEnv = process.env): unknown {
  const file = env.PULSEGUARD_CONFIG ?? (existsSync('pulseguard.yaml') ? 'pulseguard.yaml' : undefined);
  if (!file) return undefined;
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
  return doc?.[name];
}
