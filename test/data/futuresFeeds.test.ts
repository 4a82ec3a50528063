import { of } from 'rxjs';
import { KrakenConfigError, KrakenDecodeError, KrakenSubscriptionError } from '../../src/errors';
import type {
  FundingRateUpdate,
  IndexPriceUpdate,
  MarkPriceUpdate,
  OrderBook,
  QuoteTick,
  TradeTick,
} from '../../src/model/data';
import { InstrumentId } from '../../src/model/identifiers';
import { restTrade, setupClient } from './fakeVenue';

const PF = InstrumentId.from('PF_XBTUSD.KRAKEN');
const T0 = Date.UTC(2024, 0, 2, 10, 0, 0);

const setup = setupClient;

function trade(seq: number, price = 34893, time = T0 + seq) {
  return {
    feed: 'trade',
    product_id: 'PF_XBTUSD',
    uid: `uid-${seq}`,
    side: 'sell',
    type: 'fill',
    seq,
    time,
    qty: 0.25,
    price,
  };
}

describe('KrakenDataClient Futures trades', () => {
  it('subscribes the trade feed, skips the snapshot, emits trades with uid ids', async () => {
    const { venue, client, track, teardown } = setup();
    venue.onSubscribe = (_e, request, socket) => {
      if (request.feed === 'trade') {
        socket.reply({ feed: 'trade_snapshot', product_id: 'PF_XBTUSD', trades: [trade(11), trade(10)] });
      }
    };
    const seen: TradeTick[] = [];
    track(client.trades('pf_xbtusd.KRAKEN').subscribe((t) => seen.push(t)));
    venue.advance(0);
    expect(venue.subscribes('futures')).toEqual([{ event: 'subscribe', feed: 'trade', product_ids: ['PF_XBTUSD'] }]);
    venue.push('futures', trade(12, 34900.5));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ tradeId: 'uid-12', aggressorSide: 'SELLER', tsEvent: T0 + 12 });
    expect(seen[0].instrumentId.toString()).toBe('PF_XBTUSD.KRAKEN');
    expect(seen[0].price.toFixed()).toBe('34900.5');
    await teardown();
  });

  it('after a reconnect fills what the trade snapshot no longer covers from REST history, by time and uid', async () => {
    const { venue, http, client, states, track, teardown } = setup();
    const seen: string[] = [];
    let snapshots = 0;
    venue.onSubscribe = (_e, request, socket) => {
      if (request.feed !== 'trade') return;
      const trades = snapshots++ === 0 ? [trade(19), trade(18)] : [trade(24), trade(23)]; // newest first
      socket.reply({ feed: 'trade_snapshot', product_id: 'PF_XBTUSD', trades });
    };
    track(client.trades(PF).subscribe((t) => seen.push(t.tradeId)));
    venue.advance(0);
    venue.push('futures', trade(20));
    venue.push('futures', trade(40)); // a jump in seq alone is not taken for a hole on Futures
    expect(seen).toEqual(['uid-20', 'uid-40']);
    http.trades$ = (id) =>
      of(
        restTrade(id, 'uid-40', 1, T0 + 40), // already emitted
        restTrade(id, 'uid-41', 1, T0 + 41),
        restTrade(id, 'uid-42', 1, T0 + 42),
      );
    venue.onSubscribe = (_e, request, socket) => {
      if (request.feed === 'trade') {
        socket.reply({ feed: 'trade_snapshot', product_id: 'PF_XBTUSD', trades: [trade(44), trade(43)] });
      }
    };
    venue.live('futures')!.drop();
    venue.advance(1_000);
    expect(http.tradeRequests).toEqual([{ id: 'PF_XBTUSD.KRAKEN', start: T0 + 40, end: T0 + 43 }]);
    expect(seen).toEqual(['uid-20', 'uid-40', 'uid-41', 'uid-42', 'uid-43', 'uid-44']);
    expect(states.filter((s) => s.state === 'gap')).toEqual([]);
    await teardown();
  });
});

function bookSnapshot(seq: number) {
  return {
    feed: 'book_snapshot',
    product_id: 'PF_XBTUSD',
    timestamp: T0,
    seq,
    tickSize: null,
    bids: [
      { price: 34892.5, qty: 6385 },
      { price: 34892, qty: 10924 },
      { price: 34890, qty: 0 },
    ],
    asks: [
      { price: 34911.5, qty: 20598 },
      { price: 34912, qty: 2300 },
    ],
  };
}

function bookDelta(seq: number, side: 'buy' | 'sell', price: number, qty: number) {
  return { feed: 'book', product_id: 'PF_XBTUSD', side, seq, price, qty, timestamp: T0 + seq };
}

