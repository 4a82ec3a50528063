/** Where the CLI writes, and how it formats what it prints. */
import Decimal from 'decimal.js';
import type { KrakenLogger } from '../config/logger';

/** The CLI's output: lines to stdout and stderr (injectable for tests). */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
}

export const processIO: CliIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * One NDJSON line: Decimals as plain decimal strings (`"0.00000001"`, never decimal.js's `"1e-8"`), ids as their
 * text form (their `toJSON`).
 */
export function ndjson(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    // `v` has been through toJSON already; the holder still has the Decimal itself.
    const original = (this as Record<string, unknown>)[key];
    if (Decimal.isDecimal(original)) return original.toFixed();
    return typeof v === 'bigint' ? v.toString() : v;
  });
}

/** A Decimal as plain text (no exponent), or `-` when absent. */
export function num(value: Decimal | undefined, decimals?: number): string {
  if (value === undefined) return '-';
  return decimals === undefined ? value.toFixed() : value.toFixed(decimals);
}

/** `HH:MM:SS` (UTC) of an epoch-ms time. */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** `YYYY-MM-DD HH:MM` (UTC) of an epoch-ms time. */
export function minute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** Pads a cell to a width (left-aligned). */
export function cell(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** A logger for the library that writes warnings and errors to stderr as `warn: ...` lines, and counts them. */
export function cliLogger(io: CliIO, options: { verbose?: boolean } = {}): KrakenLogger & { warnings: number } {
  const logger = {
    warnings: 0,
    debug: () => undefined,
    info: (message: string) => {
      if (options.verbose) io.err(`info: ${message}`);
    },
    warn: (message: string) => {
      logger.warnings += 1;
      io.err(`warn: ${message}`);
    },
    error: (message: string) => {
      logger.warnings += 1;
      io.err(`error: ${message}`);
    },
  };
  return logger;
}
