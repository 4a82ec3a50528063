#!/usr/bin/env node
/**
 * `kraken-rx`: the command line of kraken-rx. Every command runs against the embedded KrakenSimulator unless
 * `--live`. Exit codes: 0 done, 1 failed, 2 bad arguments (one line on stderr).
 */
import { UsageError } from './args';
import { barsCommand } from './commands/bars';
import { demoCommand } from './commands/demo';
import { instrumentsCommand } from './commands/instruments';
import { watchCommand } from './commands/watch';
import type { Command, CommandContext } from './context';
import { processIO, type CliIO } from './io';

export const MAIN_HELP = `Usage: kraken-rx <command> [options]

Every Kraken Spot and Futures feed as an RxJS Observable. Commands run against the embedded KrakenSimulator
(no network, no credentials) unless --live.

Commands:
  demo                  the whole library end to end against the simulator, then a summary (npm start)
  watch <instrument...> live trades, quotes, books and bars
  bars <barType>        historical bars (--start, --end, --limit)
  instruments           the instruments, with precision, minimum size and fees

Options of every command:
  --live       against Kraken itself instead of the simulator (not for demo)
  --json       one JSON object per line (NDJSON), for piping
  --seed <n>   simulator seed
  -h, --help   help (kraken-rx <command> --help for a command's own)

Examples:
  kraken-rx demo
  kraken-rx watch BTC/USD PF_XBTUSD --channels trades,book
  kraken-rx bars BTC/USD-1-MINUTE-LAST-EXTERNAL --start -30m --json
  kraken-rx instruments --live --product futures`;

const COMMANDS: Record<string, Command> = {
  demo: demoCommand,
  watch: watchCommand,
  bars: barsCommand,
  instruments: instrumentsCommand,
};

/** Runs one command line (without `node` and the script); resolves to the exit code. Never throws. */
export async function main(
  argv: readonly string[],
  options: { io?: CliIO; signal?: AbortSignal } = {},
): Promise<number> {
  const io = options.io ?? processIO;
  const signal = options.signal ?? new AbortController().signal;
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err('kraken-rx: missing command; try kraken-rx --help');
    return 2;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    io.out(MAIN_HELP);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(
      `kraken-rx: unknown ${name.startsWith('-') ? 'option' : 'command'} '${name}'; commands: ${Object.keys(COMMANDS).join(', ')} (kraken-rx --help)`,
    );
    return 2;
  }
  const ctx: CommandContext = { io, signal };
  try {
    return await command(rest, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`kraken-rx ${name}: ${err.message} (kraken-rx ${err.command ?? name} --help)`);
      return 2;
    }
    const message = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
    io.err(`kraken-rx ${name}: ${message.split('\n')[0]}`);
    return 1;
  }
}

/** Runs `main` as the process: Ctrl-C stops the command cleanly; the process exits with its code. */
function runAsProcess(): void {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `kraken-rx ... | head`: the reader left; stop quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  void main(process.argv.slice(2), { signal: controller.signal }).then((code) => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.exitCode = code;
    // Everything is closed by now and the process ends by itself; should a handle linger, do not hang.
    setTimeout(() => {
      process.stderr.write('kraken-rx: exiting with a handle still open\n');
      process.exit(code);
    }, 3_000).unref();
  });
}

if (require.main === module) runAsProcess();
