// The compiled server (dist/), built first when stale, so a benchmark measures the code `npm start`
// runs: tsx's transform wraps every closure in a helper call, which shows on hot paths.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

let built = false;

/** Runs `scripts/build.mjs --if-needed` once per process; throws when the build fails. */
export function buildIfNeeded(): void {
  if (built) return;
  const r = spawnSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url)), '--if-needed'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
  built = true;
}

/** Imports `dist/<module>` (e.g. `roles/run.js`), typed as its source: `fromDist<typeof import('../src/roles/run.js')>(…)`. */
export async function fromDist<T>(module: string): Promise<T> {
  buildIfNeeded();
  return (await import(new URL(`../dist/${module}`, import.meta.url).href)) as T;
}
