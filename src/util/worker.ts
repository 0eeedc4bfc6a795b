// Starts a worker thread from a module next to the caller, built or from source alike.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * `new Worker` for `<name>.js` beside `base` (the caller's `import.meta.url`). From source (tsx,
 * in development and tests) tsx's loader hooks do not reach worker threads, so the worker
 * registers them before it imports the `.ts` file.
 */
export function moduleWorker(base: string, name: string, options: WorkerOptions = {}): Worker {
  if (base.endsWith('.ts')) {
    const src = JSON.stringify(new URL(`./${name}.ts`, base).href);
    return new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${src}); })`, { ...options, eval: true });
  }
  return new Worker(new URL(`./${name}.js`, base), options);
}
