// The dashboard in headless Chromium against every role in one process: sign in, create a target
// on a local server, see it chart, make the server fail and see it go down live, edit, delete.
// Any console error or unexpected failed request fails the test. Screenshots: test-output/screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { needs } from '../helpers/services.js';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { ensureWebBuilt, launchBrowser, screenshot, watchPage, type Browser } from './browser.js';
import { syntheticHistory } from './history.js';

const STEP_MS = 10_000;

interface Local {
  server: Server;
  base: string;
  failing: Set<string>;
  /** Paths of POST requests received (webhook deliveries). */
  hits: string[];
}

/** A local site: /ok, /slow (20-60 ms), /fail (500); any path listed in `failing` answers 503. */
async function startSite(): Promise<Local> {
  const failing = new Set<string>();
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'POST') hits.push(path);
    const send = (status: number) => {
      res.writeHead(status, { 'content-type': 'text/plain', connection: 'close' });
      res.end(status < 400 ? 'ok' : 'unavailable');
    };
    if (failing.has(path) || path === '/fail') return send(path === '/fail' ? 500 : 503);
    if (path === '/slow') return void setTimeout(() => send(200), 20 + Math.random() * 40);
    send(200);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, failing, hits };
}

/** A small fleet with three days of history (rolled up), so every page has something to show. */
async function seedFleet(app: TestApp, site: Local): Promise<Record<string, number>> {
  const port = new URL(site.base).port;
  const fleet = [
    { name: 'storefront', url: `${site.base}/ok`, interval_s: 2, labels: { env: 'prod', team: 'web' } },
    { name: 'checkout-api', url: `${site.base}/slow`, interval_s: 2, labels: { env: 'prod', team: 'payments' } },
    { name: 'legacy-reports', url: `${site.base}/fail`, interval_s: 3, labels: { env: 'prod' } },
    { name: 'postgres-primary', url: `tcp://127.0.0.1:${port}`, interval_s: 3, labels: { env: 'prod', team: 'data' } },
    { name: 'staging-web', url: `${site.base}/ok`, interval_s: 5, enabled: false, labels: { env: 'staging' } },
  ];
  const ids: Record<string, number> = {};
  for (const t of fleet) {
    const r = await app.api('POST', '/targets', t);
    assert.equal(r.status, 201);
    ids[t.name] = r.body.id;
  }
  const now = Date.now();
  const from = now - 3 * 86_400_000;
  const to = now - 60_000;
  const hour = 3_600_000;
  const history = [
    ...syntheticHistory(ids['storefront']!, from, to, 300_000, { baseMs: 38, failRate: 0.002 }),
    ...syntheticHistory(ids['checkout-api']!, from, to, 300_000, { baseMs: 120, failRate: 0.004, slow: [{ from: now - 9 * hour, to: now - 8 * hour, factor: 3 }], outages: [[now - 20 * hour, now - 19.6 * hour]] }),
    ...syntheticHistory(ids['legacy-reports']!, from, to, 300_000, { baseMs: 210, failRate: 0.01, outages: [[now - 40 * 60_000, to]] }),
    ...syntheticHistory(ids['postgres-primary']!, from, to, 300_000, { baseMs: 4, kind: 'tcp' }),
  ];
  const { store } = app.running.deps;
  for (let i = 0; i < history.length; i += 1000) await store.results.insertBatch(history.slice(i, i + 1000));
  await store.results.rollup(new Date());
  return ids;
}

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('link', { name });
const row = (page: Page, name: string) => page.locator(`[data-testid="target-row"][data-name="${name}"]`);

