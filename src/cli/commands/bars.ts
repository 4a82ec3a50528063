/** `kraken-rx bars <barType>`: historical bars (Spot OHLC, Futures charts). */
import { lastValueFrom, tap } from 'rxjs';
import { futuresChartResolution, spotOhlcIntervalMinutes } from '../../kraken/common/intervals';
import { BarType, KRAKEN } from '../../model/identifiers';
import { COMMON_OPTIONS, parseCommand, parseTime, positiveInt, UsageError } from '../args';
import type { Command } from '../context';
import { cliLogger, minute, ndjson, num } from '../io';
import { openTarget } from '../target';
import { isFuturesSymbol, withVenue } from './symbols';

export const BARS_HELP = `Usage: kraken-rx bars <barType> [--start <time>] [--end <time>] [--limit <n>] [options]

Prints closed historical bars, oldest first: Spot from Kraken's OHLC endpoint (its latest 720 bars), Futures from
the charts API. Against the embedded KrakenSimulator unless --live.

  <barType>        INSTRUMENT-STEP-AGGREGATION-PRICETYPE-EXTERNAL, e.g. BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL or
                   PF_XBTUSD.KRAKEN-5-MINUTE-MARK-EXTERNAL (the .KRAKEN venue may be left out).
                   Spot: 1, 5, 15, 30 MINUTE; 1, 4 HOUR; 1, 15 DAY; 1 WEEK, LAST only.
                   Futures: LAST (trades), MARK or INDEX.

Options:
  --start <time>   first bar: ISO time (2026-01-02T03:04:00Z), epoch ms, or a time ago (-90m, -2h, -1d)
  --end <time>     last bar (default now)
  --limit <n>      at most n bars (default 20 when --start is not given: the most recent 20)
  --json           one JSON object per line (NDJSON), for piping
  --live           ask Kraken itself (public endpoints; no credentials needed)
  --seed <n>       simulator seed (default 7)
  -h, --help       this help

Examples:
  kraken-rx bars BTC/USD-1-MINUTE-LAST-EXTERNAL --start -30m
  kraken-rx bars PF_XBTUSD-1-HOUR-MARK-EXTERNAL --limit 24 --json`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  start: { type: 'string' },
  end: { type: 'string' },
  limit: { type: 'string' },
} as const;

/** Parses and checks a bar type (accepting it without the venue); every problem is a UsageError. */
export function parseBarType(text: string): BarType {
  let barType: BarType;
  try {
    const parts = text.split('-');
    const instrument = parts.slice(0, -4).join('-');
    barType = BarType.from(parts.length >= 5 ? [withVenue(instrument), ...parts.slice(-4)].join('-') : text);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), 'bars');
  }
  if (barType.source !== 'EXTERNAL') {
    throw new UsageError(
      `historical bars are EXTERNAL (Kraken's own); INTERNAL bars are aggregated live from trades (kraken-rx watch --channels bars), got '${text}'`,
      'bars',
    );
  }
  try {
    if (isFuturesSymbol(barType.instrumentId.symbol)) futuresChartResolution(barType.spec);
    else spotOhlcIntervalMinutes(barType.spec);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), 'bars');
  }
  return barType;
}

export const barsCommand: Command = async (args, { io }) => {
  const { values, positionals } = parseCommand('bars', args, OPTIONS);
  if (values.help) {
    io.out(BARS_HELP);
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError('missing <barType>, e.g. BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL', 'bars');
  if (positionals.length > 1) throw new UsageError(`expected one <barType>, got ${positionals.length}`, 'bars');
  const barType = parseBarType(positionals[0]);
  const now = Date.now();
  const start = parseTime('bars', 'start', values.start, now);
  const end = parseTime('bars', 'end', values.end, now);
  if (start !== undefined && end !== undefined && start >= end) {
    throw new UsageError('--start must be before --end', 'bars');
  }
  const limit = positiveInt('bars', 'limit', values.limit) ?? (start === undefined ? 20 : undefined);
  const seed = positiveInt('bars', 'seed', values.seed) ?? 7;
  const product = isFuturesSymbol(barType.instrumentId.symbol) ? 'FUTURES' : 'SPOT';
  const target = await openTarget({ live: values.live === true, seed, productTypes: [product], logger: cliLogger(io) });
  try {
    if (target.node.dataClient(KRAKEN).instrumentProvider.find(barType.instrumentId) === undefined) {
      throw new UsageError(
        `unknown instrument '${barType.instrumentId.toString()}' (kraken-rx instruments lists them)`,
        'bars',
      );
    }
    let count = 0;
    if (!values.json) io.out(`${barType.toString()} from ${target.label} (time = bar close, UTC)`);
    await lastValueFrom(
      target.node
        .dataClient(KRAKEN)
        .requestBars(barType, {
          ...(start !== undefined ? { start } : {}),
          ...(end !== undefined ? { end } : {}),
          ...(limit !== undefined ? { limit } : {}),
        })
        .pipe(
          tap((bar) => {
            count += 1;
            io.out(
              values.json
                ? ndjson({ type: 'bar', ...bar })
                : `${minute(bar.tsEvent)}  O ${num(bar.open)}  H ${num(bar.high)}  L ${num(bar.low)}  C ${num(bar.close)}  V ${num(bar.volume)}`,
            );
          }),
        ),
      { defaultValue: undefined },
    );
    if (!values.json) io.out(`${count} bars`);
    return 0;
  } finally {
    await target.close();
  }
};
