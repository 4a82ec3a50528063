/** `kraken-rx watch <instrument...>`: live trades, quotes, books and bars. */
import { distinctUntilChanged, map, merge, type Observable, Subscription } from 'rxjs';
import { KRAKEN, InstrumentId } from '../../model/identifiers';
import type { OrderBook } from '../../model/data';
import { COMMON_OPTIONS, parseCommand, positiveInt, positiveNumber, UsageError } from '../args';
import type { Command } from '../context';
import { clock, cliLogger, minute, ndjson, num } from '../io';
import { openTarget, type Target } from '../target';
import { isFuturesSymbol, withVenue } from './symbols';

export const WATCH_HELP = `Usage: kraken-rx watch <instrument...> [options]

Streams live market data of one or more instruments until Ctrl-C (or --count / --duration). Against the embedded
KrakenSimulator unless --live.

  <instrument>     BTC/USD, ETH/BTC, PF_XBTUSD, PI_XBTUSD, ... (the .KRAKEN venue may be left out)

Options:
  --channels <list>  comma list of trades, quotes, book, bars (default trades,quotes). bars: Spot 1-MINUTE bars from
                     Kraken's OHLC channel; Futures 1-MINUTE bars aggregated from trades (INTERNAL)
  --depth <n>        book depth (default 10; Spot accepts 10, 25, 100, 500, 1000)
  --count <n>        stop after n lines
  --duration <secs>  stop after this many seconds
  --json             one JSON object per line (NDJSON), for piping
  --live             stream from Kraken itself (public feeds; no credentials needed)
  --seed <n>         simulator seed (default 7)
  -h, --help         this help

Examples:
  kraken-rx watch BTC/USD PF_XBTUSD
  kraken-rx watch BTC/USD --channels book --depth 10 --live
  kraken-rx watch ETH/USD --channels trades --json --count 100 | jq -r .price`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  channels: { type: 'string' },
  depth: { type: 'string' },
  count: { type: 'string' },
  duration: { type: 'string' },
} as const;

const CHANNELS = ['trades', 'quotes', 'book', 'bars'] as const;
type Channel = (typeof CHANNELS)[number];
const SPOT_DEPTHS = [10, 25, 100, 500, 1000];

