#!/usr/bin/env node
// Builds the server (tsc -> dist/) and, when present, the dashboard (vite -> web/dist/).
// --if-needed skips a part whose output is newer than every source file (used by `npm start`).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const ifNeeded = process.argv.includes('--if-needed');

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

function stale(output, ...sources) {
  if (!ifNeeded || !existsSync(output)) return true;
  const out = statSync(output).mtimeMs;
  return sources.some((s) => newest(s) > out);
}

function run(cmd, args) {
  console.log(`> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (stale(join(root, 'dist/cli.js'), join(root, 'src'))) {
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
}
if (existsSync(join(root, 'web/vite.config.ts')) && stale(join(root, 'web/dist/index.html'), join(root, 'web'))) {
  run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts']);
}
