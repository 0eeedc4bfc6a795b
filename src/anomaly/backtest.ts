// Runs a detector over a `timestamp,value` CSV (NAB's format) and returns/writes
// `timestamp,value,anomaly_score` rows. Bad rows fail with the line number. Out-of-order timestamps
// are accepted as they come (real data has them, e.g. NAB's nyc_taxi at a clock change).
import { validationError } from '../errors.js';
import { createDetector } from './registry.js';

export interface BacktestRow {
  /** The timestamp exactly as written in the input. */
  timestamp: string;
  tMs: number;
  value: number;
  anomalyScore: number;
}

// 2014-04-10 00:00:00, 2014-04-10T00:00:00.000000, optional Z or +hh:mm; no zone = UTC (as NAB).
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a CSV timestamp to ms since the epoch, or NaN. */
export function parseTimestamp(s: string): number {
  const m = TIMESTAMP.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec ?? 0), frac ? Math.round(Number(frac) * 1000) : 0);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number(mo) >= 1 && Number(mo) <= 12 && Number(h) < 24 ? ms : NaN;
}

/** Incremental reader: feed lines (header first), get parsed points; errors name the 1-based line. */
export class SeriesCsvReader {
  private line = 0;
  private tsCol = -1;
  private valueCol = -1;
  private columns = 0;

  /** Returns the point on this line, or undefined for the header and blank lines. */
  read(text: string): { timestamp: string; tMs: number; value: number } | undefined {
    this.line++;
    const raw = text.replace(/\r$/, '');
    if (raw.trim() === '') return undefined;
    const cells = raw.split(',').map((c) => c.trim());
    if (this.tsCol < 0) {
      this.tsCol = cells.indexOf('timestamp');
      this.valueCol = cells.indexOf('value');
      this.columns = cells.length;
      if (this.tsCol < 0 || this.valueCol < 0) throw this.fail(`header must name 'timestamp' and 'value' columns, got '${raw}'`);
      return undefined;
    }
    if (cells.length !== this.columns) throw this.fail(`${cells.length} fields, header has ${this.columns}`);
    const timestamp = cells[this.tsCol]!;
    const tMs = parseTimestamp(timestamp);
    if (Number.isNaN(tMs)) throw this.fail(`timestamp '${timestamp}' is not YYYY-MM-DD HH:MM:SS`);
    const cell = cells[this.valueCol]!;
    if (!NUMBER.test(cell)) throw this.fail(`value '${cell}' is not a number`);
    return { timestamp, tMs, value: Number(cell) };
  }

  /** Throws unless a header was seen. */
  finish(): void {
    if (this.tsCol < 0) throw validationError('csv', 'empty CSV: no header line');
  }

  private fail(message: string) {
    return validationError('csv', `line ${this.line}: ${message}`);
  }
}

/** Runs `detector` (registry name) over CSV text; returns one row per data line. */
export function backtest(csvText: string, detector: string, options?: Record<string, number>): BacktestRow[] {
  const d = createDetector(detector, options);
  const reader = new SeriesCsvReader();
  const rows: BacktestRow[] = [];
  for (const line of csvText.split('\n')) {
    const p = reader.read(line);
    if (p) rows.push({ ...p, anomalyScore: d.update(p.tMs, p.value) });
  }
  reader.finish();
  return rows;
}

/** Streaming variant for big files: lines in (e.g. from node:readline), rows out, O(1) memory. */
export async function* backtestStream(lines: AsyncIterable<string> | Iterable<string>, detector: string, options?: Record<string, number>): AsyncGenerator<BacktestRow> {
  const d = createDetector(detector, options);
  const reader = new SeriesCsvReader();
  for await (const line of lines) {
    const p = reader.read(line);
    if (p) yield { ...p, anomalyScore: d.update(p.tMs, p.value) };
  }
  reader.finish();
}

export const BACKTEST_HEADER = 'timestamp,value,anomaly_score';

/** One output line (no newline); scores keep full precision so a threshold sweep sees every distinct value. */
export const formatBacktestRow = (r: BacktestRow): string => `${r.timestamp},${r.value},${r.anomalyScore}`;

/** The whole output file, header first. */
export const formatBacktestCsv = (rows: BacktestRow[]): string => [BACKTEST_HEADER, ...rows.map(formatBacktestRow)].join('\n') + '\n';
