// Helpers for dashboard tests in a real browser: build the SPA when its sources changed, start
// Debian's Chromium headless on a fresh profile, and collect every console error and failed request.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM } from '../helpers/services.js';

const ROOT = new URL('../../', import.meta.url).pathname;
export const SCREENSHOT_DIR = join(ROOT, 'test-output/screenshots');
const DOCS_SCREENSHOTS = join(ROOT, 'docs/screenshots');

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = 0;
  for (const name of readdirSync(path)) if (name !== 'dist' && name !== 'node_modules') t = Math.max(t, newest(join(path, name)));
  return t;
}

/** Runs `vite build` unless web/dist is newer than every source of the dashboard. */
export function ensureWebBuilt(): void {
  const index = join(ROOT, 'web/dist/index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newest(join(ROOT, 'web'))) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'pulseguard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
    viewport: { width: 1360, height: 860 },
    colorScheme: 'dark',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface Watch {
  /** Every console error, page error and failed request not expected with `expect`. */
  problems: string[];
  /** Declares that `method path` may answer `status` once per call (e.g. a validation error the test provokes). */
  expect(method: string, path: string, status: number): void;
  stop(): void;
}

/** Watches a page: anything unexpected lands in `problems`, which the test asserts is empty. */
export function watchPage(page: Page): Watch {
  const allowed: { method: string; path: string; status: number }[] = [];
  const problems: string[] = [];
  let on = true;
  page.on('console', (m) => {
    if (!on || m.type() !== 'error') return;
    // Chromium also logs every HTTP error response; each is judged in 'response' below.
    if (/^Failed to load resource: the server responded with a status of \d+/.test(m.text())) return;
    problems.push(`console error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => on && problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A full navigation cancels the long-lived event stream; that is not a failure.
    if (!on || (new URL(r.url()).pathname === '/events' && r.failure()?.errorText === 'net::ERR_ABORTED')) return;
    problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  page.on('response', (r) => {
    if (!on || r.status() < 400) return;
    const path = new URL(r.url()).pathname;
    const i = allowed.findIndex((a) => a.method === r.request().method() && a.path === path && a.status === r.status());
    if (i >= 0) return void allowed.splice(i, 1);
    problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return {
    problems,
    expect: (method, path, status) => void allowed.push({ method, path, status }),
    stop: () => {
      on = false;
    },
  };
}

/** Saves a full-page screenshot under test-output/screenshots (and docs/screenshots with PULSEGUARD_SCREENSHOTS=1). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  if (process.env.PULSEGUARD_SCREENSHOTS === '1') {
    mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
    copyFileSync(file, join(DOCS_SCREENSHOTS, `${name}.png`));
  }
  return file;
}
