// Every migration, oldest first. Add a line for a new file; never edit or reorder applied ones.
import type { Migration } from '../migrate.js';
import m0001 from './0001-core.js';
import m0002 from './0002-leases.js';
import m0003 from './0003-incidents.js';
import m0004 from './0004-notifications.js';

export const migrations: readonly Migration[] = [
  m0001,
  m0002,
  m0003,
  m0004,
];
