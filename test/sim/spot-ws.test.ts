/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON is poked at freely in these tests */
import { KrakenSimulator } from '../../src/sim';
import { fixture, privatePost, settle, shape, shapeWithout, TestSocket } from './simSupport';

const START = Date.UTC(2024, 0, 2, 12, 0, 0);

/** An independent CRC32 (zlib) and Kraken book checksum, as the spec describes them (spot-wire.md §7.2). */
function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc ^= text.charCodeAt(i);
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function checksumOf(book: LocalBook, pricePrecision: number, qtyPrecision: number): number {
  const token = (v: number, p: number) => v.toFixed(p).replace('.', '').replace(/^0+/, '');
  const side = (levels: [number, number][]) =>
    levels
      .slice(0, 10)
      .map(([p, q]) => token(p, pricePrecision) + token(q, qtyPrecision))
      .join('');
  return crc32(side(book.asks()) + side(book.bids()));
}

class LocalBook {
  private readonly bidMap = new Map<number, number>();
  private readonly askMap = new Map<number, number>();
  constructor(private readonly depth: number) {}
  apply(data: any): void {
    for (const [levels, map] of [
      [data.bids, this.bidMap],
      [data.asks, this.askMap],
    ] as const) {
      for (const { price, qty } of levels) {
        if (qty === 0) map.delete(price);
        else map.set(price, qty);
      }
    }
    const trim = (map: Map<number, number>, levels: [number, number][]) => {
      for (const [p] of levels.slice(this.depth)) map.delete(p);
    };
    trim(this.bidMap, this.bids(Infinity));
    trim(this.askMap, this.asks(Infinity));
  }
  bids(n = this.depth): [number, number][] {
    return [...this.bidMap].sort((a, b) => b[0] - a[0]).slice(0, n);
  }
  asks(n = this.depth): [number, number][] {
    return [...this.askMap].sort((a, b) => a[0] - b[0]).slice(0, n);
  }
}

