// API authentication: one bearer token (configured, or generated once and stored hashed), compared
// in constant time; and a signed session cookie for the dashboard, so the token never sits in
// the browser's storage.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SettingsStore } from '../store/store.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest();
export const SESSION_COOKIE = 'pulseguard_session';
const SESSION_TTL_MS = 7 * 24 * 3600_000;

export interface Auth {
  /** True when `token` is the API token. */
  checkToken(token: string): boolean;
  /** A cookie value proving a sign-in, valid for a week. */
  issueSession(now?: number): string;
  checkSession(cookie: string, now?: number): boolean;
}

export interface AuthSetup {
  auth: Auth;
  /** Set when a token was generated now: print it once, it is stored only hashed. */
  generatedToken?: string;
}

/** Loads (or creates) the token hash and the session secret from settings. */
export async function setupAuth(settings: SettingsStore, configuredToken: string | null): Promise<AuthSetup> {
  let generatedToken: string | undefined;
  let hash: Buffer;
  if (configuredToken) {
    hash = sha256(configuredToken);
  } else {
    const stored = await settings.get('api_token_sha256');
    if (stored) hash = Buffer.from(stored, 'hex');
    else {
      generatedToken = `pg_${randomBytes(24).toString('base64url')}`;
      hash = sha256(generatedToken);
      await settings.set('api_token_sha256', hash.toString('hex'));
    }
  }
  let secret = await settings.get('session_secret');
  if (!secret) {
    secret = randomBytes(32).toString('hex');
    await settings.set('session_secret', secret);
    // Another api replica may have written first; use whichever is stored.
    secret = (await settings.get('session_secret')) ?? secret;
  }
  // Tie sessions to the token: rotating the token signs every browser out.
  const key = createHmac('sha256', secret).update(hash).digest();
  const sign = (exp: string) => createHmac('sha256', key).update(exp).digest('base64url');
  const auth: Auth = {
    checkToken: (token) => timingSafeEqual(sha256(token), hash),
    issueSession: (now = Date.now()) => {
      const exp = String(now + SESSION_TTL_MS);
      return `${exp}.${sign(exp)}`;
    },
    checkSession: (cookie, now = Date.now()) => {
      const [exp, mac] = cookie.split('.');
      if (!exp || !mac || !/^\d+$/.test(exp) || Number(exp) < now) return false;
      const want = Buffer.from(sign(exp));
      const got = Buffer.from(mac);
      return got.length === want.length && timingSafeEqual(got, want);
    },
  };
  return generatedToken ? { auth, generatedToken } : { auth };
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}
