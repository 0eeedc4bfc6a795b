// Health, readiness, Prometheus metrics, dashboard sign-in and live events (SSE).
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../server.js';
import { SESSION_COOKIE, readCookie } from '../auth.js';
import { AppError } from '../../errors.js';
import type { ProbeResult } from '../../domain/types.js';

export function systemRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const pub = { public: true };
  app.get('/health', { config: pub, schema: { tags: ['system'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

  app.get('/ready', { config: pub, schema: { tags: ['system'], summary: 'Readiness: the store, the bus and every role in this process can work' } }, async (_req, reply) => {
    const checks = await deps.readiness();
    const ready = Object.values(checks).every(Boolean);
    return reply.status(ready ? 200 : 503).send({ ready, checks });
  });

  app.get('/metrics', { config: pub, schema: { tags: ['system'], summary: 'Prometheus metrics (text format)' } }, async (_req, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });

  app.post<{ Body: { token: string } }>('/auth/session', {
    config: pub,
    schema: { tags: ['auth'], summary: 'Sign in with the API token; sets an HttpOnly session cookie', body: { type: 'object', additionalProperties: false, required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 500 } } } },
  }, async (req, reply) => {
    if (!deps.auth.checkToken(req.body.token)) throw new AppError('unauthorized', 'wrong token', 'token');
    const secure = req.protocol === 'https' ? '; Secure' : '';
    void reply.header('set-cookie', `${SESSION_COOKIE}=${deps.auth.issueSession()}; HttpOnly; SameSite=Strict; Path=/; Max-Age=604800${secure}`);
    return { authenticated: true };
  });

  app.get('/auth/session', { config: pub, schema: { tags: ['auth'], summary: 'Whether this browser is signed in' } }, async (req) => {
    const c = readCookie(req.headers.cookie, SESSION_COOKIE);
    return { authenticated: Boolean(c && deps.auth.checkSession(c)), auth_reads: deps.config.auth_reads };
  });

  app.delete('/auth/session', { config: pub, schema: { tags: ['auth'], summary: 'Sign out' } }, async (_req, reply) => {
    void reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    return { authenticated: false };
  });

  app.get('/events', { schema: { tags: ['system'], summary: 'Server-Sent Events: `result`, `incident` and `target` events as they happen' } }, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    const send = (event: string) => (data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const onResult = send('result') as (r: ProbeResult) => void;
    const onIncident = send('incident');
    const onTarget = send('target');
    deps.live.on('result', onResult);
    deps.live.on('incident', onIncident);
    deps.live.on('target', onTarget);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.raw.on('close', () => {
      clearInterval(ping);
      deps.live.off('result', onResult);
      deps.live.off('incident', onIncident);
      deps.live.off('target', onTarget);
    });
  });
}
