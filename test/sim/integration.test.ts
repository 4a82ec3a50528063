/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON is poked at freely in this test */
/**
 * The simulator end to end with plain clients (`fetch`, `ws`, signatures from node:crypto): one simulator trades
 * over both protocols of both venues, every fault is injected on every venue it applies to and its effect seen on
 * the wire, and the simulator stops leaving nothing open.
 *
 * Where a fault has no meaning on a venue it is not injected there: Futures books carry no checksum (so
 * `corruptNextBookChecksum` is Spot only), Spot WS v2 has no `seq` (so `skipNextFuturesSeq` is Futures only), and
 * Futures WS v1 places no orders (so the placement timeout is Spot REST, Spot WS and Futures REST).
 */
import { KrakenSimulator } from '../../src/sim';
import { challengeFields, event, feed, form, FuturesRest, WsClient } from './futures/support';
import { privatePost, publicGet, settle, TestSocket } from './simSupport';

const START = Date.UTC(2024, 0, 2, 12, 0, 0);
const V3 = '/derivatives/api/v3';

describe('KrakenSimulator end to end: both venues, every fault, clean stop', () => {
  let sim: KrakenSimulator;
  let rest: FuturesRest;
  let spotToken: string;

  beforeAll(async () => {
    sim = await KrakenSimulator.start({ seed: 5, clock: 'manual', startTime: START, heartbeatMs: 30 });
    rest = new FuturesRest(sim);
    spotToken = (await privatePost(sim, 'GetWebSocketsToken')).json.result.token;
  });

  afterAll(async () => {
    await sim.stop();
  });

  const spotPublic = () => TestSocket.open(sim.config().baseUrlWsSpot);
  const spotAuth = () => TestSocket.open(sim.config().baseUrlWsSpotAuth);
  const futuresWs = () => WsClient.connect(sim.config().baseUrlWsFutures);
  const sendOrder = async (params: Record<string, string | number>, signal?: AbortSignal) =>
    rest.priv('POST', `${V3}/sendorder`, form(params), { signal });

  it('trades on Spot over REST and WS v2, and on Futures over REST with the WS v1 feeds reporting', async () => {
    // Spot REST: a market buy fills and shows in the history.
    const add = await privatePost(sim, 'AddOrder', {
      pair: 'XBTUSD',
      type: 'buy',
      ordertype: 'market',
      volume: '0.01',
    });
    expect(add.json.error).toEqual([]);
    const txid = add.json.result.txid[0];
    const queried = (await privatePost(sim, 'QueryOrders', { txid })).json.result[txid];
    expect(queried).toMatchObject({ status: 'closed', vol: '0.01000000', vol_exec: '0.01000000' });

    // Spot WS v2: add_order answers and executions report the new order and its fill.
    const ws = await spotAuth();
    await ws.request({ method: 'subscribe', params: { channel: 'executions', token: spotToken }, req_id: 1 });
    const placed = await ws.request({
      method: 'add_order',
      params: { order_type: 'market', side: 'sell', order_qty: 0.01, symbol: 'BTC/USD', token: spotToken },
      req_id: 2,
    });
    expect(placed).toMatchObject({ method: 'add_order', success: true, req_id: 2 });
    const fill = await ws.next((f) => f.channel === 'executions' && f.data?.[0]?.exec_type === 'trade');
    expect(fill.data[0]).toMatchObject({ order_id: placed.result.order_id, side: 'sell', last_qty: 0.01 });
    await ws.close();

    // Futures REST, with open_orders and fills on WS v1.
    const client = await futuresWs();
    const fields = await challengeFields(client, sim);
    client.send({ event: 'subscribe', feed: 'fills', ...fields });
    client.send({ event: 'subscribe', feed: 'open_orders', ...fields });
    await client.next(feed('fills_snapshot'));
    await client.next(feed('open_orders_snapshot'));
    const sent = await sendOrder({ orderType: 'mkt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.01' });
    expect(sent.json.sendStatus.status).toBe('placed');
    const futuresFill = await client.next(feed('fills'));
    expect(futuresFill.fills[0]).toMatchObject({
      instrument: 'PF_XBTUSD',
      order_id: sent.json.sendStatus.order_id,
      buy: true,
      qty: 0.01,
    });
    const resting = await sendOrder({
      orderType: 'lmt',
      symbol: 'PI_XBTUSD',
      side: 'buy',
      size: 100,
      limitPrice: 1000,
      cliOrdId: 'rest-1',
    });
    const update = await client.next((m) => m.feed === 'open_orders' && m.order?.cli_ord_id === 'rest-1');
    expect(update).toMatchObject({ is_cancel: false, reason: 'new_placed_order_by_user' });
    expect(update.order.order_id).toBe(resting.json.sendStatus.order_id);
    const positions = await rest.priv('GET', `${V3}/openpositions`);
    expect(positions.json.openPositions).toEqual([
      expect.objectContaining({ symbol: 'PF_XBTUSD', side: 'long', size: 0.01 }),
    ]);
    await client.close();
  });

  it('dropAllConnections cuts every Spot and Futures socket (1006); new connections are accepted', async () => {
    const spot = await spotPublic();
    const auth = await spotAuth();
    const futures = await futuresWs();
    sim.faults.dropAllConnections();
    expect(await futures.closed).toBe(1006);
    await settle(30);
    expect([spot.closeCode, auth.closeCode]).toEqual([1006, 1006]);
    const again = await futuresWs();
    expect(await again.next(event('info'))).toEqual({ event: 'info', version: 1 });
    await again.close();
  });

  it('dropChannel silences one feed on each venue while the others keep flowing', async () => {
    const spot = await spotPublic();
    await spot.request({ method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'] }, req_id: 1 });
    await spot.request({ method: 'subscribe', params: { channel: 'trade', symbol: ['BTC/USD'] }, req_id: 2 });
    const futures = await futuresWs();
    futures.send({ event: 'subscribe', feed: 'book', product_ids: ['PF_XBTUSD'] });
    futures.send({ event: 'subscribe', feed: 'trade', product_ids: ['PF_XBTUSD'] });
    await futures.next(feed('book_snapshot'));
    await futures.next(feed('trade_snapshot'));
    await settle();
    sim.faults.dropChannel('book');
    futures.drain();
    const spotBooks = spot.channel('book').length;
    const spotTrades = spot.channel('trade').length;
    sim.clock.advance(5000);
    sim.engine.syntheticTrade('BTC/USD');
    sim.engine.syntheticTrade('PF_XBTUSD');
    await futures.settle();
    expect(spot.channel('book').length).toBe(spotBooks);
    expect(spot.channel('trade').length).toBeGreaterThan(spotTrades);
    const after = futures.drain();
    expect(after.filter(feed('book'))).toEqual([]);
    expect(after.filter(feed('trade')).length).toBeGreaterThan(0);
    await spot.close();
    await futures.close();
  });

  it('refuseNextSubscription refuses one subscription per venue, with the reason; the retry succeeds', async () => {
    const spot = await spotPublic();
    const futures = await futuresWs();
    sim.faults.refuseNextSubscription({ group: 'spot-public', channel: 'ticker', reason: 'Exceeded msg rate' });
    sim.faults.refuseNextSubscription({ group: 'futures', channel: 'ticker', reason: 'Subscription refused' });
    const refused = await spot.request({
      method: 'subscribe',
      params: { channel: 'ticker', symbol: ['ETH/USD'] },
      req_id: 1,
    });
    expect(refused).toMatchObject({ success: false, error: 'Exceeded msg rate', symbol: 'ETH/USD' });
    futures.send({ event: 'subscribe', feed: 'ticker', product_ids: ['PF_ETHUSD'] });
    expect(await futures.wait(event('error'))).toEqual({ event: 'error', message: 'Subscription refused' });
    const accepted = await spot.request({
      method: 'subscribe',
      params: { channel: 'ticker', symbol: ['ETH/USD'] },
      req_id: 2,
    });
    expect(accepted.success).toBe(true);
    futures.send({ event: 'subscribe', feed: 'ticker', product_ids: ['PF_ETHUSD'] });
    expect(await futures.wait(event('subscribed'))).toMatchObject({ feed: 'ticker', product_ids: ['PF_ETHUSD'] });
    await spot.close();
    await futures.close();
  });

  it('failNextRest answers with a Kraken error in each venue envelope, or with an HTTP status and a gateway page', async () => {
    sim.faults.failNextRest({ path: '/0/private/Balance', krakenError: 'EService:Unavailable' });
    expect((await privatePost(sim, 'Balance')).json).toEqual({ error: ['EService:Unavailable'] });
    expect((await privatePost(sim, 'Balance')).json.error).toEqual([]);

    sim.faults.failNextRest({ path: `${V3}/accounts`, krakenError: 'apiLimitExceeded' });
    expect((await rest.priv('GET', `${V3}/accounts`)).json).toMatchObject({
      result: 'error',
      error: 'apiLimitExceeded',
    });
    sim.faults.failNextRest({ path: '/api/history/*', krakenError: 'Unavailable' });
    const history = await rest.priv('GET', '/api/history/v3/orders');
    expect(history.json).toMatchObject({ result: 'error', error: 'Unavailable' });
    expect((await rest.priv('GET', `${V3}/accounts`)).json.result).toBe('success');

    sim.faults.failNextRest({ status: 503, times: 2 });
    const spot = await fetch(`${sim.config().baseUrlHttpSpot}/0/public/Time`);
    const futures = await rest.get(`${V3}/tickers`);
    expect([spot.status, futures.status]).toEqual([503, 503]);
    expect(spot.headers.get('content-type')).toBe('text/html');
    expect(await spot.text()).toContain('503');
    expect(futures.text).toContain('503');
    expect((await publicGet(sim, 'Time')).status).toBe(200);
  });

  it('delayResponses holds REST answers on both venues, and WS answers without reordering the stream', async () => {
    sim.faults.delayResponses(150, { ws: true });
    try {
      let t0 = Date.now();
      expect((await publicGet(sim, 'Time')).status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      t0 = Date.now();
      expect((await rest.get(`${V3}/instruments`)).status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

      // Spot: the subscribe ack comes late, and the book snapshot still comes after it.
      const spot = await spotPublic();
      t0 = Date.now();
      const ack = await spot.request({
        method: 'subscribe',
        params: { channel: 'book', symbol: ['BTC/USD'] },
        req_id: 7,
      });
      expect(ack.success).toBe(true);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      const snapshot = await spot.next((f) => f.channel === 'book' && f.type === 'snapshot');
      const order = spot.frames.map((f) => f.json);
      expect(order.indexOf(snapshot)).toBeGreaterThan(order.indexOf(ack));

      // Futures: the same for a book subscription, and the deltas stay contiguous after the snapshot.
      const futures = await futuresWs();
      futures.send({ event: 'subscribe', feed: 'book', product_ids: ['PF_ETHUSD'] });
      sim.clock.advance(3000); // market moves while the ack and the snapshot are held back
      const book = await futures.next(feed('book_snapshot'));
      sim.clock.advance(3000);
      await futures.settle();
      const messages = futures.messages();
      const ackAt = messages.findIndex(event('subscribed'));
      const snapshotAt = messages.findIndex(feed('book_snapshot'));
      expect(ackAt).toBeGreaterThanOrEqual(0);
      expect(snapshotAt).toBeGreaterThan(ackAt);
      const seqs = messages
        .slice(snapshotAt + 1)
        .filter(feed('book'))
        .map((m: any) => m.seq);
      expect(seqs.length).toBeGreaterThan(0);
      expect(seqs).toEqual(seqs.map((_: number, i: number) => book.seq + 1 + i));
      expect(messages.slice(0, snapshotAt).filter(feed('book'))).toEqual([]);
      await spot.close();
      await futures.close();
    } finally {
      sim.faults.delayResponses(0);
    }
  });

  it('sendMalformedFrame sends text that is not JSON on Spot and Futures sockets', async () => {
    const spot = await spotPublic();
    const futures = await futuresWs();
    await futures.next(event('info'));
    await spot.next((f) => f.channel === 'status');
    sim.faults.sendMalformedFrame();
    await futures.settle();
    for (const text of [spot.frames.at(-1)!.text, futures.frames.at(-1)!]) expect(() => JSON.parse(text)).toThrow();
    await spot.close();
    await futures.close();
  });

  it('corruptNextBookChecksum spoils one Spot book checksum; skipNextFuturesSeq leaves one gap in a Futures book', async () => {
    const spot = await spotPublic();
    await spot.request({ method: 'subscribe', params: { channel: 'book', symbol: ['ETH/BTC'] }, req_id: 1 });
    await spot.next((f) => f.channel === 'book' && f.type === 'snapshot');
    const futures = await futuresWs();
    futures.send({ event: 'subscribe', feed: 'book', product_ids: ['PI_XBTUSD'] });
    const snapshot = await futures.next(feed('book_snapshot'));
    const { bookChecksum } = await import('../../src/sim/spot/wsReports');
    const pair = sim.engine.instruments.spotByWsSymbol('ETH/BTC')!;
    const book = sim.engine.market('ETH/BTC')!.book;
    const checks: boolean[] = [];
    sim.faults.corruptNextBookChecksum('ETH/BTC');
    sim.faults.skipNextFuturesSeq('PI_XBTUSD');
    for (let i = 0; i < 4; i++) {
      const seen = spot.channel('book').length;
      sim.clock.advance(1000);
      await settle();
      const updates = spot.channel('book').slice(seen);
      if (updates.length === 0) continue;
      const truth = bookChecksum(pair, book.view('sell', 10), book.view('buy', 10));
      checks.push(updates.at(-1).data[0].checksum === truth);
    }
    expect(checks.filter((ok) => !ok)).toHaveLength(1);
    expect(checks[0]).toBe(false);
    await futures.settle();
    const seqs = futures
      .messages()
      .filter(feed('book'))
      .map((m: any) => m.seq);
    const gaps = seqs.map((s: number, i: number) => s - (i === 0 ? snapshot.seq : seqs[i - 1]));
    expect(gaps[0]).toBe(2);
    expect(gaps.slice(1).every((g: number) => g === 1)).toBe(true);
    await spot.close();
    await futures.close();
  });

  it('stopHeartbeats silences Spot and Futures heartbeats until resumed', async () => {
    const spot = await spotPublic();
    await spot.request({ method: 'subscribe', params: { channel: 'ticker', symbol: ['BTC/USD'] }, req_id: 1 });
    const futures = await futuresWs();
    futures.send({ event: 'subscribe', feed: 'heartbeat' });
    await spot.next((f) => f.channel === 'heartbeat');
    await futures.next(feed('heartbeat'));
    sim.faults.stopHeartbeats();
    await settle(40);
    const spotBeats = spot.channel('heartbeat').length;
    futures.drain();
    await settle(150);
    expect(spot.channel('heartbeat').length).toBe(spotBeats);
    expect(futures.drain().filter(feed('heartbeat'))).toEqual([]);
    sim.faults.resumeHeartbeats();
    await spot.next((f) => f.channel === 'heartbeat' && spot.channel('heartbeat').length > spotBeats);
    await futures.wait(feed('heartbeat'));
    await spot.close();
    await futures.close();
  });

  it('timeoutNextOrderPlacement: the order is placed but no answer comes; a lookup finds it, on both venues', async () => {
    const limit = { pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '1000.0', volume: '0.01' };
    sim.faults.timeoutNextOrderPlacement({ venue: 'spot', transport: 'rest' });
    await expect(
      privatePost(sim, 'AddOrder', { ...limit, cl_ord_id: 'lost-rest' }, { signal: AbortSignal.timeout(200) }),
    ).rejects.toThrow();
    const open = (await privatePost(sim, 'OpenOrders', { cl_ord_id: 'lost-rest' })).json.result.open;
    expect(Object.values(open)).toEqual([expect.objectContaining({ status: 'open', vol: '0.01000000' })]);

    const ws = await spotAuth();
    sim.faults.timeoutNextOrderPlacement({ venue: 'spot', transport: 'ws' });
    const add = ws.request(
      {
        method: 'add_order',
        params: {
          order_type: 'limit',
          side: 'buy',
          order_qty: 0.01,
          limit_price: 1000,
          symbol: 'BTC/USD',
          cl_ord_id: 'lost-ws',
          token: spotToken,
        },
        req_id: 3,
      },
      200,
    );
    await expect(add).rejects.toThrow('timed out');
    const found = (await privatePost(sim, 'OpenOrders', { cl_ord_id: 'lost-ws' })).json.result.open;
    expect(Object.keys(found)).toHaveLength(1);
    await ws.close();

    sim.faults.timeoutNextOrderPlacement({ venue: 'futures' });
    const order = {
      orderType: 'lmt',
      symbol: 'PF_ETHUSD',
      side: 'buy',
      size: '0.1',
      limitPrice: '100',
      cliOrdId: 'lost-f',
    };
    await expect(sendOrder(order, AbortSignal.timeout(200))).rejects.toThrow();
    const status = await rest.priv('POST', `${V3}/orders/status`, form({ cliOrdIds: 'lost-f' }));
    expect(status.json.orders).toEqual([
      expect.objectContaining({ status: 'ENTERED_BOOK', order: expect.objectContaining({ cliOrdId: 'lost-f' }) }),
    ]);
    // The fault fired once: the next placement is answered.
    expect((await sendOrder({ ...order, cliOrdId: 'answered' })).json.sendStatus.status).toBe('placed');
  });

  it('stops cleanly: sockets closed, hanging requests ended, the port released', async () => {
    const spot = await spotPublic();
    const futures = await futuresWs();
    sim.faults.timeoutNextOrderPlacement({ venue: 'futures' });
    const hanging = sendOrder({
      orderType: 'lmt',
      symbol: 'PF_XBTUSD',
      side: 'buy',
      size: '0.001',
      limitPrice: '1000',
    });
    await settle(50);
    const { baseUrlHttpSpot } = sim.config();
    await sim.stop();
    await expect(hanging).rejects.toThrow();
    expect(await futures.closed).toBe(1006);
    await settle(20);
    expect(spot.closed).toBe(true);
    await expect(fetch(`${baseUrlHttpSpot}/0/public/Time`)).rejects.toThrow();
  });
});
