#!/usr/bin/env -S node --max-semi-space-size=4
// Entry point: runs the compiled CLI (`npm run build` writes dist/).
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : String(err)); process.exitCode = 1; },
);
