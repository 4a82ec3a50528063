import { lastValueFrom, toArray } from 'rxjs';
import { KrakenConfigError, KrakenDecodeError, KrakenSubscriptionError } from '../../src/errors';
import type { FundingRateUpdate, MarkPriceUpdate, OrderBook, QuoteTick, TradeTick } from '../../src/model/data';
import { acks, collect, firstMatch, sentTo, startHarness, START, until, type Harness } from './dataSupport';

const PF = 'PF_XBTUSD.KRAKEN';

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

  it('resyncs the book on a seq gap and recovers the exchange’s book', async () => {
    const books = collect(h, h.client.book(PF, { depth: 10 }));
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
    const engineBook = h.sim.engine.market('PF_XBTUSD')!.book;
    await until(() => {
      const book: OrderBook = books.values[books.values.length - 1];
      return (
        book.bids.map((l) => `${l.price.toFixed()}:${l.size.toFixed()}`).join() ===
        engineBook
          .view('buy', 10)
          .map((l) => `${l.price.toFixed()}:${l.qty.toFixed()}`)
          .join()
      );
    });
    expect(h.states.some((s) => s.state === 'gap' && s.venue === 'futures')).toBe(true);
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
