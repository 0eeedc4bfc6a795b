// PGlite's settings, shared by the database thread (pglite-worker.ts) and the initdb child (db.ts).
// This module must not import PGlite itself: loading it costs ~48 MB RSS, and only the database
// thread and the initdb child need it.

const INT8 = 20;
const NUMERIC = 1700;
const TIMESTAMPTZ = 1184;

/** '2025-01-02 03:04:05.678+00' (DateStyle ISO) -> '2025-01-02T03:04:05.678Z'. */
export function pgTimestampToIso(text: string): string {
  const d = new Date(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  return Number.isNaN(d.getTime()) ? text : d.toISOString();
}

/** int8/numeric as JS numbers and timestamptz as ISO strings, as node-postgres is set up too. */
export const PARSERS: Record<number, (text: string) => unknown> = {
  [INT8]: Number,
  [NUMERIC]: Number,
  [TIMESTAMPTZ]: pgTimestampToIso,
};

/**
 * Settings added to PGlite's `defaultStartParams`, measured in docs/storage.md: shared_buffers
 * 16 MB instead of 128 MB is what keeps the process under 300 MB RSS (WASM memory never shrinks
 * once touched).
 */
export const EMBEDDED_SETTINGS = ['-c', 'shared_buffers=16MB', '-c', 'temp_buffers=2MB'];
