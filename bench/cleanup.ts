// Undo stack for benchmarks: what a run creates (databases, streams, processes) is pushed here and
// undone in reverse on success, error, SIGINT or SIGTERM; a second signal exits at once.
import { errorMessage } from '../src/errors.js';

export const cleanups: Array<() => Promise<unknown>> = [];
let cleaning: Promise<void> | undefined;

/** Undoes the steps pushed after the first `keep` ones. */
export async function unwind(keep: number): Promise<void> {
  while (cleanups.length > keep) await cleanups.pop()!().catch((e: unknown) => console.error(`cleanup: ${errorMessage(e)}`));
}

/** Undoes everything (once; later calls share the first). */
export function cleanup(): Promise<void> {
  cleaning ??= unwind(0);
  return cleaning;
}

/** Whether a cleanup has started (the run is being stopped). */
export const stopping = (): boolean => cleaning !== undefined;

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (cleaning) {
      console.error(`${sig} again: exiting without finishing the cleanup`);
      process.exit(130);
    }
    console.error(`${sig}: cleaning up (${sig} again exits at once)`);
    void cleanup().finally(() => process.exit(130));
  });
}
