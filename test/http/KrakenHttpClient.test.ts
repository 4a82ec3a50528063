import { firstValueFrom, lastValueFrom, merge, toArray, VirtualTimeScheduler } from 'rxjs';
import { KrakenConfigError } from '../../src/errors';
import { KrakenHttpClient, KRAKEN_FUTURES_ACCOUNT_ID, KRAKEN_SPOT_ACCOUNT_ID } from '../../src/http/KrakenHttpClient';
import { BarType, InstrumentId } from '../../src/model/identifiers';
import { startRecordingServer, type RecordedRequest, type RecordingServer } from '../support/httpServer';
import { failOnUnhandledRejections, fastLimits, fixture, fixtureJson, recordingLogger, testConfig } from './helpers';

failOnUnhandledRejections();

let server: RecordingServer;

beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.route('GET', '/0/public/AssetPairs', { body: fixture('spot', '2.4-assetpairs-1') });
  server.route('GET', '/derivatives/api/v3/instruments', { body: fixture('futures', '6.1-instruments-1') });
});

const HOUR = 3_600_000;
/** "Now" for the tests: 30 minutes into the hour starting at 2024-11-16T03:00:00Z. */
const NOW = 1731726000000 + 30 * 60_000;

/** A client whose clock stands still at `now` (a virtual-time scheduler that is never flushed). */
function client(now = NOW, options: Parameters<typeof testConfig>[1] = {}) {
  const scheduler = new VirtualTimeScheduler();
  scheduler.frame = now;
  return new KrakenHttpClient(testConfig(server.url, { scheduler, maxRetries: 0, ...options }), {
    limits: fastLimits(),
  });
}

const query = (request: RecordedRequest) => Object.fromEntries(new URLSearchParams(request.query));

describe('instruments', () => {
  it('loads Spot pairs and Futures contracts and finds them by any Kraken name', async () => {
    const http = client();
    const list = await firstValueFrom(http.instruments());
    expect(list.map((i) => i.id.toString())).toEqual([
      'BTC/USD.KRAKEN',
      'PI_XBTUSD.KRAKEN',
      'FI_XBTUSD_220930.KRAKEN',
      'PF_XBTUSD.KRAKEN',
    ]);
    for (const name of ['BTC/USD.KRAKEN', 'BTC/USD', 'XBTUSD', 'XXBTZUSD', 'XBT/USD']) {
      expect(http.cachedInstrument(name)?.id.toString()).toBe('BTC/USD.KRAKEN');
    }
    expect(http.cachedInstrument(InstrumentId.from('PF_XBTUSD.KRAKEN'))?.kind).toBe('CryptoPerpetual');
    expect(http.cachedInstrument('pf_xbtusd')?.id.toString()).toBe('PF_XBTUSD.KRAKEN');
    expect(http.cachedInstrument('FI_XBTUSD_220930.KRAKEN')?.kind).toBe('CryptoFuture');
  });

  it('loads an uncached instrument with its product type, once for concurrent callers', async () => {
    const http = client(NOW, { productTypes: ['SPOT'] });
    const [a, b, c] = await lastValueFrom(
      merge(http.instrument('BTC/USD.KRAKEN'), http.instrument('XBTUSD'), http.instrument('PF_XBTUSD.KRAKEN')).pipe(
        toArray(),
      ),
    );
    expect([a, b, c].map((i) => i.id.toString()).sort()).toEqual([
      'BTC/USD.KRAKEN',
      'BTC/USD.KRAKEN',
      'PF_XBTUSD.KRAKEN',
    ]);
    expect(server.requestsTo('/0/public/AssetPairs')).toHaveLength(1);
    expect(server.requestsTo('/derivatives/api/v3/instruments')).toHaveLength(1);
    await firstValueFrom(http.instrument('XXBTZUSD'));
    expect(server.requests).toHaveLength(2); // cached now
  });

  it('errors with a KrakenConfigError for an instrument Kraken does not list', async () => {
    const err = await firstValueFrom(client().instrument('DOGE/JPY.KRAKEN')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenConfigError);
    expect((err as Error).message).toContain("'DOGE/JPY.KRAKEN'");
  });
});

/** OHLC rows at 1-minute steps: `count` committed rows ending just before `now`'s minute, plus the open one. */
function ohlcRows(now: number, count: number): unknown[][] {
  const openMinute = Math.floor(now / 60_000) * 60;
  const rows: unknown[][] = [];
  for (let i = count; i >= 0; i--) {
    const t = openMinute - i * 60;
    rows.push([t, '100.0', '101.0', '99.0', `${100 + (count - i)}.5`, '100.2', '1.5', 3]);
  }
  return rows;
}

