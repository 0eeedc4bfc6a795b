// Housekeeping the active scheduler runs: rollups every minute, retention every hour.
import type { Store } from '../store/store.js';
import type { Logger } from '../util/log.js';
import { errorMessage } from '../errors.js';

export class Maintenance {
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: { store: Store; log: Logger; retentionDays: number }) {}

  start(): void {
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const run = () => {
        this.running = this.running.then(fn).catch((e: unknown) => this.o.log.warn('maintenance failed', { error: errorMessage(e) }));
      };
      run();
      const t = setInterval(run, ms);
      t.unref();
      this.timers.push(t);
    };
    every(60_000, () => this.o.store.results.rollup(new Date()));
    every(3600_000, () => this.o.store.results.deleteBefore(new Date(Date.now() - this.o.retentionDays * 86400_000)));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.running;
  }
}
