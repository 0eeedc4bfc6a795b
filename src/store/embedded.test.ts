import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { probeResult, targetFields, testStore } from '../../test/helpers/store.js';
import { AppError } from '../errors.js';
import { migrations } from './migrations/index.js';
import { openStore } from './open.js';
import { storeContract } from './store.contract.js';

storeContract({ kind: 'embedded', available: async () => true, open: () => testStore('embedded') });

test('the embedded store keeps its data across close and reopen, one process at a time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulseguard-store-'));
  try {
    const first = await openStore({ dataDir: dir });
    await first.migrate();
    const t = await first.targets.create(targetFields({ name: 'kept' }));
    const r = probeResult(t.id, Date.now());
    assert.equal(await first.results.insertBatch([r]), 1);
    await assert.rejects(openStore({ dataDir: dir }), (e: unknown) => e instanceof AppError && e.code === 'conflict');
    await first.close();

    const again = await openStore({ dataDir: dir });
    try {
      await again.migrate();
      assert.deepEqual(await again.targets.get(t.id), t);
      assert.deepEqual(await again.results.latest(), [r]);
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every migration file is listed once, in version order, under its own version and name', () => {
  const files = readdirSync(new URL('./migrations/', import.meta.url)).filter((f) => /^\d{4}-.+\.ts$/.test(f)).sort();
  assert.deepEqual(migrations.map((m) => `${String(m.version).padStart(4, '0')}-${m.name}.ts`), files);
});
