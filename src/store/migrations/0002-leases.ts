// Leases: at most one holder per name (the active scheduler). See src/services/lease.ts.
import type { Migration } from '../migrate.js';

const migration: Migration = {
  version: 2,
  name: 'leases',
  sql: `CREATE TABLE leases (
    name text PRIMARY KEY,
    holder text NOT NULL,
    expires_at timestamptz NOT NULL
  );`,
};

export default migration;