function parseChannels(text: string | undefined): Channel[] {
  const names = (text ?? 'trades,quotes')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError('--channels is empty; use trades, quotes, book, bars', 'watch');
  for (const name of names) {
    if (!(CHANNELS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown channel '${name}' in --channels; use ${CHANNELS.join(', ')}`, 'watch');
    }
  }
  return [...new Set(names)] as Channel[];
}

function parseInstrument(text: string): InstrumentId {
  try {
    return InstrumentId.from(withVenue(text));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), 'watch');
  }
}

function bookLine(book: OrderBook): string {
  const bid = book.bestBid;
  const ask = book.bestAsk;
  return `${clock(book.tsEvent)} ${book.instrumentId.toString()} book  bid ${num(bid?.size)} @ ${num(bid?.price)}  ask ${num(ask?.size)} @ ${num(ask?.price)}  spread ${num(book.spread)}  (${book.bids.length}x${book.asks.length} levels)`;
}

function bookJson(book: OrderBook): string {
  return ndjson({
    type: 'book',
    instrumentId: book.instrumentId,
    bids: book.bids,
    asks: book.asks,
    tsEvent: book.tsEvent,
  });
}

function stream(target: Target, id: InstrumentId, channel: Channel, depth: number, json: boolean): Observable<string> {
  const data = target.node.dataClient(KRAKEN);
  const name = id.toString();
  switch (channel) {
    case 'trades':
      return data
        .trades(id)
        .pipe(
          map((t) =>
            json
              ? ndjson({ type: 'trade', ...t })
              : `${clock(t.tsEvent)} ${name} trade ${t.aggressorSide === 'BUYER' ? 'buy ' : t.aggressorSide === 'SELLER' ? 'sell' : '    '} ${num(t.size)} @ ${num(t.price)}`,
          ),
        );
    case 'quotes':
      return data
        .quotes(id)
        .pipe(
          map((q) =>
            json
              ? ndjson({ type: 'quote', ...q })
              : `${clock(q.tsEvent)} ${name} quote bid ${num(q.bidSize)} @ ${num(q.bidPrice)}  ask ${num(q.askSize)} @ ${num(q.askPrice)}`,
          ),
        );
    case 'book':
      return json
        ? data.book(id, { depth }).pipe(map(bookJson))
        : data.book(id, { depth }).pipe(
            distinctUntilChanged(
              (a, b) =>
                a.bestBid?.price.eq(b.bestBid?.price ?? -1) === true &&
                a.bestAsk?.price.eq(b.bestAsk?.price ?? -1) === true &&
                a.bestBid?.size.eq(b.bestBid?.size ?? -1) === true &&
                a.bestAsk?.size.eq(b.bestAsk?.size ?? -1) === true,
            ),
            map(bookLine),
          );
    case 'bars': {
      const source = isFuturesSymbol(id.symbol) ? 'INTERNAL' : 'EXTERNAL';
      return data
        .bars(`${name}-1-MINUTE-LAST-${source}`)
        .pipe(
          map((b) =>
            json
              ? ndjson({ type: 'bar', ...b })
              : `${clock(b.tsEvent)} ${name} bar   ${minute(b.tsEvent)} ${source}  O ${num(b.open)}  H ${num(b.high)}  L ${num(b.low)}  C ${num(b.close)}  V ${num(b.volume)}`,
          ),
        );
    }
  }
}

export const watchCommand: Command = async (args, { io, signal }) => {
  const { values, positionals } = parseCommand('watch', args, OPTIONS);
  if (values.help) {
    io.out(WATCH_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('missing <instrument>, e.g. BTC/USD or PF_XBTUSD', 'watch');
  const ids = positionals.map(parseInstrument);
  const channels = parseChannels(values.channels);
  const depth = positiveInt('watch', 'depth', values.depth) ?? 10;
  if (ids.some((id) => !isFuturesSymbol(id.symbol)) && channels.includes('book') && !SPOT_DEPTHS.includes(depth)) {
    throw new UsageError(`--depth for a Spot book must be one of ${SPOT_DEPTHS.join(', ')}, got ${depth}`, 'watch');
  }
  const count = positiveInt('watch', 'count', values.count);
  const duration = positiveNumber('watch', 'duration', values.duration);
  const seed = positiveInt('watch', 'seed', values.seed) ?? 7;
  const spot = ids.some((id) => !isFuturesSymbol(id.symbol));
  const futures = ids.some((id) => isFuturesSymbol(id.symbol));
  const productTypes = [...(spot ? (['SPOT'] as const) : []), ...(futures ? (['FUTURES'] as const) : [])];
  if (signal.aborted) return 130;

  const target = await openTarget({
    live: values.live === true,
    seed,
    productTypes,
    logger: cliLogger(io),
    sim: { tradesPerMinute: 60 },
  });
  try {
    const provider = target.node.dataClient(KRAKEN).instrumentProvider;
    const unknown = ids.find((id) => provider.find(id) === undefined);
    if (unknown !== undefined) {
      throw new UsageError(`unknown instrument '${unknown.toString()}' (kraken-rx instruments lists them)`, 'watch');
    }
    if (!values.json) {
      io.err(`watching ${channels.join(', ')} of ${ids.map(String).join(', ')} on ${target.label}; Ctrl-C to stop`);
    }
    const lines = merge(
      ...ids.flatMap((id) => channels.map((ch) => stream(target, id, ch, depth, values.json === true))),
    );
    return await new Promise<number>((resolve, reject) => {
      let printed = 0;
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const subscription = new Subscription();
      const end = (settle: () => void) => {
        if (done) return;
        done = true;
        subscription.unsubscribe();
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = () => end(() => resolve(0));
      signal.addEventListener('abort', onAbort);
      if (duration !== undefined) timer = setTimeout(() => end(() => resolve(0)), duration * 1000);
      subscription.add(
        lines.subscribe({
          next: (line) => {
            if (done) return;
            io.out(line);
            printed += 1;
            if (count !== undefined && printed >= count) end(() => resolve(0));
          },
          error: (err: unknown) => end(() => reject(err)),
          complete: () => end(() => resolve(0)),
        }),
      );
      if (done) subscription.unsubscribe();
    });
  } finally {
    await target.close();
  }
};
