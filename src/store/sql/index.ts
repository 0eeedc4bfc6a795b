// The Store, implemented once in SQL over either executor (PGlite or PostgreSQL).
import { migrate } from '../migrate.js';
import type { Db, Store } from '../store.js';
import { anomalyStore } from './anomaly.js';
import { incidentStore } from './incidents.js';
import { Partitions } from './partitions.js';
import { resultStore } from './results.js';
import { settingsStore } from './settings.js';
import { targetStore } from './targets.js';

export function sqlStore(db: Db): Store {
  return {
    kind: db.kind,
    db,
    targets: targetStore(db),
    results: resultStore(db, new Partitions(db)),
    settings: settingsStore(db),
    incidents: incidentStore(db),
    anomaly: anomalyStore(db),
    async migrate() {
      await migrate(db);
    },
    async ping() {
      await db.query('SELECT 1');
    },
    close: () => db.close(),
  };
}
