// `pulseguard migrate`: applies pending store migrations and exits.
import { loadConfig } from '../config/load.js';
import { openStore } from '../store/open.js';
import { allowFlags, flagString, type Parsed } from './args.js';

export const MIGRATE_HELP = `Usage: pulseguard migrate [--data-dir DIR] [--config FILE]

Applies pending schema migrations to the store (PostgreSQL when DATABASE_URL is set, else the
embedded store under the data directory) and exits. Safe to run while other processes start.
`;

export async function migrateCommand(p: Parsed, out: (s: string) => void): Promise<number> {
  allowFlags(p, ['data-dir', 'config']);
  const dataDir = flagString(p, 'data-dir');
  const file = flagString(p, 'config');
  const config = loadConfig({ overrides: dataDir ? { data_dir: dataDir } : {}, ...(file ? { file } : {}) });
  const store = await openStore({ databaseUrl: config.database_url ?? undefined, dataDir: config.data_dir });
  try {
    await store.migrate();
    out(`migrations applied (${store.kind} store)`);
  } finally {
    await store.close();
  }
  return 0;
}
