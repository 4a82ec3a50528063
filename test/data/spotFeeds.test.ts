import Decimal from 'decimal.js';
import { of } from 'rxjs';
import { KrakenDecodeError, KrakenSubscriptionError } from '../../src/errors';
import type { Bar, OrderBook, OrderBookDeltas, QuoteTick, TradeTick } from '../../src/model/data';
import { InstrumentId } from '../../src/model/identifiers';
import { BTC_USD, checksumOf, restTrade, setupClient, type Level } from './fakeVenue';

const BTC = InstrumentId.from('BTC/USD.KRAKEN');
const T0 = Date.UTC(2024, 0, 2, 10, 0, 0);

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function tradeFrame(type: 'snapshot' | 'update', trades: { id: number; price: number; qty?: number; ms?: number }[]) {
  return {
    channel: 'trade',
    type,
    data: trades.map((t) => ({
      symbol: 'BTC/USD',
      side: 'buy',
      price: t.price,
      qty: t.qty ?? 0.5,
      ord_type: 'market',
      trade_id: t.id,
      timestamp: iso(t.ms ?? T0 + t.id),
    })),
  };
}

const setup = setupClient;

describe('KrakenDataClient Spot trades', () => {
  it('shares one Kraken subscription between subscribers and unsubscribes when the last leaves', async () => {
    const { venue, client, track, teardown } = setup();
    const a: TradeTick[] = [];
    const b: TradeTick[] = [];
    const first = track(client.trades('BTC/USD.KRAKEN').subscribe((t) => a.push(t)));
    const second = track(client.trades(BTC).subscribe((t) => b.push(t)));
    venue.advance(0);
    expect(venue.subscribes('spot')).toHaveLength(1);
    expect(venue.subscribes('spot')[0].params).toEqual({ channel: 'trade', symbol: ['BTC/USD'], snapshot: true });

    venue.push('spot', tradeFrame('update', [{ id: 10, price: 45000.1, qty: 0.001 }]));
    expect(a.map((t) => t.tradeId)).toEqual(['10']);
    expect(b.map((t) => t.tradeId)).toEqual(['10']);
    expect(a[0]).toBe(b[0]);
    expect(a[0].price.toFixed()).toBe('45000.1');
    expect(Decimal.isDecimal(a[0].size)).toBe(true);
    expect(a[0].size.toFixed()).toBe('0.001');
    expect(a[0].aggressorSide).toBe('BUYER');
    expect(a[0].tsEvent).toBe(T0 + 10);
    expect(a[0].instrumentId.toString()).toBe('BTC/USD.KRAKEN');

    first.unsubscribe();
    expect(venue.unsubscribes('spot')).toHaveLength(0);
    second.unsubscribe();
    expect(venue.unsubscribes('spot')).toHaveLength(1);
    expect(venue.unsubscribes('spot')[0].params).toEqual({ channel: 'trade', symbol: ['BTC/USD'] });
    await teardown();
  });

  it('skips the first snapshot and emits the trades that follow, once each', async () => {
    const { venue, client, track, teardown } = setup();
    const seen: string[] = [];
    track(client.trades(BTC).subscribe((t) => seen.push(t.tradeId)));
    venue.advance(0);
    venue.push(
      'spot',
      tradeFrame('snapshot', [
        { id: 5, price: 1 },
        { id: 6, price: 1 },
        { id: 7, price: 1 },
      ]),
    );
    venue.push(
      'spot',
      tradeFrame('update', [
        { id: 7, price: 1 },
        { id: 8, price: 1 },
        { id: 9, price: 1 },
      ]),
    );
    expect(seen).toEqual(['8', '9']);
    await teardown();
  });

  it('after a reconnect fills the hole from REST Trades, in order, without duplicates', async () => {
    const { venue, http, client, states, track, teardown } = setup();
    const seen: string[] = [];
    track(client.trades(BTC).subscribe((t) => seen.push(t.tradeId)));
    venue.advance(0);
    venue.push(
      'spot',
      tradeFrame('update', [
        { id: 100, price: 1 },
        { id: 101, price: 1 },
      ]),
    );
    http.trades$ = (id) =>
      of(
        restTrade(id, '101', 1, T0 + 101), // already seen
        restTrade(id, '102', 1, T0 + 102),
        restTrade(id, '104', 1, T0 + 104),
        restTrade(id, '103', 1, T0 + 103),
        restTrade(id, '170', 1, T0 + 170), // the first live one: comes from the feed
      );
    venue.onSubscribe = (_endpoint, _request, socket) =>
      // Kraken's 50 latest after the resubscription: the hole 102..104 is older than them.
      socket.reply(
        tradeFrame('snapshot', [
          { id: 105, price: 1 },
          { id: 106, price: 1 },
        ]),
      );
    venue.live('spot')!.drop();
    venue.advance(1_000);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connected', 'reconnecting', 'reconnected']);
    expect(http.tradeRequests).toEqual([{ id: 'BTC/USD.KRAKEN', start: T0 + 101, end: T0 + 105 }]);
    expect(seen).toEqual(['100', '101', '102', '103', '104', '105', '106']);
    venue.push(
      'spot',
      tradeFrame('update', [
        { id: 106, price: 1 },
        { id: 107, price: 1 },
      ]),
    );
    expect(seen.slice(-1)).toEqual(['107']);
    await teardown();
  });

  it('a market without trades at subscription (empty snapshot) keeps every trade of the replay after a reconnect', async () => {
    const { venue, client, track, teardown } = setup();
    const seen: string[] = [];
    let replay = tradeFrame('snapshot', []);
    venue.onSubscribe = (_endpoint, _request, socket) => socket.reply(replay);
    track(client.trades(BTC).subscribe((t) => seen.push(t.tradeId)));
    venue.advance(0);
    // Trades print while the connection is down: Kraken's snapshot after the resubscription is all there is of them.
    replay = tradeFrame('snapshot', [
      { id: 1, price: 1 },
      { id: 2, price: 1 },
    ]);
    venue.live('spot')!.drop();
    venue.advance(1_000);
    expect(seen).toEqual(['1', '2']);
    await teardown();
  });

  it('reports what REST cannot recover as a gap on connectionState$ and goes on', async () => {
    const { venue, http, client, states, track, teardown } = setup();
    const seen: string[] = [];
    track(client.trades(BTC).subscribe((t) => seen.push(t.tradeId)));
    venue.advance(0);
    venue.push('spot', tradeFrame('update', [{ id: 1, price: 1 }]));
    http.trades$ = (id) => of(restTrade(id, '2', 1, T0 + 2));
    venue.push('spot', tradeFrame('update', [{ id: 5, price: 1 }]));
    expect(seen).toEqual(['1', '2', '5']);
    const gap = states.find((s) => s.state === 'gap');
    expect(gap).toMatchObject({ venue: 'spot', missing: 2, instrumentId: BTC });
    expect(gap?.reason).toContain('2 of 3 missed trades could not be recovered');
    await teardown();
  });
});

