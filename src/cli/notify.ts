// `pulseguard notify test|channels`: a client of a running API, like `targets`.
import { AppError } from '../errors.js';
import { allowFlags, flagString, type Parsed } from './args.js';
import { client } from './targets.js';

export const NOTIFY_HELP = `Usage: pulseguard notify test --channel ID
       pulseguard notify channels [--json]

  test      send a test notification through channel ID now; exits 1 when the channel refused it
  channels  list the notification channels (secrets masked)

Talks to a running API: --api-url (PULSEGUARD_API_URL, default http://localhost:8080) with
--token (PULSEGUARD_API_TOKEN).
`;

interface TestReply {
  ok: boolean;
  status?: number;
  error?: string;
}

export async function notifyCommand(p: Parsed, out: (s: string) => void): Promise<number> {
  const [, sub] = p.positionals;
  const common = ['api-url', 'token'];
  const api = client(p);
  switch (sub) {
    case 'test': {
      allowFlags(p, [...common, 'channel']);
      const id = flagString(p, 'channel');
      if (!id || !/^\d+$/.test(id)) throw new AppError('validation', 'notify test needs --channel ID (a numeric channel id; see "pulseguard notify channels")', 'channel');
      const r = (await api.call('POST', `/channels/${id}/test`, { requested_by: 'the pulseguard CLI' })) as TestReply;
      if (r.ok) {
        out(`test notification sent through channel ${id}${r.status ? ` (${r.status})` : ''}`);
        return 0;
      }
      out(`test notification through channel ${id} failed: ${r.error ?? 'unknown error'}`);
      return 1;
    }
    case 'channels': {
      allowFlags(p, [...common, 'json']);
      const list = (await api.call('GET', '/channels')) as Array<Record<string, unknown>>;
      if (p.flags.json) return out(JSON.stringify(list, null, 2)), 0;
      out(['ID', 'TYPE', 'ENABLED', 'DEFAULT', 'NAME'].join('\t'));
      for (const c of list) out([c.id, c.type, c.enabled ? 'yes' : 'no', c.default ? 'yes' : 'no', c.name].join('\t'));
      return 0;
    }
    default:
      out(NOTIFY_HELP);
      return sub ? 2 : 0;
  }
}
