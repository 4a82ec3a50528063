import Decimal from 'decimal.js';
import type { KrakenSimulator } from '../../../src/sim';
import {
  challengeFields,
  event,
  expectShape,
  feed,
  fixture,
  form,
  FuturesRest,
  startSim,
  WsClient,
  type Msg,
} from './support';

const V3 = '/derivatives/api/v3';

describe('KrakenSimulator futures WS v1: public feeds', () => {
  let sim: KrakenSimulator;
  let client: WsClient;

  beforeEach(async () => {
    sim = await startSim({ historyMinutes: 30 });
    client = await WsClient.connect(sim.config().baseUrlWsFutures);
  });
  afterEach(async () => {
    await client.close();
    await sim.stop();
  });

  it('greets with info version 1', async () => {
    expect(await client.next(event('info'))).toEqual({ event: 'info', version: 1 });
  });

  it('acknowledges a ticker subscription and sends tickers with mark, index and funding', async () => {
    client.send({ event: 'subscribe', feed: 'ticker', product_ids: ['PF_ETHUSD'] });
    const ack = await client.next(event('subscribed'));
    expect(ack).toEqual({ event: 'subscribed', feed: 'ticker', product_ids: ['PF_ETHUSD'] });
    expectShape(ack, fixture('12.2-generic-messages-3'));
    const ticker = await client.next(feed('ticker'));
    expectShape(ticker, fixture('12.4-ticker-throttled-to-1-1'));
    expect(ticker.next_funding_rate_time).toBe(Date.UTC(2024, 0, 1, 1));
    client.drain();
    sim.clock.advance(5000);
    await client.settle();
    const more = client.drain().filter(feed('ticker'));
    // Throttled to one message per second per product.
    expect(more.length).toBe(5);
    expect(more.map((t: Msg) => t.time)).toEqual([1, 2, 3, 4, 5].map((s) => Date.UTC(2024, 0, 1) + s * 1000));
  });

  it('sends ticker_lite', async () => {
    client.send({ event: 'subscribe', feed: 'ticker_lite', product_ids: ['PI_XBTUSD'] });
    expectShape(await client.next(feed('ticker_lite')), fixture('12.4-ticker-lite-1-s-1'));
  });

  it('sends a book snapshot then per-level deltas with a contiguous seq', async () => {
    client.send({ event: 'subscribe', feed: 'book', product_ids: ['PF_XBTUSD', 'PI_XBTUSD'] });
    const snapshot = await client.next((m) => m.feed === 'book_snapshot' && m.product_id === 'PF_XBTUSD');
    expectShape(snapshot, fixture('12.4-book-snapshot-per-level-1'));
    await client.next((m) => m.feed === 'book_snapshot' && m.product_id === 'PI_XBTUSD');
    sim.clock.advance(20_000);
    await client.settle();
    const deltas = client.messages().filter(feed('book'));
    expect(deltas.length).toBeGreaterThan(20);
    expectShape(deltas[0], fixture('12.4-book-snapshot-per-level-2'));
    for (const product of ['PF_XBTUSD', 'PI_XBTUSD']) {
      const snap = client.messages().find((m) => m.feed === 'book_snapshot' && m.product_id === product);
      const seqs = deltas.filter((d: Msg) => d.product_id === product).map((d: Msg) => d.seq);
      expect(seqs).toEqual(seqs.map((_: number, i: number) => snap.seq + 1 + i));
    }
    // The snapshot plus the deltas equal the REST book.
    const book = new Map<string, number>();
    for (const l of snapshot.bids) book.set(`b${l.price}`, l.qty);
    for (const l of snapshot.asks) book.set(`a${l.price}`, l.qty);
    for (const d of deltas.filter((x: Msg) => x.product_id === 'PF_XBTUSD')) {
      const key = `${d.side === 'buy' ? 'b' : 'a'}${d.price}`;
      if (d.qty === 0) book.delete(key);
      else book.set(key, d.qty);
    }
    const rest = await new FuturesRest(sim).get(`${V3}/orderbook`, 'symbol=PF_XBTUSD');
    const expected = new Map<string, number>();
    for (const [p, q] of rest.json.orderBook.bids) expected.set(`b${p}`, q);
    for (const [p, q] of rest.json.orderBook.asks) expected.set(`a${p}`, q);
    expect(new Map([...book].sort())).toEqual(new Map([...expected].sort()));
  });

  it('skips one seq number of a product when the fault is armed, and a resubscribe snapshots again', async () => {
    client.send({ event: 'subscribe', feed: 'book', product_ids: ['PF_ETHUSD'] });
    const snapshot = await client.next(feed('book_snapshot'));
    sim.faults.skipNextFuturesSeq('PF_ETHUSD');
    sim.clock.advance(10_000);
    await client.settle();
    const seqs = client
      .messages()
      .filter(feed('book'))
      .map((d: Msg) => d.seq);
    const gaps = seqs.map((s: number, i: number) => s - (i === 0 ? snapshot.seq : seqs[i - 1]));
    expect(gaps.filter((g: number) => g !== 1)).toEqual([2]);
    expect(gaps[0]).toBe(2);
    client.drain();
    client.send({ event: 'unsubscribe', feed: 'book', product_ids: ['PF_ETHUSD'] });
    expect(await client.wait(event('unsubscribed'))).toEqual({
      event: 'unsubscribed',
      feed: 'book',
      product_ids: ['PF_ETHUSD'],
    });
    client.send({ event: 'subscribe', feed: 'book', product_ids: ['PF_ETHUSD'] });
    const again = await client.wait(feed('book_snapshot'));
    expect(again.seq).toBe(seqs[seqs.length - 1]);
    sim.clock.advance(3000);
    await client.settle();
    const next = client.drain().filter(feed('book'));
    expect(next[0].seq).toBe(again.seq + 1);
  });

  it('sends a trade snapshot newest first, then each trade', async () => {
    client.send({ event: 'subscribe', feed: 'trade', product_ids: ['PI_XBTUSD'] });
    const snapshot = await client.next(feed('trade_snapshot'));
    expectShape(snapshot, fixture('12.4-trade-snapshot-last-100-1'));
    sim.clock.advance(30_000);
    const trade = await client.next(feed('trade'));
    expectShape(trade, fixture('12.4-trade-snapshot-last-100-2'));
    const trades = client.messages().filter(feed('trade'));
    const seqs = trades.map((t: Msg) => t.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('answers bad requests with Kraken errors and alerts', async () => {
    client.send({ event: 'subscribe', feed: 'book', product_ids: ['PF_NOPEUSD'] });
    expect(await client.wait(event('error'))).toEqual({ event: 'error', message: 'Invalid product id' });
    client.send({ event: 'subscribe', feed: 'candles_trade_1m', product_ids: ['PF_XBTUSD'] });
    expect(await client.wait(event('alert'))).toEqual({
      event: 'alert',
      message: "Couldn't subscribe to invalid feed",
    });
    client.send('{"event":"subscribe",');
    expect(await client.wait(event('alert'))).toEqual({ event: 'alert', message: 'Bad websocket message' });
    client.send({ event: 'ping' });
    expect(await client.wait(event('alert'))).toEqual({ event: 'alert', message: 'Bad websocket message' });
  });

  it('refuses the next subscription when the fault is armed', async () => {
    sim.faults.refuseNextSubscription({ group: 'futures', channel: 'trade', reason: 'Subscription refused' });
    client.send({ event: 'subscribe', feed: 'trade', product_ids: ['PF_XBTUSD'] });
    expect(await client.wait(event('error'))).toEqual({ event: 'error', message: 'Subscription refused' });
    client.send({ event: 'subscribe', feed: 'trade', product_ids: ['PF_XBTUSD'] });
    await client.wait(event('subscribed'));
  });

  it('forgets a dropped channel silently', async () => {
    client.send({ event: 'subscribe', feed: 'ticker', product_ids: ['PF_XBTUSD'] });
    await client.next(feed('ticker'));
    sim.faults.dropChannel('ticker', { group: 'futures' });
    client.drain();
    sim.clock.advance(5000);
    await client.settle();
    expect(client.drain()).toEqual([]);
  });

  it('drops connections and sends malformed frames on demand', async () => {
    client.send({ event: 'subscribe', feed: 'ticker', product_ids: ['PF_XBTUSD'] });
    await client.next(event('subscribed'));
    sim.faults.sendMalformedFrame({ group: 'futures' });
    await client.settle();
    const last = client.frames[client.frames.length - 1];
    expect(() => JSON.parse(last)).toThrow();
    sim.faults.dropAllConnections({ group: 'futures' });
    expect(await client.closed).toBe(1006);
  });
});

describe('KrakenSimulator futures WS v1: heartbeat', () => {
  it('beats while subscribed and stops when the fault says so', async () => {
    const sim = await startSim({ historyMinutes: 5, heartbeatMs: 20 });
    const client = await WsClient.connect(sim.config().baseUrlWsFutures);
    try {
      client.send({ event: 'subscribe', feed: 'heartbeat' });
      expect(await client.next(event('subscribed'))).toEqual({ event: 'subscribed', feed: 'heartbeat' });
      const beat = await client.next(feed('heartbeat'));
      expectShape(beat, fixture('12.4-heartbeat-no-product-ids-2'));
      expect(beat.time).toBe(sim.clock.now());
      sim.faults.stopHeartbeats('futures');
      await new Promise((r) => setTimeout(r, 60));
      client.drain();
      await new Promise((r) => setTimeout(r, 100));
      expect(client.drain().filter(feed('heartbeat'))).toEqual([]);
      sim.faults.resumeHeartbeats();
      await client.wait(feed('heartbeat'));
    } finally {
      await client.close();
      await sim.stop();
    }
  });
});

describe('KrakenSimulator futures WS v1: private feeds', () => {
  let sim: KrakenSimulator;
  let client: WsClient;
  let rest: FuturesRest;

  const send = async (params: Record<string, string | number | boolean>) =>
    (await rest.priv('POST', `${V3}/sendorder`, form(params))).json;

  beforeEach(async () => {
    sim = await startSim({ historyMinutes: 30, tradesPerMinute: 0 });
    rest = new FuturesRest(sim);
    client = await WsClient.connect(sim.config().baseUrlWsFutures);
  });
  afterEach(async () => {
    await client.close();
    await sim.stop();
  });

  it('answers a challenge with a UUID and refuses private feeds without a valid signature', async () => {
    const fields = await challengeFields(client, sim);
    expect(fields.original_challenge).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(client.messages().find(event('challenge'))).toEqual({
      event: 'challenge',
      message: fields.original_challenge,
    });
    const refused = { event: 'alert', message: 'Failed to subscribe to authenticated feed' };
    client.send({ event: 'subscribe', feed: 'open_orders', ...fields, signed_challenge: 'AAAA' });
    expect(await client.wait(event('alert'))).toEqual(refused);
    client.send({ event: 'subscribe', feed: 'fills' });
    expect(await client.wait(event('alert'))).toEqual(refused);
    // A challenge issued on another connection does not authenticate this one.
    const other = await WsClient.connect(sim.config().baseUrlWsFutures);
    const foreign = await challengeFields(other, sim);
    await other.close();
    client.send({ event: 'subscribe', feed: 'balances', ...foreign });
    expect(await client.wait(event('alert'))).toEqual(refused);
    client.send({ event: 'challenge', api_key: 'someone-else' });
    expect(await client.wait(event('error'))).toEqual({ event: 'error', message: 'Json Error' });
    client.send({ event: 'subscribe', feed: 'open_orders', ...fields });
    const ack = await client.wait(event('subscribed'));
    expect(ack).toEqual({ event: 'subscribed', feed: 'open_orders', ...fields });
    const { event: _e, ...request } = ack;
    void _e;
    expectShape({ event: 'subscribe', ...request }, fixture('12.3-challenge-authentication-private-feeds-1'));
  });

  it('sends private snapshots in Kraken shape', async () => {
    await send({ orderType: 'mkt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.01' });
    await send({
      orderType: 'lmt',
      symbol: 'PI_XBTUSD',
      side: 'sell',
      size: 304,
      limitPrice: 70000,
      cliOrdId: 'snap-1',
    });
    await send({ orderType: 'stp', symbol: 'PI_XBTUSD', side: 'buy', size: 1000, stopPrice: 70000, limitPrice: 70500 });
    const fields = await challengeFields(client, sim);
    for (const name of ['open_orders', 'fills', 'open_positions', 'balances', 'account_log']) {
      client.send({ event: 'subscribe', feed: name, ...fields });
    }
    const orders = await client.next(feed('open_orders_snapshot'));
    expectShape(orders, fixture('12.5-open-orders-1'), {
      optional: ['orders[].trailing_stop_options', 'orders[].limit_price', 'orders[].triggerSignal'],
      extra: ['orders[].cli_ord_id'],
    });
    expect(orders.orders.map((o: Msg) => o.type).sort()).toEqual(['limit', 'stop']);
    const fills = await client.next(feed('fills_snapshot'));
    expectShape(fills, fixture('12.5-fills-2'));
    expect(fills.fills[0]).toMatchObject({ instrument: 'PF_XBTUSD', buy: true, qty: 0.01, fill_type: 'taker' });
    const positions = await client.next(feed('open_positions'));
    expectShape(positions, fixture('12.5-open-positions-subscribe-with-1'), {
      optional: ['positions[].pnl_currency'],
    });
    expect(positions.positions[0]).toMatchObject({ instrument: 'PF_XBTUSD', balance: 0.01, pnl_currency: 'USD' });
    const balances = await client.next(feed('balances_snapshot'));
    expectShape(balances, fixture('12.5-balances-1'), {
      maps: ['holding', 'futures', 'flex_futures.currencies', 'flex_futures.isolated'],
    });
    expect(balances.futures['F-XBT:USD']).toMatchObject({
      name: 'F-XBT:USD',
      pair: 'XBT/USD',
      unit: 'XBT',
      balance: 2,
    });
    const log = await client.next(feed('account_log_snapshot'));
    expectShape(log, fixture('12.5-account-log-1'));
    expect(log.logs[0]).toMatchObject({ info: 'futures trade', asset: 'pf_xbtusd', new_balance: 0.01 });
  });

  it('follows an order life cycle placed over REST on open_orders and fills', async () => {
    const fields = await challengeFields(client, sim);
    client.send({ event: 'subscribe', feed: 'open_orders', ...fields });
    client.send({ event: 'subscribe', feed: 'fills', ...fields });
    client.send({ event: 'subscribe', feed: 'balances', ...fields });
    await client.next(feed('open_orders_snapshot'));
    await client.next(feed('fills_snapshot'));
    await client.next(feed('balances_snapshot'));

    // 1. A limit order inside the spread rests: new_placed_order_by_user.
    const book = (await rest.get(`${V3}/orderbook`, 'symbol=PF_XBTUSD')).json.orderBook;
    const inside = book.bids[0][0] + 1;
    expect(inside).toBeLessThan(book.asks[0][0]);
    const placed = await send({
      orderType: 'lmt',
      symbol: 'PF_XBTUSD',
      side: 'buy',
      size: '0.3',
      limitPrice: inside,
      cliOrdId: 'life-1',
    });
    const id = placed.sendStatus.order_id;
    const opened = await client.next((m) => m.feed === 'open_orders' && m.reason === 'new_placed_order_by_user');
    expectShape(opened, fixture('12.5-open-orders-2'), { extra: ['order.cli_ord_id'] });
    expect(opened.order).toMatchObject({ order_id: id, qty: 0.3, filled: 0, limit_price: inside, direction: 0 });

    // 2. Edit: an update, not a removal.
    await rest.priv('POST', `${V3}/editorder`, form({ orderId: id, size: '0.4' }));
    const edited = await client.next((m) => m.feed === 'open_orders' && m.reason === 'edited_by_user');
    expect(edited).toMatchObject({ is_cancel: false, order: { qty: 0.4 } });

    // 3. A seller hits it partly: partial_fill on open_orders, a maker fill on fills.
    sim.engine.syntheticTrade('PF_XBTUSD', 'sell', new Decimal('0.1'));
    const partial = await client.next((m) => m.feed === 'open_orders' && m.reason === 'partial_fill');
    expect(partial).toMatchObject({ is_cancel: false, order: { qty: 0.3, filled: 0.1 } });
    const fill = await client.next(feed('fills'));
    expectShape(fill, fixture('12.5-fills-3'));
    expect(fill.fills[0]).toMatchObject({
      order_id: id,
      cli_ord_id: 'life-1',
      fill_type: 'maker',
      buy: true,
      qty: 0.1,
      remaining_order_qty: 0.3,
      price: inside,
      fee_currency: 'USD',
    });
    expect(fill.fills[0].fee_paid).toBeCloseTo(0.1 * inside * 0.0002, 8);
    const update = await client.next(feed('balances'));
    expectShape(update, fixture('12.5-balances-2'), {
      optional: ['holding'],
      extra: ['flex_futures'],
      maps: ['futures'],
    });

    // 4. The rest fills: full_fill removes it with qty 0.
    sim.engine.syntheticTrade('PF_XBTUSD', 'sell', new Decimal('0.3'));
    const full = await client.next((m) => m.feed === 'open_orders' && m.reason === 'full_fill');
    expectShape(full, fixture('12.5-open-orders-4'), { extra: ['order.cli_ord_id'] });
    expect(full).toMatchObject({ is_cancel: true, order: { qty: 0, filled: 0.4 } });

    // 5. Another order cancelled by the user: removal without an order object.
    const second = await send({ orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'sell', size: '0.1', limitPrice: 90000 });
    await client.next((m) => m.feed === 'open_orders' && m.order?.order_id === second.sendStatus.order_id);
    await rest.priv('POST', `${V3}/cancelorder`, form({ order_id: second.sendStatus.order_id }));
    const removal = await client.next((m) => m.feed === 'open_orders' && m.reason === 'cancelled_by_user');
    expect(removal).toEqual({
      feed: 'open_orders',
      order_id: second.sendStatus.order_id,
      is_cancel: true,
      reason: 'cancelled_by_user',
    });
    expectShape(removal, fixture('12.5-open-orders-3'));
  });

  it('tells only the verbose feed about a rejected post-only order', async () => {
    const fields = await challengeFields(client, sim);
    client.send({ event: 'subscribe', feed: 'open_orders', ...fields });
    client.send({ event: 'subscribe', feed: 'open_orders_verbose', ...fields });
    await client.next(feed('open_orders_verbose_snapshot'));
    await client.next(feed('open_orders_snapshot'));
    const ask = (await rest.get(`${V3}/orderbook`, 'symbol=PF_XBTUSD')).json.orderBook.asks[0][0];
    await send({ orderType: 'post', symbol: 'PF_XBTUSD', side: 'buy', size: '0.01', limitPrice: ask });
    const verbose = await client.next(feed('open_orders_verbose'));
    expectShape(verbose, fixture('12.5-open-orders-verbose-1'));
    expect(verbose).toMatchObject({ is_cancel: true, reason: 'post_order_failed_because_it_would_filled' });
    await client.settle();
    expect(client.messages().filter(feed('open_orders'))).toEqual([]);
  });

  it('updates open_positions when a fill changes the position', async () => {
    const fields = await challengeFields(client, sim);
    client.send({ event: 'subscribe', feed: 'open_positions', ...fields });
    const first = await client.next(feed('open_positions'));
    expect(first.positions).toEqual([]);
    await send({ orderType: 'mkt', symbol: 'PI_XBTUSD', side: 'sell', size: 500 });
    const update = await client.next((m) => m.feed === 'open_positions' && m.positions?.length === 1);
    expect(update.seq).toBeGreaterThan(first.seq);
    expect(update.positions[0]).toMatchObject({ instrument: 'PI_XBTUSD', balance: -500 });
    expect(update.positions[0]).not.toHaveProperty('pnl_currency');
  });
});
