// `pulseguard anomaly backtest` as a user runs it: real processes, real files.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPulseguardOnce } from './helpers/proc.js';
import { main } from '../src/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pulseguard-backtest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const rows = Array.from({ length: 400 }, (_, i) => `2024-01-0${1 + Math.floor(i / 288)} ${String(Math.floor((i % 288) / 12)).padStart(2, '0')}:${String((i % 12) * 5).padStart(2, '0')}:00,${i === 300 ? 500 : 100 + (i % 5)}`);
const good = join(dir, 'series.csv');
writeFileSync(good, ['timestamp,value', ...rows].join('\n') + '\n');
const bad = join(dir, 'bad.csv');
writeFileSync(bad, 'timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,fast\n');

test('backtest scores a CSV into a file; a bad line fails with its number and leaves no output (real processes)', async () => {
  const out = join(dir, 'scores.csv');
  const [toFile, badLine] = await Promise.all([
    runPulseguardOnce(['anomaly', 'backtest', '--input', good, '--output', out]),
    runPulseguardOnce(['anomaly', 'backtest', '--input', bad, '--output', join(dir, 'never.csv')]),
  ]);
  assert.equal(toFile.code, 0, toFile.output);
  assert.match(toFile.output, /^400 points scored with records; [1-9]\d* at or above 0.55; written to /m);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'timestamp,value,anomaly_score');
  assert.equal(lines.length, 401);
  assert.ok(Number(lines[301]!.split(',')[2]) > 0.55, `the spike scores high: ${lines[301]}`);

  assert.equal(badLine.code, 2);
  assert.match(badLine.output, /bad\.csv: line 3: value 'fast' is not a number/);
  assert.equal(existsSync(join(dir, 'never.csv')), false, 'no half-written output');
});

test('backtest --help, a missing file and an unknown detector (exit 2 with a message)', async () => {
  const printed: string[] = [];
  const errors: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (errors.push(String(s)), true)) as typeof process.stderr.write;
  try {
    assert.equal(await main(['anomaly', 'backtest', '--help'], (s) => printed.push(s)), 0);
    assert.equal(await main(['anomaly', 'backtest', '--input', join(dir, 'nope.csv')]), 2);
    assert.equal(await main(['anomaly', 'backtest', '--input', good, '--detector', 'crystal-ball']), 2);
    assert.equal(await main(['anomaly', 'backtest']), 2);
  } finally {
    process.stderr.write = write;
  }
  assert.match(printed.join(''), /--input FILE[\s\S]*--detector NAME[\s\S]*--output FILE/);
  assert.match(errors[0]!, /cannot read .*nope\.csv: no such file/);
  assert.match(errors[1]!, /unknown detector "crystal-ball"/);
  assert.match(errors[2]!, /backtest needs --input FILE/);
});
