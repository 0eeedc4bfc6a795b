// Serves the built dashboard (web/dist) at /: hashed assets cached for a year, index.html for
// any other GET that wants HTML (the SPA routes itself). API routes always win: Fastify matches
// static paths before the `/*` fallback, and a non-HTML request to an unknown path gets JSON 404.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteGroup } from './server.js';

/** web/dist relative to this file, from src/api/ (tsx) and dist/api/ (built) alike. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

// The SPA's own policy: scripts, styles and data only from this origin (inline style attributes
// set from script, as React and uPlot do, are not affected).
const HTML_HEADERS = {
  'cache-control': 'no-cache',
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const wantsHtml = (req: FastifyRequest) => (req.headers.accept ?? '').includes('text/html');

/** A RouteGroup serving the dashboard; does nothing when `root` has no index.html (not built). */
export function staticRoutes(root = DEFAULT_WEB_ROOT): RouteGroup {
  return async (app) => {
    if (!existsSync(join(root, 'index.html'))) return;
    await app.register(fastifyStatic, { root, serve: false });
    const pub = { public: true };
    const hide = { hide: true };
    const sendIndex = (reply: FastifyReply) => reply.headers(HTML_HEADERS).sendFile('index.html', root, { cacheControl: false });
    const notFound = (req: FastifyRequest, reply: FastifyReply) =>
      reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } });

    app.get('/', { config: pub, schema: hide }, (_req, reply) => sendIndex(reply));

    app.get<{ Params: { '*': string } }>('/assets/*', { config: pub, schema: hide }, (req, reply) => {
      const file = req.params['*'];
      if (!file || file.includes('..') || !existsSync(join(root, 'assets', file))) return notFound(req, reply);
      return reply.header('x-content-type-options', 'nosniff').sendFile(`assets/${file}`, root, { maxAge: '365d', immutable: true });
    });

    app.get<{ Params: { '*': string } }>('/*', { config: pub, schema: hide }, (req, reply) => {
      const file = req.params['*'];
      // Top-level files copied from web/public (favicon, robots.txt), cached briefly.
      if (/^[\w.-]+\.\w+$/.test(file) && file !== 'index.html' && existsSync(join(root, file))) return reply.sendFile(file, root, { maxAge: '1h' });
      if (wantsHtml(req)) return sendIndex(reply);
      return notFound(req, reply);
    });
  };
}
