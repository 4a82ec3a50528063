/**
 * `kraken-rx demo` (what `npm start` runs): the whole library end to end against the embedded KrakenSimulator —
 * no network, no credentials. Starts the simulator on a fast manual clock, builds a TradingNode (data + execution,
 * Spot + Futures), streams trades, quotes, a book and bars of a Spot pair and a Futures perpetual, submits, amends
 * and cancels an order and fills another on each, reconciles against Kraken's reports, prints a summary and exits.
 */
import Decimal from 'decimal.js';
import { firstValueFrom, lastValueFrom, Subscription, toArray } from 'rxjs';
import { isOrderEvent, type KrakenExecutionClient } from '../../execution/KrakenExecutionClient';
import type { Bar, OrderBook, QuoteTick, TradeTick } from '../../model/data';
import type { OrderEvent } from '../../model/events';
import { InstrumentId, KRAKEN } from '../../model/identifiers';
import type { Instrument } from '../../model/instruments';
import type { ExecutionMassStatus } from '../../model/reports';
import { KrakenLiveDataClientFactory, KrakenLiveExecClientFactory } from '../../node/factories';
import { TradingNode } from '../../node/TradingNode';
import { KrakenSimulator } from '../../sim/simulator';
import { COMMON_OPTIONS, noPositionals, parseCommand, positiveInt, positiveNumber, UsageError } from '../args';
import type { Command } from '../context';
import { cell, clock, cliLogger, minute, ndjson, num, type CliIO } from '../io';

