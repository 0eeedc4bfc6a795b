// Process entry for running from source (tests, `node --import tsx src/main.ts ...`); the
// installed `bin/pulseguard.js` does the same with the compiled code.
import { main } from './cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack ?? err.message : String(err));
    process.exitCode = 1;
  },
);
