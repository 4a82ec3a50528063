import type { KrakenSimulator } from '../../../src/sim';
import { expectShape, fixture, form, FuturesRest, START, startSim, type Msg } from './support';

const V3 = '/derivatives/api/v3';
const HISTORY = '/api/history/v3';

describe('KrakenSimulator futures Charts API', () => {
  let sim: KrakenSimulator;
  let rest: FuturesRest;

  beforeAll(async () => {
    sim = await startSim({ historyMinutes: 300 });
    rest = new FuturesRest(sim);
    sim.clock.advance(3 * 60_000);
  });
  afterAll(() => sim.stop());

  it('lists tick types, symbols and resolutions', async () => {
    expect((await rest.get('/api/charts/v1/')).json).toEqual(['mark', 'spot', 'trade']);
    expect((await rest.get('/api/charts/v1/trade')).json).toEqual(['PI_XBTUSD', 'PF_XBTUSD', 'PF_ETHUSD']);
    expect((await rest.get('/api/charts/v1/trade/PF_XBTUSD')).json).toEqual([
      '1m',
      '5m',
      '15m',
      '30m',
      '1h',
      '4h',
      '12h',
      '1d',
      '1w',
    ]);
    const bad = await rest.get('/api/charts/v1/index/PF_XBTUSD/1m');
    expect(bad.status).toBe(400);
    expect(bad.text).toBe('Invalid tick type');
  });

  it('serves trade candles as decimal strings with the open time in ms', async () => {
    const from = (START - 2 * 3_600_000) / 1000;
    const to = (START - 3_600_000) / 1000;
    const { json } = await rest.get('/api/charts/v1/trade/PF_XBTUSD/1h', `from=${from}&to=${to}`);
    expectShape(json, fixture('7-charts-api-candles-public-1'));
    expect(json.candles.map((c: Msg) => c.time)).toEqual([START - 2 * 3_600_000, START - 3_600_000]);
    expect(json.more_candles).toBe(false);
    const c = json.candles[0];
    expect(Number(c.high)).toBeGreaterThanOrEqual(Math.max(Number(c.open), Number(c.close)));
    expect(Number(c.volume)).toBeGreaterThan(0);
  });

  it('pages with more_candles: from = last time + one resolution until the range is exhausted', async () => {
    const from = (START - 300 * 60_000) / 1000;
    const to = (START + 60_000) / 1000;
    const all = (await rest.get('/api/charts/v1/trade/PF_XBTUSD/1m', `from=${from}&to=${to}`)).json;
    expect(all.more_candles).toBe(false);
    const collected: number[] = [];
    let cursor = from;
    for (let page = 0; page < 10; page++) {
      const { json } = await rest.get('/api/charts/v1/trade/PF_XBTUSD/1m', `from=${cursor}&to=${to}&count=100`);
      collected.push(...json.candles.map((x: Msg) => x.time));
      if (!json.more_candles) break;
      expect(json.candles).toHaveLength(100);
      cursor = json.candles[json.candles.length - 1].time / 1000 + 60;
    }
    expect(collected).toEqual(all.candles.map((x: Msg) => x.time));
    expect(collected.length).toBeGreaterThan(250);
    // Without `from`, `count` takes the latest candles.
    const everything = (await rest.get('/api/charts/v1/trade/PF_XBTUSD/1m')).json.candles.map((x: Msg) => x.time);
    const latest = (await rest.get('/api/charts/v1/trade/PF_XBTUSD/1m', 'count=5')).json;
    expect(latest.more_candles).toBe(true);
    expect(latest.candles.map((x: Msg) => x.time)).toEqual(everything.slice(-5));
  });

  it('serves mark and spot (index) candles without volume', async () => {
    for (const tick of ['mark', 'spot']) {
      const { json } = await rest.get(`/api/charts/v1/${tick}/PI_XBTUSD/1m`, `from=${START / 1000}`);
      expectShape(json, fixture('7-charts-api-candles-public-1'));
      // Three whole minutes and the one in progress (the clock stands at its first step).
      expect(json.candles.map((x: Msg) => x.time)).toEqual([0, 1, 2, 3].map((m) => START + m * 60_000));
      expect(json.candles.every((x: Msg) => x.volume === '0')).toBe(true);
    }
  });
});

