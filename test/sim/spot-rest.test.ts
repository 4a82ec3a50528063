/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON is poked at freely in these tests */
import Decimal from 'decimal.js';
import { KrakenSimulator } from '../../src/sim';
import { firstValue, fixture, nextNonce, privatePost, publicGet, shape, shapeWithout } from './simSupport';

const START = Date.UTC(2024, 0, 2, 12, 0, 0);

describe('KrakenSimulator spot REST', () => {
  let sim: KrakenSimulator;

  beforeEach(async () => {
    sim = await KrakenSimulator.start({ seed: 11, clock: 'manual', startTime: START });
    sim.clock.advance(30_000);
  });

  afterEach(async () => {
    await sim.stop();
  });

  describe('public endpoints answer in the recorded shapes', () => {
    it('Time and SystemStatus', async () => {
      const time = await publicGet(sim, 'Time');
      expect(shape(time.json)).toEqual(shape(fixture('2.1-time-1')));
      expect(time.json.result.unixtime).toBe(Math.floor(sim.clock.now() / 1000));
      expect(time.json.result.rfc1123).toBe('Tue, 02 Jan 24 12:00:30 +0000');
      const status = await publicGet(sim, 'SystemStatus');
      expect(shape(status.json)).toEqual(shape(fixture('2.2-systemstatus-1')));
      expect(status.json.result).toEqual({ status: 'online', timestamp: '2024-01-02T12:00:30Z' });
    });

    it('Assets', async () => {
      const assets = await publicGet(sim, 'Assets', 'asset=XBT,ETH');
      expect(Object.keys(assets.json.result)).toEqual(['XXBT', 'XETH']);
      expect(shape(firstValue(assets.json.result))).toEqual(shape(firstValue((fixture('2.3-assets-1') as any).result)));
      expect((await publicGet(sim, 'Assets', 'asset=NOPE')).json).toEqual({ error: ['EQuery:Unknown asset'] });
    });

    it('AssetPairs uses Kraken keys, altnames and XBT wsnames, and refuses unknown pairs', async () => {
      const pairs = await publicGet(sim, 'AssetPairs', 'pair=XBTUSD,ETHXBT');
      expect(Object.keys(pairs.json.result)).toEqual(['XXBTZUSD', 'XETHXXBT']);
      expect(shape(pairs.json.result.XXBTZUSD)).toEqual(shape((fixture('2.4-assetpairs-1') as any).result.XXBTZUSD));
      expect(pairs.json.result.XXBTZUSD).toMatchObject({
        altname: 'XBTUSD',
        wsname: 'XBT/USD',
        base: 'XXBT',
        quote: 'ZUSD',
        pair_decimals: 1,
        lot_decimals: 8,
        ordermin: '0.0001',
        tick_size: '0.1',
      });
      expect(pairs.json.result.XETHXXBT.wsname).toBe('ETH/XBT');
      const all = await publicGet(sim, 'AssetPairs');
      expect(Object.keys(all.json.result).sort()).toEqual(['XETHXXBT', 'XETHZUSD', 'XXBTZUSD']);
      expect((await publicGet(sim, 'AssetPairs', 'pair=DOGEUSD')).json).toEqual({
        error: ['EQuery:Unknown asset pair'],
      });
      const fees = await publicGet(sim, 'AssetPairs', 'pair=XBTUSD&info=fees');
      expect(Object.keys(fees.json.result.XXBTZUSD).sort()).toEqual(['fee_volume_currency', 'fees']);
    });

    it('Ticker', async () => {
      const ticker = await publicGet(sim, 'Ticker', 'pair=XBTUSD');
      expect(shape(ticker.json)).toEqual(shape(fixture('2.5-ticker-1')));
      const t = ticker.json.result.XXBTZUSD;
      expect(Number(t.a[0])).toBeGreaterThan(Number(t.b[0]));
    });

    it('OHLC returns history with the open bar last and `last` = the newest committed bar', async () => {
      const ohlc = await publicGet(sim, 'OHLC', 'pair=XBTUSD&interval=1');
      expect(shape(ohlc.json)).toEqual(shape(fixture('2.6-ohlc-1')));
      const rows = ohlc.json.result.XXBTZUSD as unknown[][];
      expect(rows.length).toBe(720);
      const openBar = Math.floor(sim.clock.now() / 60_000) * 60;
      expect(rows[rows.length - 1][0]).toBe(openBar);
      expect(ohlc.json.result.last).toBe(openBar - 60);
      for (let i = 1; i < rows.length; i++) expect(rows[i][0]).toBe((rows[i - 1][0] as number) + 60);
      const since = await publicGet(sim, 'OHLC', `pair=XBTUSD&interval=1&since=${openBar - 180}`);
      expect((since.json.result.XXBTZUSD as unknown[][]).map((r) => r[0])).toEqual([
        openBar - 120,
        openBar - 60,
        openBar,
      ]);
      const hourly = await publicGet(sim, 'OHLC', 'pair=XBTUSD&interval=60');
      expect((hourly.json.result.XXBTZUSD as unknown[][]).length).toBe(13);
      expect((await publicGet(sim, 'OHLC', 'pair=XBTUSD&interval=7')).json.error).toEqual([
        'EGeneral:Invalid arguments',
      ]);
    });

    it('Trades pages forward with the nanosecond `last` cursor', async () => {
      const trades = await publicGet(sim, 'Trades', 'pair=XBTUSD');
      expect(shape(trades.json)).toEqual(shape(fixture('2.7-trades-recent-public-trades-1')));
      const first = trades.json.result.XXBTZUSD as unknown[][];
      expect(first.length).toBeGreaterThan(0);
      sim.clock.advance(60_000);
      const next = await publicGet(sim, 'Trades', `pair=XBTUSD&since=${trades.json.result.last}`);
      const rows = next.json.result.XXBTZUSD as unknown[][];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows[0][6]).toBeGreaterThan(first[first.length - 1][6] as number);
    });

    it('Trades without `since` answers the most recent `count` trades', async () => {
      sim.clock.advance(5 * 60_000);
      const all = (await publicGet(sim, 'Trades', 'pair=XBTUSD')).json.result.XXBTZUSD as unknown[][];
      const latest = (await publicGet(sim, 'Trades', 'pair=XBTUSD&count=5')).json.result.XXBTZUSD as unknown[][];
      expect(all.length).toBeGreaterThan(5);
      expect(latest.map((row) => row[6])).toEqual(all.slice(-5).map((row) => row[6]));
    });

    it('Depth', async () => {
      const depth = await publicGet(sim, 'Depth', 'pair=XBTUSD&count=5');
      expect(shape(depth.json)).toEqual(shape(fixture('2.8-depth-order-book-snapshot-1')));
      const { asks, bids } = depth.json.result.XXBTZUSD;
      expect(asks).toHaveLength(5);
      expect(Number(asks[0][0])).toBeGreaterThan(Number(bids[0][0]));
      expect(asks[0][0]).toMatch(/^\d+\.\d$/);
      expect(asks[0][1]).toMatch(/^\d+\.\d{8}$/);
    });

    it('unknown methods are refused', async () => {
      expect((await publicGet(sim, 'Nope')).json).toEqual({ error: ['EGeneral:Unknown method'] });
    });
  });

  describe('authentication', () => {
    it('accepts a correctly signed call, form or JSON', async () => {
      const form = await privatePost(sim, 'Balance');
      expect(form.json.error).toEqual([]);
      expect(shape(form.json)).toEqual(shape({ error: [], result: { ZUSD: '1', XXBT: '1', XETH: '1' } }));
      expect(form.json.result).toEqual({ ZUSD: '100000.0000', XXBT: '2.0000000000', XETH: '25.0000000000' });
      const json = await privatePost(sim, 'Balance', {}, { json: true });
      expect(json.json.error).toEqual([]);
    });

    it('refuses an unknown key, a bad signature and a non-increasing nonce', async () => {
      expect((await privatePost(sim, 'Balance', {}, { key: 'nope' })).json).toEqual({ error: ['EAPI:Invalid key'] });
      const wrongSecret = Buffer.alloc(64, 7).toString('base64');
      expect((await privatePost(sim, 'Balance', {}, { secret: wrongSecret })).json).toEqual({
        error: ['EAPI:Invalid signature'],
      });
      const nonce = nextNonce();
      expect((await privatePost(sim, 'Balance', {}, { nonce })).json.error).toEqual([]);
      expect((await privatePost(sim, 'Balance', {}, { nonce })).json).toEqual({ error: ['EAPI:Invalid nonce'] });
      const older = (BigInt(nonce) - 5n).toString();
      expect((await privatePost(sim, 'Balance', {}, { nonce: older })).json).toEqual({ error: ['EAPI:Invalid nonce'] });
    });

    it('enforces the starter REST counter (15, −0.33/s) and lets it decay with the sim clock', async () => {
      for (let i = 0; i < 15; i++) expect((await privatePost(sim, 'Balance')).json.error).toEqual([]);
      const limited = { error: ['EAPI:Rate limit exceeded'] };
      expect((await privatePost(sim, 'Balance')).json).toEqual(limited); // 15 + 1 refused, and counted: 16
      sim.clock.advance(6100); // −2.01 → 13.99
      expect((await privatePost(sim, 'Balance')).json.error).toEqual([]); // 14.99
      expect((await privatePost(sim, 'Balance')).json).toEqual(limited); // 15.99
      sim.clock.advance(9100); // −3.00 → 12.99: a history call costs 2
      expect((await privatePost(sim, 'TradesHistory')).json.error).toEqual([]); // 14.99
      expect((await privatePost(sim, 'Balance')).json).toEqual(limited); // 15.99
    });

    it('counts refused calls too: hammering while limited extends the penalty', async () => {
      for (let i = 0; i < 15; i++) expect((await privatePost(sim, 'Balance')).json.error).toEqual([]);
      for (let i = 0; i < 5; i++) {
        expect((await privatePost(sim, 'Balance')).json.error).toEqual(['EAPI:Rate limit exceeded']);
      }
      // 20 now. Had the refusals not counted, 6.1 s (−2.01) would let a call through; they did: 17.99 + 1.
      sim.clock.advance(6100);
      expect((await privatePost(sim, 'Balance')).json.error).toEqual(['EAPI:Rate limit exceeded']); // 18.99
      sim.clock.advance(15_200); // −5.02 → 13.97
      expect((await privatePost(sim, 'Balance')).json.error).toEqual([]);
    });

    it('does not count order placement on the REST counter', async () => {
      for (let i = 0; i < 20; i++) {
        const res = await privatePost(sim, 'AddOrder', {
          pair: 'XBTUSD',
          type: 'buy',
          ordertype: 'limit',
          price: '1000.0',
          volume: '0.001',
        });
        expect(res.json.error).toEqual([]);
      }
    });
  });

  describe('account data', () => {
    it('BalanceEx and TradeBalance', async () => {
      const ex = await privatePost(sim, 'BalanceEx');
      expect(shape(firstValue(ex.json.result))).toEqual(shape(firstValue((fixture('3.2-balanceex-1') as any).result)));
      const tb = await privatePost(sim, 'TradeBalance', { asset: 'ZUSD' });
      expect(shapeWithout(tb.json.result, 'ml')).toEqual(
        shapeWithout((fixture('3.3-tradebalance-1') as any).result, 'ml'),
      );
    });
  });

  describe('orders', () => {
    const limitBuy = (extra: Record<string, string> = {}) => ({
      pair: 'XBTUSD',
      type: 'buy',
      ordertype: 'limit',
      price: '50000.0',
      volume: '0.01',
      ...extra,
    });

    it('AddOrder answers like Kraken and the order shows in OpenOrders with its hold', async () => {
      const add = await privatePost(sim, 'AddOrder', limitBuy({ cl_ord_id: 'my-order-1' }));
      // Kraken's example carries a conditional close; without one `descr` has only `order`.
      const recorded = fixture('4.1-addorder-2') as any;
      expect(shape(add.json)).toEqual(shape({ ...recorded, result: { ...recorded.result, descr: { order: '' } } }));
      expect(add.json.result.descr.order).toBe('buy 0.01000000 XBTUSD @ limit 50000.0');
      const txid = add.json.result.txid[0];
      expect(txid).toMatch(/^O[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{6}$/);
      const open = await privatePost(sim, 'OpenOrders', { trades: true });
      const order = open.json.result.open[txid];
      expect(shapeWithout(order, 'cl_ord_id', 'trades')).toEqual(
        shapeWithout(firstValue((fixture('3.5-openorders-1') as any).result.open), 'trades'),
      );
      expect(order).toMatchObject({
        status: 'open',
        cl_ord_id: 'my-order-1',
        vol: '0.01000000',
        vol_exec: '0.00000000',
      });
      const byCl = await privatePost(sim, 'OpenOrders', { cl_ord_id: 'my-order-1' });
      expect(Object.keys(byCl.json.result.open)).toEqual([txid]);
      const ex = await privatePost(sim, 'BalanceEx');
      expect(ex.json.result.ZUSD.hold_trade).toBe('501.3000'); // 0.01 × 50000 × 1.0026
    });

    it('validate=true places nothing and returns no txid', async () => {
      const res = await privatePost(sim, 'AddOrder', limitBuy({ validate: 'true' }));
      expect(res.json).toEqual({ error: [], result: { descr: { order: 'buy 0.01000000 XBTUSD @ limit 50000.0' } } });
      expect((await privatePost(sim, 'OpenOrders')).json.result.open).toEqual({});
    });

    it.each([
      [{ volume: 'abc' }, 'EGeneral:Invalid arguments:volume'],
      [{ volume: '0.000000001' }, 'EGeneral:Invalid arguments:volume'],
      [{ volume: '0.00001' }, 'EOrder:Order minimum not met'],
      [{ price: '50000.05' }, 'EOrder:Tick size check failed'],
      [{ volume: '10' }, 'EOrder:Insufficient funds'],
      [{ pair: 'XBTEUR' }, 'EQuery:Unknown asset pair'],
      [{ ordertype: 'iceberg' }, 'EGeneral:Invalid arguments:ordertype'],
      [{ type: 'hold' }, 'EGeneral:Invalid arguments:type'],
      [{ timeinforce: 'GTD' }, 'EGeneral:Invalid arguments:expiretm'],
      [{ price: '0.1', volume: '1' }, 'EOrder:Cost minimum not met'],
      [{ cl_ord_id: 'this-is-far-too-long-for-kraken' }, 'EGeneral:Invalid arguments:cl_ord_id'],
    ])('refuses %j with %s', async (extra, error) => {
      const res = await privatePost(sim, 'AddOrder', limitBuy(extra as Record<string, string>));
      expect(res.json).toEqual({ error: [error] });
    });

    it('a market buy fills against the book, moves balances and lands in ClosedOrders and TradesHistory', async () => {
      const add = await privatePost(sim, 'AddOrder', {
        pair: 'XBTUSD',
        type: 'buy',
        ordertype: 'market',
        volume: '0.5',
      });
      const txid = add.json.result.txid[0];
      const query = await privatePost(sim, 'QueryOrders', { txid, trades: true });
      const order = query.json.result[txid];
      expect(order.status).toBe('closed');
      expect(order.vol_exec).toBe('0.50000000');
      expect(shapeWithout(order, 'trades')).toEqual(
        shapeWithout(firstValue((fixture('3.7-queryorders-1') as any).result), 'trades', 'trigger'),
      );
      const balance = await privatePost(sim, 'Balance');
      expect(balance.json.result.XXBT).toBe('2.5000000000');
      const cost = Number(order.cost);
      const fee = Number(order.fee);
      expect(fee).toBeCloseTo(cost * 0.0026, 3);
      expect(Number(balance.json.result.ZUSD)).toBeCloseTo(100000 - cost - fee, 2);
      const history = await privatePost(sim, 'TradesHistory');
      expect(history.json.result.count).toBe(order.trades.length);
      const trade = history.json.result.trades[order.trades[0]];
      expect(shape(trade)).toEqual(
        shapeWithout(firstValue((fixture('3.8-tradeshistory-paginated-fills-1') as any).result.trades)),
      );
      expect(trade).toMatchObject({
        ordertxid: txid,
        pair: 'XXBTZUSD',
        type: 'buy',
        ordertype: 'market',
        maker: false,
      });
    });

    it('ClosedOrders pages 50 at a time, newest first, with start/end and the count of all matches', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) {
        // IOC far from the market: closes at once, costs +1 on the trading counter.
        const add = await privatePost(
          sim,
          'AddOrder',
          limitBuy({ price: '1000.0', userref: String(i % 2), timeinforce: 'IOC' }),
        );
        ids.push(add.json.result.txid[0]);
        sim.clock.advance(1000);
      }
      const page1 = await privatePost(sim, 'ClosedOrders');
      expect(page1.json.result.count).toBe(60);
      expect(Object.keys(page1.json.result.closed)).toEqual(ids.slice().reverse().slice(0, 50));
      const page2 = await privatePost(sim, 'ClosedOrders', { ofs: 50 });
      expect(Object.keys(page2.json.result.closed)).toEqual(ids.slice().reverse().slice(50));
      const first = page2.json.result.closed[ids[0]];
      expect(shapeWithout(first)).toEqual(
        shapeWithout(firstValue((fixture('3.6-closedorders-paginated-1') as any).result.closed), 'trigger'),
      );
      expect(first).toMatchObject({ status: 'canceled', reason: 'Immediate or cancel', userref: 0 });
      const odd = await privatePost(sim, 'ClosedOrders', { userref: 1 });
      expect(odd.json.result.count).toBe(30);
      const endAt = first.closetm as number;
      const upToFirst = await privatePost(sim, 'ClosedOrders', { end: String(endAt), closetime: 'close' });
      expect(Object.keys(upToFirst.json.result.closed)).toEqual([ids[0]]);
      const afterFirst = await privatePost(sim, 'ClosedOrders', { start: String(endAt), closetime: 'close' });
      expect(afterFirst.json.result.count).toBe(59);
    });

    it('AmendOrder changes price and quantity in place; CancelOrder by cl_ord_id; unknown orders are refused', async () => {
      const add = await privatePost(sim, 'AddOrder', limitBuy({ cl_ord_id: 'amend-me' }));
      const txid = add.json.result.txid[0];
      const amend = await privatePost(sim, 'AmendOrder', {
        cl_ord_id: 'amend-me',
        order_qty: '0.02',
        limit_price: '49000.0',
      });
      expect(shape(amend.json)).toEqual(shape(fixture('4.3-amendorder-in-place-modify-2')));
      const after = (await privatePost(sim, 'QueryOrders', { txid })).json.result[txid];
      expect(after).toMatchObject({ vol: '0.02000000', misc: 'amended', descr: { price: '49000.0' } });
      const cancel = await privatePost(sim, 'CancelOrder', { cl_ord_id: 'amend-me' });
      expect(cancel.json).toEqual(fixture('4.5-cancelorder-2'));
      expect((await privatePost(sim, 'CancelOrder', { txid })).json).toEqual({ error: ['EOrder:Unknown order'] });
      expect((await privatePost(sim, 'AmendOrder', { txid, order_qty: '0.03' })).json).toEqual({
        error: ['EOrder:Unknown order'],
      });
    });

    it('EditOrder replaces the order with a new txid', async () => {
      const add = await privatePost(sim, 'AddOrder', limitBuy());
      const txid = add.json.result.txid[0];
      const edit = await privatePost(sim, 'EditOrder', { pair: 'XBTUSD', txid, volume: '0.02', price: '48000.0' });
      expect(edit.json.error).toEqual([]);
      expect(edit.json.result).toMatchObject({
        status: 'ok',
        originaltxid: txid,
        volume: '0.02000000',
        price: '48000.0',
      });
      expect(edit.json.result.txid).not.toBe(txid);
      const old = (await privatePost(sim, 'QueryOrders', { txid })).json.result[txid];
      expect(old.status).toBe('canceled');
    });

    it('AddOrderBatch (JSON) validates the whole batch and places each order; CancelOrderBatch and CancelAll', async () => {
      const batch = await privatePost(
        sim,
        'AddOrderBatch',
        {
          pair: 'BTC/USD',
          orders: [
            { ordertype: 'limit', type: 'buy', volume: '0.01', price: '40000.0', cl_ord_id: 'b-1' },
            { ordertype: 'limit', type: 'sell', volume: '0.01', price: '90000.0' },
          ],
        },
        { json: true },
      );
      expect(shape(batch.json)).toEqual(shape(fixture('4.2-addorderbatch-2')));
      const [a, b] = batch.json.result.orders.map((o: { txid: string }) => o.txid);
      const bad = await privatePost(
        sim,
        'AddOrderBatch',
        {
          pair: 'XBTUSD',
          orders: [
            { ordertype: 'limit', type: 'buy', volume: '0.01', price: '40000.0' },
            { ordertype: 'limit', type: 'buy', volume: '0.01', price: '40000.05' },
          ],
        },
        { json: true },
      );
      expect(bad.json).toEqual({ error: ['EOrder:Tick size check failed'] });
      const cancel = await privatePost(sim, 'CancelOrderBatch', { orders: [a, b] }, { json: true });
      expect(cancel.json).toEqual({ error: [], result: { count: 2 } });
      await privatePost(sim, 'AddOrder', limitBuy());
      await privatePost(sim, 'AddOrder', limitBuy());
      expect((await privatePost(sim, 'CancelAll')).json).toEqual({ error: [], result: { count: 2 } });
    });

    it('AddOrderBatch accepts PHP-style nested form keys', async () => {
      const batch = await privatePost(sim, 'AddOrderBatch', {
        pair: 'XBTUSD',
        'orders[0][ordertype]': 'limit',
        'orders[0][type]': 'buy',
        'orders[0][volume]': '0.01',
        'orders[0][price]': '40000.0',
        'orders[1][ordertype]': 'limit',
        'orders[1][type]': 'buy',
        'orders[1][volume]': '0.01',
        'orders[1][price]': '41000.0',
      });
      expect(batch.json.error).toEqual([]);
      expect(batch.json.result.orders).toHaveLength(2);
    });

    it('CancelAllOrdersAfter cancels everything when the sim clock passes the deadline', async () => {
      await privatePost(sim, 'AddOrder', limitBuy());
      const arm = await privatePost(sim, 'CancelAllOrdersAfter', { timeout: 60 });
      expect(shape(arm.json)).toEqual(shape(fixture('4.7-cancelallordersafter-dead-mans-switch-1')));
      expect(arm.json.result).toEqual({ currentTime: '2024-01-02T12:00:30Z', triggerTime: '2024-01-02T12:01:30Z' });
      sim.clock.advance(59_000);
      expect(Object.keys((await privatePost(sim, 'OpenOrders')).json.result.open)).toHaveLength(1);
      sim.clock.advance(2000);
      expect((await privatePost(sim, 'OpenOrders')).json.result.open).toEqual({});
      const closed = await privatePost(sim, 'ClosedOrders');
      expect((firstValue(closed.json.result.closed) as any).reason).toBe('CancelAllOrdersAfter Timeout');
    });

    it('GTD orders expire on the sim clock; post-only orders that would take are cancelled', async () => {
      const gtd = await privatePost(sim, 'AddOrder', limitBuy({ timeinforce: 'GTD', expiretm: '+10' }));
      const txid = gtd.json.result.txid[0];
      sim.clock.advance(11_000);
      expect((await privatePost(sim, 'QueryOrders', { txid })).json.result[txid].status).toBe('expired');
      const post = await privatePost(sim, 'AddOrder', limitBuy({ price: '90000.0', oflags: 'post' }));
      const postId = post.json.result.txid[0];
      const order = (await privatePost(sim, 'QueryOrders', { txid: postId })).json.result[postId];
      expect(order).toMatchObject({
        status: 'canceled',
        reason: 'Post only order',
        vol_exec: '0.00000000',
        oflags: 'fciq,post',
      });
    });

    it('a stop-loss triggers on the last trade price', async () => {
      const market = sim.engine.market('BTC/USD')!;
      const below = Decimal.min(market.book.best('buy')!.price, market.lastPrice());
      const trigger = below.sub(3).toFixed(1);
      const add = await privatePost(sim, 'AddOrder', {
        pair: 'XBTUSD',
        type: 'sell',
        ordertype: 'stop-loss',
        price: trigger,
        volume: '0.1',
      });
      const txid = add.json.result.txid[0];
      expect((await privatePost(sim, 'QueryOrders', { txid })).json.result[txid].status).toBe('open');
      // Sell into the book until the last price falls through the trigger.
      for (let i = 0; i < 40 && sim.engine.order(txid)!.status === 'open'; i++) {
        sim.engine.syntheticTrade('BTC/USD', 'sell', sim.engine.market('BTC/USD')!.book.best('buy')!.entries[0].qty);
      }
      const order = (await privatePost(sim, 'QueryOrders', { txid })).json.result[txid];
      expect(order).toMatchObject({ status: 'closed', vol_exec: '0.10000000', misc: 'stopped' });
    });
  });
});

