// Chooses the store from configuration: PostgreSQL when a URL is given, else embedded PGlite.
import { openEmbeddedDb, openPostgresDb, type PostgresOptions } from './db.js';
import { sqlStore } from './sql/index.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** PostgreSQL URL; when set the embedded store is not used. */
  databaseUrl?: string | null;
  /** Embedded store directory; null = in memory (tests). Default './data'. */
  dataDir?: string | null;
  postgres?: PostgresOptions;
}

/** Opens (does not migrate) the store; call `store.migrate()` before use. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const db = opts.databaseUrl ? await openPostgresDb(opts.databaseUrl, opts.postgres) : await openEmbeddedDb(opts.dataDir === undefined ? './data' : opts.dataDir);
  return sqlStore(db);
}
