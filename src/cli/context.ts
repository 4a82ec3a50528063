import type { CliIO } from './io';

/** What every command gets from `main`. */
export interface CommandContext {
  readonly io: CliIO;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly. */
  readonly signal: AbortSignal;
}

/** A command: parses its own arguments, returns the exit code (throws `UsageError` for a bad argument). */
export type Command = (args: readonly string[], ctx: CommandContext) => Promise<number>;
