import type { KrakenSimulator } from '../../../src/sim';
import { expectShape, fixture, FuturesRest, startSim } from './support';

describe('KrakenSimulator futures public REST', () => {
  let sim: KrakenSimulator;
  let rest: FuturesRest;

  beforeAll(async () => {
    // Starts 90 s before the top of the hour so one test can cross the hourly funding time cheaply.
    sim = await startSim({ startTime: Date.UTC(2024, 0, 1, 0, 58, 30) });
    rest = new FuturesRest(sim);
    sim.clock.advance(60_000);
  });
  afterAll(() => sim.stop());

  it('lists instruments in Kraken shape, inverse and flexible rows like the documented ones', async () => {
    const { json } = await rest.get('/derivatives/api/v3/instruments');
    const doc = fixture('6.1-instruments-1');
    expect(json.result).toBe('success');
    expect(typeof json.serverTime).toBe('string');
    const pi = json.instruments.find((i: { symbol: string }) => i.symbol === 'PI_XBTUSD');
    const pf = json.instruments.find((i: { symbol: string }) => i.symbol === 'PF_XBTUSD');
    expectShape(pi, doc.instruments[0], { optional: ['isin', 'feeScheduleUid', 'retailMarginLevels'] });
    expectShape(pf, doc.instruments[2], { extra: ['openingDate', 'underlying'] });
    expect(pi).toMatchObject({
      type: 'futures_inverse',
      tickSize: 0.5,
      contractSize: 1,
      contractValueTradePrecision: 0,
    });
    expect(pf).toMatchObject({ type: 'flexible_futures', tickSize: 1, contractValueTradePrecision: 4 });
    expect(pi.marginLevels[0]).toHaveProperty('contracts');
    expect(pf.marginLevels[0]).toHaveProperty('numNonContractUnits');
    expect(json.instruments.map((i: { symbol: string }) => i.symbol)).toEqual(['PI_XBTUSD', 'PF_XBTUSD', 'PF_ETHUSD']);
  });

  it('filters instruments by contractType', async () => {
    const { json } = await rest.get('/derivatives/api/v3/instruments', 'contractType=flexible_futures');
    expect(json.instruments.map((i: { symbol: string }) => i.symbol)).toEqual(['PF_XBTUSD', 'PF_ETHUSD']);
  });

  it('answers instruments/status with the symbol in `tradeable`', async () => {
    const { json } = await rest.get('/derivatives/api/v3/instruments/status');
    expectShape(json, fixture('6.2-instruments-status-and-instruments-1'));
    const one = await rest.get('/derivatives/api/v3/instruments/pf_ethusd/status');
    expect(one.json.tradeable).toBe('PF_ETHUSD');
  });

  it('gives tickers with mark, index, funding and 24 h statistics, plus index rows', async () => {
    const { json } = await rest.get('/derivatives/api/v3/tickers');
    const doc = fixture('6.3-tickers-and-tickers-symbol-1');
    const pf = json.tickers.find((t: { symbol: string }) => t.symbol === 'PF_XBTUSD');
    expectShape(pf, doc.tickers[0], { extra: ['high24h', 'low24h', 'vwap24h'] });
    expect(pf.bid).toBeLessThan(pf.ask);
    expect(pf.markPrice).toBeGreaterThan(0);
    const index = json.tickers.find((t: { symbol: string }) => t.symbol === 'in_xbtusd');
    expectShape(index, doc.tickers[2]);
    const single = await rest.get('/derivatives/api/v3/tickers/PI_XBTUSD');
    expect(single.json.ticker.symbol).toBe('PI_XBTUSD');
  });

  it('serves the full order book, bids descending and asks ascending', async () => {
    const { json } = await rest.get('/derivatives/api/v3/orderbook', 'symbol=PF_XBTUSD');
    expectShape(json, fixture('6.4-orderbook-symbol-pf-xbtusd-1'));
    const bids: number[] = json.orderBook.bids.map((l: number[]) => l[0]);
    const asks: number[] = json.orderBook.asks.map((l: number[]) => l[0]);
    expect(bids).toEqual([...bids].sort((x, y) => y - x));
    expect(asks).toEqual([...asks].sort((x, y) => x - y));
    expect(bids[0]).toBeLessThan(asks[0]);
    expect(bids.length).toBeGreaterThanOrEqual(30);
  });

  it('lists recent public trades newest first, and before lastTime', async () => {
    const { json } = await rest.get('/derivatives/api/v3/history', 'symbol=PF_XBTUSD');
    expectShape(json, fixture('6.5-history-symbol-pf-xbtusd-1'));
    expect(json.history.length).toBeGreaterThan(0);
    const times = json.history.map((t: { time: string }) => Date.parse(t.time));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    const older = await rest.get('/derivatives/api/v3/history', `symbol=PF_XBTUSD&lastTime=${json.history[0].time}`);
    for (const t of older.json.history) expect(Date.parse(t.time)).toBeLessThan(times[0]);
  });

  it('records hourly funding rates', async () => {
    sim.clock.advance(60_000);
    const { json } = await rest.get('/derivatives/api/v4/historicalfundingrates', 'symbol=PF_XBTUSD');
    expectShape(json, fixture('6.6-historical-funding-rates-1'));
    expect(json.rates).toHaveLength(1);
    expect(json.rates[0].timestamp).toBe('2024-01-01T01:00:00.000Z');
  });

  it('answers unknown symbols and paths with Kraken errors', async () => {
    const book = await rest.get('/derivatives/api/v3/orderbook', 'symbol=PF_NOPEUSD');
    expect(book.json).toMatchObject({ result: 'error', error: 'invalidArgument' });
    const missing = await rest.get('/derivatives/api/v3/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ status: 'NOT_FOUND' });
  });

  it('renders an armed REST fault in the futures envelope, or as a gateway page', async () => {
    sim.faults.failNextRest({ path: '/derivatives/*', krakenError: 'Unavailable' });
    const failed = await rest.get('/derivatives/api/v3/tickers');
    expect(failed.json).toMatchObject({ result: 'error', error: 'Unavailable' });
    expectShape(failed.json, fixture('4.1-shapes-1'));
    sim.faults.failNextRest({ path: '/derivatives/*', status: 502 });
    const gateway = await rest.get('/derivatives/api/v3/tickers');
    expect(gateway.status).toBe(502);
    expect(gateway.text).toContain('<html>');
    const fine = await rest.get('/derivatives/api/v3/tickers');
    expect(fine.json.result).toBe('success');
  });
});