describe('bars', () => {
  it('Spot: returns the most recent committed bars, dropping the open candle', async () => {
    server.route('GET', '/0/public/OHLC', { body: { error: [], result: { XXBTZUSD: ohlcRows(NOW, 5), last: 0 } } });
    const bars = await lastValueFrom(
      client().bars('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL', { limit: 2 }).pipe(toArray()),
    );
    const [request] = server.requestsTo('/0/public/OHLC');
    expect(query(request)).toEqual({ pair: 'XXBTZUSD', interval: '1' });
    expect(bars.map((b) => b.close.toFixed())).toEqual(['103.5', '104.5']);
    expect(bars[1].tsEvent).toBe(Math.floor(NOW / 60_000) * 60_000); // the last closed bar ends where the open one starts
    expect(bars[0].barType.toString()).toBe('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL');
    expect(bars[0].volume.toFixed()).toBe('1.5');
  });

  it('Spot: asks from start with since and returns the first bars from start', async () => {
    const rows = ohlcRows(NOW, 10);
    const start = (rows[3][0] as number) * 1000;
    server.route('GET', '/0/public/OHLC', {
      body: { error: [], result: { XXBTZUSD: rows.slice(2), last: rows[10][0] } },
    });
    server.once('GET', '/0/public/OHLC', {
      body: { error: [], result: { XXBTZUSD: rows.slice(2), last: rows[10][0] } },
    });
    const bars = await lastValueFrom(
      client().bars(BarType.from('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL'), { start, limit: 3 }).pipe(toArray()),
    );
    expect(query(server.requestsTo('/0/public/OHLC')[0]).since).toBe(String(start / 1000 - 60));
    expect(bars.map((b) => b.tsEvent - 60_000)).toEqual([start, start + 60_000, start + 120_000]);
  });

  it('Spot: warns when start lies before the 720 bars Kraken keeps, and returns what there is', async () => {
    const rows = ohlcRows(NOW, 4);
    server.route('GET', '/0/public/OHLC', { body: { error: [], result: { XXBTZUSD: rows, last: rows[4][0] } } });
    const logger = recordingLogger();
    const start = NOW - 24 * HOUR;
    const bars = await lastValueFrom(
      client(NOW, { logger }).bars('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL', { start }).pipe(toArray()),
    );
    expect(bars).toHaveLength(4);
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message:
          'Spot OHLC XXBTZUSD BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL: Kraken serves only the latest 720 bars; asked ' +
          `from ${new Date(start).toISOString()}, the first it has starts ${new Date((rows[0][0] as number) * 1000).toISOString()}`,
      },
    ]);
  });

  it('Spot: refuses INTERNAL bars and intervals Kraken does not serve', async () => {
    await expect(firstValueFrom(client().bars('BTC/USD.KRAKEN-1-MINUTE-LAST-INTERNAL'))).rejects.toBeInstanceOf(
      KrakenConfigError,
    );
    await expect(firstValueFrom(client().bars('BTC/USD.KRAKEN-2-MINUTE-LAST-EXTERNAL'))).rejects.toBeInstanceOf(
      KrakenConfigError,
    );
    expect(server.requestsTo('/0/public/OHLC')).toHaveLength(0);
  });

  /** A charts server: hourly candles at every hour in [from, to] up to the open one at NOW, 2000 at most. */
  function serveHourlyCandles(now = NOW, cap = 2000) {
    server.route('GET', '/api/charts/v1/mark/PF_XBTUSD/1h', (request) => {
      const q = query(request);
      const from = Math.ceil((Number(q.from) * 1000) / HOUR) * HOUR;
      const to = Math.min(Number(q.to) * 1000, now);
      const candles = [];
      for (let t = from; t <= to && candles.length < cap; t += HOUR) {
        candles.push({ time: t, open: '1', high: '2', low: '0.5', close: String(t / HOUR), volume: '0' });
      }
      const last = candles[candles.length - 1];
      return { body: { candles, more_candles: last !== undefined && last.time + HOUR <= to } };
    });
  }

  it('Futures: a count-only request returns the most recent closed candles of the tick type', async () => {
    serveHourlyCandles();
    const bars = await lastValueFrom(
      client().bars('PF_XBTUSD.KRAKEN-1-HOUR-MARK-EXTERNAL', { limit: 3 }).pipe(toArray()),
    );
    const lastClosedOpen = Math.floor(NOW / HOUR) * HOUR - HOUR;
    expect(bars.map((b) => b.tsEvent)).toEqual([lastClosedOpen - HOUR, lastClosedOpen, lastClosedOpen + HOUR]);
    const requests = server.requestsTo('/api/charts/v1/mark/PF_XBTUSD/1h');
    expect(requests).toHaveLength(1);
    expect(query(requests[0])).toEqual({ from: String(NOW / 1000 - 4 * 3600), to: String(NOW / 1000) });
  });

  it('Futures: pages backwards until it has the count', async () => {
    serveHourlyCandles();
    const bars = await lastValueFrom(
      client().bars('PF_XBTUSD.KRAKEN-1-HOUR-MARK-EXTERNAL', { limit: 2500 }).pipe(toArray()),
    );
    expect(bars).toHaveLength(2500);
    for (let i = 1; i < bars.length; i++) expect(bars[i].tsEvent - bars[i - 1].tsEvent).toBe(HOUR);
    expect(bars[2499].tsEvent).toBe(Math.floor(NOW / HOUR) * HOUR);
    expect(server.requestsTo('/api/charts/v1/mark/PF_XBTUSD/1h')).toHaveLength(2);
  });

  it('Futures: when the server caps pages lower, asks again with smaller windows and leaves no gap', async () => {
    serveHourlyCandles(NOW, 300);
    const bars = await lastValueFrom(
      client().bars('PF_XBTUSD.KRAKEN-1-HOUR-MARK-EXTERNAL', { limit: 1000 }).pipe(toArray()),
    );
    expect(bars).toHaveLength(1000);
    for (let i = 1; i < bars.length; i++) expect(bars[i].tsEvent - bars[i - 1].tsEvent).toBe(HOUR);
    expect(bars[999].tsEvent).toBe(Math.floor(NOW / HOUR) * HOUR);
  });

  it('Futures: with start, pages forward and returns the first candles from start', async () => {
    serveHourlyCandles();
    const start = Math.floor(NOW / HOUR) * HOUR - 3000 * HOUR;
    const bars = await lastValueFrom(
      client().bars('PF_XBTUSD.KRAKEN-1-HOUR-MARK-EXTERNAL', { start, limit: 2001 }).pipe(toArray()),
    );
    expect(bars).toHaveLength(2001);
    expect(bars[0].tsEvent).toBe(start + HOUR);
    expect(bars[2000].tsEvent).toBe(start + 2001 * HOUR);
    const requests = server.requestsTo('/api/charts/v1/mark/PF_XBTUSD/1h');
    expect(requests).toHaveLength(2);
    expect(query(requests[1]).from).toBe(String((start + 2000 * HOUR) / 1000));
  });
});

