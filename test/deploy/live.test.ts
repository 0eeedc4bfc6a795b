// The observability artefacts against a running PulseGuard (every role in one process on
// PostgreSQL, one local target): the metric names in the rules and the dashboard exist on its /metrics, and a
// real Prometheus (Debian's /usr/bin/prometheus) scrapes it and loads our rule files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../helpers/servers-own.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { needs } from '../helpers/services.js';
import { PROMETHEUS_SERIES, read, ROOT } from './expected.js';
import { startLiveApp, type LiveApp } from './live-app.js';
import { dashboardQueries, exportedSeries, metricNames, PROMETHEUS, RULE_FILES, rules } from './promql.js';

test('against a running PulseGuard', { timeout: 90_000 }, async (t) => {
  if (!(await needs(t, 'postgres'))) return;
  const live: LiveApp = await startLiveApp();
  t.after(() => live.stop());

  await t.test('the alert and SLO rules and the dashboard name only metrics it exports', async () => {
    const exported = exportedSeries(await live.metricsText());
    assert.ok(exported.has('pulseguard_probes_total'), 'the live /metrics has PulseGuard metrics');
    const known = new Set([...exported, ...PROMETHEUS_SERIES]);
    const missing: string[] = [];
    for (const f of RULE_FILES) {
      const recorded = new Set(rules(f).flatMap((r) => (r.record ? [r.record] : [])));
      for (const r of rules(f)) for (const m of metricNames(r.expr)) if (!known.has(m) && !recorded.has(m)) missing.push(`${f} ${r.alert ?? r.record}: ${m}`);
    }
    for (const q of dashboardQueries) for (const m of metricNames(q.expr)) if (!known.has(m)) missing.push(`pulseguard.json "${q.panel}": ${m}`);
    assert.deepEqual(missing, []);
  });

  await t.test('a real Prometheus scrapes it: up == 1, probes counted, and every rule group of ours loaded', { timeout: 45_000 }, async (t) => {
    if (!(await needs(t, 'prometheus'))) return;
    const app = live;
    const dir = mkdtempSync(join(tmpdir(), 'pulseguard-prometheus-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'prometheus.yml'), stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: RULE_FILES.map((f) => join(ROOT, 'deploy/prometheus', f)),
      scrape_configs: [{ job_name: 'pulseguard', static_configs: [{ targets: [app.address], labels: { role: 'all' } }] }],
    }));
    const port = await freePort();
    const args = [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'];
    const prom = spawn(PROMETHEUS, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    prom.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    t.after(async () => {
      if (prom.exitCode !== null) return;
      prom.kill('SIGTERM');
      await Promise.race([once(prom, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
      if (prom.exitCode === null) prom.kill('SIGKILL');
    });
    const base = `http://127.0.0.1:${port}`;
    const query = async (q: string): Promise<number | undefined> => {
      const r = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
      const v = r.data.result[0]?.value[1];
      return v === undefined ? undefined : Number(v);
    };
    await app.waitFor(async () => {
      if (prom.exitCode !== null) throw new Error(`prometheus exited with ${prom.exitCode}: ${stderr}`);
      return fetch(`${base}/-/ready`).then((r) => r.ok, () => false);
    }, 15_000, 'Prometheus ready');
    await app.waitFor(async () => (await query('up{job="pulseguard"}')) === 1, 15_000, 'up{job="pulseguard"} == 1');
    const probes = await app.waitFor(async () => {
      const v = await query('sum(pulseguard_probes_total{job="pulseguard"})');
      return v !== undefined && v > 0 ? v : undefined;
    }, 15_000, 'a probe counted in Prometheus');
    assert.ok(probes > 0);
    const loaded = (await (await fetch(`${base}/api/v1/rules`)).json()) as { data: { groups: Array<{ name: string }> } };
    const groups = RULE_FILES.flatMap((f) => (parse(read(`deploy/prometheus/${f}`)) as { groups: Array<{ name: string }> }).groups.map((g) => g.name));
    assert.deepEqual(loaded.data.groups.map((g) => g.name).sort(), groups.sort());
  });
});