describe('KrakenDataClient Spot subscriptions', () => {
  it('errors the stream with KrakenSubscriptionError carrying Kraken’s reason', async () => {
    const { venue, client, teardown } = setup();
    venue.refuseNext('trade', 'Currency pair not supported XXX/USD');
    let error: unknown;
    client.trades('XXX/USD.KRAKEN').subscribe({ error: (e: unknown) => (error = e) });
    venue.advance(0);
    expect(error).toBeInstanceOf(KrakenSubscriptionError);
    expect((error as KrakenSubscriptionError).reason).toBe('Currency pair not supported XXX/USD');
    expect((error as KrakenSubscriptionError).symbol).toBe('XXX/USD');
    await teardown();
  });

  it('reports malformed frames and unknown channels on errors$ while the stream goes on', async () => {
    const { venue, client, errors, track, teardown } = setup();
    const seen: string[] = [];
    track(client.trades(BTC).subscribe((t) => seen.push(t.tradeId)));
    venue.advance(0);
    venue.push('spot', '{"channel":"trade","type":"update","data":[{"symbol":');
    venue.push('spot', { channel: 'candles', type: 'update', data: [] });
    venue.push('spot', { channel: 'trade', type: 'update', data: [{ symbol: 'BTC/USD', side: 'buy', price: 'x' }] });
    venue.push('spot', { channel: 'trade', type: 'update', data: [{ side: 'buy' }] });
    venue.push('spot', tradeFrame('update', [{ id: 1, price: 2 }]));
    expect(seen).toEqual(['1']);
    expect(errors).toHaveLength(4);
    expect(errors.every((e) => e instanceof KrakenDecodeError)).toBe(true);
    expect((errors[1] as KrakenDecodeError).paths).toEqual(['channel']);
    expect((errors[2] as KrakenDecodeError).paths).toEqual(['data.0.price']);
    expect((errors[3] as KrakenDecodeError).paths).toEqual(['data.0.symbol']);
    await teardown();
  });

  it('quotes come from the bbo ticker', async () => {
    const { venue, client, track, teardown } = setup();
    const quotes: QuoteTick[] = [];
    track(client.quotes(BTC).subscribe((q) => quotes.push(q)));
    venue.advance(0);
    expect(venue.subscribes('spot')[0].params).toEqual({
      channel: 'ticker',
      symbol: ['BTC/USD'],
      event_trigger: 'bbo',
    });
    venue.push('spot', {
      channel: 'ticker',
      type: 'snapshot',
      data: [{ symbol: 'BTC/USD', bid: 100.1, bid_qty: 2, ask: 100.2, ask_qty: 3.5, last: 100.1, timestamp: iso(T0) }],
    });
    expect(quotes).toHaveLength(1);
    expect(quotes[0].bidPrice.toFixed()).toBe('100.1');
    expect(quotes[0].askSize.toFixed()).toBe('3.5');
    expect(quotes[0].tsEvent).toBe(T0);
    await teardown();
  });
});