describe('trades', () => {
  it('Spot: without start, the latest trades with count', async () => {
    server.route('GET', '/0/public/Trades', { body: fixture('spot', '2.7-trades-recent-public-trades-1') });
    const trades = await lastValueFrom(client().trades('BTC/USD.KRAKEN', { limit: 1 }).pipe(toArray()));
    expect(query(server.requestsTo('/0/public/Trades')[0])).toEqual({ pair: 'XXBTZUSD', count: '1' });
    expect(trades.map((t) => [t.tradeId, t.aggressorSide, t.price.toFixed()])).toEqual([
      ['61044953', 'SELLER', '30243.3'],
    ]);
  });

  it('Spot: with only an end before the latest trades, returns none and says why', async () => {
    server.route('GET', '/0/public/Trades', { body: fixture('spot', '2.7-trades-recent-public-trades-1') });
    const logger = recordingLogger();
    const end = 1688669000000; // before both fixture trades
    const trades = await lastValueFrom(client(NOW, { logger }).trades('BTC/USD.KRAKEN', { end }).pipe(toArray()));
    expect(trades).toEqual([]);
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message:
          'Spot Trades XXBTZUSD: without start Kraken answers only the latest 1000 trades, all after end ' +
          '2023-07-06T18:43:20.000Z; give start to page forward from there',
      },
    ]);
  });

  it('Spot: with start, follows the last cursor until no new trades come', async () => {
    const row = (id: number, time: number) => [`${id}.0`, '0.1', time, 'b', 'l', '', id];
    server
      .once('GET', '/0/public/Trades', {
        body: { error: [], result: { XXBTZUSD: [row(1, 1700000001.5), row(2, 1700000002)], last: 'C1' } },
      })
      .once('GET', '/0/public/Trades', { body: { error: [], result: { XXBTZUSD: [row(3, 1700000003)], last: 'C2' } } })
      .once('GET', '/0/public/Trades', { body: { error: [], result: { XXBTZUSD: [], last: 'C2' } } });
    const trades = await lastValueFrom(client().trades('XBTUSD', { start: 1700000000000 }).pipe(toArray()));
    expect(trades.map((t) => t.tradeId)).toEqual(['1', '2', '3']);
    expect(trades[0].tsEvent).toBe(1700000001500);
    expect(server.requestsTo('/0/public/Trades').map((r) => query(r).since)).toEqual(['1700000000', 'C1', 'C2']);
  });

  it('Futures: pages /history backwards with lastTime until it has the count', async () => {
    const trade = (i: number) => ({
      time: new Date(1714741543974 - i * 1000).toISOString(),
      trade_id: 1000 - i,
      price: 61000 + i,
      size: 1,
      side: i % 2 ? 'sell' : 'buy',
      type: 'fill',
      uid: `u${i}`,
    });
    const page = (from: number) => ({
      body: { result: 'success', history: Array.from({ length: 100 }, (_, k) => trade(from + k)) },
    });
    server.once('GET', '/derivatives/api/v3/history', page(0)).once('GET', '/derivatives/api/v3/history', page(99));
    const trades = await lastValueFrom(client().trades('PF_XBTUSD.KRAKEN', { limit: 150 }).pipe(toArray()));
    expect(trades).toHaveLength(150);
    expect(trades[149].tradeId).toBe('u0');
    expect(trades[0].tradeId).toBe('u149');
    for (let i = 1; i < trades.length; i++) expect(trades[i].tsEvent).toBeGreaterThan(trades[i - 1].tsEvent);
    const [first, second] = server.requestsTo('/derivatives/api/v3/history');
    expect(query(first)).toEqual({ symbol: 'PF_XBTUSD' });
    expect(query(second)).toEqual({ symbol: 'PF_XBTUSD', lastTime: trade(99).time });
  });
});

