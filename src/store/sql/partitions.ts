// Daily (UTC) partitions of `probes`, named probes_pYYYYMMDD. insertBatch asks for the days of its
// rows; missing ones are created under an advisory lock (several processes may race at midnight),
// and retention drops whole days. Which days exist is cached per process.
import { LOCK_NAMESPACE } from '../migrate.js';
import type { Db } from '../store.js';

export const DAY_MS = 86_400_000;
const PARTITION_LOCK = 2;
const NAME = /^probes_p(\d{4})(\d{2})(\d{2})$/;

/** Days since the epoch (UTC) of a ms timestamp. */
export const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

export function partitionName(day: number): string {
  return `probes_p${new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

function dayOfName(name: string): number | null {
  const m = NAME.exec(name);
  return m ? dayOf(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
}

const sqlState = (e: unknown) => (e instanceof Error ? (e as { code?: unknown }).code : undefined);

/** 42P07 duplicate_table, or 23505 on pg_type when two sessions create the same table at once. */
export const isDuplicateTable = (e: unknown) => sqlState(e) === '42P07' || sqlState(e) === '23505';

/** 23514 "no partition of relation found for row": another process dropped a day we had cached. */
export const isMissingPartition = (e: unknown) => sqlState(e) === '23514' && e instanceof Error && /no partition/i.test(e.message);

export class Partitions {
  private known = new Set<number>();

  constructor(private readonly db: Db) {}

  /** Makes sure a partition exists for each day (days since the epoch). */
  async ensure(days: Iterable<number>): Promise<void> {
    const missing = [...new Set(days)].filter((d) => !this.known.has(d));
    if (missing.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.transaction(async (tx) => {
          await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, PARTITION_LOCK]);
          for (const day of missing) {
            const from = new Date(day * DAY_MS).toISOString();
            const to = new Date((day + 1) * DAY_MS).toISOString();
            await tx.exec(`CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF probes FOR VALUES FROM ('${from}') TO ('${to}')`);
          }
        });
        break;
      } catch (e: unknown) {
        // Someone outside our lock (an older version, a human) created it first: look again.
        if (attempt >= 3 || !isDuplicateTable(e)) throw e;
      }
    }
    for (const day of missing) this.known.add(day);
  }

  /** Forgets the cache (after a missing-partition error). */
  forget(): void {
    this.known.clear();
  }

  /** Existing partitions' days, oldest first. */
  async list(tx: Db = this.db): Promise<number[]> {
    const rows = await tx.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'probes'::regclass`,
    );
    return rows.map((r) => dayOfName(r.name)).filter((d): d is number => d !== null).sort((a, b) => a - b);
  }

  /**
   * Drops every partition that ends at or before `before` and deletes the rows before it in the
   * one that straddles it. Returns partitions dropped plus rows deleted.
   */
  async dropBefore(before: Date): Promise<number> {
    const cutoff = before.getTime();
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, PARTITION_LOCK]);
      let dropped = 0;
      for (const day of await this.list(tx)) {
        if ((day + 1) * DAY_MS > cutoff) break;
        await tx.exec(`DROP TABLE IF EXISTS ${partitionName(day)}`);
        this.known.delete(day);
        dropped++;
      }
      const [row] = await tx.query<{ n: number }>('WITH d AS (DELETE FROM probes WHERE ts < $1 RETURNING 1) SELECT count(*)::int AS n FROM d', [before.toISOString()]);
      return dropped + (row?.n ?? 0);
    });
  }
}
