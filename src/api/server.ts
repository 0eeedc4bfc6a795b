// Builds the Fastify app of the api role: auth, error mapping, OpenAPI, routes. Routes are
// registered by one function per resource (src/api/routes/*.ts).
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { Config } from '../config/settings.js';
import type { Metrics } from '../metrics.js';
import type { LiveState } from '../services/live.js';
import type { TargetService } from '../services/targets.js';
import type { Store } from '../store/store.js';
import { SESSION_COOKIE, readCookie, type Auth } from './auth.js';
import { errorHandler } from './errors.js';
import { resultRoutes } from './routes/results.js';
import { systemRoutes } from './routes/system.js';
import { targetRoutes } from './routes/targets.js';

export interface ApiDeps {
  config: Config;
  store: Store;
  metrics: Metrics;
  auth: Auth;
  targets: TargetService;
  live: LiveState;
  /** Named dependency checks for `/ready`. */
  readiness: () => Promise<Record<string, boolean>>;
}

/** Extra route groups (dashboard, incidents, channels) plug in here. */
export type RouteGroup = (app: FastifyInstance, deps: ApiDeps) => void | Promise<void>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No authentication needed. */
    public?: boolean;
  }
}

export async function buildApi(deps: ApiDeps, extra: RouteGroup[] = []): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
  // JSON bodies are typed already: never coerce them ("42" is not a number). Query strings and
  // path parameters are text, so those are coerced.
  const strict = addFormats.default(new Ajv({ removeAdditional: false, coerceTypes: false, useDefaults: true, strict: false }));
  const coercing = addFormats.default(new Ajv({ removeAdditional: false, coerceTypes: 'array', useDefaults: true, strict: false }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => void reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } }));

  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config.public) return;
    if (!req.url.startsWith('/') || req.url.startsWith('/docs')) return;
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && !deps.config.auth_reads) return;
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ') && deps.auth.checkToken(header.slice(7).trim())) return;
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie && deps.auth.checkSession(cookie)) return;
    return reply.status(401).header('www-authenticate', 'Bearer').send({ error: { code: 'unauthorized', message: 'send the API token as "Authorization: Bearer <token>"', field: 'authorization' } });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'PulseGuard API', version: '0.1.0', description: 'Uptime, latency and anomaly monitoring. Authenticate with `Authorization: Bearer <token>`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  systemRoutes(app, deps);
  targetRoutes(app, deps);
  resultRoutes(app, deps);
  for (const group of extra) await group(app, deps);
  return app;
}
