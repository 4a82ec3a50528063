import { lastValueFrom, takeLast, toArray } from 'rxjs';
import { KrakenDecodeError, KrakenSubscriptionError } from '../../src/errors';
import type { Bar, OrderBook, TradeTick } from '../../src/model/data';
import {
  acks,
  collect,
  firstMatch,
  firstValues,
  sentTo,
  startHarness,
  START,
  until,
  type Harness,
} from './dataSupport';

const BTC = 'BTC/USD.KRAKEN';

describe('KrakenDataClient against the simulator: Spot', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ tradesPerMinute: 120 });
  });

  afterEach(async () => {
    await h.stop();
  });

  it('streams trades to two subscribers over one Kraken subscription, and unsubscribes after the last', async () => {
    const a = collect(h, h.client.trades(BTC));
    const b = collect(h, h.client.trades(BTC));
    await until(() => acks('/v2').length === 1);
    h.sim.clock.advance(30_000);
    const engineTrades = h.sim.engine.market('BTC/USD')!.trades;
    const last = engineTrades[engineTrades.length - 1];
    const lastId = (values: TradeTick[]) => values[values.length - 1]?.tradeId;
    await until(() => lastId(a.values) === String(last.id) && lastId(b.values) === String(last.id));
    expect(sentTo('/v2', 'subscribe')).toHaveLength(1);
    const ids = a.values.map((t) => Number(t.tradeId));
    expect(ids.length).toBeGreaterThan(20);
    expect(ids).toEqual(ids.map((_, i) => ids[0] + i)); // contiguous, in order
    expect(a.values[a.values.length - 1].price.toFixed()).toBe(last.price.toFixed());
    a.subscription.unsubscribe();
    b.subscription.unsubscribe();
    await until(() => sentTo('/v2', 'unsubscribe').length === 1);
    await firstMatch(h.states$, (s) => s.venue === 'spot' && s.state === 'closed');
  });

  it('after a dropped connection replays the subscriptions and backfills the missed trades from REST', async () => {
    const trades = collect(h, h.client.trades(BTC));
    const books = collect(h, h.client.book(BTC, { depth: 10 }));
    await until(() => books.values.length > 0 && sentTo('/v2', 'subscribe').length === 2);
    h.sim.clock.advance(10_000);
    await until(() => trades.values.length > 0);
    const before = trades.values.length;

    h.sim.faults.dropAllConnections({ group: 'spot-public' });
    // 2 minutes pass while the client is away: far more trades than the 50 of Kraken's trade snapshot.
    h.sim.clock.advance(120_000);
    await firstMatch(h.states$, (s) => s.venue === 'spot' && s.state === 'reconnected');
    const engineTrades = h.sim.engine.market('BTC/USD')!.trades;
    const newest = engineTrades[engineTrades.length - 1].id;
    await until(() => trades.values.length > 0 && Number(trades.values[trades.values.length - 1].tradeId) === newest);

    const ids = trades.values.map((t) => Number(t.tradeId));
    expect(ids.length - before).toBeGreaterThan(100);
    expect(ids).toEqual(ids.map((_, i) => ids[0] + i)); // nothing lost, nothing twice, in order
    expect(sentTo('/v2', 'subscribe').length).toBe(4); // trade + book, then both again
    expect(h.states.filter((s) => s.state === 'gap')).toEqual([]);
    // The book was rebuilt from a fresh snapshot and matches the exchange's.
    h.sim.clock.advance(2_000);
    await until(() => {
      const book = books.values[books.values.length - 1];
      const engineBook = h.sim.engine.market('BTC/USD')!.book;
      return book.bestBid?.price.toFixed() === engineBook.view('buy', 1)[0].price.toFixed();
    });
    expect(h.errors).toEqual([]);
  });

  it('keeps the book checksum-verified: a corrupted checksum triggers a resync, never a wrong book', async () => {
    const books = collect(h, h.client.book(BTC, { depth: 25 }));
    await until(() => books.values.length > 0);
    h.sim.clock.advance(5_000);
    const count = books.values.length;
    h.sim.faults.corruptNextBookChecksum('BTC/USD');
    h.sim.clock.advance(5_000);
    const error = await firstMatch(h.errors$, (e) => e instanceof KrakenDecodeError && e.message.includes('checksum'));
    expect(error.message).toContain('resubscribing');
    await firstMatch(h.states$, (s) => s.state === 'gap' && s.keys?.[0] === 'book:BTC/USD?depth=25');
    await until(() => sentTo('/v2', 'subscribe').length === 2 && sentTo('/v2', 'unsubscribe').length === 1);
    h.sim.clock.advance(5_000);
    await until(() => books.values.length > count + 2);
    const engineBook = h.sim.engine.market('BTC/USD')!.book;
    await until(() => {
      const book = books.values[books.values.length - 1];
      return (
        book.bids.map((l) => l.price.toFixed()).join() ===
        engineBook
          .view('buy', 25)
          .map((l) => l.price.toFixed())
          .join()
      );
    });
    const book: OrderBook = books.values[books.values.length - 1];
    expect(book.bids).toHaveLength(25);
    expect(book.asks.map((l) => l.size.toFixed())).toEqual(engineBook.view('sell', 25).map((l) => l.qty.toFixed()));
  });

  it('errors a refused subscription with Kraken’s reason and keeps the others', async () => {
    const quotes = collect(h, h.client.quotes(BTC));
    await until(() => quotes.values.length > 0);
    h.sim.faults.refuseNextSubscription({ channel: 'trade', reason: 'Currency pair not supported' });
    const error = await lastValueFrom(h.client.trades('ETH/USD.KRAKEN')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KrakenSubscriptionError);
    expect((error as KrakenSubscriptionError).reason).toBe('Currency pair not supported');
    expect((error as KrakenSubscriptionError).symbol).toBe('ETH/USD');
    const before = quotes.values.length;
    h.sim.clock.advance(20_000);
    await until(() => quotes.values.length > before);
  });

  it('reports a malformed frame on errors$ and the stream goes on', async () => {
    const trades = collect(h, h.client.trades(BTC));
    await until(() => acks('/v2').length === 1);
    h.sim.faults.sendMalformedFrame({ group: 'spot-public' });
    h.sim.faults.sendMalformedFrame({
      group: 'spot-public',
      frame: '{"channel":"nonsense","type":"update","data":[]}',
    });
    await until(() => h.errors.length === 2);
    expect(h.errors.every((e) => e instanceof KrakenDecodeError)).toBe(true);
    const before = trades.values.length;
    h.sim.clock.advance(20_000);
    await until(() => trades.values.length > before);
  });

  it('emits each 1-minute bar once, when the next minute starts, equal to the exchange’s OHLC', async () => {
    const bars = collect(h, h.client.bars('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL'));
    await until(() => acks('/v2').length === 1);
    // Subscribed at 12:00:00: the candle open then (11:59) is final once 12:00's first trade prints.
    h.sim.clock.advance(50_000);
    await until(() => bars.values.length === 1);
    expect(bars.values[0].tsEvent).toBe(START);
    h.sim.clock.advance(5_000); // still inside 12:00: nothing new is final
    const [last] = await firstValues(h.client.requestTrades(BTC, { start: START }).pipe(takeLast(1)), 1);
    expect(last.tsEvent).toBeLessThan(START + 60_000);
    expect(bars.values).toHaveLength(1);
    h.sim.clock.advance(10_000); // into 12:01: the 12:00 bar closes with 12:01's first trade
    await until(() => bars.values.length === 2);
    h.sim.clock.advance(30_000);
    await firstValues(h.client.requestTrades(BTC, { start: START + 60_000 }).pipe(takeLast(1)), 1);
    expect(bars.values).toHaveLength(2);
    h.sim.clock.advance(60_000);
    await until(() => bars.values.length === 3);
    expect(bars.values.map((b) => b.tsEvent)).toEqual([START, START + 60_000, START + 120_000]);
    const rest = await lastValueFrom(
      h.client
        .requestBars('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL', { start: START - 60_000, end: START + 120_000 })
        .pipe(toArray()),
    );
    expect(rest.map((b) => b.tsEvent)).toEqual([START, START + 60_000, START + 120_000]);
    const fields = (b: Bar) => [b.open, b.high, b.low, b.close, b.volume].map((d) => d.toFixed());
    expect(bars.values.map(fields)).toEqual(rest.map(fields));
  });

  it('requestBars with a count returns the most recent closed bars, without the open one', async () => {
    h.sim.clock.advance(90_000);
    const bars = await lastValueFrom(
      h.client.requestBars('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL', { limit: 5 }).pipe(toArray()),
    );
    expect(bars).toHaveLength(5);
    expect(bars[4].tsEvent).toBe(START + 60_000); // the bar of minute 1 (12:01–12:02) is still open
    expect(bars.map((b) => b.tsEvent)).toEqual([4, 3, 2, 1, 0].map((k) => START + 60_000 - k * 60_000));
  });

  it('requestTrades, requestInstruments and requestBookSnapshot answer over REST', async () => {
    h.sim.clock.advance(30_000);
    const trades: TradeTick[] = await lastValueFrom(
      h.client.requestTrades(BTC, { start: START, end: START + 20_000 }).pipe(toArray()),
    );
    const engineTrades = h.sim.engine
      .market('BTC/USD')!
      .trades.filter((t) => t.time >= START && t.time <= START + 20_000);
    expect(trades.length).toBeGreaterThan(10);
    expect(trades.map((t) => t.tradeId)).toEqual(engineTrades.map((t) => String(t.id)));
    const instruments = await firstValues(h.client.requestInstruments(), 1);
    expect(instruments[0].map((i) => i.id.toString())).toEqual(expect.arrayContaining([BTC, 'PF_XBTUSD.KRAKEN']));
    const [book] = await firstValues(h.client.requestBookSnapshot(BTC, { depth: 5 }), 1);
    expect(book.bids).toHaveLength(5);
    expect(book.bestBid?.price.toFixed()).toBe(h.sim.engine.market('BTC/USD')!.book.view('buy', 1)[0].price.toFixed());
  });
});