function bookFrame(type: 'snapshot' | 'update', asks: Level[], bids: Level[], checksum: number) {
  return { channel: 'book', type, data: [{ symbol: 'BTC/USD', bids, asks, checksum, timestamp: iso(T0) }] };
}

/** A ten-level book around 45000 and a stream of consistent updates. */
class SpotBookModel {
  asks: Level[] = [];
  bids: Level[] = [];

  constructor(depth = 10) {
    for (let i = 0; i < depth; i++) {
      this.asks.push({ price: 45000.5 + i, qty: 1 + i / 10 });
      this.bids.push({ price: 44999.5 - i, qty: 2 + i / 10 });
    }
  }

  get checksum(): number {
    return checksumOf(this.asks.slice(0, 10), this.bids.slice(0, 10));
  }

  snapshot() {
    return bookFrame('snapshot', this.asks, this.bids, this.checksum);
  }

  /** Sets a bid size; returns the update frame with the new checksum. */
  setBid(index: number, qty: number) {
    this.bids[index] = { ...this.bids[index], qty };
    return bookFrame('update', [], [this.bids[index]], this.checksum);
  }
}

describe('KrakenDataClient Spot book', () => {
  it('emits the verified book after the snapshot and every update', async () => {
    const { venue, client, errors, track, teardown } = setup();
    const model = new SpotBookModel();
    venue.onSubscribe = (_e, request, socket) => {
      if ((request.params as { channel: string }).channel === 'book') socket.reply(model.snapshot());
    };
    const books: OrderBook[] = [];
    track(client.book(BTC, { depth: 10 }).subscribe((b) => books.push(b)));
    venue.advance(0);
    expect(venue.subscribes('spot')[0].params).toEqual({ channel: 'book', symbol: ['BTC/USD'], depth: 10 });
    expect(books).toHaveLength(1);
    expect(books[0].bestBid?.price.toFixed()).toBe('44999.5');
    expect(books[0].bestAsk?.size.toFixed()).toBe('1');
    venue.push('spot', model.setBid(0, 0.25));
    expect(books).toHaveLength(2);
    expect(books[1].bestBid?.size.toFixed()).toBe('0.25');
    expect(books[1].spread?.toFixed()).toBe('1');
    expect(errors).toEqual([]);
    await teardown();
  });

  it('on a checksum mismatch emits no book, reports it, resubscribes and recovers from the new snapshot', async () => {
    const { venue, client, errors, states, track, teardown } = setup();
    const model = new SpotBookModel();
    venue.onSubscribe = (_e, request, socket) => {
      if ((request.params as { channel: string }).channel === 'book') socket.reply(model.snapshot());
    };
    const books: OrderBook[] = [];
    track(client.book(BTC).subscribe((b) => books.push(b)));
    venue.advance(0);
    const bad = model.setBid(1, 0.5);
    venue.push('spot', { ...bad, data: [{ ...bad.data[0], checksum: 12345 }] });
    expect(books).toHaveLength(1);
    venue.advance(0);
    // the wrong book is not emitted; a fresh snapshot is asked for and applied
    expect(books).toHaveLength(2);
    expect(books[1].bids[1].size.toFixed()).toBe('0.5');
    expect(venue.unsubscribes('spot')).toHaveLength(1);
    expect(venue.subscribes('spot')).toHaveLength(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(KrakenDecodeError);
    expect(errors[0].message).toContain('checksum mismatch (Kraken 12345');
    const gap = states.find((s) => s.state === 'gap');
    expect(gap).toMatchObject({ venue: 'spot', keys: ['book:BTC/USD?depth=10'] });
    venue.push('spot', model.setBid(2, 0.75));
    expect(books).toHaveLength(3);
    await teardown();
  });

  it('reports a frame that does not decode (a 1e400 size), emits no book until a new snapshot, and goes on', async () => {
    const { venue, client, errors, states, track, teardown } = setup();
    const model = new SpotBookModel(25);
    venue.onSubscribe = (_e, request, socket) => {
      if ((request.params as { channel: string }).channel === 'book') socket.reply(model.snapshot());
    };
    const books: OrderBook[] = [];
    let failure: unknown;
    track(
      client.book(BTC, { depth: 25 }).subscribe({ next: (b) => books.push(b), error: (e: unknown) => (failure = e) }),
    );
    venue.advance(0);
    // A level below the checksummed top 10 is lost with the frame: the checksum of the next update cannot tell.
    const lost = JSON.stringify(bookFrame('update', [], [{ ...model.bids[20], qty: 7 }], model.checksum));
    venue.push('spot', lost.replace('"qty":7', '"qty":1e400'));
    expect(failure).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(KrakenDecodeError);
    expect((errors[0] as KrakenDecodeError).paths).toEqual(['data.0.bids.0.qty']);
    model.bids[20] = { ...model.bids[20], qty: 7 }; // what Kraken's book now holds
    venue.push('spot', model.setBid(0, 0.25)); // verifies (top 10), but the book below is not known
    expect(books).toHaveLength(1);
    expect(states.find((s) => s.state === 'gap')).toMatchObject({ venue: 'spot', keys: ['book:BTC/USD?depth=25'] });
    expect(venue.unsubscribes('spot')).toHaveLength(1);
    venue.advance(0); // the new snapshot
    expect(books).toHaveLength(2);
    expect(books[1].bids[20].size.toFixed()).toBe('7');
    expect(books[1].bestBid?.size.toFixed()).toBe('0.25');
    venue.push('spot', model.setBid(1, 0.5));
    expect(books.map((b) => b.bids[1].size.toFixed())).toEqual(['2.1', '2.1', '0.5']);
    await teardown();
  });

  it('shares one subscription between depths, switching up to the deepest, each subscriber seeing its depth', async () => {
    const { venue, client, track, teardown } = setup();
    const model = new SpotBookModel(25);
    venue.onSubscribe = (_e, request, socket) => {
      const params = request.params as { channel: string; depth: number };
      if (params.channel !== 'book') return;
      const cut = { asks: model.asks.slice(0, params.depth), bids: model.bids.slice(0, params.depth) };
      socket.reply(bookFrame('snapshot', cut.asks, cut.bids, model.checksum));
    };
    const shallow: OrderBook[] = [];
    const deep: OrderBook[] = [];
    track(client.book(BTC, { depth: 10 }).subscribe((b) => shallow.push(b)));
    venue.advance(0);
    track(client.book(BTC, { depth: 25 }).subscribe((b) => deep.push(b)));
    venue.advance(0);
    expect(venue.subscribes('spot').map((r) => (r.params as { depth: number }).depth)).toEqual([10, 25]);
    expect(venue.unsubscribes('spot').map((r) => (r.params as { depth: number }).depth)).toEqual([10]);
    expect(deep[deep.length - 1].bids).toHaveLength(25);
    expect(shallow[shallow.length - 1].bids).toHaveLength(10);
    venue.push('spot', model.setBid(20, 9));
    expect(deep[deep.length - 1].bids[20].size.toFixed()).toBe('9');
    expect(shallow[shallow.length - 1].bids).toHaveLength(10);
    await teardown();
  });

  it('bookDeltas start with a snapshot, also for a subscriber joining a running book', async () => {
    const { venue, client, track, teardown } = setup();
    const model = new SpotBookModel();
    venue.onSubscribe = (_e, request, socket) => {
      if ((request.params as { channel: string }).channel === 'book') socket.reply(model.snapshot());
    };
    const first: OrderBookDeltas[] = [];
    const late: OrderBookDeltas[] = [];
    track(client.bookDeltas(BTC).subscribe((d) => first.push(d)));
    venue.advance(0);
    venue.push('spot', model.setBid(0, 3));
    track(client.bookDeltas(BTC).subscribe((d) => late.push(d)));
    venue.push('spot', model.setBid(0, 4));
    expect(first.map((d) => d.isSnapshot)).toEqual([true, false, false]);
    expect(first[1].deltas.map((d) => [d.action, d.side, d.price.toFixed(), d.size.toFixed()])).toEqual([
      ['UPDATE', 'BID', '44999.5', '3'],
    ]);
    expect(late.map((d) => d.isSnapshot)).toEqual([true, false]);
    expect(late[0].deltas).toHaveLength(22);
    expect(late[0].deltas[2]).toMatchObject({ action: 'ADD', side: 'BID' });
    expect(late[0].deltas[2].size.toFixed()).toBe('3');
    expect(venue.subscribes('spot')).toHaveLength(1);
    await teardown();
  });

  it('rejects a depth Kraken does not serve', async () => {
    const { client, teardown } = setup();
    let error: unknown;
    client.book(BTC, { depth: 7 }).subscribe({ error: (e: unknown) => (error = e) });
    expect((error as Error).message).toContain('10, 25, 100, 500, 1000');
    await teardown();
  });
});

describe('KrakenDataClient Spot bars', () => {
  function candle(begin: number, close: number, volume = 1) {
    return {
      symbol: 'BTC/USD',
      open: 100,
      high: Math.max(100, close),
      low: Math.min(100, close),
      close,
      trades: 3,
      volume,
      vwap: 100,
      interval_begin: iso(begin),
      interval: 1,
      timestamp: iso(begin + 60_000),
    };
  }

  it('emits each bar once, final, when the next interval starts; the snapshot history is not replayed', async () => {
    const { venue, client, track, teardown } = setup();
    const bars: Bar[] = [];
    venue.onSubscribe = (_e, request, socket) => {
      if ((request.params as { channel: string }).channel !== 'ohlc') return;
      socket.reply({
        channel: 'ohlc',
        type: 'snapshot',
        data: [candle(T0 - 120_000, 99), candle(T0 - 60_000, 98), candle(T0, 101)],
      });
    };
    track(client.bars('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL').subscribe((b) => bars.push(b)));
    venue.advance(0);
    expect(venue.subscribes('spot')[0].params).toEqual({ channel: 'ohlc', symbol: ['BTC/USD'], interval: 1 });
    venue.push('spot', { channel: 'ohlc', type: 'update', data: [candle(T0, 102, 2)] });
    expect(bars).toEqual([]);
    venue.push('spot', { channel: 'ohlc', type: 'update', data: [candle(T0 + 60_000, 103)] });
    expect(bars).toHaveLength(1);
    expect(bars[0].close.toFixed()).toBe('102');
    expect(bars[0].volume.toFixed()).toBe('2');
    expect(bars[0].tsEvent).toBe(T0 + 60_000);
    expect(bars[0].barType.toString()).toBe('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL');
    await teardown();
  });

  it('rejects an interval Kraken does not serve', async () => {
    const { client, teardown } = setup();
    let error: unknown;
    client.bars('BTC/USD.KRAKEN-2-MINUTE-LAST-EXTERNAL').subscribe({ error: (e: unknown) => (error = e) });
    expect((error as Error).message).toContain('no 2-MINUTE bars');
    await teardown();
  });

  it('the instrument is the canonical one', () => {
    expect(BTC_USD.id.toString()).toBe('BTC/USD.KRAKEN');
  });
});

describe('KrakenDataClient lifecycle', () => {
  it('INTERNAL bars are aggregated from trades at the boundary on the client’s scheduler', async () => {
    const { venue, client, track, teardown } = setup();
    const bars: Bar[] = [];
    const start = venue.scheduler.now();
    track(client.bars('BTC/USD.KRAKEN-1-MINUTE-LAST-INTERNAL').subscribe((b) => bars.push(b)));
    venue.advance(0);
    venue.push('spot', tradeFrame('update', [{ id: 1, price: 10, qty: 1 }]));
    venue.advance(1_000);
    venue.push('spot', tradeFrame('update', [{ id: 2, price: 12, qty: 2 }]));
    venue.advance(60_000 - (venue.scheduler.now() % 60_000) - 1);
    expect(bars).toEqual([]);
    venue.advance(1);
    expect(bars).toHaveLength(1);
    expect([bars[0].open, bars[0].high, bars[0].close, bars[0].volume].map((d) => d.toFixed())).toEqual([
      '10',
      '12',
      '12',
      '3',
    ]);
    expect(bars[0].barType.toString()).toBe('BTC/USD.KRAKEN-1-MINUTE-LAST-INTERNAL');
    expect(bars[0].tsEvent).toBe(Math.floor(start / 60_000) * 60_000 + 60_000);
    await teardown();
  });

  it('close() completes the live streams and the hot ones, and closes the sockets', async () => {
    const { venue, client } = setup();
    const done: string[] = [];
    client.trades(BTC).subscribe({ complete: () => done.push('trades') });
    client.connectionState$.subscribe({ complete: () => done.push('connectionState$') });
    client.errors$.subscribe({ complete: () => done.push('errors$') });
    venue.advance(0);
    const closing = client.close();
    venue.advance(5_000);
    await closing;
    expect(done).toEqual(expect.arrayContaining(['trades', 'connectionState$', 'errors$']));
    expect(venue.live('spot')).toBeUndefined();
  });

  it('several subscribers of a closed feed reconnect it when they come back', async () => {
    const { venue, client, track, teardown } = setup();
    const first = track(client.trades(BTC).subscribe());
    venue.advance(0);
    first.unsubscribe();
    venue.advance(0);
    const seen: string[] = [];
    track(client.trades(BTC).subscribe((t) => seen.push(t.tradeId)));
    venue.advance(0);
    expect(venue.subscribes('spot')).toHaveLength(2);
    venue.push('spot', tradeFrame('update', [{ id: 1, price: 1 }]));
    expect(seen).toEqual(['1']);
    await teardown();
  });
});
