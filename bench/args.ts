// Command-line options of the benchmarks: `--name value` (a positive number) and `--flag`.
const argv = process.argv.slice(2);

/** The number after `--name`, or `dflt`; anything but a positive number is an error. */
export function arg(name: string, dflt: number): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

/** Whether `--name` was given. */
export const has = (name: string): boolean => argv.includes(`--${name}`);
