// What every role gets and returns. Roles are wiring only: they build loops from these deps.
import type { Bus } from '../bus/bus.js';
import type { Config } from '../config/settings.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/log.js';

export const ROLE_NAMES = ['api', 'scheduler', 'prober', 'ingester', 'anomaly', 'notifier'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export interface RoleDeps {
  config: Config;
  store: Store;
  bus: Bus;
  metrics: Metrics;
  log: Logger;
}

export interface RunningRole {
  name: RoleName;
  /** True when the role can do its work now (its dependencies answer). */
  ready(): Promise<boolean>;
  /** Finishes or cancels work in flight, flushes what is pending, releases resources. */
  stop(): Promise<void>;
}