describe('KrakenSimulator spot WS v2 (public)', () => {
  let sim: KrakenSimulator;
  let ws: TestSocket;

  beforeEach(async () => {
    sim = await KrakenSimulator.start({ seed: 5, clock: 'manual', startTime: START, heartbeatMs: 50 });
    ws = await TestSocket.open(sim.config().baseUrlWsSpot);
  });

  afterEach(async () => {
    await ws.close();
    await sim.stop();
  });

  it('pushes status on connect with a 64-bit connection_id, and answers ping with pong', async () => {
    const status = await ws.next((f) => f.channel === 'status');
    expect(shape(status)).toEqual(shape(fixture('6.3-status-1')));
    expect(ws.frames[0].text).toMatch(/"connection_id":\d+,/);
    const pong = await ws.request({ method: 'ping', req_id: 101 });
    expect(shape(pong)).toEqual(shape(fixture('6.1-ping-pong-application-level-2')));
    expect(pong.req_id).toBe(101);
  });

  it('sends heartbeats once subscribed, and stops them on the fault', async () => {
    await settle(120);
    expect(ws.channel('heartbeat')).toHaveLength(0);
    await ws.request({ method: 'subscribe', params: { channel: 'ticker', symbol: ['BTC/USD'] }, req_id: 1 });
    const beat = await ws.next((f) => f.channel === 'heartbeat', 1000);
    expect(beat).toEqual(fixture('6.2-heartbeat-1'));
    sim.faults.stopHeartbeats();
    await settle(60);
    const before = ws.channel('heartbeat').length;
    await settle(200);
    expect(ws.channel('heartbeat').length).toBe(before);
    sim.faults.resumeHeartbeats();
    await ws.next((f) => f.channel === 'heartbeat' && ws.channel('heartbeat').length > before, 1000);
  });

  it('refuses unknown and v1-style symbols with one ack per symbol', async () => {
    ws.send({ method: 'subscribe', params: { channel: 'ticker', symbol: ['XBT/USD', 'BTC/USD'] }, req_id: 69 });
    const refused = await ws.next((f) => f.req_id === 69 && f.success === false);
    expect(shape(refused)).toEqual(shape(fixture('5.4-server-client-response-frame-2')));
    expect(refused.error).toBe('Currency pair not supported XBT/USD');
    expect(refused.symbol).toBe('XBT/USD');
    const accepted = await ws.next((f) => f.req_id === 69 && f.success === true);
    expect(shape(accepted)).toEqual(shape(fixture('5.4-server-client-response-frame-1')));
    expect(accepted.result).toEqual({ channel: 'ticker', snapshot: true, symbol: 'BTC/USD', event_trigger: 'trades' });
  });

  it('ticker: snapshot, an update per trade, and bbo updates on top-of-book changes', async () => {
    await ws.request({ method: 'subscribe', params: { channel: 'ticker', symbol: ['BTC/USD'] }, req_id: 1 });
    const snapshot = await ws.next((f) => f.channel === 'ticker' && f.type === 'snapshot');
    expect(shape(snapshot)).toEqual(shape(fixture('7.1-ticker-level-1-2')));
    expect(snapshot.data[0].symbol).toBe('BTC/USD');
    sim.engine.syntheticTrade('BTC/USD', 'buy');
    const update = await ws.next((f) => f.channel === 'ticker' && f.type === 'update');
    expect(update.data[0].last).toBe(sim.engine.market('BTC/USD')!.lastPrice().toNumber());

    const bbo = await TestSocket.open(sim.config().baseUrlWsSpot);
    const ack = await bbo.request({
      method: 'subscribe',
      params: { channel: 'ticker', symbol: ['ETH/USD'], event_trigger: 'bbo' },
      req_id: 7,
    });
    expect(ack.result).toEqual({ channel: 'ticker', symbol: 'ETH/USD', snapshot: true, event_trigger: 'bbo' });
    await bbo.next((f) => f.channel === 'ticker' && f.type === 'snapshot');
    sim.clock.advance(5000);
    const moved = await bbo.next((f) => f.channel === 'ticker' && f.type === 'update');
    const best = sim.engine.market('ETH/USD')!.book.view('buy', 1)[0];
    expect(moved.data[0].bid).toBeGreaterThan(0);
    expect(typeof best.price.toNumber()).toBe('number');
    await bbo.close();
  });

  it.each([10, 25])('book depth %i: snapshot and updates carry checksums a client can verify', async (depth) => {
    const ack = await ws.request({
      method: 'subscribe',
      params: { channel: 'book', symbol: ['BTC/USD'], depth },
      req_id: 3,
    });
    expect(shapeWithout(ack, 'req_id')).toEqual(shape(fixture('7.2-book-level-2-aggregated-2')));
    expect(ack.result).toEqual({ channel: 'book', depth, snapshot: true, symbol: 'BTC/USD' });
    const snapshot = await ws.next((f) => f.channel === 'book' && f.type === 'snapshot');
    expect(shape(snapshot)).toEqual(shape(fixture('7.2-book-level-2-aggregated-3')));
    const book = new LocalBook(depth);
    book.apply(snapshot.data[0]);
    expect(book.bids()).toHaveLength(depth);
    expect(checksumOf(book, 1, 8)).toBe(snapshot.data[0].checksum);
    for (let i = 0; i < 20; i++) {
      sim.clock.advance(1000);
      sim.engine.syntheticTrade('BTC/USD');
    }
    await settle();
    const updates = ws.channel('book').filter((f) => f.type === 'update');
    expect(updates.length).toBeGreaterThan(10);
    const recordedUpdate = fixture('7.2-book-level-2-aggregated-4') as any;
    const level = { price: 1, qty: 1 };
    const withLevels = (f: any) => ({ ...f, data: [{ ...f.data[0], bids: [level], asks: [level] }] });
    expect(shape(withLevels(updates[0]))).toEqual(shape(withLevels(recordedUpdate)));
    expect(shape(updates.flatMap((u) => [...u.data[0].bids, ...u.data[0].asks]))).toEqual(shape([level]));
    for (const update of updates) {
      book.apply(update.data[0]);
      expect(checksumOf(book, 1, 8)).toBe(update.data[0].checksum);
    }
    const truth = sim.engine
      .market('BTC/USD')!
      .book.view('buy', depth)
      .map((l) => [l.price.toNumber(), l.qty.toNumber()]);
    expect(book.bids()).toEqual(truth);
  });

  it('book checksums use the pair precision for ETH/BTC (5 / 8 decimals)', async () => {
    await ws.request({ method: 'subscribe', params: { channel: 'book', symbol: ['ETH/BTC'] }, req_id: 3 });
    const snapshot = await ws.next((f) => f.channel === 'book' && f.type === 'snapshot');
    const book = new LocalBook(10);
    book.apply(snapshot.data[0]);
    expect(checksumOf(book, 5, 8)).toBe(snapshot.data[0].checksum);
  });

  it('trade: optional snapshot of the last 50, then the prints', async () => {
    sim.clock.advance(600_000);
    const ack = await ws.request({
      method: 'subscribe',
      params: { channel: 'trade', symbol: ['BTC/USD'], snapshot: true },
      req_id: 4,
    });
    expect(ack.result).toEqual({ channel: 'trade', snapshot: true, symbol: 'BTC/USD' });
    const snapshot = await ws.next((f) => f.channel === 'trade' && f.type === 'snapshot');
    expect(snapshot.data).toHaveLength(50);
    sim.engine.syntheticTrade('BTC/USD', 'sell');
    const update = await ws.next((f) => f.channel === 'trade' && f.type === 'update');
    expect(shape(update)).toEqual(shape(fixture('7.3-trade-2')));
    expect(update.data[0]).toMatchObject({ symbol: 'BTC/USD', side: 'sell', ord_type: 'market' });
    expect(update.data[0].trade_id).toBeGreaterThan(snapshot.data[49].trade_id);
  });

  it('ohlc: re-sends the open candle on every trade and moves on at the interval boundary', async () => {
    const ack = await ws.request({
      method: 'subscribe',
      params: { channel: 'ohlc', symbol: ['BTC/USD'], interval: 1 },
      req_id: 5,
    });
    expect(ack.result).toEqual({
      channel: 'ohlc',
      interval: 1,
      snapshot: true,
      symbol: 'BTC/USD',
      warnings: ['timestamp is deprecated, use interval_begin'],
    });
    await ws.next((f) => f.channel === 'ohlc' && f.type === 'snapshot');
    sim.engine.syntheticTrade('BTC/USD', 'buy');
    const first = await ws.next((f) => f.channel === 'ohlc' && f.type === 'update');
    expect(shape(first)).toEqual(shape(fixture('7.4-ohlc-2')));
    sim.engine.syntheticTrade('BTC/USD', 'sell');
    const second = await ws.next((f) => f.channel === 'ohlc' && f.type === 'update');
    expect(second.data[0].interval_begin).toBe(first.data[0].interval_begin);
    expect(second.data[0].trades).toBe(first.data[0].trades + 1);
    expect(second.data[0].volume).toBeGreaterThan(first.data[0].volume);
    expect(first.data[0].interval_begin).toBe('2024-01-02T12:00:00.000000000Z');
    sim.clock.advance(60_000);
    sim.engine.syntheticTrade('BTC/USD', 'buy');
    await settle();
    const last = ws.channel('ohlc').at(-1);
    expect(last.data[0].interval_begin).toBe('2024-01-02T12:01:00.000000000Z');
  });

  it('instrument: assets and pairs in v2 naming', async () => {
    const ack = await ws.request({ method: 'subscribe', params: { channel: 'instrument' }, req_id: 79 });
    expect(ack.result).toEqual({
      channel: 'instrument',
      snapshot: true,
      warnings: ['tick_size is deprecated, use price_increment'],
    });
    const snapshot = await ws.next((f) => f.channel === 'instrument');
    const recorded = fixture('7.5-instrument-reference-data-1') as any;
    expect(shape(snapshot.data.assets[0])).toEqual(shape(recorded.data.assets[0]));
    expect(shape(snapshot.data.pairs[0])).toEqual(shape(recorded.data.pairs[0]));
    expect(snapshot.data.pairs.map((p: any) => p.symbol)).toEqual(['BTC/USD', 'ETH/USD', 'ETH/BTC']);
    expect(snapshot.data.pairs[0]).toMatchObject({ price_precision: 1, qty_precision: 8, price_increment: 0.1 });
  });

  it('unsubscribe acks per symbol and stops the feed; executions are refused on the public endpoint', async () => {
    await ws.request({ method: 'subscribe', params: { channel: 'trade', symbol: ['BTC/USD'] }, req_id: 1 });
    const unsub = await ws.request({
      method: 'unsubscribe',
      params: { channel: 'trade', symbol: ['BTC/USD'] },
      req_id: 2,
    });
    expect(unsub).toMatchObject({
      method: 'unsubscribe',
      success: true,
      result: { channel: 'trade', symbol: 'BTC/USD' },
    });
    sim.engine.syntheticTrade('BTC/USD');
    await settle();
    expect(ws.channel('trade')).toHaveLength(0);
    const again = await ws.request({
      method: 'unsubscribe',
      params: { channel: 'trade', symbol: ['BTC/USD'] },
      req_id: 3,
    });
    expect(again).toMatchObject({ success: false, error: 'Subscription Not Found' });
    const exec = await ws.request({ method: 'subscribe', params: { channel: 'executions', token: 'x' }, req_id: 4 });
    expect(exec.success).toBe(false);
  });
});

