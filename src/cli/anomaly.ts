// `pulseguard anomaly`: runs the anomaly role; `pulseguard anomaly backtest` scores a CSV series
// offline with a detector (streamed: O(1) memory whatever the file size).
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { AppError, errorMessage } from '../errors.js';
import { BACKTEST_HEADER, backtestStream, formatBacktestRow } from '../anomaly/backtest.js';
import { DEFAULT_DETECTOR, detectorNames, isDetectorName } from '../anomaly/registry.js';
import { allowFlags, flagString, type Parsed } from './args.js';
import { startCommand } from './start.js';

export const ANOMALY_HELP = `Usage: pulseguard anomaly [options]               run the anomaly role (see "pulseguard start --help")
       pulseguard anomaly backtest --input FILE [--detector NAME] [--output FILE] [--threshold X]

backtest runs a detector over a CSV series and writes every point's anomaly score.

  --input FILE     CSV with a header naming 'timestamp' and 'value' columns (NAB's format:
                   "2014-04-10 00:00:00" read as UTC, or ISO 8601 with a zone); extra columns ignored
  --detector NAME  ${detectorNames().join(', ')} (default ${DEFAULT_DETECTOR})
  --output FILE    write timestamp,value,anomaly_score rows there (default: standard output)
  --threshold X    score counted as an alarm in the summary (default 0.55)
  -h, --help       this help

Exit codes: 0 done, 2 bad arguments or a bad CSV line (the message names the line).
`;

export async function anomalyCommand(p: Parsed, out: (s: string) => void): Promise<number> {
  const sub = p.positionals[1];
  if (sub === undefined) return startCommand(p, 'anomaly');
  if (sub !== 'backtest') throw new AppError('validation', `unknown anomaly command "${sub}" (have: backtest)`, 'command');
  return backtestCommand(p, out);
}

async function backtestCommand(p: Parsed, out: (s: string) => void): Promise<number> {
  allowFlags(p, ['input', 'detector', 'output', 'threshold']);
  if (p.positionals.length > 2) throw new AppError('validation', `unexpected argument "${p.positionals[2]}"`, 'input');
  const input = flagString(p, 'input');
  if (!input) throw new AppError('validation', 'backtest needs --input FILE (a timestamp,value CSV)', 'input');
  const detector = flagString(p, 'detector') ?? DEFAULT_DETECTOR;
  if (!isDetectorName(detector)) throw new AppError('validation', `unknown detector "${detector}" (have ${detectorNames().join(', ')})`, 'detector');
  const threshold = Number(flagString(p, 'threshold') ?? '0.55');
  if (!(threshold >= 0 && threshold <= 1)) throw new AppError('validation', '--threshold must be a number in [0, 1]', 'threshold');
  const output = flagString(p, 'output');

  const handle = await open(input, 'r').catch((e: unknown) => {
    const code = (e as { code?: unknown }).code;
    throw new AppError('validation', code === 'ENOENT' ? `cannot read ${input}: no such file` : `cannot read ${input}: ${errorMessage(e)}`, 'input');
  });
  const lines = createInterface({ input: createReadStream('', { fd: handle.fd, autoClose: true, encoding: 'utf8' }), crlfDelay: Infinity });
  // Written to a temporary file first: a bad line must not leave half an output behind.
  const tmp = output ? `${output}.${process.pid}.tmp` : undefined;
  const sink = tmp ? createWriteStream(tmp) : process.stdout;
  let rows = 0;
  let alarms = 0;
  try {
    await write(sink, BACKTEST_HEADER + '\n');
    let chunk = '';
    for await (const row of backtestStream(lines, detector)) {
      rows++;
      if (row.anomalyScore >= threshold) alarms++;
      chunk += formatBacktestRow(row) + '\n';
      if (chunk.length > 64 * 1024) await write(sink, chunk), (chunk = '');
    }
    await write(sink, chunk);
  } catch (e: unknown) {
    lines.close();
    if (tmp) await closeStream(sink as WriteStream).then(() => rm(tmp, { force: true }));
    if (e instanceof AppError) throw new AppError(e.code, `${input}: ${e.message}`, e.field);
    throw e;
  }
  if (tmp && output) {
    await closeStream(sink as WriteStream);
    await rename(tmp, output);
    out(`${rows} points scored with ${detector}; ${alarms} at or above ${threshold}; written to ${output}`);
  }
  return 0;
}

async function write(sink: NodeJS.WritableStream, text: string): Promise<void> {
  if (text && !sink.write(text)) await once(sink, 'drain');
}

function closeStream(s: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => s.end((e?: Error | null) => (e ? reject(e) : resolve())));
}
