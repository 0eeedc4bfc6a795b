// The ingester: buffers results from the bus and writes them in batches. Each message is acked
// only after its batch is stored, so a crash or a database outage loses nothing (the bus
// redelivers); ids make the rewrite idempotent.
import type { Bus, Subscription } from '../bus/bus.js';
import type { ProbeResult } from '../domain/types.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/log.js';
import { errorMessage } from '../errors.js';

export interface IngesterOptions {
  store: Store;
  bus: Bus;
  metrics: Metrics;
  log: Logger;
  batchSize: number;
  flushMs: number;
}

interface Pending {
  result: ProbeResult;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Batches written at once. A single writer leaves the database idle while the next batch is built
 * and the bus is read; two overlap those. Rows of one batch take locks in target order (see the
 * insert's ORDER BY), so concurrent batches cannot deadlock on latest_results.
 */
const WRITERS = 2;

export class Ingester {
  private sub: Subscription | undefined;
  private buffer: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Batches cut from the buffer, waiting for a free writer. */
  private readonly queued: Pending[][] = [];
  private readonly writing = new Set<Promise<void>>();
  private lastWriteOk = true;

  constructor(private readonly o: IngesterOptions) {}

  async start(): Promise<void> {
    this.sub = await this.o.bus.consume(
      'results',
      // A result unacked for 15 s (its ingester died) goes to another ingester; a slow write that
      // outlives it only causes a duplicate, which the id makes harmless.
      { group: 'ingester', concurrency: this.o.batchSize * 4, ackWaitMs: 15_000 },
      (msg) => new Promise<void>((resolve, reject) => this.add({ result: msg.data, resolve, reject })),
    );
  }

  /** Whether the last write succeeded; the role's readiness also pings the store. */
  get healthy(): boolean {
    return this.lastWriteOk;
  }

  async stop(): Promise<void> {
    const closing = this.sub?.close();
    await this.flush();
    await closing;
    await this.flush();
  }

  private add(p: Pending): void {
    this.buffer.push(p);
    this.o.metrics.ingestPending.inc();
    if (this.buffer.length >= this.o.batchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.o.flushMs);
    }
  }

  /** Cuts the buffer into batches and resolves when every batch so far is written (or failed). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { batchSize } = this.o;
    const all = this.buffer.splice(0, this.buffer.length);
    for (let i = 0; i < all.length; i += batchSize) this.queued.push(all.slice(i, i + batchSize));
    this.pump();
    while (this.writing.size > 0) await Promise.all(this.writing);
  }

  private pump(): void {
    while (this.writing.size < WRITERS && this.queued.length > 0) {
      const w: Promise<void> = this.write(this.queued.shift()!).finally(() => {
        this.writing.delete(w);
        this.pump();
      });
      this.writing.add(w);
    }
  }

  /** Never rejects: a failed batch is rejected message by message, and the bus redelivers it. */
  private async write(chunk: Pending[]): Promise<void> {
    const { store, metrics, log } = this.o;
    const end = metrics.storeWrite.startTimer();
    try {
      const written = await store.results.insertBatch(chunk.map((p) => p.result));
      end();
      metrics.ingested.inc(written);
      this.lastWriteOk = true;
      for (const p of chunk) p.resolve();
    } catch (e: unknown) {
      metrics.ingestErrors.inc();
      if (this.lastWriteOk) log.warn('result batch write failed; the bus will redeliver', { rows: chunk.length, error: errorMessage(e) });
      this.lastWriteOk = false;
      for (const p of chunk) p.reject(e);
    } finally {
      metrics.ingestPending.dec(chunk.length);
    }
  }
}
