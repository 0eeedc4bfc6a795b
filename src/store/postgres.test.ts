import assert from 'node:assert/strict';
import { test } from 'node:test';
import { needs } from '../../test/helpers/services.js';
import { createPgDatabase, probeResult, targetFields, testStore } from '../../test/helpers/store.js';
import { AppError } from '../errors.js';
import { openPostgresDb } from './db.js';
import { migrations } from './migrations/index.js';
import { openStore } from './open.js';
import { storeContract } from './store.contract.js';

storeContract({ kind: 'postgres', available: (t) => needs(t, 'postgres'), open: () => testStore('postgres') });

test('two processes migrating one database at once apply each migration once', async (t) => {
  if (!(await needs(t, 'postgres'))) return;
  const db = await createPgDatabase();
  const a = await openStore({ databaseUrl: db.url });
  const b = await openStore({ databaseUrl: db.url });
  try {
    await Promise.all([a.migrate(), b.migrate(), a.migrate()]);
    const rows = await a.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(rows.map((r) => r.version), migrations.map((m) => m.version));
    assert.equal((await b.targets.create(targetFields())).id, 1);
  } finally {
    await a.close();
    await b.close();
    await db.drop();
  }
});

test('two stores writing the first results of new days at once both succeed', async (t) => {
  if (!(await needs(t, 'postgres'))) return;
  const db = await createPgDatabase();
  const a = await openStore({ databaseUrl: db.url });
  const b = await openStore({ databaseUrl: db.url });
  try {
    await a.migrate();
    const target = await a.targets.create(targetFields());
    const days = ['2025-05-01', '2025-05-02', '2025-05-03'];
    const batch = (i: number) => days.map((d, j) => probeResult(target.id, `${d}T0${i}:00:0${j}.000Z`));
    const written = await Promise.all([a.results.insertBatch(batch(1)), b.results.insertBatch(batch(2)), a.results.insertBatch(batch(3))]);
    assert.deepEqual(written, [3, 3, 3]);
  } finally {
    await a.close();
    await b.close();
    await db.drop();
  }
});

test('a database that cannot be reached surfaces as AppError unavailable', async () => {
  const db = await openPostgresDb('postgres://postgres@127.0.0.1:1/none', { connectTimeoutMs: 2000 });
  try {
    await assert.rejects(db.query('SELECT 1'), (e: unknown) => e instanceof AppError && e.code === 'unavailable');
    await assert.rejects(db.transaction(async (tx) => tx.query('SELECT 1')), (e: unknown) => e instanceof AppError && e.code === 'unavailable');
  } finally {
    await db.close();
  }
});
