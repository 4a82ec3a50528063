import Decimal from 'decimal.js';
import { lastValueFrom, toArray } from 'rxjs';
import { KrakenConfigError, KrakenDecodeError, KrakenSubscriptionError } from '../../src/errors';
import type { FundingRateUpdate, MarkPriceUpdate, OrderBook, QuoteTick, TradeTick } from '../../src/model/data';
import {
  acks,
  collect,
  collectCaused,
  DeltaBook,
  engineLevels,
  firstMatch,
  levels,
  received,
  sentTo,
  startHarness,
  START,
  until,
  type Caused,
  type Harness,
  type Json,
  unsubscribeAcks,
} from './dataSupport';

const PF = 'PF_XBTUSD.KRAKEN';

/**
 * The PF_XBTUSD book rebuilt here from every Futures book frame the client received, frame by frame (snapshot:
 * replace; delta: `buy` → bid, `sell` → ask, the absolute size, 0 deletes), independently of the client's code.
 */
class WireBook {
  private bids = new Map<number, number>();
  private asks = new Map<number, number>();

  apply(frame: Json): void {
    if (frame.product_id !== 'PF_XBTUSD') return;
    if (frame.feed === 'book_snapshot') {
      const side = (levels: unknown) =>
        new Map((levels as { price: number; qty: number }[]).filter((l) => l.qty > 0).map((l) => [l.price, l.qty]));
      this.bids = side(frame.bids);
      this.asks = side(frame.asks);
    } else if (frame.feed === 'book') {
      const side = frame.side === 'buy' ? this.bids : this.asks;
      if (frame.qty === 0) side.delete(frame.price as number);
      else side.set(frame.price as number, frame.qty as number);
    }
  }

  levels(side: 'bids' | 'asks', depth: number): string[] {
    return [...this[side].entries()]
      .sort(([a], [b]) => (side === 'bids' ? b - a : a - b))
      .slice(0, depth)
      .map(([price, qty]) => `${new Decimal(price).toFixed()}:${new Decimal(qty).toFixed()}`);
  }
}

/** Checks each emitted book against the wire book as it stood after the frame that made it. */
function expectBooksMatchTheWire(books: readonly Caused<OrderBook>[], depth: number): void {
  const wire = new WireBook();
  let next = 0;
  for (const { frame } of received) {
    wire.apply(frame);
    while (next < books.length && books[next].frame === frame) {
      expect(levels(books[next].value.bids)).toEqual(wire.levels('bids', depth));
      expect(levels(books[next].value.asks)).toEqual(wire.levels('asks', depth));
      next++;
    }
  }
  expect(next).toBe(books.length);
}

