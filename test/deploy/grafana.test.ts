// deploy/grafana/pulseguard.json: a dashboard Grafana can load, whose every query is valid
// PromQL. live.test.ts checks its metric names against a running PulseGuard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needs } from '../helpers/services.js';
import { checkExpressions, dashboard, dashboardPanels as panels, dashboardQueries as queries, metricNames } from './promql.js';

// Grafana's variables, replaced by values PromQL accepts, to check the queries outside Grafana.
const substitute = (expr: string) => expr.replaceAll('$__rate_interval', '1m').replaceAll('$region', '.*').replaceAll('$target', '.*');

test('the dashboard parses, has unique panel ids, and covers probes, lag, targets, incidents and deliveries', () => {
  assert.equal(dashboard.uid, 'pulseguard');
  const ids = panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  for (const p of panels) {
    assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the 24-column grid`);
    if (p.type !== 'row') assert.ok(p.targets?.length, `${p.title} has queries`);
  }
  const used = new Set(queries.flatMap((q) => metricNames(q.expr)));
  for (const m of ['pulseguard_probes_total', 'pulseguard_schedule_lag_seconds_bucket', 'pulseguard_target_latency_seconds', 'pulseguard_target_up', 'pulseguard_incidents_open', 'pulseguard_deliveries_pending']) {
    assert.ok(used.has(m), `a panel shows ${m}`);
  }
  const vars = dashboard.templating.list.map((v) => v.name);
  for (const q of queries) {
    for (const v of q.expr.matchAll(/\$(\w+)/g)) assert.ok(v[1] === '__rate_interval' || vars.includes(v[1]!), `${q.panel}: unknown variable $${v[1]}`);
  }
});

test('every panel query is valid PromQL (promtool)', async (t) => {
  if (!(await needs(t, 'promtool'))) return;
  await checkExpressions(queries.map((q) => ({ name: q.panel, expr: substitute(q.expr) })));
});
