// `pulseguard targets list|add|rm`: a client of a running API.
import { AppError } from '../errors.js';
import { allowFlags, flagInt, flagString, type Parsed } from './args.js';

export const TARGETS_HELP = `Usage: pulseguard targets list
       pulseguard targets add --name NAME --url URL [--interval-s N] [--timeout-ms N] [--type KIND]
                              [--regions a,b] [--json '{"options": {...}}']
       pulseguard targets rm ID

Talks to a running API: --api-url (PULSEGUARD_API_URL, default http://localhost:8080) with
--token (PULSEGUARD_API_TOKEN).
`;

export interface Client {
  call(method: string, path: string, body?: unknown): Promise<unknown>;
}

/** A client of the running API named by --api-url / --token (also used by other commands). */
export function client(p: Parsed): Client {
  const base = (flagString(p, 'api-url') ?? process.env.PULSEGUARD_API_URL ?? `http://localhost:${process.env.PULSEGUARD_PORT ?? 8080}`).replace(/\/$/, '');
  const token = flagString(p, 'token') ?? process.env.PULSEGUARD_API_TOKEN;
  return {
    async call(method, path, body) {
      let res: Response;
      try {
        res = await fetch(base + path, {
          method,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch (e: unknown) {
        throw new AppError('unavailable', `cannot reach the API at ${base}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`);
      }
      const text = await res.text();
      const json: unknown = text ? JSON.parse(text) : null;
      if (!res.ok) {
        const err = (json as { error?: { message?: string; field?: string } } | null)?.error;
        throw new AppError(res.status === 401 ? 'unauthorized' : res.status === 404 ? 'not_found' : 'validation', `API ${res.status}: ${err?.message ?? text}${res.status === 401 ? ' (pass --token or set PULSEGUARD_API_TOKEN)' : ''}`, err?.field);
      }
      return json;
    },
  };
}

export async function targetsCommand(p: Parsed, out: (s: string) => void): Promise<number> {
  const [, sub, arg] = p.positionals;
  const common = ['api-url', 'token'];
  const api = client(p);
  switch (sub) {
    case 'list': {
      allowFlags(p, [...common, 'json']);
      const list = (await api.call('GET', '/targets')) as Array<Record<string, unknown>>;
      if (p.flags.json) return out(JSON.stringify(list, null, 2)), 0;
      out(['ID', 'STATUS', 'INTERVAL', 'NAME', 'URL'].join('\t'));
      for (const t of list) out([t.id, t.status ?? '', `${String(t.interval_s)}s`, t.name, t.url].join('\t'));
      return 0;
    }
    case 'add': {
      allowFlags(p, [...common, 'name', 'url', 'interval-s', 'timeout-ms', 'type', 'regions', 'json']);
      const extra = flagString(p, 'json');
      const body: Record<string, unknown> = extra ? (JSON.parse(extra) as Record<string, unknown>) : {};
      const name = flagString(p, 'name');
      const url = flagString(p, 'url');
      if (name) body.name = name;
      if (url) body.url = url;
      const interval = flagInt(p, 'interval-s');
      if (interval !== undefined) body.interval_s = interval;
      const timeout = flagInt(p, 'timeout-ms');
      if (timeout !== undefined) body.timeout_ms = timeout;
      const type = flagString(p, 'type');
      if (type) body.type = type;
      const regions = flagString(p, 'regions');
      if (regions) body.regions = regions.split(',').map((s) => s.trim());
      const t = (await api.call('POST', '/targets', body)) as { id: number; name: string };
      out(`created target ${t.id} (${t.name})`);
      return 0;
    }
    case 'rm': {
      allowFlags(p, common);
      if (!arg || !/^\d+$/.test(arg)) throw new AppError('validation', 'targets rm needs a numeric target id', 'id');
      await api.call('DELETE', `/targets/${arg}`);
      out(`deleted target ${arg}`);
      return 0;
    }
    default:
      out(TARGETS_HELP);
      return sub ? 2 : 0;
  }
}
