// NAB benchmark: runs every registered detector over ../shared/nab/data, writes results in NAB's
// layout (<dir>/<detector>/<category>/<detector>_<file>.csv), scores them with ../shared/nab/score.mjs
// and prints standard / reward_low_FP / reward_low_FN per detector and per category, plus points/s.
// Usage: npm run bench:nab [-- --detector records] [--keep]. Not a test; the only reader of ../shared.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backtest, formatBacktestCsv, SeriesCsvReader } from '../src/anomaly/backtest.js';
import { createDetector, detectorNames } from '../src/anomaly/registry.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const NAB = resolve(ROOT, '../shared/nab');
const SCORER = join(NAB, 'score.mjs');
const PROFILES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;

interface ScoreLine { profile: string; score: number; threshold: number; detectedWindows: number; missedWindows: number; falsePositiveRows: number }
interface Series { category: string; file: string; text: string; tMs: Float64Array; values: Float64Array }

function loadCorpus(): Series[] {
  const out: Series[] = [];
  for (const category of readdirSync(join(NAB, 'data')).sort()) {
    for (const file of readdirSync(join(NAB, 'data', category)).filter((f) => f.endsWith('.csv')).sort()) {
      const text = readFileSync(join(NAB, 'data', category, file), 'utf8');
      const reader = new SeriesCsvReader();
      const ts: number[] = [];
      const vs: number[] = [];
      for (const line of text.split('\n')) {
        const p = reader.read(line);
        if (p) { ts.push(p.tMs); vs.push(p.value); }
      }
      out.push({ category, file, text, tMs: Float64Array.from(ts), values: Float64Array.from(vs) });
    }
  }
  return out;
}

/** Detector-only throughput: points/s of update() over the whole corpus (best of 3 passes, one core). */
function pointsPerSecond(name: string, corpus: Series[]): number {
  let best = 0;
  for (let pass = 0; pass < 3; pass++) {
    let points = 0;
    const t0 = process.hrtime.bigint();
    for (const s of corpus) {
      const d = createDetector(name);
      for (let i = 0; i < s.values.length; i++) d.update(s.tMs[i]!, s.values[i]!);
      points += s.values.length;
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.max(best, points / seconds);
  }
  return best;
}

function score(dir: string, only?: string): ScoreLine[] {
  const args = [SCORER, '--results', dir, '--profile', 'all', '--json', ...(only ? ['--only', only] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 })) as ScoreLine[];
}

const fmt = (lines: ScoreLine[]): string => PROFILES.map((p) => (lines.find((l) => l.profile === p)?.score ?? NaN).toFixed(1).padStart(7)).join(' ');

function main(argv: string[]): void {
  const only = argv.includes('--detector') ? argv[argv.indexOf('--detector') + 1] : undefined;
  const names = detectorNames().filter((n) => !only || n === only);
  if (names.length === 0) throw new Error(`unknown detector '${only}' (have ${detectorNames().join(', ')})`);
  const corpus = loadCorpus();
  const categories = [...new Set(corpus.map((s) => s.category))];
  const out = mkdtempSync(join(tmpdir(), 'pulseguard-nab-'));
  console.log(`NAB: ${corpus.length} series from ${NAB}; results in ${out}`);
  console.log(`node ${process.version}; inputMin/inputMax are NOT given to the detectors; threshold swept by score.mjs\n`);
  console.log('detector     standard  low_FP  low_FN   points/s (update only)  TP/FN windows  FP rows');
  for (const name of names) {
    const dir = join(out, name);
    for (const s of corpus) {
      mkdirSync(join(dir, s.category), { recursive: true });
      writeFileSync(join(dir, s.category, `${name}_${s.file}`), formatBacktestCsv(backtest(s.text, name)));
    }
    const all = score(dir);
    const std = all.find((l) => l.profile === 'standard')!;
    const pps = pointsPerSecond(name, corpus);
    console.log(`${name.padEnd(12)} ${fmt(all)}   ${Math.round(pps).toLocaleString('en-US').padStart(22)}  ${String(std.detectedWindows).padStart(6)}/${std.missedWindows}  ${String(std.falsePositiveRows).padStart(8)}`);
    for (const c of categories) {
      // A category without labelled windows cannot be normalised (perfect = null); report its FP rows instead.
      const fp = corpus.filter((s) => s.category === c).length;
      if (c === 'artificialNoAnomaly') {
        const fixed = JSON.parse(execFileSync(process.execPath, [SCORER, '--results', dir, '--profile', 'standard', '--threshold', String(std.threshold), '--json', '--per-file'], { encoding: 'utf8', maxBuffer: 1 << 26 })) as [{ perSeries: { key: string; fpRows: number }[] }];
        const rows = fixed[0].perSeries.filter((p) => p.key.startsWith(c + '/')).reduce((a, p) => a + p.fpRows, 0);
        console.log(`  ${c.padEnd(24)} (${fp} series, no windows) FP rows at the corpus threshold: ${rows}`);
        continue;
      }
      console.log(`  ${c.padEnd(24)} ${fmt(score(dir, c))}`);
    }
  }
  if (!argv.includes('--keep')) rmSync(out, { recursive: true, force: true });
}

main(process.argv.slice(2));
