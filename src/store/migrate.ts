// Versioned schema migrations: TS modules exporting SQL (so tsc ships them), listed in order in
// migrations/index.ts. Each pending one runs in its own transaction under an advisory lock, so
// several processes starting at once apply each migration exactly once.
import type { Db } from './store.js';
import { migrations as all } from './migrations/index.js';

export interface Migration {
  /** Strictly increasing across the list; the file is named `<version padded to 4>-<name>.ts`. */
  version: number;
  name: string;
  /** One or more statements; no parameters. */
  sql: string;
}

/** pg_advisory_xact_lock key pair; the second number tells our locks apart (2: partitions, 3: rollups). */
export const LOCK_NAMESPACE = 724_1001;
const MIGRATE_LOCK = 1;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** Throws when versions are not strictly increasing (a bad merge of two new migrations). */
export function checkOrder(list: readonly Migration[]): void {
  for (let i = 1; i < list.length; i++) {
    const prev = list[i - 1]!;
    const cur = list[i]!;
    if (cur.version <= prev.version) throw new Error(`migration ${cur.version}-${cur.name} is listed after ${prev.version}-${prev.name}`);
  }
}

async function appliedVersions(db: Db): Promise<Set<number> | null> {
  const [reg] = await db.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!reg?.t) return null;
  const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
  return new Set(rows.map((r) => r.version));
}

/** Applies every pending migration; returns how many this call applied. */
export async function migrate(db: Db, list: readonly Migration[] = all): Promise<number> {
  checkOrder(list);
  const done = await appliedVersions(db);
  if (done && list.every((m) => done.has(m.version))) return 0;
  let applied = 0;
  for (const m of list) {
    if (done?.has(m.version)) continue;
    const ran = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, MIGRATE_LOCK]);
      await tx.exec(CREATE_TABLE);
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (seen.length > 0) return false;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (ran) applied++;
  }
  return applied;
}
