// Runs PulseGuard roles as separate processes against a PostgreSQL database and a NATS server,
// for distributed-mode and fault tests.
import pg from 'pg';
import { freePort } from './servers-own.js';
import { runPulseguard, type Proc } from './proc.js';

export interface Cluster {
  env: Record<string, string>;
  /** Starts `pulseguard <role> [args]`; resolves once its /ready answers 200. Returns the process and its health port. */
  role(role: string, args?: string[], extraEnv?: Record<string, string>): Promise<{ proc: Proc; port: number }>;
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

let seq = 0;

/** Creates a fresh database on the server at `adminUrl` and returns a cluster bound to it. */
export async function startCluster(adminUrl: string, natsUrl: string, extraEnv: Record<string, string> = {}): Promise<Cluster> {
  const name = `pg_fault_${process.pid}_${Date.now().toString(36)}_${seq++}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const dbUrl = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  pool.on('error', () => undefined);
  const procs: Proc[] = [];
  const env = { DATABASE_URL: dbUrl, NATS_URL: natsUrl, PULSEGUARD_NATS_PREFIX: `t${name}`, PULSEGUARD_API_TOKEN: 'cluster-token', PULSEGUARD_HOST: '127.0.0.1', PULSEGUARD_INGEST_FLUSH_MS: '100', ...extraEnv };
  return {
    env,
    async role(role, args = [], more = {}) {
      const port = await freePort();
      const proc = runPulseguard([role, ...args], { ...env, PULSEGUARD_HEALTH_PORT: String(port), PULSEGUARD_PORT: String(port), ...more });
      procs.push(proc);
      const end = Date.now() + 60_000;
      for (;;) {
        if (proc.child.exitCode !== null) throw new Error(`${role} exited early:\n${proc.output()}`);
        const ok = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status === 200, () => false);
        if (ok) break;
        if (Date.now() > end) throw new Error(`${role} not ready in 60 s:\n${proc.output()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      return { proc, port };
    },
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    async stop() {
      await Promise.all(procs.map((p) => p.kill('SIGKILL')));
      await pool.end();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect().then(() => a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`), () => undefined).finally(() => a.end());
    },
  };
}