describe('KrakenDataClient Futures book', () => {
  it('maintains the book from the snapshot and per-level deltas', async () => {
    const { venue, client, track, teardown } = setup();
    let seq = 100;
    venue.onSubscribe = (_e, request, socket) => {
      if (request.feed === 'book') socket.reply(bookSnapshot(seq));
    };
    const books: OrderBook[] = [];
    track(client.book(PF, { depth: 2 }).subscribe((b) => books.push(b)));
    venue.advance(0);
    expect(books).toHaveLength(1);
    expect(books[0].bids.map((l) => l.price.toFixed())).toEqual(['34892.5', '34892']);
    expect(books[0].sequence).toBe(100);
    venue.push('futures', bookDelta(++seq, 'buy', 34893, 5));
    venue.push('futures', bookDelta(++seq, 'sell', 34911.5, 0));
    expect(books).toHaveLength(3);
    expect(books[2].bestBid?.price.toFixed()).toBe('34893');
    expect(books[2].bestAsk?.price.toFixed()).toBe('34912');
    expect(books[2].bids).toHaveLength(2);
    await teardown();
  });

  it('on a seq gap resubscribes, reports, and emits nothing until the new snapshot', async () => {
    const { venue, client, errors, states, track, teardown } = setup();
    let snapshots = 0;
    venue.onSubscribe = (_e, request, socket) => {
      if (request.feed === 'book') socket.reply(bookSnapshot(snapshots++ === 0 ? 100 : 500));
    };
    const books: OrderBook[] = [];
    track(client.book(PF).subscribe((b) => books.push(b)));
    venue.advance(0);
    venue.push('futures', bookDelta(101, 'buy', 34893, 5));
    venue.push('futures', bookDelta(103, 'buy', 34894, 5));
    venue.push('futures', bookDelta(104, 'buy', 34895, 5));
    expect(books).toHaveLength(2);
    venue.advance(0);
    expect(venue.unsubscribes('futures')).toEqual([{ event: 'unsubscribe', feed: 'book', product_ids: ['PF_XBTUSD'] }]);
    expect(venue.subscribes('futures')).toHaveLength(2);
    expect(books).toHaveLength(3);
    expect(books[2].sequence).toBe(500);
    expect(books[2].bestBid?.price.toFixed()).toBe('34892.5');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(KrakenDecodeError);
    expect(errors[0].message).toContain('sequence gap (expected seq 102, got 103)');
    expect(states.filter((s) => s.state === 'gap')).toHaveLength(1);
    await teardown();
  });

  it('quotes follow the top of the book, once per change', async () => {
    const { venue, client, track, teardown } = setup();
    venue.onSubscribe = (_e, request, socket) => {
      if (request.feed === 'book') socket.reply(bookSnapshot(1));
    };
    const quotes: QuoteTick[] = [];
    track(client.quotes(PF).subscribe((q) => quotes.push(q)));
    venue.advance(0);
    venue.push('futures', bookDelta(2, 'buy', 34000, 1)); // below the best bid: no new quote
    venue.push('futures', bookDelta(3, 'sell', 34911.5, 7));
    expect(quotes.map((q) => [q.bidPrice.toFixed(), q.askPrice.toFixed(), q.askSize.toFixed()])).toEqual([
      ['34892.5', '34911.5', '20598'],
      ['34892.5', '34911.5', '7'],
    ]);
    await teardown();
  });
});

describe('KrakenDataClient Futures ticker feeds', () => {
  const ticker = (time: number, markPrice: number, fundingRate = 0.0327) => ({
    time,
    product_id: 'PF_XBTUSD',
    feed: 'ticker',
    funding_rate: fundingRate,
    funding_rate_prediction: 0.03125,
    relative_funding_rate: 0.0000186711875,
    next_funding_rate_time: T0 + 3_600_000,
    bid: 1751.6,
    ask: 1751.7,
    bid_size: 1.459,
    ask_size: 2.886,
    index: 1751.75,
    markPrice,
    tag: 'perpetual',
    pair: 'XBT:USD',
  });

  it('share one ticker subscription for mark, index and funding', async () => {
    const { venue, client, track, teardown } = setup();
    const marks: MarkPriceUpdate[] = [];
    const indexes: IndexPriceUpdate[] = [];
    const funding: FundingRateUpdate[] = [];
    track(client.markPrices(PF).subscribe((m) => marks.push(m)));
    track(client.indexPrices(PF).subscribe((i) => indexes.push(i)));
    track(client.fundingRates(PF).subscribe((f) => funding.push(f)));
    venue.advance(0);
    expect(venue.subscribes('futures')).toEqual([{ event: 'subscribe', feed: 'ticker', product_ids: ['PF_XBTUSD'] }]);
    venue.push('futures', ticker(T0, 1751.97));
    venue.push('futures', ticker(T0 + 1000, 1752.01));
    venue.push('futures', ticker(T0 + 2000, 1752.02, 0.04));
    expect(marks.map((m) => m.value.toFixed())).toEqual(['1751.97', '1752.01', '1752.02']);
    expect(marks[1].tsEvent).toBe(T0 + 1000);
    expect(indexes.map((i) => i.value.toFixed())).toEqual(['1751.75', '1751.75', '1751.75']);
    expect(funding.map((f) => f.rate.toFixed())).toEqual(['0.0327', '0.04']);
    expect(funding[0].relativeRate?.toFixed()).toBe('0.0000186711875');
    expect(funding[0].nextFundingTime).toBe(T0 + 3_600_000);
    await teardown();
  });

  it('a Spot instrument gets an error pointing to Futures', async () => {
    const { client, teardown } = setup();
    let error: unknown;
    client.markPrices('BTC/USD.KRAKEN').subscribe({ error: (e: unknown) => (error = e) });
    expect(error).toBeInstanceOf(KrakenConfigError);
    expect((error as Error).message).toContain('Kraken Futures feed');
    await teardown();
  });
});