test('dashboard: sign in, create a target, see it chart and go down live, edit and delete it', { timeout: 90_000 }, async (t) => {
  if (!(await needs(t, 'chromium'))) return;
  ensureWebBuilt();
  const site = await startSite();
  const app = await startTestApp();
  let browser: Browser | undefined;
  try {
    const fleet = await seedFleet(app, site);
    browser = await launchBrowser();
    const { page, context } = browser;
    page.setDefaultTimeout(STEP_MS);
    const watch = watchPage(page);
    const paths = (await app.api('GET', '/openapi.json')).body.paths as Record<string, unknown>;
    const hasIncidents = paths['/incidents'] !== undefined;
    const hasChannels = paths['/channels'] !== undefined;

    await t.test('signs in with the token; the session is an HttpOnly cookie, nothing in storage', async () => {
      await page.goto(app.url + '/');
      await page.getByLabel('API token').fill('wrong-token');
      watch.expect('POST', '/auth/session', 401);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'wrong token' }).waitFor();
      await screenshot(page, 'sign-in');
      await page.getByLabel('API token').fill(TEST_TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      const cookie = (await context.cookies()).find((c) => c.name === 'pulseguard_session');
      assert.ok(cookie, 'a session cookie is set');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Strict');
      assert.equal(await page.evaluate('JSON.stringify([localStorage.length, sessionStorage.length])'), '[0,0]');
      await page.locator('[data-testid="live-state"]', { hasText: 'Live' }).waitFor();
    });

    let id = 0;
    await t.test('creates a target; an API validation error shows next to its field', async () => {
      await nav(page, 'Manage').click();
      await page.getByRole('link', { name: 'New target' }).first().click();
      await page.locator('#f-name').fill('e2e-web');
      await page.locator('#f-url').fill(`${site.base}/e2e`);
      await page.locator('#f-interval_s').fill('2');
      await page.locator('#f-timeout_ms').fill('5000');
      await page.locator('[data-field="options.method"] select').waitFor();
      watch.expect('POST', '/targets', 400);
      await page.getByRole('button', { name: 'Create target' }).click();
      const err = page.locator('[data-field="timeout_ms"] .field-error');
      await err.waitFor();
      assert.match(await err.innerText(), /timeout_ms.*must not exceed the interval/);
      await screenshot(page, 'target-form');
      await page.locator('#f-timeout_ms').fill('1500');
      await page.getByRole('button', { name: 'Create target' }).click();
      await page.getByTestId('target-name').filter({ hasText: 'e2e-web' }).waitFor();
      id = Number(/\/ui\/targets\/(\d+)/.exec(page.url())?.[1]);
      assert.ok(id > 0);
    });

    await t.test('the detail page charts the probes and goes down live when the server fails', async () => {
      await page.evaluate('window.__noReload = true');
      await page.getByRole('button', { name: '1h', exact: true }).click();
      await page.locator('[data-testid="latency-chart"]:not([data-points="0"])').waitFor();
      await page.locator('[data-testid="recent-results"] tbody tr').first().waitFor();
      await page.locator('.badge[data-status="up"]').waitFor();
      site.failing.add('/e2e');
      await page.locator('.badge[data-status="down"]').waitFor();
      await page.locator('[data-testid="recent-results"] .pill.bad').first().waitFor();
      assert.equal(await page.evaluate('window.__noReload === true'), true, 'the page was not reloaded');
      await screenshot(page, 'target-down');
    });

    await t.test('a target with history charts 24 h from rollups, with breakdown and daily uptime', async () => {
      await page.goto(`${app.url}/ui/targets/${fleet['checkout-api']}`);
      await page.locator('[data-testid="latency-chart"]').and(page.locator('[data-points]:not([data-points="0"]):not([data-points="1"])')).waitFor();
      const points = Number(await page.getByTestId('latency-chart').getAttribute('data-points'));
      assert.ok(points > 200, `24 h of 5-minute history gives > 200 buckets, got ${points}`);
      await page.getByTestId('breakdown').getByText('503').waitFor();
      await page.locator('[data-testid="uptime-bar"] .cell:not(.cell-none)').first().waitFor();
      await screenshot(page, 'target-detail');
    });

    await t.test('the overview lists the down target first, live', async () => {
      await nav(page, 'Overview').click();
      await row(page, 'e2e-web').and(page.locator('[data-status="down"]')).waitFor();
      const first = await page.locator('[data-testid="target-row"]').first().getAttribute('data-status');
      assert.equal(first, 'down', 'problems come first');
      await page.locator('canvas.spark').first().waitFor();
      await screenshot(page, 'overview');
    });

    await t.test(`incidents page ${hasIncidents ? 'shows the outage, live, and acknowledges it' : 'says there are none yet'}`, async () => {
      await nav(page, 'Incidents').click();
      if (hasIncidents) {
        const incident = page.locator('[data-testid="incident"][data-kind="down"]').filter({ hasText: 'e2e-web' }).first();
        await incident.waitFor({ timeout: 20_000 });
        await incident.getByRole('button', { name: 'Acknowledge' }).click();
        await incident.getByText('acknowledged by dashboard').waitFor();
      } else {
        await page.getByTestId('no-incidents').waitFor();
      }
      await screenshot(page, 'incidents');
    });

    await t.test(`channels ${hasChannels ? 'are created and sent a test' : 'are hidden without the channels API'}`, async () => {
      await nav(page, 'Manage').click();
      await page.locator('[data-testid="manage-row"]').first().waitFor();
      if (!hasChannels) return void assert.equal(await page.getByTestId('channels').count(), 0);
      const section = page.getByTestId('channels');
      await section.locator('#ch-type').selectOption('webhook');
      await section.locator('#ch-name').fill('ops-webhook');
      await section.locator('#f-config-url').fill(`${site.base}/hook`);
      await section.getByRole('button', { name: 'Add channel' }).click();
      const row = section.locator('tr', { hasText: 'ops-webhook' });
      await row.getByRole('button', { name: 'Send test' }).click();
      await row.getByText('test sent').waitFor();
      assert.ok(site.hits.includes('/hook'), 'the webhook received the test');
    });

    await t.test('edits and deletes the target', async () => {
      site.failing.delete('/e2e');
      await page.goto(`${app.url}/ui/targets/${id}/edit`);
      await page.locator('#f-name').fill('e2e-web-renamed');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByTestId('target-name').filter({ hasText: 'e2e-web-renamed' }).waitFor();
      await page.locator('.badge[data-status="up"]').waitFor();
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('button', { name: 'Confirm delete' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await row(page, 'storefront').waitFor();
      assert.equal(await row(page, 'e2e-web-renamed').count(), 0);
      assert.equal((await app.api('GET', `/targets/${id}`)).status, 404);
      await nav(page, 'Manage').click();
      await page.locator('[data-testid="manage-row"]').first().waitFor();
      await screenshot(page, 'manage');
    });

    await t.test('the overview stays windowed with 10,000 targets: few rows in the DOM, the last one reachable', async () => {
      const items = Array.from({ length: 10_000 }, (_, i) => ({
        id: i + 1, name: `svc-${String(i).padStart(5, '0')}`, url: `https://svc-${i}.example/health`, enabled: true, labels: { env: i % 5 ? 'prod' : 'staging' },
        regions: [], status: i % 997 === 0 ? 'down' : 'up', latency_ms: 40 + (i % 50), last_ts: new Date().toISOString(), error_message: null,
        uptime_24h: 99.9, uptime_7d: 99.95, uptime_30d: 99.97, sparkline: Array.from({ length: 60 }, (_, k) => 40 + ((i + k) % 17)),
        regions_status: {}, open_incidents: 0,
      }));
      const body = JSON.stringify({ generated_at: new Date().toISOString(), down_quorum: 1, complete: true, items });
      await page.route('**/overview', (route) => route.fulfill({ status: 200, contentType: 'application/json', body }));
      try {
        await page.goto(`${app.url}/`);
        await page.getByTestId('count-all').filter({ hasText: '10000' }).waitFor();
        const rows = await page.locator('[data-testid="target-row"]').count();
        assert.ok(rows > 5 && rows < 60, `only the rows in view are rendered (${rows})`);
        assert.equal(await page.locator('[data-testid="target-row"]').first().getAttribute('data-status'), 'down');
        await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
        await row(page, 'svc-09999').waitFor();
        assert.ok((await page.locator('[data-testid="target-row"]').count()) < 60);
        await page.getByLabel('search').fill('svc-0424');
        await row(page, 'svc-04240').waitFor();
        assert.equal(await page.locator('[data-testid="target-row"]').count(), 10);
      } finally {
        await page.unroute('**/overview');
      }
    });

    watch.stop();
    assert.deepEqual(watch.problems, [], 'no console errors or failed requests');
  } finally {
    await browser?.close();
    await app.stop();
    site.server.close();
  }
});