describe('book snapshots', () => {
  it('Spot: Depth with count = depth, best first, with spread and mid', async () => {
    server.route('GET', '/0/public/Depth', { body: fixture('spot', '2.8-depth-order-book-snapshot-1') });
    const book = await firstValueFrom(client().bookSnapshot('BTC/USD.KRAKEN', 2));
    expect(query(server.requestsTo('/0/public/Depth')[0])).toEqual({ pair: 'XXBTZUSD', count: '2' });
    expect(book.bids.map((l) => l.price.toFixed())).toEqual(['30297', '30296.7']);
    expect(book.asks.map((l) => l.price.toFixed())).toEqual(['30384.1', '30387.9']);
    expect(book.spread?.toFixed()).toBe('87.1');
    expect(book.mid?.toFixed()).toBe('30340.55');
    expect(book.instrumentId.toString()).toBe('BTC/USD.KRAKEN');
  });

  it('Futures: the full /orderbook cut to depth', async () => {
    server.route('GET', '/derivatives/api/v3/orderbook', {
      body: fixture('futures', '6.4-orderbook-symbol-pf-xbtusd-1'),
    });
    const book = await firstValueFrom(client().bookSnapshot('PF_XBTUSD.KRAKEN', 1));
    expect(query(server.requestsTo('/derivatives/api/v3/orderbook')[0])).toEqual({ symbol: 'PF_XBTUSD' });
    expect(book.bids.map((l) => [l.price.toFixed(), l.size.toFixed()])).toEqual([['105900', '0.5']]);
    expect(book.bestAsk?.price.toFixed()).toBe('105950');
    expect(book.tsEvent).toBe(Date.parse('2025-07-11T12:00:00.000Z'));
  });
});

describe('account state', () => {
  it('gives one AccountState per product type with credentials', async () => {
    server.route('POST', '/0/private/BalanceEx', { body: fixture('spot', '3.2-balanceex-1') });
    server.route('GET', '/derivatives/api/v3/accounts', { body: fixture('futures', '8.11-accounts-cost-2-1') });
    const states = await lastValueFrom(client().accountState().pipe(toArray()));
    const spot = states.find((s) => s.accountId === KRAKEN_SPOT_ACCOUNT_ID);
    const futures = states.find((s) => s.accountId === KRAKEN_FUTURES_ACCOUNT_ID);
    expect(spot?.accountType).toBe('CASH');
    const btc = spot?.balances.find((b) => b.currency === 'BTC');
    expect([btc?.total.toFixed(), btc?.locked.toFixed(), btc?.free.toFixed()]).toEqual(['1.2435', '0.8423', '0.4012']);
    expect(futures?.accountType).toBe('MARGIN');
    expect(futures?.balances.length).toBeGreaterThan(0);
  });

  it('errors with a KrakenConfigError when no product type has credentials', async () => {
    const err = await firstValueFrom(
      client(NOW, {
        apiKey: undefined,
        apiSecret: undefined,
        futuresApiKey: undefined,
        futuresApiSecret: undefined,
      }).accountState(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenConfigError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('answers that go wrong reach the caller as typed errors', () => {
  it('a Spot OHLC with a wrong row shape is a KrakenDecodeError naming the row', async () => {
    const body = fixtureJson<{ result: { XXBTZUSD: unknown[][] } }>('spot', '2.6-ohlc-1');
    body.result.XXBTZUSD[1] = [1688671260, 'not-a-price'];
    server.route('GET', '/0/public/OHLC', { body });
    const err = await firstValueFrom(client().bars('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL')).catch((e: unknown) => e);
    expect((err as Error).name).toBe('KrakenDecodeError');
    expect((err as { paths: string[] }).paths[0]).toMatch(/^result\.XXBTZUSD\.1/);
  });
});