describe('KrakenSimulator spot REST: history paging', () => {
  let sim: KrakenSimulator;

  beforeEach(async () => {
    sim = await KrakenSimulator.start({
      seed: 11,
      clock: 'manual',
      startTime: START,
      tier: 'pro',
      tradesPerMinute: 0,
      spotBalances: { USD: 10_000_000, BTC: 100, ETH: 1000 },
    });
  });

  afterEach(async () => {
    await sim.stop();
  });

  it('TradesHistory pages 50 fills at a time, newest first; a txid bound splits the fills of one taker order', async () => {
    const asks = sim.engine.market('BTC/USD')!.book.view('sell', 3);
    // One market order that takes two levels and half of a third: three fills in the same millisecond.
    const sweep = asks[0].qty.add(asks[1].qty).add(asks[2].qty.div(2).toDecimalPlaces(8));
    const add = await privatePost(sim, 'AddOrder', {
      pair: 'XBTUSD',
      type: 'buy',
      ordertype: 'market',
      volume: sweep.toFixed(8),
    });
    expect(add.json.error).toEqual([]);
    sim.clock.advance(1000);
    for (let i = 0; i < 55; i++) {
      const small = await privatePost(sim, 'AddOrder', {
        pair: 'XBTUSD',
        type: 'buy',
        ordertype: 'market',
        volume: '0.001',
      });
      expect(small.json.error).toEqual([]);
      sim.clock.advance(1000);
    }
    const fills = sim.engine.accountFills(sim.accounts().spot);
    expect(fills).toHaveLength(58);
    const [s1, s2, s3] = fills;
    expect([s2.time, s3.time]).toEqual([s1.time, s1.time]);
    const newestFirst = fills.map((f) => f.id).reverse();

    const page1 = (await privatePost(sim, 'TradesHistory')).json.result;
    expect(page1.count).toBe(58);
    expect(Object.keys(page1.trades)).toEqual(newestFirst.slice(0, 50));
    const page2 = (await privatePost(sim, 'TradesHistory', { ofs: 50 })).json.result;
    expect(Object.keys(page2.trades)).toEqual(newestFirst.slice(50));
    expect((await privatePost(sim, 'TradesHistory', { ofs: 100 })).json.result).toEqual({ trades: {}, count: 58 });

    const afterFirst = (await privatePost(sim, 'TradesHistory', { start: s1.id })).json.result;
    expect(afterFirst.count).toBe(57);
    const afterFirstTail = (await privatePost(sim, 'TradesHistory', { start: s1.id, ofs: 50 })).json.result;
    expect(Object.keys(afterFirstTail.trades)).toEqual(newestFirst.slice(50, 57));
    expect(Object.keys(afterFirstTail.trades).slice(-2)).toEqual([s3.id, s2.id]);
    const upToSecond = (await privatePost(sim, 'TradesHistory', { end: s2.id })).json.result;
    expect(Object.keys(upToSecond.trades)).toEqual([s2.id, s1.id]);
    const afterSweep = (await privatePost(sim, 'TradesHistory', { start: String(s1.time / 1000) })).json.result;
    expect(afterSweep.count).toBe(55);
    expect((await privatePost(sim, 'TradesHistory', { end: 'TNOPE-NOPE-NOPE' })).json.error).toEqual([
      'EGeneral:Invalid arguments:end',
    ]);
    const withoutCount = (await privatePost(sim, 'TradesHistory', { without_count: true, ofs: 55 })).json.result;
    expect(withoutCount).toEqual({ trades: expect.any(Object) });
    expect(Object.keys(withoutCount.trades)).toEqual(newestFirst.slice(55));
  });

  it('Trades takes `since` as seconds (also fractional) or the nanosecond cursor, and refuses anything else', async () => {
    sim.engine.syntheticTrade('BTC/USD');
    sim.clock.advance(1500);
    sim.engine.syntheticTrade('BTC/USD');
    const all = (await publicGet(sim, 'Trades', 'pair=XBTUSD')).json.result.XXBTZUSD as unknown[][];
    expect(all.map((row) => row[2])).toEqual([START / 1000, START / 1000 + 1.5]);
    const fractional = await publicGet(sim, 'Trades', `pair=XBTUSD&since=${START / 1000 + 0.5}`);
    expect((fractional.json.result.XXBTZUSD as unknown[][]).map((row) => row[2])).toEqual([START / 1000 + 1.5]);
    const cursor = await publicGet(sim, 'Trades', `pair=XBTUSD&since=${BigInt(START) * 1_000_000n}`);
    expect((cursor.json.result.XXBTZUSD as unknown[][]).map((row) => row[2])).toEqual([START / 1000 + 1.5]);
    for (const bad of ['abc', '-1', '1e9']) {
      expect((await publicGet(sim, 'Trades', `pair=XBTUSD&since=${bad}`)).json).toEqual({
        error: ['EGeneral:Invalid arguments:since'],
      });
    }
  });
});