describe('KrakenDataClient against the simulator: Futures', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ tradesPerMinute: 120 });
  });

  afterEach(async () => {
    await h.stop();
  });

  it('streams trades in seq order and fills a dropped connection’s hole from REST history', async () => {
    const trades = collect(h, h.client.trades(PF));
    await until(() => acks('/ws/v1').length === 1);
    h.sim.clock.advance(10_000);
    const market = h.sim.engine.market('PF_XBTUSD')!;
    const lastUid = () => market.trades[market.trades.length - 1].uid;
    await until(() => trades.values[trades.values.length - 1]?.tradeId === lastUid());
    const before = trades.values.length;
    expect(before).toBeGreaterThan(5);

    h.sim.faults.dropAllConnections({ group: 'futures' });
    h.sim.clock.advance(90_000); // ~180 trades: more than the 100 of Kraken's trade snapshot, the rest from REST
    await firstMatch(h.states$, (s) => s.venue === 'futures' && s.state === 'reconnected');
    await until(() => trades.values[trades.values.length - 1]?.tradeId === lastUid());

    const uids = trades.values.map((t: TradeTick) => t.tradeId);
    const engineUids = market.trades.map((t) => t.uid);
    const from = engineUids.indexOf(uids[0]);
    expect(uids).toEqual(engineUids.slice(from, from + uids.length));
    expect(uids.length - before).toBeGreaterThan(100);
    expect(new Set(uids).size).toBe(uids.length);
    expect(h.states.filter((s) => s.state === 'gap')).toEqual([]);
  });

  it('resyncs the book on a seq gap: no book from the gap on, until the new snapshot; the exchange’s book after', async () => {
    const books = collectCaused(h, h.client.book(PF, { depth: 10 }));
    await until(() => books.values.length > 0);
    h.sim.clock.advance(3_000);
    h.sim.faults.skipNextFuturesSeq('PF_XBTUSD');
    h.sim.clock.advance(3_000);
    const error = await firstMatch(
      h.errors$,
      (e) => e instanceof KrakenDecodeError && e.message.includes('sequence gap'),
    );
    expect(error.message).toContain('resubscribing');
    await until(() => sentTo('/ws/v1', 'unsubscribe').length === 1 && acks('/ws/v1').length === 2);
    h.sim.clock.advance(3_000);
    await until(() => {
      const book: OrderBook = books.values[books.values.length - 1].value;
      return levels(book.bids).join() === engineLevels(h, 'PF_XBTUSD', 'buy', 10).join();
    });
    const book = books.values[books.values.length - 1].value;
    expect(levels(book.asks)).toEqual(engineLevels(h, 'PF_XBTUSD', 'sell', 10));
    expect(h.states.some((s) => s.state === 'gap' && s.venue === 'futures')).toBe(true);

    // Each book is the wire's book after the frame that made it; its sequence is that frame's seq, and within one
    // snapshot's run the sequences go up by one. The frame with the gap (and those after it) made none.
    expectBooksMatchTheWire(books.values, 10);
    const snapshots = books.values.filter(({ frame }) => frame.feed === 'book_snapshot');
    expect(snapshots).toHaveLength(2);
    const gapSeq = Number(/got (\d+)/.exec(error.message)?.[1]);
    const secondSnapshot = books.values.indexOf(snapshots[1]);
    const firstRun = books.values.slice(0, secondSnapshot).map(({ value }) => value.sequence!);
    const secondRun = books.values.slice(secondSnapshot).map(({ value }) => value.sequence!);
    expect(firstRun).toEqual(firstRun.map((_, i) => firstRun[0] + i));
    expect(secondRun).toEqual(secondRun.map((_, i) => secondRun[0] + i));
    expect(firstRun[firstRun.length - 1]).toBe(gapSeq - 2);
    expect(secondRun[0]).toBeGreaterThanOrEqual(gapSeq);
    for (const { value, frame } of books.values) expect(value.sequence).toBe(frame.seq);
  });

  it('bookDeltas and book share one subscription; the deltas rebuild the emitted book and the exchange’s', async () => {
    const deltas = collect(h, h.client.bookDeltas(PF, { depth: 10 }));
    const books = collectCaused(h, h.client.book(PF, { depth: 10 }));
    await until(() => books.values.length > 0 && deltas.values.length > 0);
    h.sim.clock.advance(10_000);
    await until(() => {
      const book = books.values[books.values.length - 1].value;
      return levels(book.bids).join() === engineLevels(h, 'PF_XBTUSD', 'buy', 10).join();
    });
    expect(deltas.values[0].isSnapshot).toBe(true);
    expect(deltas.values.length).toBeGreaterThan(10);
    const rebuilt = new DeltaBook();
    for (const d of deltas.values) rebuilt.apply(d);
    const book = books.values[books.values.length - 1].value;
    expect(rebuilt.levels('BID', 10)).toEqual(levels(book.bids));
    expect(rebuilt.levels('ASK', 10)).toEqual(levels(book.asks));
    expect(levels(book.asks)).toEqual(engineLevels(h, 'PF_XBTUSD', 'sell', 10));
    expectBooksMatchTheWire(books.values, 10);
    expect(sentTo('/ws/v1', 'subscribe').map((f) => f.feed)).toEqual(['book']);
  });

  it('two trade subscribers and three ticker streams share one subscription each; values are the exchange’s', async () => {
    const a = collect(h, h.client.trades(PF));
    const b = collect(h, h.client.trades(PF));
    const marks = collectCaused(h, h.client.markPrices(PF));
    const indexes = collectCaused(h, h.client.indexPrices(PF));
    const funding = collectCaused(h, h.client.fundingRates(PF));
    await until(() => acks('/ws/v1').length === 2);
    h.sim.clock.advance(10_000);
    const market = h.sim.engine.market('PF_XBTUSD')!;
    const lastUid = () => market.trades[market.trades.length - 1].uid;
    await until(() => a.values[a.values.length - 1]?.tradeId === lastUid() && b.values.length === a.values.length);
    await until(() => marks.values.length > 5 && indexes.values.length > 5 && funding.values.length > 0);
    expect(sentTo('/ws/v1', 'subscribe').map((f) => [f.feed, f.product_ids])).toEqual([
      ['trade', ['PF_XBTUSD']],
      ['ticker', ['PF_XBTUSD']],
    ]);

    const byUid = new Map(market.trades.map((t) => [t.uid, t]));
    expect(a.values.map((t) => t.tradeId)).toEqual(b.values.map((t) => t.tradeId));
    expect(a.values.length).toBeGreaterThan(5);
    for (const trade of a.values) {
      const e = byUid.get(trade.tradeId)!;
      expect([trade.price.toFixed(), trade.size.toFixed(), trade.aggressorSide, trade.tsEvent]).toEqual([
        e.price.toFixed(),
        e.qty.toFixed(),
        e.side === 'buy' ? 'BUYER' : 'SELLER',
        e.time,
      ]);
      expect(trade.instrumentId.toString()).toBe(PF);
    }
    for (const { value, frame } of marks.values) {
      expect([frame.feed, value.value.toNumber(), value.tsEvent]).toEqual(['ticker', frame.markPrice, frame.time]);
    }
    for (const { value, frame } of indexes.values) expect(value.value.toNumber()).toBe(frame.index);
    for (const { value, frame } of funding.values) {
      expect([value.rate, value.relativeRate, value.predictedRate].map((d) => d?.toNumber())).toEqual([
        frame.funding_rate,
        frame.relative_funding_rate,
        frame.funding_rate_prediction,
      ]);
      expect(value.nextFundingTime).toBe(frame.next_funding_rate_time);
      expect(value.nextFundingTime! % 3_600_000).toBe(0);
    }

    expect(acks('/ws/v1')).toHaveLength(2);
    a.subscription.unsubscribe();
    expect(sentTo('/ws/v1', 'unsubscribe')).toEqual([]);
    b.subscription.unsubscribe();
    expect(sentTo('/ws/v1', 'unsubscribe')).toEqual([
      { event: 'unsubscribe', feed: 'trade', product_ids: ['PF_XBTUSD'] },
    ]);
    // The simulator took it: it confirms once, and sends no more trades while the ticker goes on.
    await until(() => unsubscribeAcks('/ws/v1').length === 1);
    expect(unsubscribeAcks('/ws/v1')[0]).toMatchObject({ feed: 'trade', product_ids: ['PF_XBTUSD'] });
    const tradeFrames = () => received.filter((r) => r.frame.feed === 'trade').length;
    const tickers = () => received.filter((r) => r.frame.feed === 'ticker').length;
    const [tradesBefore, tickersBefore] = [tradeFrames(), tickers()];
    h.sim.clock.advance(10_000);
    await until(() => tickers() > tickersBefore + 3);
    expect(tradeFrames()).toBe(tradesBefore);
    expect(market.trades[market.trades.length - 1].uid).not.toBe(a.values[a.values.length - 1].tradeId);
  });

  it('quotes from the book, mark/index/funding from one ticker subscription', async () => {
    const quotes = collect(h, h.client.quotes(PF));
    const marks = collect(h, h.client.markPrices(PF));
    const indexes = collect(h, h.client.indexPrices(PF));
    const funding = collect(h, h.client.fundingRates(PF));
    await until(() => acks('/ws/v1').length === 2);
    h.sim.clock.advance(5_000);
    await until(() => quotes.values.length > 1 && marks.values.length > 2 && indexes.values.length > 2);
    expect(sentTo('/ws/v1', 'subscribe').map((f) => f.feed)).toEqual(['book', 'ticker']);
    const quote: QuoteTick = quotes.values[quotes.values.length - 1];
    expect(quote.askPrice.gt(quote.bidPrice)).toBe(true);
    const mark: MarkPriceUpdate = marks.values[marks.values.length - 1];
    expect(mark.instrumentId.toString()).toBe(PF);
    expect(mark.value.isFinite()).toBe(true);
    expect(funding.values.length).toBeGreaterThan(0);
    const rate: FundingRateUpdate = funding.values[0];
    expect(rate.nextFundingTime).toBeGreaterThan(START);
  });

  it('bars() points to requestBars; requestBars reads the charts API', async () => {
    const error = await lastValueFrom(h.client.bars(`${PF}-1-MINUTE-LAST-EXTERNAL`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KrakenConfigError);
    expect((error as Error).message).toContain('requestBars');
    h.sim.clock.advance(5 * 60_000);
    for (const priceType of ['LAST', 'MARK', 'INDEX']) {
      const bars = await lastValueFrom(
        h.client
          .requestBars(`${PF}-1-MINUTE-${priceType}-EXTERNAL`, { start: START, end: START + 5 * 60_000 })
          .pipe(toArray()),
      );
      expect(bars.map((b) => b.tsEvent)).toEqual([1, 2, 3, 4, 5].map((k) => START + k * 60_000));
      expect(bars.every((b) => b.high.gte(b.low))).toBe(true);
    }
  });

  it('a refused feed errors its stream with Kraken’s reason', async () => {
    h.sim.faults.refuseNextSubscription({ group: 'futures', channel: 'trade', reason: 'Invalid product id' });
    const error = await lastValueFrom(h.client.trades(PF)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KrakenSubscriptionError);
    expect((error as KrakenSubscriptionError).reason).toBe('Invalid product id');
  });
});
