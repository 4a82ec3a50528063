import { KrakenSimulator } from '../../src/sim';
import { privatePost, publicGet, settle, TestSocket } from './simSupport';

const START = Date.UTC(2024, 0, 2, 12, 0, 0);

describe('KrakenSimulator faults', () => {
  let sim: KrakenSimulator;

  beforeEach(async () => {
    sim = await KrakenSimulator.start({ seed: 21, clock: 'manual', startTime: START, heartbeatMs: 0 });
  });

  afterEach(async () => {
    await sim.stop();
  });

  it('failNextRest answers the next call on that path with a Kraken error, once', async () => {
    sim.faults.failNextRest({ path: '/0/private/Balance', krakenError: 'EService:Unavailable' });
    expect((await publicGet(sim, 'Time')).json.error).toEqual([]);
    expect((await privatePost(sim, 'Balance')).json).toEqual({ error: ['EService:Unavailable'] });
    expect((await privatePost(sim, 'Balance')).json.error).toEqual([]);
  });

  it('failNextRest with an HTTP status answers with a gateway HTML page', async () => {
    sim.faults.failNextRest({ status: 502, times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${sim.config().baseUrlHttpSpot}/0/public/Time`);
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain('502 Bad Gateway');
    }
    expect((await publicGet(sim, 'Time')).status).toBe(200);
  });

  it('delayResponses holds REST answers for the given time', async () => {
    sim.faults.delayResponses(250, { path: '/0/public/Time' });
    const t0 = Date.now();
    await publicGet(sim, 'Time');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    const t1 = Date.now();
    await publicGet(sim, 'SystemStatus');
    expect(Date.now() - t1).toBeLessThan(200);
    sim.faults.delayResponses(0);
  });

  it('timeoutNextOrderPlacement: REST AddOrder hangs but the order exists and can be found by cl_ord_id', async () => {
    sim.faults.timeoutNextOrderPlacement({ venue: 'spot', transport: 'rest' });
    const params = {
      pair: 'XBTUSD',
      type: 'buy',
      ordertype: 'limit',
      price: '1000.0',
      volume: '0.01',
      cl_ord_id: 'hang-1',
    };
    await expect(privatePost(sim, 'AddOrder', params, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    const open = await privatePost(sim, 'OpenOrders', { cl_ord_id: 'hang-1' });
    expect(Object.values(open.json.result.open)).toHaveLength(1);
    expect((await privatePost(sim, 'AddOrder', { ...params, cl_ord_id: 'next-1' })).json.error).toEqual([]);
  });

  it('timeoutNextOrderPlacement: WS add_order gets no answer, executions still report the order', async () => {
    const token = (await privatePost(sim, 'GetWebSocketsToken')).json.result.token;
    const ws = await TestSocket.open(sim.config().baseUrlWsSpotAuth);
    await ws.request({ method: 'subscribe', params: { channel: 'executions', token }, req_id: 1 });
    sim.faults.timeoutNextOrderPlacement({ transport: 'ws' });
    const add = ws.request(
      {
        method: 'add_order',
        params: {
          order_type: 'limit',
          side: 'buy',
          order_qty: 0.01,
          limit_price: 1000,
          symbol: 'BTC/USD',
          cl_ord_id: 'ws-hang',
          token,
        },
        req_id: 2,
      },
      300,
    );
    await expect(add).rejects.toThrow('timed out');
    const report = await ws.next((f) => f.channel === 'executions' && f.data?.[0]?.exec_type === 'new');
    expect(report.data[0].cl_ord_id).toBe('ws-hang');
    await ws.close();
  });

  describe('WebSocket faults', () => {
    let ws: TestSocket;

    beforeEach(async () => {
      ws = await TestSocket.open(sim.config().baseUrlWsSpot);
    });

    afterEach(async () => {
      await ws.close();
    });

    it('dropAllConnections closes every socket without a close handshake', async () => {
      const other = await TestSocket.open(sim.config().baseUrlWsSpot);
      sim.faults.dropAllConnections();
      await settle(50);
      expect(ws.closed).toBe(true);
      expect(other.closed).toBe(true);
      expect(ws.closeCode).toBe(1006);
      const again = await TestSocket.open(sim.config().baseUrlWsSpot);
      expect(again.closed).toBe(false);
      await again.close();
    });

    it('dropAllConnections can target one group and close with a code', async () => {
      const token = (await privatePost(sim, 'GetWebSocketsToken')).json.result.token;
      const auth = await TestSocket.open(sim.config().baseUrlWsSpotAuth);
      await auth.request({ method: 'subscribe', params: { channel: 'balances', token }, req_id: 1 });
      sim.faults.dropAllConnections({ group: 'spot-auth', code: 1008, reason: 'policy' });
      await settle(50);
      expect(auth.closed).toBe(true);
      expect(auth.closeCode).toBe(1008);
      expect(ws.closed).toBe(false);
    });

    it('refuseNextSubscription refuses once, with the reason', async () => {
      sim.faults.refuseNextSubscription({ channel: 'book', reason: 'Exceeded msg rate' });
      const refused = await ws.request({
        method: 'subscribe',
        params: { channel: 'book', symbol: ['BTC/USD'] },
        req_id: 1,
      });
      expect(refused).toMatchObject({
        method: 'subscribe',
        success: false,
        error: 'Exceeded msg rate',
        symbol: 'BTC/USD',
      });
      const accepted = await ws.request({
        method: 'subscribe',
        params: { channel: 'book', symbol: ['BTC/USD'] },
        req_id: 2,
      });
      expect(accepted.success).toBe(true);
    });

    it('dropChannel silently stops one feed and leaves the others', async () => {
      await ws.request({ method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'] }, req_id: 1 });
      await ws.request({ method: 'subscribe', params: { channel: 'trade', symbol: ['BTC/USD'] }, req_id: 2 });
      sim.faults.dropChannel('book');
      await settle();
      const books = ws.channel('book').length;
      sim.clock.advance(5000);
      sim.engine.syntheticTrade('BTC/USD');
      await settle();
      expect(ws.channel('book').length).toBe(books);
      expect(ws.channel('trade').length).toBeGreaterThan(0);
    });

    it('sendMalformedFrame sends text that is not JSON', async () => {
      await ws.next((f) => f.channel === 'status');
      sim.faults.sendMalformedFrame();
      await settle();
      const last = ws.frames.at(-1)!;
      expect(last.json).toBeUndefined();
      expect(() => JSON.parse(last.text)).toThrow();
    });

    it('corruptNextBookChecksum spoils exactly one book message', async () => {
      sim.faults.corruptNextBookChecksum('BTC/USD');
      const ethAck = await ws.request({
        method: 'subscribe',
        params: { channel: 'book', symbol: ['ETH/USD'] },
        req_id: 1,
      });
      expect(ethAck.success).toBe(true);
      await ws.request({ method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'] }, req_id: 2 });
      const btc = await ws.next((f) => f.channel === 'book' && f.data[0].symbol === 'BTC/USD');
      const market = sim.engine.market('BTC/USD')!;
      const { bookChecksum } = await import('../../src/sim/spot/wsReports');
      const pair = sim.engine.instruments.spotByWsSymbol('BTC/USD')!;
      const truth = bookChecksum(pair, market.book.view('sell', 10), market.book.view('buy', 10));
      expect(btc.data[0].checksum).not.toBe(truth);
      sim.clock.advance(2000);
      await settle();
      const update = ws
        .channel('book')
        .filter((f) => f.data[0].symbol === 'BTC/USD')
        .at(-1);
      expect(update.type).toBe('update');
      expect(update.data[0].checksum).toBe(
        bookChecksum(pair, market.book.view('sell', 10), market.book.view('buy', 10)),
      );
    });
  });

  it('exposes one-shot hooks for the futures layer (seq skips)', () => {
    sim.faults.skipNextFuturesSeq('PF_XBTUSD');
    expect(sim.faults.takeSeqSkip('PI_XBTUSD')).toBe(false);
    expect(sim.faults.takeSeqSkip('pf_xbtusd')).toBe(true);
    expect(sim.faults.takeSeqSkip('PF_XBTUSD')).toBe(false);
  });
});