describe('KrakenSimulator spot WS v2 (authenticated)', () => {
  let sim: KrakenSimulator;
  let ws: TestSocket;
  let token: string;

  beforeEach(async () => {
    sim = await KrakenSimulator.start({
      seed: 8,
      clock: 'manual',
      startTime: START,
      heartbeatMs: 0,
      spotBalances: { USD: 1_000_000, BTC: 2, ETH: 25 },
    });
    token = (await privatePost(sim, 'GetWebSocketsToken')).json.result.token;
    ws = await TestSocket.open(sim.config().baseUrlWsSpotAuth);
  });

  afterEach(async () => {
    await ws.close();
    await sim.stop();
  });

  it('GetWebSocketsToken answers in the recorded shape; a bad token is refused', async () => {
    const res = await privatePost(sim, 'GetWebSocketsToken');
    expect(shape(res.json)).toEqual(shape(fixture('4.9-getwebsocketstoken-1')));
    const refused = await ws.request({
      method: 'subscribe',
      params: { channel: 'executions', token: 'nope' },
      req_id: 1,
    });
    expect(refused).toMatchObject({ method: 'subscribe', success: false, error: 'EAPI:Invalid token' });
    const add = await ws.request({
      method: 'add_order',
      params: {
        order_type: 'limit',
        side: 'buy',
        order_qty: 0.01,
        limit_price: 1000,
        symbol: 'BTC/USD',
        token: 'nope',
      },
      req_id: 2,
    });
    expect(add).toMatchObject({ success: false, error: 'EAPI:Invalid token' });
  });

  it('balances: snapshot, then one ledger entry per asset on a fill', async () => {
    const ack = await ws.request({ method: 'subscribe', params: { channel: 'balances', token }, req_id: 11 });
    expect(ack.result).toEqual({ channel: 'balances', snapshot: true });
    const snapshot = await ws.next((f) => f.channel === 'balances' && f.type === 'snapshot');
    expect(shape(snapshot.data[0])).toEqual(shape((fixture('8.2-balances-2') as any).data[0]));
    expect(snapshot.data.map((d: any) => [d.asset, d.balance])).toEqual([
      ['USD', 1000000],
      ['BTC', 2],
      ['ETH', 25],
    ]);
    await ws.request({
      method: 'add_order',
      params: { order_type: 'market', side: 'buy', order_qty: 0.1, symbol: 'BTC/USD', token },
      req_id: 12,
    });
    const btc = await ws.next((f) => f.channel === 'balances' && f.type === 'update' && f.data[0].asset === 'BTC');
    expect(shape(btc)).toEqual(shape(fixture('8.2-balances-3')));
    expect(btc.data[0]).toMatchObject({ type: 'trade', amount: 0.1, fee: 0, balance: 2.1, wallet_type: 'spot' });
    const usd = await ws.next((f) => f.channel === 'balances' && f.type === 'update' && f.data[0].asset === 'USD');
    expect(usd.data[0].ref_id).toBe(btc.data[0].ref_id);
    expect(usd.sequence).toBe(btc.sequence + 1);
  });

  it('an order life cycle: add, partial fill, amend, cancel — each on executions', async () => {
    const ack = await ws.request({
      method: 'subscribe',
      params: { channel: 'executions', token, snap_orders: true, snap_trades: true },
      req_id: 10,
    });
    expect(shapeWithout(ack, 'req_id')).toEqual(shape(fixture('8.1-executions-orders-fills-replaces-2')));
    expect(ack.result.maxratecount).toBe(60);
    const snapshot = await ws.next((f) => f.channel === 'executions' && f.type === 'snapshot');
    expect(snapshot).toMatchObject({ sequence: 1, data: [] });

    // A buy limit at the best ask for more than the level holds: partly fills, rests for the rest.
    const bestAsk = sim.engine.market('BTC/USD')!.book.view('sell', 1)[0];
    const qty = bestAsk.qty.add('0.05').toNumber();
    const add = await ws.request({
      method: 'add_order',
      params: {
        order_type: 'limit',
        side: 'buy',
        limit_price: bestAsk.price.toNumber(),
        order_qty: qty,
        order_userref: 3,
        symbol: 'BTC/USD',
        token,
      },
      req_id: 123456789,
    });
    expect(shape(add)).toEqual(shape(fixture('9.1-add-order-5')));
    const orderId = add.result.order_id;
    expect(add.result.order_userref).toBe(3);

    const pending = await ws.next((f) => f.channel === 'executions' && f.data?.[0]?.exec_type === 'pending_new');
    expect(shape(pending)).toEqual(shape(fixture('8.1-executions-orders-fills-replaces-3')));
    const fresh = await ws.next((f) => f.channel === 'executions' && f.data?.[0]?.exec_type === 'new');
    expect(shape(fresh)).toEqual(shape(fixture('8.1-executions-orders-fills-replaces-4')));
    const trade = await ws.next((f) => f.channel === 'executions' && f.data?.[0]?.exec_type === 'trade');
    expect(shapeWithout(trade.data[0], 'order_userref')).toEqual(
      shapeWithout((fixture('8.1-executions-orders-fills-replaces-5') as any).data[0], 'order_userref'),
    );
    expect(trade.data[0]).toMatchObject({
      order_id: orderId,
      order_status: 'partially_filled',
      liquidity_ind: 't',
      last_qty: bestAsk.qty.toNumber(),
      last_price: bestAsk.price.toNumber(),
    });
    expect([pending.sequence, fresh.sequence, trade.sequence]).toEqual([2, 3, 4]);

    const amend = await ws.request({
      method: 'amend_order',
      params: { order_id: orderId, order_qty: qty + 0.01, limit_price: bestAsk.price.sub(100).toNumber(), token },
      req_id: 20,
    });
    expect(amend.success).toBe(true);
    expect(amend.result.amend_id).toMatch(/^T/);
    const amended = await ws.next((f) => f.channel === 'executions' && f.data?.[0]?.exec_type === 'amended');
    expect(amended.data[0]).toMatchObject({ order_id: orderId, amended: true, order_status: 'partially_filled' });

    const cancel = await ws.request({
      method: 'cancel_order',
      params: { order_id: [orderId], token },
      req_id: 123456789,
    });
    expect(shape(cancel)).toEqual(shape(fixture('9.4-cancel-order-2')));
    const cancelled = await ws.next((f) => f.channel === 'executions' && f.data?.[0]?.exec_type === 'canceled');
    expect(cancelled.data[0]).toMatchObject({ order_id: orderId, order_status: 'canceled', reason: 'User requested' });

    const closed = await privatePost(sim, 'QueryOrders', { txid: orderId });
    expect(closed.json.result[orderId]).toMatchObject({ status: 'canceled', userref: 3, misc: 'amended' });
  });

  it('amend_order by cl_ord_id echoes it; unknown orders and unsupported fields are refused', async () => {
    await ws.request({
      method: 'add_order',
      params: {
        order_type: 'limit',
        side: 'buy',
        order_qty: 0.01,
        limit_price: 1000,
        cl_ord_id: '2c6be801-1f53-4f79-a0bb-4ea1c95dfae9',
        symbol: 'BTC/USD',
        token,
      },
      req_id: 1,
    });
    const amend = await ws.request({
      method: 'amend_order',
      params: { cl_ord_id: '2c6be801-1f53-4f79-a0bb-4ea1c95dfae9', limit_price: 1100, order_qty: 0.02, token },
      req_id: 20,
    });
    expect(shape(amend)).toEqual(shape(fixture('9.2-amend-order-3')));
    expect(amend.result.cl_ord_id).toBe('2c6be801-1f53-4f79-a0bb-4ea1c95dfae9');
    const unknown = await ws.request({
      method: 'amend_order',
      params: { order_id: 'OAAAAA-BBBBB-CCCCCC', order_qty: 1, token },
      req_id: 21,
    });
    expect(unknown).toMatchObject({ success: false, error: 'EOrder:Unknown order' });
    const bad = await ws.request({
      method: 'add_order',
      params: {
        order_type: 'limit',
        side: 'buy',
        order_qty: 0.01,
        limit_price: 1000,
        symbol: 'BTC/USD',
        leverage: 2,
        token,
      },
      req_id: 22,
    });
    expect(bad).toMatchObject({ success: false, error: "Unsupported field: 'leverage'" });
    const refused = await ws.request({
      method: 'add_order',
      params: { order_type: 'limit', side: 'buy', order_qty: 2000, limit_price: 1000, symbol: 'BTC/USD', token },
      req_id: 99,
    });
    expect(shape(refused)).toEqual(shape(fixture('5.4-server-client-response-frame-3')));
    expect(refused.error).toBe('EOrder:Insufficient funds');
  });

  it('batch_add, edit_order, batch_cancel, cancel_all and cancel_all_orders_after', async () => {
    const batch = await ws.request({
      method: 'batch_add',
      params: {
        symbol: 'BTC/USD',
        orders: [
          { order_type: 'limit', side: 'buy', order_qty: 0.01, limit_price: 1010.1, order_userref: 1 },
          { order_type: 'limit', side: 'sell', order_qty: 0.01, limit_price: 99999.9, order_userref: 2 },
        ],
        token,
      },
      req_id: 1234567890,
    });
    expect(shape(batch)).toEqual(shape(fixture('9.7-batch-add-2')));
    const [first, second] = batch.result.map((r: any) => r.order_id);
    const edit = await ws.request({
      method: 'edit_order',
      params: { order_id: first, order_qty: 0.02, symbol: 'BTC/USD', token },
      req_id: 1234567890,
    });
    expect(shape(edit)).toEqual(shape(fixture('9.3-edit-order-legacy-cancel-2')));
    expect(edit.result.original_order_id).toBe(first);
    const cancel = await ws.request({
      method: 'batch_cancel',
      params: { orders: [edit.result.order_id, second], token },
      req_id: 1234567890,
    });
    expect(shape(cancel)).toEqual(shape(fixture('9.8-batch-cancel-2')));
    expect(cancel.result.count).toBe(2);
    await ws.request({
      method: 'add_order',
      params: { order_type: 'limit', side: 'buy', order_qty: 0.01, limit_price: 1000, symbol: 'BTC/USD', token },
      req_id: 5,
    });
    const all = await ws.request({ method: 'cancel_all', params: { token }, req_id: 1234567890 });
    expect(shape(all)).toEqual(shape(fixture('9.5-cancel-all-2')));
    expect(all.result.count).toBe(1);
    const after = await ws.request({
      method: 'cancel_all_orders_after',
      params: { timeout: 100, token },
      req_id: 1234567890,
    });
    expect(shape(after)).toEqual(shape(fixture('9.6-cancel-all-orders-after-2')));
    expect(after.result).toEqual({ currentTime: '2024-01-02T12:00:00Z', triggerTime: '2024-01-02T12:01:40Z' });
  });
});