export const DEMO_HELP = `Usage: kraken-rx demo [options]

Runs kraken-rx end to end against the embedded KrakenSimulator (no network, no credentials) and exits:
starts a TradingNode with Spot and Futures data and execution clients, streams trades, quotes, a book and bars of
BTC/USD and PF_XBTUSD, submits, amends and cancels a limit order and fills a market order on each, reconciles
against the venue's reports, and prints a summary. The simulator's clock runs fast, so one-minute bars close
every couple of seconds.

Options:
  --seconds <n>  how long to stream (default 12, at most 3600)
  --speed <x>    simulated seconds per real second (default 30, at most 120)
  --seed <n>     simulator seed (default 7)
  --json         one JSON object per line (NDJSON) instead of the live view
  --verbose      also print the node's start-up steps
  -h, --help     this help`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  seconds: { type: 'string' },
  speed: { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

const SPOT_ID = InstrumentId.from('BTC/USD.KRAKEN');
const FUTURES_ID = InstrumentId.from('PF_XBTUSD.KRAKEN');
const SPOT_BARS = 'BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL';
const FUTURES_BARS = 'PF_XBTUSD.KRAKEN-1-MINUTE-LAST-EXTERNAL';
const DRIVER_MS = 50;
const STATUS_MS = 2_000;
/**
 * Beyond this the simulated clock outruns what the demo can show: Spot's WebSocket token (valid 15 simulated
 * minutes) expires before the private socket subscribes, and the simulator's timers crowd out the sockets.
 */
export const DEMO_MAX_SPEED = 120;
export const DEMO_MAX_SECONDS = 3_600;
/** Real seconds the demo may spend beyond `--seconds` (start-up, the order rounds' waits, the closing reports). */
const OVERRUN_SECONDS = 60;

/**
 * Where the simulated market starts, and how far back the reconciliations ask. The simulated clock must stay behind
 * the real one for the whole run: the clients bound their history requests by their own (real) clock, so bars and
 * orders stamped after the real now would be cut off.
 */
export function demoTimeline(now: number, seconds: number, speed: number): { startTime: number; lookbackMins: number } {
  const aheadMs = Math.ceil((seconds + OVERRUN_SECONDS) * speed * 1000);
  const behindMs = Math.max(20 * 60_000, aheadMs);
  const startTime = Math.floor((now - behindMs) / 60_000) * 60_000;
  // Asked at the end of the run, the reconciliations reach back before the simulated start, with an hour to spare.
  const lookbackMins = Math.ceil((now - startTime) / 60_000 + (seconds + OVERRUN_SECONDS) / 60) + 60;
  return { startTime, lookbackMins };
}

/** A failure of the demo itself (an order not accepted, a feed that never came): exit 1 with the reason. */
class DemoError extends Error {}

interface FeedStats {
  readonly id: InstrumentId;
  trades: number;
  lastTrade?: TradeTick;
  quotes: number;
  lastQuote?: QuoteTick;
  books: number;
  lastBook?: OrderBook;
  liveBars: Bar[];
  chartBars: Bar[];
}

interface OrderTally {
  placed: number;
  amended: number;
  canceled: number;
  filled: Set<string>;
  /** Venue order ids of the demo's orders, with what the demo expects Kraken to report. */
  readonly expected: Map<string, { clientOrderId: string; status: 'CANCELED' | 'FILLED'; instrumentId: InstrumentId }>;
  /** Filled quantity per venue order id, from the live `OrderFilled` events. */
  readonly filledQty: Map<string, Decimal>;
  events: number;
  accountUpdates: number;
}

interface ReconciliationCheck {
  readonly ok: boolean;
  readonly text: string;
}

function newStats(id: InstrumentId): FeedStats {
  return { id, trades: 0, quotes: 0, books: 0, liveBars: [], chartBars: [] };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (signal.aborted) throw new DemoError('interrupted');
    if (Date.now() > deadline) throw new DemoError(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(25, signal);
  }
}

/** Output of the demo: a readable live view, or NDJSON. */
class DemoView {
  private readonly started = Date.now();

  constructor(
    private readonly io: CliIO,
    readonly json: boolean,
  ) {}

  private stamp(): string {
    return `[${((Date.now() - this.started) / 1000).toFixed(1).padStart(5)}s]`;
  }

  line(text: string): void {
    if (!this.json) this.io.out(`${this.stamp()} ${text}`);
  }

  record(value: Record<string, unknown>): void {
    if (this.json) this.io.out(ndjson(value));
  }

  trade(t: TradeTick): void {
    this.record({ type: 'trade', ...t });
  }

  quote(q: QuoteTick): void {
    this.record({ type: 'quote', ...q });
  }

  book(b: OrderBook): void {
    this.record({
      type: 'book',
      instrumentId: b.instrumentId,
      bids: b.bids.slice(0, 3),
      asks: b.asks.slice(0, 3),
      tsEvent: b.tsEvent,
    });
  }

  bar(b: Bar, how: string): void {
    this.record({ type: 'bar', source: how, ...b });
    this.line(
      `bar   ${cell(b.barType.instrumentId.symbol, 10)} ${minute(b.tsEvent)} ${how}  O ${num(b.open)}  H ${num(b.high)}  L ${num(b.low)}  C ${num(b.close)}  V ${num(b.volume)}`,
    );
  }

  order(e: OrderEvent): void {
    this.record({ type: 'order', event: e });
    let detail = '';
    if (e.type === 'OrderFilled') {
      detail = `${num(e.lastQty)} @ ${num(e.lastPx)} (${e.liquiditySide}, fee ${num(e.commission)} ${e.commissionCurrency})`;
    } else if (e.type === 'OrderUpdated') {
      detail = `price ${num(e.price)} qty ${num(e.quantity)}`;
    } else if (e.type === 'OrderAccepted') {
      detail = `venue id ${e.venueOrderId}`;
    } else if ('reason' in e && e.reason !== undefined) {
      detail = e.reason;
    }
    this.line(`order ${cell(e.instrumentId.symbol, 10)} ${cell(e.type, 15)} ${cell(e.clientOrderId, 10)} ${detail}`);
  }

  status(feeds: readonly FeedStats[]): void {
    feeds.forEach((f, index) => {
      const book = f.lastBook;
      const prefix = index === 0 ? this.stamp() : ' '.repeat(this.stamp().length);
      if (!this.json) {
        this.io.out(
          `${prefix} ${cell(f.id.symbol, 10)} bid ${cell(num(book?.bestBid?.price), 9)} ask ${cell(num(book?.bestAsk?.price), 9)} last ${cell(num(f.lastTrade?.price), 9)} trades ${cell(String(f.trades), 5)} quotes ${cell(String(f.quotes), 5)} book updates ${cell(String(f.books), 5)} bars ${f.liveBars.length}`,
        );
      }
    });
  }
}

/** A price `fraction` of the best bid, on the instrument's tick. */
function priceBelow(instrument: Instrument, book: OrderBook, fraction: number): Decimal {
  const bid = book.bestBid?.price ?? book.mid;
  if (bid === undefined) throw new DemoError(`${instrument.id.toString()}: the book has no bid`);
  const tick = instrument.priceIncrement;
  return bid.mul(fraction).div(tick).floor().mul(tick);
}

/** The smallest order size that meets the instrument's minimum size and notional, on its size step. */
function demoQuantity(instrument: Instrument, price: Decimal): Decimal {
  const step = instrument.sizeIncrement;
  let qty = Decimal.max(instrument.minQuantity ?? step, step, new Decimal('0.001'));
  if (instrument.minNotional !== undefined && qty.mul(price).lt(instrument.minNotional)) {
    qty = instrument.minNotional.div(price);
  }
  return qty.div(step).ceil().mul(step);
}

function outcome(events: readonly OrderEvent[], wanted: OrderEvent['type'], what: string): OrderEvent {
  const hit = events.find((e) => e.type === wanted);
  if (hit !== undefined) return hit;
  const refusal = events.find((e) => 'reason' in e && e.reason !== undefined) as
    { type: string; reason?: string } | undefined;
  throw new DemoError(
    `${what}: expected ${wanted}, got ${events.map((e) => e.type).join(', ') || 'nothing'}${refusal ? ` (${refusal.type}: ${refusal.reason})` : ''}`,
  );
}

/** Submit, amend and cancel a resting limit buy; then a market buy that fills. */
async function orderRound(
  exec: KrakenExecutionClient,
  instrument: Instrument,
  book: OrderBook,
  tag: string,
  tally: OrderTally,
  signal: AbortSignal,
): Promise<void> {
  const id = instrument.id;
  const restingPrice = priceBelow(instrument, book, 0.98);
  const amendedPrice = priceBelow(instrument, book, 0.99);
  const quantity = demoQuantity(instrument, restingPrice);
  const limitId = `demo-${tag}-1`;
  const marketId = `demo-${tag}-2`;

  const submitted = await lastValueFrom(
    exec
      .submitOrder({
        clientOrderId: limitId,
        instrumentId: id,
        side: 'BUY',
        type: 'LIMIT',
        quantity,
        price: restingPrice,
        postOnly: true,
      })
      .pipe(toArray()),
  );
  const accepted = outcome(submitted, 'OrderAccepted', `${id.symbol} limit order`);
  tally.expected.set(accepted.venueOrderId ?? limitId, {
    clientOrderId: limitId,
    status: 'CANCELED',
    instrumentId: id,
  });

  const modified = await lastValueFrom(
    exec.modifyOrder({ clientOrderId: limitId, instrumentId: id, price: amendedPrice }).pipe(toArray()),
  );
  outcome(modified, 'OrderUpdated', `${id.symbol} amend`);

  const canceled = await lastValueFrom(exec.cancelOrder({ clientOrderId: limitId, instrumentId: id }).pipe(toArray()));
  outcome(canceled, 'OrderCanceled', `${id.symbol} cancel`);

  const market = await lastValueFrom(
    exec
      .submitOrder({ clientOrderId: marketId, instrumentId: id, side: 'BUY', type: 'MARKET', quantity })
      .pipe(toArray()),
  );
  const marketAccepted = market.find((e) => e.type === 'OrderAccepted' || e.type === 'OrderFilled');
  if (marketAccepted === undefined) outcome(market, 'OrderAccepted', `${id.symbol} market order`);
  const venueOrderId = marketAccepted?.venueOrderId ?? marketId;
  tally.expected.set(venueOrderId, { clientOrderId: marketId, status: 'FILLED', instrumentId: id });
  await waitFor(() => tally.filled.has(marketId), 10_000, `the fill of ${marketId}`, signal);
}

/** Does what Kraken reports agree with what the live events said? */
function checkReconciliation(status: ExecutionMassStatus, tally: OrderTally): ReconciliationCheck {
  const problems: string[] = [];
  for (const [venueOrderId, expected] of tally.expected) {
    const report =
      status.orderReports.find((r) => r.venueOrderId === venueOrderId) ??
      status.orderReports.find((r) => r.clientOrderId === expected.clientOrderId);
    if (report === undefined) problems.push(`${expected.clientOrderId} not reported`);
    else if (report.orderStatus !== expected.status) {
      problems.push(`${expected.clientOrderId} reported ${report.orderStatus}, expected ${expected.status}`);
    }
  }
  for (const [venueOrderId, qty] of tally.filledQty) {
    const reported = status.fillReports
      .filter((f) => f.venueOrderId === venueOrderId)
      .reduce((sum, f) => sum.add(f.lastQty), new Decimal(0));
    if (!reported.eq(qty))
      problems.push(`fills of ${venueOrderId}: reported ${reported.toFixed()}, seen ${qty.toFixed()}`);
  }
  const futuresFilled = [...tally.expected.entries()]
    .filter(([, e]) => e.status === 'FILLED' && e.instrumentId.equals(FUTURES_ID))
    .reduce((sum, [venueOrderId]) => sum.add(tally.filledQty.get(venueOrderId) ?? 0), new Decimal(0));
  if (futuresFilled.gt(0)) {
    const position = status.positionReports.find((p) => p.instrumentId.equals(FUTURES_ID));
    if (position === undefined || position.positionSide !== 'LONG' || !position.quantity.eq(futuresFilled)) {
      problems.push(
        `${FUTURES_ID.symbol} position reported ${position ? `${position.positionSide} ${position.quantity.toFixed()}` : 'none'}, expected LONG ${futuresFilled.toFixed()}`,
      );
    }
  }
  const counts = `${plural(status.orderReports.length, 'order')}, ${plural(status.fillReports.length, 'fill')}, ${plural(status.positionReports.length, 'position')} reported`;
  return problems.length === 0
    ? { ok: true, text: `OK: ${counts}; every demo order, fill and position matches the live events` }
    : { ok: false, text: `MISMATCH (${counts}): ${problems.join('; ')}` };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function topOfBook(f: FeedStats): string {
  const b = f.lastBook;
  if (b === undefined) return `${f.id.symbol} no book`;
  return `${f.id.symbol} ${num(b.bestBid?.price)} / ${num(b.bestAsk?.price)} (spread ${num(b.spread)})`;
}

export const demoCommand: Command = async (args, { io, signal }) => {
  const { values, positionals } = parseCommand('demo', args, OPTIONS);
  if (values.help) {
    io.out(DEMO_HELP);
    return 0;
  }
  noPositionals('demo', positionals);
  if (values.live) {
    throw new UsageError(
      'the demo places orders, so it runs against the embedded simulator only; use watch, bars or instruments with --live',
      'demo',
    );
  }
  const seconds = positiveNumber('demo', 'seconds', values.seconds) ?? 12;
  const speed = positiveNumber('demo', 'speed', values.speed) ?? 30;
  if (seconds > DEMO_MAX_SECONDS) {
    throw new UsageError(`--seconds is at most ${DEMO_MAX_SECONDS}, got ${values.seconds}`, 'demo');
  }
  if (speed > DEMO_MAX_SPEED) {
    throw new UsageError(
      `--speed is at most ${DEMO_MAX_SPEED} (faster, Spot's 15-minute WebSocket token expires before it is used), got ${values.speed}`,
      'demo',
    );
  }
  const seed = positiveInt('demo', 'seed', values.seed) ?? 7;
  const view = new DemoView(io, values.json === true);
  const logger = cliLogger(io, { verbose: values.verbose === true });
  const startedAt = Date.now();

  // The simulated market starts in the past and runs `speed` times faster than real time, so bars close quickly and
  // the simulated clock stays behind the real one until the end.
  const { startTime, lookbackMins } = demoTimeline(startedAt, seconds, speed);
  const sim = await KrakenSimulator.start({ seed, clock: 'manual', startTime });
  // Advance by the real time that passed (times the speed), so a busy machine slows the view, not the market. One
  // tick never covers more than a few driver periods: after a stall, a catch-up advance would make the next tick
  // slower still and snowball.
  let driven = Date.now();
  const driver = setInterval(() => {
    const now = Date.now();
    sim.clock.advance(Math.min(now - driven, 4 * DRIVER_MS) * speed);
    driven = now;
  }, DRIVER_MS);
  const clientConfig = { ...sim.config(), productTypes: ['SPOT', 'FUTURES'] as const, logger };
  const node = new TradingNode({
    traderId: 'DEMO-001',
    dataClients: { [KRAKEN]: { ...clientConfig, updateInstrumentsIntervalMins: null } },
    execClients: { [KRAKEN]: clientConfig },
    reconciliationLookbackMins: lookbackMins,
    logger,
  });
  const subscriptions = new Subscription();
  let statusTimer: NodeJS.Timeout | undefined;
  const failures: Error[] = [];
  try {
    view.line(
      `kraken-rx demo: embedded KrakenSimulator on ${sim.config().baseUrlHttpSpot} (seed ${seed}, ${speed}x time)`,
    );
    view.record({ type: 'start', simulator: sim.config().baseUrlHttpSpot, seed, speed });
    node.addDataClientFactory(KRAKEN, KrakenLiveDataClientFactory);
    node.addExecClientFactory(KRAKEN, KrakenLiveExecClientFactory);
    await node.start();
    const initial = node.reconciliation(KRAKEN);
    view.line(
      `TradingNode running: ${node.instruments().length} instruments, Spot and Futures keys accepted and allowed to trade, start-up reconciliation ${initial ? `${plural(initial.orderReports.length, 'order')}, ${plural(initial.fillReports.length, 'fill')}, ${plural(initial.positionReports.length, 'position')}` : 'skipped'}`,
    );
    view.record({
      type: 'node',
      state: node.state,
      instruments: node.instruments().length,
      reconciliation: initial
        ? {
            orders: initial.orderReports.length,
            fills: initial.fillReports.length,
            positions: initial.positionReports.length,
          }
        : null,
    });

    const data = node.dataClient(KRAKEN);
    const exec = node.execClient(KRAKEN);
    const spot = newStats(SPOT_ID);
    const futures = newStats(FUTURES_ID);
    const feeds = [spot, futures];
    const tally: OrderTally = {
      placed: 0,
      amended: 0,
      canceled: 0,
      filled: new Set(),
      expected: new Map(),
      filledQty: new Map(),
      events: 0,
      accountUpdates: 0,
    };
    const fail = (what: string) => (err: unknown) =>
      failures.push(new DemoError(`${what}: ${err instanceof Error ? err.message : String(err)}`));

    subscriptions.add(
      exec.events$.subscribe((event) => {
        if (!isOrderEvent(event)) {
          tally.accountUpdates += 1;
          return;
        }
        tally.events += 1;
        if (event.type === 'OrderAccepted') tally.placed += 1;
        if (event.type === 'OrderUpdated') tally.amended += 1;
        if (event.type === 'OrderCanceled') tally.canceled += 1;
        if (event.type === 'OrderFilled') {
          tally.filled.add(event.clientOrderId);
          tally.filledQty.set(
            event.venueOrderId,
            (tally.filledQty.get(event.venueOrderId) ?? new Decimal(0)).add(event.lastQty),
          );
        }
        view.order(event);
      }),
    );
    subscriptions.add(node.errors$.subscribe((err) => view.record({ type: 'warning', message: err.message })));
    for (const f of feeds) {
      subscriptions.add(
        data.trades(f.id).subscribe({
          next: (t) => {
            f.trades += 1;
            f.lastTrade = t;
            view.trade(t);
          },
          error: fail(`${f.id.symbol} trades`),
        }),
      );
      subscriptions.add(
        data.quotes(f.id).subscribe({
          next: (q) => {
            f.quotes += 1;
            f.lastQuote = q;
            view.quote(q);
          },
          error: fail(`${f.id.symbol} quotes`),
        }),
      );
      subscriptions.add(
        data.book(f.id, { depth: 10 }).subscribe({
          next: (b) => {
            f.books += 1;
            f.lastBook = b;
            view.book(b);
          },
          error: fail(`${f.id.symbol} book`),
        }),
      );
    }
    subscriptions.add(
      data.bars(SPOT_BARS).subscribe({
        next: (b) => {
          spot.liveBars.push(b);
          view.bar(b, 'live OHLC');
        },
        error: fail('BTC/USD bars'),
      }),
    );
    const streamingFrom = sim.clock.now();
    statusTimer = setInterval(() => view.status(feeds), STATUS_MS);

    // Futures have no bar feed on the WebSocket: their bars come from the charts API. (`end`: the simulated clock is
    // behind the real one.)
    const history = await lastValueFrom(
      data.requestBars(FUTURES_BARS, { limit: 3, end: sim.clock.now() }).pipe(toArray()),
    );
    for (const bar of history) view.bar(bar, 'charts API (history)');

    await waitFor(() => feeds.every((f) => f.lastBook !== undefined), 15_000, 'both order books', signal);
    view.status(feeds);

    const spotInstrument = node.instruments().find((i) => i.id.equals(SPOT_ID));
    const futuresInstrument = node.instruments().find((i) => i.id.equals(FUTURES_ID));
    if (spotInstrument === undefined || futuresInstrument === undefined) {
      throw new DemoError('the simulator lists no BTC/USD or PF_XBTUSD');
    }
    await orderRound(exec, spotInstrument, spot.lastBook as OrderBook, 'spot', tally, signal);
    await orderRound(exec, futuresInstrument, futures.lastBook as OrderBook, 'fut', tally, signal);

    await sleep(startedAt + seconds * 1000 - Date.now(), signal);
    if (failures.length > 0) throw failures[0];
    clearInterval(statusTimer);
    view.status(feeds);

    // Futures bars closed while the demo streamed, from the charts API.
    futures.chartBars = await lastValueFrom(
      data.requestBars(FUTURES_BARS, { start: streamingFrom, end: sim.clock.now() }).pipe(toArray()),
    );
    for (const bar of futures.chartBars) view.bar(bar, 'charts API');

    const status = await firstValueFrom(exec.massStatus({ lookbackMins }));
    const check = checkReconciliation(status, tally);
    const lastSpotBar = spot.liveBars[spot.liveBars.length - 1];
    const lastFuturesBar = futures.chartBars[futures.chartBars.length - 1];
    const elapsed = ((Date.now() - startedAt) / 1000).toFixed(1);
    const summary = {
      tradesSeen: { [spot.id.symbol]: spot.trades, [futures.id.symbol]: futures.trades },
      quotesSeen: { [spot.id.symbol]: spot.quotes, [futures.id.symbol]: futures.quotes },
      bookTop: Object.fromEntries(
        feeds.map((f) => [f.id.symbol, { bid: f.lastBook?.bestBid?.price, ask: f.lastBook?.bestAsk?.price }]),
      ),
      bars: { [spot.id.symbol]: spot.liveBars.length, [futures.id.symbol]: futures.chartBars.length },
      orders: { placed: tally.placed, amended: tally.amended, canceled: tally.canceled, filled: tally.filled.size },
      reconciliation: { ok: check.ok, text: check.text },
      warnings: logger.warnings,
      seconds: Number(elapsed),
    };
    view.record({ type: 'summary', ...summary });
    if (!view.json) {
      io.out('');
      io.out(
        `Summary (${elapsed} s; simulated ${clock(streamingFrom)} to ${clock(sim.clock.now())} UTC; seed ${seed})`,
      );
      io.out(`  trades seen     ${spot.id.symbol} ${spot.trades}, ${futures.id.symbol} ${futures.trades}`);
      io.out(`  quotes seen     ${spot.id.symbol} ${spot.quotes}, ${futures.id.symbol} ${futures.quotes}`);
      io.out(`  book top        ${feeds.map(topOfBook).join(', ')}`);
      io.out(
        `  bars            ${spot.id.symbol} ${spot.liveBars.length} live 1-minute bars${lastSpotBar ? ` (last close ${num(lastSpotBar.close)})` : ''}, ${futures.id.symbol} ${futures.chartBars.length} from the charts API${lastFuturesBar ? ` (last close ${num(lastFuturesBar.close)})` : ''}`,
      );
      io.out(
        `  orders          placed ${tally.placed}, amended ${tally.amended}, canceled ${tally.canceled}, filled ${tally.filled.size}`,
      );
      io.out(`  reconciliation  ${check.text}`);
      if (logger.warnings > 0) io.out(`  warnings        ${logger.warnings} (printed above)`);
    }
    return check.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof DemoError) {
      io.err(`kraken-rx demo: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    clearInterval(driver);
    if (statusTimer !== undefined) clearInterval(statusTimer);
    subscriptions.unsubscribe();
    await node.stop();
    await sim.stop();
  }
};
