/**
 * Argument parsing for `kraken-rx` (node:util parseArgs, strict): a bad argument is a `UsageError`, printed as one
 * line and exit code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad command line. Printed as one line; the process exits with 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose `--help` to point to. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  live: { type: 'boolean' },
  seed: { type: 'string' },
} as const satisfies Options;

export interface Parsed<V> {
  readonly values: V;
  readonly positionals: string[];
}

/** Parses a command's arguments strictly; unknown options and missing values become a `UsageError`. */
export function parseCommand<const O extends Options>(
  command: string,
  args: readonly string[],
  options: O,
): Parsed<{ [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : string }> {
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(args, options),
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as never, positionals };
  } catch (err) {
    // Not `instanceof Error`: parseArgs' errors may come from another realm (a test runner's sandbox).
    const text = (err as { message?: unknown } | null)?.message;
    const message = typeof text === 'string' ? text : String(err);
    // parseArgs explains itself at length; keep the first sentence.
    throw new UsageError(message.split('\n')[0].split('. ')[0].replace(/\.$/, ''), command);
  }
}

/**
 * `--start -30m` → `--start=-30m`: parseArgs takes a value that starts with `-` for an option, and refuses it as
 * ambiguous; a time ago or a negative number is plainly a value.
 */
function joinNegativeValues(args: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    const next = args[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** A positive integer option, or undefined when absent. */
export function positiveInt(command: string, name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`--${name} expects a positive integer, got '${value}'`, command);
  }
  return n;
}

/** A positive number option (decimals allowed), or undefined when absent. */
export function positiveNumber(command: string, name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${name} expects a positive number, got '${value}'`, command);
  }
  return n;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A point in time: ISO 8601 (`2026-01-02T03:04:00Z`, `2026-01-02`), epoch milliseconds (`1767323040000`), or
 * relative to now (`-90m`, `-2h`, `-1d`, `now`).
 */
export function parseTime(command: string, name: string, value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === 'now') return now;
  const relative = /^-(\d+)([smhdw])$/.exec(text);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]];
  if (/^\d{10,}$/.test(text)) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  throw new UsageError(
    `--${name} expects an ISO time (2026-01-02T03:04:00Z), epoch ms, or a time ago (-90m, -2h, -1d), got '${value}'`,
    command,
  );
}

/** Rejects positionals a command does not take. */
export function noPositionals(command: string, positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`, command);
}
