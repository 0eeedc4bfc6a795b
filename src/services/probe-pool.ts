// Probes in worker threads (setting `probe_threads`): the HTTP client's socket work (connect, TLS,
// parsing, close; over half of the main thread at 3,000 probes/s) moves off the thread that also
// schedules, stores and detects. Each probe goes to the thread with the fewest in flight; a thread
// that dies answers its probes with an error outcome and is replaced. See docs/decisions.md.
import type { Worker } from 'node:worker_threads';
import type { ProbeJob, ProbeOutcome } from '../domain/types.js';
import type { Logger } from '../util/log.js';
import { moduleWorker } from '../util/worker.js';
import { failedOutcome } from '../probes/net.js';
import type { PoolCall, PoolReply } from './probe-worker.js';

interface Slot {
  worker: Worker;
  inFlight: number;
}

interface Pending {
  slot: Slot;
  resolve(o: ProbeOutcome): void;
  done(): void;
}

export class ProbePool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing = false;

  constructor(threads: number, private readonly log?: Logger) {
    for (let i = 0; i < threads; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  /** Runs one job's probe in a thread; never throws (like runProbe). */
  run(job: ProbeJob, signal?: AbortSignal): Promise<ProbeOutcome> {
    if (this.closing) return Promise.resolve(failedOutcome({ cls: 'invalid', message: 'the probe threads are stopping' }));
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.inFlight < slot.inFlight) slot = s;
    const id = this.nextId++;
    const cancel = () => slot.worker.postMessage({ type: 'cancel', id } satisfies PoolCall);
    return new Promise<ProbeOutcome>((resolve) => {
      if (slot.inFlight++ === 0) slot.worker.ref();
      const done = () => {
        signal?.removeEventListener('abort', cancel);
        if (--slot.inFlight === 0) slot.worker.unref();
      };
      this.pending.set(id, { slot, resolve, done });
      slot.worker.postMessage({ type: 'probe', id, target: job.target } satisfies PoolCall);
      if (signal?.aborted) cancel();
      else signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  /** Stops the threads; probes still in flight answer with an error outcome. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = moduleWorker(import.meta.url, 'probe-worker');
    const slot: Slot = { worker, inFlight: 0 };
    worker.unref();
    worker.on('message', (m: PoolReply) => this.settle(m.id, m.outcome));
    worker.on('error', (e: Error) => this.log?.warn('a probe thread failed', { error: e.message }));
    worker.on('exit', (code) => {
      for (const [id, p] of this.pending) if (p.slot === slot) this.settle(id, failedOutcome({ cls: 'invalid', message: `the probe thread exited (code ${code})` }));
      const i = this.slots.indexOf(slot);
      if (!this.closing && i >= 0) this.slots[i] = this.spawn();
    });
    return slot;
  }

  private settle(id: number, outcome: ProbeOutcome): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.done();
    p.resolve(outcome);
  }
}