describe('KrakenDataClient Futures errors', () => {
  it('bars() on a futures instrument points to requestBars', async () => {
    const { client, venue, teardown } = setup();
    let error: unknown;
    client.bars('PF_XBTUSD.KRAKEN-1-MINUTE-LAST-EXTERNAL').subscribe({ error: (e: unknown) => (error = e) });
    expect(error).toBeInstanceOf(KrakenConfigError);
    expect((error as Error).message).toContain("requestBars('PF_XBTUSD.KRAKEN-1-MINUTE-LAST-EXTERNAL')");
    expect(venue.sockets).toHaveLength(0);
    await teardown();
  });

  it('a refused feed errors that stream only, with Kraken’s message', async () => {
    const { venue, client, track, teardown } = setup();
    venue.refuseNext('trade', 'Invalid product id');
    let error: unknown;
    const marks: MarkPriceUpdate[] = [];
    track(client.markPrices(PF).subscribe((m) => marks.push(m)));
    client.trades('PF_NOPEUSD.KRAKEN').subscribe({ error: (e: unknown) => (error = e) });
    venue.advance(0);
    venue.advance(0);
    expect(error).toBeInstanceOf(KrakenSubscriptionError);
    expect((error as KrakenSubscriptionError).reason).toBe('Invalid product id');
    expect((error as KrakenSubscriptionError).symbol).toBe('PF_NOPEUSD');
    venue.push('futures', { feed: 'ticker', product_id: 'PF_XBTUSD', markPrice: 1, time: T0 });
    expect(marks).toHaveLength(1);
    await teardown();
  });

  it('resubscribes when a book snapshot does not decode, rather than waiting for one forever', async () => {
    const { venue, client, errors, states, track, teardown } = setup();
    let garbled = 1;
    venue.onSubscribe = (_e, request, socket) => {
      if (request.feed !== 'book') return;
      socket.reply(garbled-- > 0 ? { ...bookSnapshot(1), bids: 'garbled' } : bookSnapshot(1));
    };
    const books: OrderBook[] = [];
    track(client.book(PF).subscribe((b) => books.push(b)));
    venue.advance(0);
    expect(errors.map((e) => (e as KrakenDecodeError).paths)).toEqual([['bids']]);
    expect(venue.unsubscribes('futures')).toHaveLength(1);
    expect(venue.subscribes('futures')).toHaveLength(2);
    expect(states.filter((s) => s.state === 'gap')).toMatchObject([{ venue: 'futures', keys: ['book:PF_XBTUSD'] }]);
    expect(books).toHaveLength(1);
    venue.push('futures', bookDelta(2, 'buy', 34893, 1));
    expect(books).toHaveLength(2);
    expect(books[1].bestBid?.price.toFixed()).toBe('34893');
    await teardown();
  });

  it('gives up on a book whose snapshots never decode, after five resubscriptions', async () => {
    const { venue, client, errors, track, teardown } = setup();
    venue.onSubscribe = (_e, request, socket) => {
      if (request.feed === 'book') socket.reply({ ...bookSnapshot(1), bids: 'garbled' });
    };
    let failure: unknown;
    track(client.book(PF).subscribe({ error: (e: unknown) => (failure = e) }));
    venue.advance(0);
    expect(failure).toBeInstanceOf(KrakenDecodeError);
    expect((failure as Error).message).toContain('5 resyncs in a row failed, giving up');
    expect(venue.subscribes('futures')).toHaveLength(6);
    expect(errors).toHaveLength(6);
    await teardown();
  });

  it('reports unknown feeds and malformed deltas, and goes on', async () => {
    const { venue, client, errors, track, teardown } = setup();
    venue.onSubscribe = (_e, request, socket) => {
      if (request.feed === 'book') socket.reply(bookSnapshot(1));
    };
    const books: OrderBook[] = [];
    track(client.book(PF).subscribe((b) => books.push(b)));
    venue.advance(0);
    venue.push('futures', { feed: 'candles_trade_1m', product_id: 'PF_XBTUSD' });
    venue.push('futures', { ...bookDelta(2, 'buy', 1, 1), price: 'abc' });
    venue.push('futures', { event: 'surprise' });
    venue.push('futures', bookDelta(2, 'buy', 34893, 1));
    expect(books).toHaveLength(2);
    expect(errors.map((e) => (e as KrakenDecodeError).paths)).toEqual([['feed'], ['price'], ['event']]);
    await teardown();
  });
});
