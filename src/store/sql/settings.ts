// Key/value settings (e.g. the hashed API token).
import type { Db, SettingsStore } from '../store.js';

export function settingsStore(db: Db): SettingsStore {
  return {
    async get(key) {
      const rows = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
      return rows[0]?.value ?? null;
    },
    async set(key, value) {
      await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, value]);
    },
  };
}
