// A lease in the store: at most one holder per name at a time (the active scheduler). The holder
// renews it every ttl/4; when it dies the lease expires and a standby takes it over.
import type { Db } from '../store/store.js';
import type { Logger } from '../util/log.js';
import { errorMessage } from '../errors.js';

export interface LeaseOptions {
  db: Db;
  name: string;
  holder: string;
  ttlMs: number;
  log: Logger;
  onAcquired: () => Promise<void>;
  onLost: () => Promise<void>;
}

/** Takes or renews the lease; true when `holder` holds it afterwards. */
export async function tryAcquire(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const rows = await db.query<{ holder: string }>(
    `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
     ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
     WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < now()
     RETURNING holder`,
    [name, holder, ttlMs],
  );
  return rows[0]?.holder === holder;
}

export class Lease {
  private timer: NodeJS.Timeout | undefined;
  private held = false;
  private stopped = false;
  private tick: Promise<void> = Promise.resolve();

  constructor(private readonly o: LeaseOptions) {}

  get isHeld(): boolean {
    return this.held;
  }

  start(): void {
    this.loop();
  }

  private loop(): void {
    if (this.stopped) return;
    this.tick = this.renew().finally(() => {
      if (!this.stopped) this.timer = setTimeout(() => this.loop(), Math.max(200, Math.floor(this.o.ttlMs / 4)));
    });
  }

  private async renew(): Promise<void> {
    let ok: boolean;
    try {
      ok = await tryAcquire(this.o.db, this.o.name, this.o.holder, this.o.ttlMs);
    } catch (e: unknown) {
      // The store is unreachable, so no standby can take the lease either: keep the current
      // state (an active scheduler keeps probing through a database outage).
      this.o.log.warn('lease renewal failed; keeping the current state', { lease: this.o.name, error: errorMessage(e) });
      return;
    }
    if (ok && !this.held) {
      this.held = true;
      this.o.log.info('lease acquired: this instance is active', { lease: this.o.name, holder: this.o.holder });
      await this.o.onAcquired();
    } else if (!ok && this.held) {
      this.held = false;
      this.o.log.warn('lease lost: this instance is standby', { lease: this.o.name });
      await this.o.onLost();
    }
  }

  /** Stops renewing and releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
    if (this.held) {
      this.held = false;
      await this.o.onLost();
      await this.o.db.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [this.o.name, this.o.holder]).catch(() => undefined);
    }
  }
}
