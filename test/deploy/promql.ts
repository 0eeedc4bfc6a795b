// Small helpers over PromQL and Prometheus' tools for the deploy tests: the metric names an
// expression reads, the series names a /metrics page exports, and promtool runs.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { read } from './expected.js';

export const PROMTOOL = '/usr/bin/promtool';
export const PROMETHEUS = '/usr/bin/prometheus';

/** The rule files under deploy/prometheus, and their rules. */
export const RULE_FILES = ['alerts.yml', 'slo-rules.yml'];
export interface Rule { alert?: string; record?: string; expr: string }
export const rules = (file: string): Rule[] =>
  (parse(read(`deploy/prometheus/${file}`)) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/** Names of the metrics a PromQL expression selects (functions, keywords and labels left out). */
export function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' $1 ') // label lists
    .replace(/\boffset\s+-?[\w$]+/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ') // Grafana variables
    .replace(/(^|[^\w:])\d+(\.\d+)?(e[+-]?\d+)?/gi, '$1 '); // numbers, including 1e-9
  const names: string[] = [];
  for (const m of s.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    if (KEYWORDS.has(m[0].toLowerCase())) continue;
    if (s.slice(m.index + m[0].length).trimStart().startsWith('(')) continue; // a function or aggregation
    if (/^\s*(by|without)\b/.test(s.slice(m.index + m[0].length))) continue; // `sum by (...) (...)`
    names.push(m[0]);
  }
  return [...new Set(names)];
}

/** Every series name a Prometheus text exposition declares (histograms with _bucket/_sum/_count). */
export function exportedSeries(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    out.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) out.add(name + s);
  }
  return out;
}

const run = promisify(execFile);

/** Runs promtool; resolves with its output, rejects with it (stdout and stderr) when it fails. */
export async function promtool(...args: string[]): Promise<string> {
  try {
    const r = await run(PROMTOOL, args, { timeout: 60_000 });
    return r.stdout + r.stderr;
  } catch (e: unknown) {
    const x = e as { stdout?: string; stderr?: string; message?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${x.stdout ?? ''}${x.stderr ?? x.message ?? ''}`);
  }
}

/** Checks expressions' syntax with promtool by writing them as recording rules. */
export async function checkExpressions(exprs: Array<{ name: string; expr: string }>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pulseguard-promql-'));
  try {
    const rules = exprs.map((e, i) => ({ record: `check:expr_${i}:${e.name.replace(/[^\w]/g, '_')}`, expr: e.expr }));
    writeFileSync(join(dir, 'rules.yml'), stringify({ groups: [{ name: 'check', rules }] }));
    await promtool('check', 'rules', join(dir, 'rules.yml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Panel { id: number; type: string; title: string; targets?: Array<{ refId: string; expr: string }>; panels?: Panel[]; gridPos: { x: number; y: number; w: number; h: number } }
interface Dashboard { uid: string; title: string; panels: Panel[]; templating: { list: Array<{ name: string; type: string }> } }
/** deploy/grafana/pulseguard.json, its panels (rows' panels included) and their queries. */
export const dashboard = JSON.parse(read('deploy/grafana/pulseguard.json')) as Dashboard;
export const dashboardPanels: Panel[] = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
export const dashboardQueries = dashboardPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
