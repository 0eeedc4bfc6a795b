// Fresh, migrated stores for tests. Embedded: an in-memory PGlite cloned from a migrated template
// (initdb costs seconds, a clone ~0.5 s); the template is cached in the OS temp dir under a hash of
// the PGlite version, its settings and every migration, so only the first test process pays.
// PostgreSQL: its own database pg_test_<random>, dropped by cleanup. Call needs(t, 'postgres') first.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import { EMBEDDED_SETTINGS, openEmbeddedDb, openPostgresDb } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { migrations } from '../../src/store/migrations/index.js';
import { sqlStore } from '../../src/store/sql/index.js';
import type { Store } from '../../src/store/store.js';
import { PG_URL } from './services.js';

export interface TestStore {
  store: Store;
  /** Closes the store and drops its database. */
  cleanup(): Promise<void>;
}

let template: Promise<Blob> | undefined;

function templateFile(): string {
  const pkg = readFileSync(new URL('../package.json', import.meta.resolve('@electric-sql/pglite')), 'utf8');
  const version = (JSON.parse(pkg) as { version: string }).version;
  const h = createHash('sha256').update(version).update(JSON.stringify(EMBEDDED_SETTINGS));
  for (const m of migrations) h.update(`${m.version}\0${m.name}\0${m.sql}\0`);
  return join(tmpdir(), `pulseguard-test-template-${h.digest('hex').slice(0, 16)}.tar.gz`);
}

function embeddedTemplate(): Promise<Blob> {
  template ??= (async () => {
    const file = templateFile();
    try {
      return new Blob([gunzipSync(readFileSync(file))]);
    } catch {
      // Not cached yet (or unreadable): build it.
    }
    const db = await openEmbeddedDb(null);
    let tar: Buffer;
    try {
      await migrate(db);
      tar = Buffer.from(await (await db.dumpDataDir()).arrayBuffer());
    } finally {
      await db.close();
    }
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, gzipSync(tar, { level: 1 }));
    renameSync(tmp, file); // atomic: concurrent test processes never read half a file
    return new Blob([tar]);
  })();
  return template;
}

/** A PostgreSQL URL for database `name` on the test server. */
export function pgUrl(name: string): string {
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs one statement on the test server's maintenance database. */
export async function pgAdmin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Creates an empty database pg_test_<random>; returns its name and a drop function. */
export async function createPgDatabase(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `pg_test_${randomBytes(6).toString('hex')}`;
  await pgAdmin(`CREATE DATABASE ${name}`);
  return { name, url: pgUrl(name), drop: () => pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** A migrated store of the given kind, empty, isolated from every other test. */
export async function testStore(kind: 'embedded' | 'postgres'): Promise<TestStore> {
  if (kind === 'embedded') {
    const db = await openEmbeddedDb(null, { template: await embeddedTemplate() });
    const store = sqlStore(db);
    return { store, cleanup: () => store.close() };
  }
  const database = await createPgDatabase();
  try {
    const store = sqlStore(await openPostgresDb(database.url, { poolSize: 4 }));
    await store.migrate();
    return {
      store,
      async cleanup() {
        await store.close();
        await database.drop();
      },
    };
  } catch (e: unknown) {
    await database.drop();
    throw e;
  }
}

// Fixtures live beside the contract suite (it cannot import from test/); re-exported for other tests.
export { probeResult, targetFields } from '../../src/store/store.contract.js';