describe('KrakenSimulator futures History API', () => {
  let sim: KrakenSimulator;
  let rest: FuturesRest;

  const send = async (params: Record<string, string | number | boolean>) =>
    (await rest.priv('POST', `${V3}/sendorder`, form(params))).json;

  beforeEach(async () => {
    sim = await startSim({ historyMinutes: 10, tradesPerMinute: 0 });
    rest = new FuturesRest(sim);
  });
  afterEach(() => sim.stop());

  it('signs over the full /api/history path and pages order events with continuation tokens', async () => {
    for (let i = 0; i < 3; i++) {
      const placed = await send({ orderType: 'lmt', symbol: 'PF_ETHUSD', side: 'buy', size: 1, limitPrice: 1000 + i });
      await rest.priv('POST', `${V3}/cancelorder`, form({ order_id: placed.sendStatus.order_id }));
      sim.clock.advance(1000);
    }
    await send({ orderType: 'mkt', symbol: 'PF_ETHUSD', side: 'buy', size: 1, cliOrdId: 'hist-1' });
    const whole = (await rest.priv('GET', `${HISTORY}/orders`, 'sort=asc&count=100')).json;
    expect(whole.len).toBe(8);
    expect(whole).not.toHaveProperty('continuationToken');
    const kinds = whole.elements.map((e: Msg) => Object.keys(e.event)[0]);
    expect(kinds).toEqual([
      'OrderPlaced',
      'OrderCancelled',
      'OrderPlaced',
      'OrderCancelled',
      'OrderPlaced',
      'OrderCancelled',
      'OrderPlaced',
      'OrderUpdated',
    ]);
    const updated = whole.elements[7].event.OrderUpdated;
    expect(updated).toMatchObject({
      reason: 'full_fill',
      newOrder: { filled: '1', clientId: 'hist-1', tradeable: 'PF_ETHUSD' },
    });
    expect(whole.elements[0].event.OrderPlaced.order).toMatchObject({
      accountUid: whole.accountUid,
      direction: 'Buy',
      quantity: '1',
      filled: '0',
      limitPrice: '1000',
      orderType: 'Limit',
    });

    const pages: Msg[][] = [];
    let token: string | undefined;
    do {
      const query = `sort=asc&count=3${token ? `&continuation_token=${encodeURIComponent(token)}` : ''}`;
      const res = await rest.priv('GET', `${HISTORY}/orders`, query);
      pages.push(res.json.elements);
      token = res.json.continuationToken;
      if (token) expect(res.headers.get('next-continuation-token')).toBe(token);
    } while (token);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(pages.flat().map((e) => e.uid)).toEqual(whole.elements.map((e: Msg) => e.uid));

    const desc = (await rest.priv('GET', `${HISTORY}/orders`, 'count=5')).json;
    expect(desc.elements.map((e: Msg) => e.uid)).toEqual(
      whole.elements
        .map((e: Msg) => e.uid)
        .reverse()
        .slice(0, 5),
    );
    const wrongSort = await rest.priv(
      'GET',
      `${HISTORY}/orders`,
      `sort=asc&continuation_token=${desc.continuationToken}`,
    );
    expect(wrongSort.status).toBe(400);
    const closed = (await rest.priv('GET', `${HISTORY}/orders`, 'closed=true&count=100')).json;
    expect(closed.len).toBe(4);
    const since = (await rest.priv('GET', `${HISTORY}/orders`, `since=${START + 2000}&sort=asc`)).json;
    expect(since.len).toBe(4);
  });

  it('lists executions with maker and taker orders, and the account log', async () => {
    const placed = await send({ orderType: 'mkt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.01' });
    const executions = (await rest.priv('GET', `${HISTORY}/executions`, 'sort=asc')).json;
    expect(executions.len).toBe(1);
    const execution = executions.elements[0].event.execution.execution;
    expect(execution.takerOrder).toMatchObject({ uid: placed.sendStatus.order_id, accountUid: executions.accountUid });
    expect(execution.makerOrder).not.toHaveProperty('accountUid');
    expect(execution).toMatchObject({ quantity: '0.01', takerOrderData: { positionSize: '0.01' } });
    const log = (await rest.priv('GET', `${HISTORY}/account-log`, 'count=10')).json;
    expectShape(log, fixture('9.4-account-log-cost-1-1'));
    expect(log.logs[0]).toMatchObject({
      id: 1,
      asset: 'pf_xbtusd',
      info: 'futures trade',
      margin_account: 'flex',
      old_balance: 0,
      new_balance: 0.01,
      collateral: 'USD',
      contract: 'PF_XBTUSD',
      execution: execution.uid,
    });
  });

  it('serves the public market executions without authentication', async () => {
    await send({ orderType: 'mkt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.01' });
    await send({ orderType: 'mkt', symbol: 'PF_XBTUSD', side: 'sell', size: '0.02' });
    const { json } = await rest.get(`${HISTORY}/market/PF_XBTUSD/executions`, 'sort=desc&count=1');
    expect(json.len).toBe(1);
    expect(json).not.toHaveProperty('accountUid');
    const ex = json.elements[0].event.Execution.execution;
    expect(ex).toMatchObject({ quantity: '0.02', takerOrder: { direction: 'Sell', orderType: 'Limit' } });
    expect(json.continuationToken).toEqual(expect.any(String));
  });

  it('draws from a 100-token pool refilled at 100 per 10 minutes and answers 429 with rate-limit-reset', async () => {
    for (let i = 0; i < 100; i++) expect((await rest.priv('GET', `${HISTORY}/orders`)).status).toBe(200);
    const refused = await rest.priv('GET', `${HISTORY}/executions`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('text/plain');
    expect(refused.headers.get('rate-limit-reset')).toBe('6');
    sim.clock.advance(6000);
    expect((await rest.priv('GET', `${HISTORY}/executions`)).status).toBe(200);
    const bad = await rest.priv('GET', `${HISTORY}/orders`, '', { secret: Buffer.alloc(64, 1).toString('base64') });
    expect(bad.status).toBe(401);
    expect(bad.json.error).toBe('authenticationError');
  });
});
