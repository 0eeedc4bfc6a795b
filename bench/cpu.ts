// CPU accounting helpers shared by bench/ingest.ts and bench/probers.ts: user+system time of other
// processes from /proc (Linux; null where not readable), the local nats-server, and a machine line.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

/** CPU ms (utime + stime) a process has used so far; null when /proc/<pid>/stat is not readable. */
export function procCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14 and 15), USER_HZ = 100
  } catch {
    return null;
  }
}

/**
 * Pid of the nats-server serving `natsUrl` on this machine: the one whose command line names the
 * URL's port (`-p`/`--port`), else the only nats-server running; undefined when not found or ambiguous.
 */
export function natsServerPid(natsUrl: string): number | undefined {
  const port = new URL(natsUrl).port || '4222';
  const found: { pid: number; argv: string[] }[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  for (const e of entries) {
    try {
      if (readFileSync(`/proc/${e}/comm`, 'utf8').trim() !== 'nats-server') continue;
      found.push({ pid: Number(e), argv: readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0') });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  const byPort = found.filter(({ argv }) => argv.some((a, i) => (a === '-p' || a === '--port') && argv[i + 1] === port) || argv.includes(`--port=${port}`));
  if (byPort.length === 1) return byPort[0]!.pid;
  if (byPort.length === 0 && found.length === 1 && port === '4222') return found[0]!.pid;
  return undefined;
}

/** One line saying what machine the numbers come from (and how busy it was when they were taken). */
export function machineLine(): string {
  const c = cpus();
  return `machine: ${c.length} cores (${c[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
    `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${new Date().toISOString()}`;
}

/** A plain text table: first row is the header; numbers are right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
