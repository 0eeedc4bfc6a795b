// deploy/prometheus: the scrape configs and the alert and SLO rules through promtool (syntax and
// the rules' own unit tests). live.test.ts runs them in a real Prometheus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { needs } from '../helpers/services.js';
import { read, ROOT } from './expected.js';
import { metricNames, promtool, RULE_FILES, rules } from './promql.js';

const DIR = join(ROOT, 'deploy/prometheus');

test('promtool accepts alerts.yml and slo-rules.yml', async (t) => {
  if (!(await needs(t, 'promtool'))) return;
  const out = await promtool('check', 'rules', ...RULE_FILES.map((f) => join(DIR, f)));
  assert.match(out, /SUCCESS: \d+ rules found[^]*SUCCESS: \d+ rules found/);
});

test('the alert and SLO rules fire, and stay quiet, as their promtool unit tests expect', async (t) => {
  if (!(await needs(t, 'promtool'))) return;
  const out = await promtool('test', 'rules', join(DIR, 'tests/alerts_test.yml'), join(DIR, 'tests/slo-rules_test.yml'));
  assert.match(out, /SUCCESS/);
  // Every alert of ours is exercised by at least one unit test.
  const tested = read('deploy/prometheus/tests/alerts_test.yml') + read('deploy/prometheus/tests/slo-rules_test.yml');
  for (const f of RULE_FILES) for (const r of rules(f)) if (r.alert) assert.match(tested, new RegExp(`alertname: ${r.alert}\\b`), `${r.alert} has no unit test`);
});

test('promtool accepts the Compose and Kubernetes scrape configs, which scrape job "pulseguard"', async (t) => {
  if (!(await needs(t, 'promtool'))) return;
  assert.match(await promtool('check', 'config', join(DIR, 'prometheus.yml')), /SUCCESS/);
  const k8s = readFileSync(join(DIR, 'prometheus-kubernetes.yml'), 'utf8');
  try {
    await promtool('check', 'config', join(DIR, 'prometheus-kubernetes.yml'));
  } catch (e: unknown) {
    // Debian builds Prometheus without Kubernetes discovery; check the rest of the file there.
    if (!String(e).includes('field kubernetes_sd_configs not found')) throw e;
    console.log('# NOTICE: this promtool lacks kubernetes_sd_configs; checking prometheus-kubernetes.yml with static_configs in its place');
    const doc = parse(k8s) as { scrape_configs: Array<Record<string, unknown>> };
    for (const sc of doc.scrape_configs) {
      assert.ok(sc.kubernetes_sd_configs, 'every job discovers pods');
      delete sc.kubernetes_sd_configs;
      sc.static_configs = [{ targets: ['127.0.0.1:8081'] }];
    }
    const dir = mkdtempSync(join(tmpdir(), 'pulseguard-promcfg-'));
    try {
      for (const f of RULE_FILES) writeFileSync(join(dir, f), read(`deploy/prometheus/${f}`));
      writeFileSync(join(dir, 'prometheus.yml'), stringify(doc));
      assert.match(await promtool('check', 'config', join(dir, 'prometheus.yml')), /SUCCESS/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  for (const file of ['prometheus.yml', 'prometheus-kubernetes.yml']) {
    const doc = parse(read(`deploy/prometheus/${file}`)) as { scrape_configs: Array<{ job_name: string }>; rule_files: string[] };
    assert.deepEqual(doc.scrape_configs.map((s) => s.job_name), ['pulseguard'], file);
    assert.deepEqual(doc.rule_files, RULE_FILES, file);
  }
});

test('metricNames finds the metrics of an expression and nothing else', () => {
  assert.deepEqual(
    metricNames('histogram_quantile(0.99, sum by (region, le) (rate(a_seconds_bucket{job="x", le!="1"}[5m]))) / on (region) group_left b_total offset 1h > 1e-9 and c:rec:avg5m unless sum without (x) (d)'),
    ['a_seconds_bucket', 'b_total', 'c:rec:avg5m', 'd'],
  );
  assert.deepEqual(metricNames('count(max by (target_id) (up{job="p"}) == 0) or vector(0)'), ['up']);
});
