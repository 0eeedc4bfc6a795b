// A small structured logger: one JSON object per line on stderr. Values under keys that look like
// secrets are masked, and URLs lose their credentials and query, so secrets never reach logs.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /token|secret|password|webhook|authorization|api_key|routing_key|database_url/i;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Masks credentials in URL-looking strings: user:pass@ and the query string. */
export function scrubUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s/@]+@)?([^\s?#]*)(\?[^\s#]*)?/gi, (_m, scheme: string, cred: string | undefined, rest: string, q: string | undefined) =>
    `${scheme}${cred ? '***@' : ''}${rest}${q ? '?***' : ''}`,
  );
}

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_KEY.test(k) && v !== null && v !== undefined) out[k] = '****';
    else if (v instanceof Error) out[k] = scrubUrl(v.message);
    else if (typeof v === 'string') out[k] = scrubUrl(v);
    else out[k] = v;
  }
  return out;
}

export function createLogger(level: LogLevel | string = 'info', base: Record<string, unknown> = {}, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const min = LEVELS[(level as LogLevel) in LEVELS ? (level as LogLevel) : 'info'];
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg: scrubUrl(msg), ...base, ...(fields ? redact(fields) : {}) }) + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger(level, { ...base, ...redact(f) }, write),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = createLogger('error', {}, () => undefined);
