// Serving the built dashboard: index.html for the SPA's paths, hashed assets cached for a year,
// and API routes never shadowed (a non-HTML request to an unknown path still gets JSON 404).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiDeps } from './server.js';
import { staticRoutes } from './static.js';

let root: string;
let app: FastifyInstance;
const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'pulseguard-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>PulseGuard</title><div id="root"></div>');
  writeFileSync(join(root, 'assets/index-abc123.js'), 'console.log(1)');
  writeFileSync(join(root, 'robots.txt'), 'User-agent: *');
  app = Fastify();
  app.get('/targets/:id', async () => ({ id: 1 }));
  await staticRoutes(root)(app, {} as ApiDeps);
});

after(async () => {
  await app?.close();
  rmSync(root, { recursive: true, force: true });
});

test('/ and any unknown path that accepts HTML get index.html, not cached, with a content security policy', async () => {
  for (const url of ['/', '/ui/targets/7', '/ui/incidents?x=1']) {
    const r = await app.inject({ url, headers: html });
    assert.equal(r.statusCode, 200, url);
    assert.match(r.headers['content-type'] as string, /text\/html/);
    assert.match(r.body, /<div id="root">/);
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.match(r.headers['content-security-policy'] as string, /script-src 'self'/);
  }
});

test('hashed assets are cached for a year; a missing asset is a JSON 404', async () => {
  const r = await app.inject({ url: '/assets/index-abc123.js' });
  assert.equal(r.statusCode, 200);
  assert.match(r.headers['cache-control'] as string, /max-age=31536000.*immutable/);
  const missing = await app.inject({ url: '/assets/nope.js', headers: html });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, 'not_found');
  assert.equal((await app.inject({ url: '/assets/..%2Findex.html' })).statusCode, 404);
});

test('API routes win over the SPA fallback, even for a browser asking for HTML', async () => {
  const r = await app.inject({ url: '/targets/1', headers: html });
  assert.deepEqual(r.json(), { id: 1 });
});

test('a non-HTML request to an unknown path gets the API JSON 404; top-level files are served', async () => {
  const r = await app.inject({ url: '/nope', headers: { accept: 'application/json' } });
  assert.equal(r.statusCode, 404);
  assert.deepEqual(r.json(), { error: { code: 'not_found', message: 'no route GET /nope' } });
  const robots = await app.inject({ url: '/robots.txt' });
  assert.equal(robots.body, 'User-agent: *');
});

test('without a built dashboard nothing is registered', async () => {
  const bare = Fastify();
  await staticRoutes(join(root, 'missing'))(bare, {} as ApiDeps);
  assert.equal((await bare.inject({ url: '/', headers: html })).statusCode, 404);
  await bare.close();
});
