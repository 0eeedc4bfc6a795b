// The API client: same-origin fetch with the HttpOnly session cookie (never a token in storage),
// JSON in and out, errors as ApiError carrying the API's `{error:{code,message,field}}`.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The input field at fault (dot path, e.g. `options.expected_status`). */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Fired on window when the API answers 401: the app shows the sign-in page. */
export const SIGNED_OUT_EVENT = 'pulseguard:signed-out';

interface ErrorBody {
  error?: { code?: string; message?: string; field?: string };
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!res.ok) {
    const e = (parsed as ErrorBody | null)?.error;
    if (res.status === 401 && path !== '/auth/session') window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? `${method} ${path} failed (${res.status})`, e?.field);
  }
  return parsed as T;
}

export const get = <T>(path: string) => api<T>('GET', path);

let pathsPromise: Promise<Set<string>> | null = null;

/**
 * API paths the server offers, from its OpenAPI document. Lets the dashboard hide features
 * (incidents, channels) that this server does not have yet, without a failing request.
 */
export function apiPaths(): Promise<Set<string>> {
  pathsPromise ??= get<{ paths?: Record<string, unknown> }>('/openapi.json')
    .then((doc) => new Set(Object.keys(doc.paths ?? {})))
    .catch(() => {
      pathsPromise = null;
      return new Set<string>();
    });
  return pathsPromise;
}

export async function hasPath(path: string): Promise<boolean> {
  return (await apiPaths()).has(path);
}
