import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../errors.js';
import { backtest, backtestStream, BACKTEST_HEADER, formatBacktestCsv, parseTimestamp } from './backtest.js';
import { createDetector } from './registry.js';

function csv(n: number): string {
  const lines = ['timestamp,value'];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2014, 3, 10) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
    lines.push(`${t},${(100 + 10 * Math.sin(i / 7) + (i === 400 ? 80 : 0)).toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

const validationAt = (line: number) => (e: unknown) =>
  e instanceof AppError && e.code === 'validation' && e.field === 'csv' && e.message.startsWith(`line ${line}:`);

test('backtest reads NAB-style CSV and writes timestamp,value,anomaly_score that reads back the same', () => {
  const input = csv(500);
  const rows = backtest(input, 'records');
  assert.equal(rows.length, 500);
  assert.equal(rows[0]!.timestamp, '2014-04-10 00:00:00');
  assert.equal(rows[0]!.tMs, Date.UTC(2014, 3, 10));
  assert.ok(rows[400]!.anomalyScore > 0.6, `spike scored ${rows[400]!.anomalyScore}`);
  const out = formatBacktestCsv(rows);
  assert.equal(out.split('\n')[0], BACKTEST_HEADER);
  // The output is itself a valid input (extra column ignored), with the same points.
  const again = backtest(out, 'records');
  assert.deepEqual(again.map((r) => [r.timestamp, r.value, r.anomalyScore]), rows.map((r) => [r.timestamp, r.value, r.anomalyScore]));
  const scores = out.trim().split('\n').slice(1).map((l) => Number(l.split(',')[2]));
  assert.deepEqual(scores, rows.map((r) => r.anomalyScore));
});

test('backtest gives the same scores as feeding the detector directly, and the stream variant agrees', async () => {
  const input = csv(300);
  const d = createDetector('zscore');
  const direct = input.trim().split('\n').slice(1).map((l) => {
    const [ts, v] = l.split(',');
    return d.update(parseTimestamp(ts!), Number(v));
  });
  assert.deepEqual(backtest(input, 'zscore').map((r) => r.anomalyScore), direct);
  const streamed: number[] = [];
  for await (const r of backtestStream(input.split('\n'), 'zscore')) streamed.push(r.anomalyScore);
  assert.deepEqual(streamed, direct);
});

test('malformed rows fail with a validation error naming the line', () => {
  const good = 'timestamp,value\n2014-04-10 00:00:00,1\n';
  assert.throws(() => backtest(good + '2014-04-10 00:05:00,abc\n', 'records'), validationAt(3));
  assert.throws(() => backtest(good + '2014-04-10 00:05:00\n', 'records'), validationAt(3));
  assert.throws(() => backtest(good + 'yesterday,4\n', 'records'), validationAt(3));
  assert.throws(() => backtest(good + '2014-13-10 00:05:00,4\n', 'records'), validationAt(3));
  assert.throws(() => backtest('time,val\n1,2\n', 'records'), validationAt(1));
  assert.throws(() => backtest('', 'records'), (e: unknown) => e instanceof AppError && e.field === 'csv');
  assert.throws(() => backtest(good, 'nope'), (e: unknown) => e instanceof AppError && e.field === 'detector');
});

test('timestamps: NAB format, ISO with fraction and zone, blank lines and CRLF are accepted', () => {
  assert.equal(parseTimestamp('2014-04-10 00:00:00'), Date.UTC(2014, 3, 10));
  assert.equal(parseTimestamp('2014-04-10T01:00:00.500000+01:00'), Date.UTC(2014, 3, 10, 0, 0, 0, 500));
  assert.equal(parseTimestamp('2014-04-10T00:00:00Z'), Date.UTC(2014, 3, 10));
  const rows = backtest('timestamp,value\r\n2014-04-10 00:00:00,1\r\n\r\n2014-04-10 00:05:00,2\r\n', 'zscore');
  assert.deepEqual(rows.map((r) => r.value), [1, 2]);
});
