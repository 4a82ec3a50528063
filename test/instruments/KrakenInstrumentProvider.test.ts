import { firstValueFrom, VirtualTimeScheduler, type Subscription } from 'rxjs';
import { KrakenDataClientConfig } from '../../src/config';
import { KrakenConfigError } from '../../src/errors';
import type { Instrument } from '../../src/model/instruments';
import { KrakenInstrumentProvider } from '../../src/instruments';
import { fastLimits, fixture, fixtureJson, recordingLogger, SPOT_KEY, SPOT_SECRET } from '../http/helpers';
import { startRecordingServer, type RecordingServer } from '../support/httpServer';

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

const MINUTE = 60_000;

/**
 * A virtual clock advanced by hand: `advanceTo(t)` runs the actions due up to `t` (the reload timer) and
 * stops there, so HTTP exchanges with the real server can complete in between.
 */
function manualClock() {
  const scheduler = new VirtualTimeScheduler();
  return {
    scheduler,
    advanceTo(t: number) {
      scheduler.maxFrames = t;
      scheduler.flush();
      scheduler.frame = t;
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  if (!condition()) throw new Error('condition not met');
}

function provider(options: Record<string, unknown> = {}) {
  const clock = manualClock();
  const logger = recordingLogger();
  const config = new KrakenDataClientConfig(
    {
      apiKey: SPOT_KEY,
      apiSecret: SPOT_SECRET,
      productTypes: ['SPOT', 'FUTURES'],
      baseUrlHttpSpot: server.url,
      baseUrlHttpFutures: server.url,
      scheduler: clock.scheduler,
      logger,
      maxRetries: 0,
      updateInstrumentsIntervalMins: 60,
      ...options,
    },
    {},
  );
  return { clock, logger, provider: new KrakenInstrumentProvider(config, { limits: fastLimits() }) };
}

const ids = (list: readonly Instrument[]) => list.map((i) => i.id.toString());

describe('KrakenInstrumentProvider', () => {
  it('loadAll loads both product types, publishes them, and find answers from the cache', async () => {
    const { provider: p } = provider();
    expect(p.find('BTC/USD.KRAKEN')).toBeUndefined();
    const list = await firstValueFrom(p.loadAll());
    expect(ids(list)).toEqual(['BTC/USD.KRAKEN', 'PI_XBTUSD.KRAKEN', 'FI_XBTUSD_220930.KRAKEN', 'PF_XBTUSD.KRAKEN']);
    expect(p.find('XBTUSD')?.id.toString()).toBe('BTC/USD.KRAKEN');
    expect(ids(await firstValueFrom(p.instruments$))).toEqual(ids(list));
    p.close();
  });

  it('reloads every updateInstrumentsIntervalMins on the scheduler and re-emits the full list', async () => {
    const { provider: p, clock } = provider();
    const seen: string[][] = [];
    const sub: Subscription = p.instruments$.subscribe((list) => seen.push(ids(list)));
    await until(() => seen.length === 1); // subscribing started the first load
    expect(server.requestsTo('/0/public/AssetPairs')).toHaveLength(1);

    const renamed = fixtureJson<{ result: Record<string, Record<string, unknown>> }>('spot', '2.4-assetpairs-1');
    renamed.result.XETHZUSD = { ...renamed.result.XXBTZUSD, altname: 'ETHUSD', wsname: 'ETH/USD', base: 'XETH' };
    server.route('GET', '/0/public/AssetPairs', { body: renamed });

    clock.advanceTo(59 * MINUTE);
    expect(server.requestsTo('/0/public/AssetPairs')).toHaveLength(1);
    clock.advanceTo(60 * MINUTE);
    await until(() => seen.length === 2);
    expect(seen[1]).toContain('ETH/USD.KRAKEN');
    expect(p.find('ETH/USD.KRAKEN')?.kind).toBe('CurrencyPair');

    clock.advanceTo(120 * MINUTE);
    await until(() => seen.length === 3);
    expect(server.requestsTo('/0/public/AssetPairs')).toHaveLength(3);
    expect(server.requestsTo('/derivatives/api/v3/instruments')).toHaveLength(3);

    p.close();
    clock.advanceTo(240 * MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.requestsTo('/0/public/AssetPairs')).toHaveLength(3);
    expect(sub.closed).toBe(true); // close() completed instruments$
  });

  it('keeps the previous list and logs when a reload fails, then tries again next period', async () => {
    const { provider: p, clock, logger } = provider();
    const seen: string[][] = [];
    p.instruments$.subscribe((list) => seen.push(ids(list)));
    await until(() => seen.length === 1);
    server.once('GET', '/0/public/AssetPairs', { status: 502, body: '<html>502</html>' });
    clock.advanceTo(60 * MINUTE);
    await until(() => logger.lines.some((l) => l.level === 'warn'));
    expect(logger.lines[0].message).toMatch(/instrument reload failed, keeping 4 instruments/);
    expect(seen).toHaveLength(1);
    expect(p.list()).toHaveLength(4);
    clock.advanceTo(120 * MINUTE);
    await until(() => seen.length === 2);
    p.close();
  });

  it('tries a failed first load again after retryDelayMaxMs, so instruments$ subscribers get the list', async () => {
    const {
      provider: p,
      clock,
      logger,
    } = provider({
      updateInstrumentsIntervalMins: null,
      retryDelayInitialMs: 0,
      retryDelayMaxMs: 5000,
    });
    server.once('GET', '/0/public/AssetPairs', { status: 502, body: '<html>502</html>' });
    const seen: string[][] = [];
    p.instruments$.subscribe((list) => seen.push(ids(list)));
    await until(() => logger.lines.length === 1);
    expect(logger.lines[0]).toEqual({
      level: 'warn',
      message: 'instrument load failed, trying again in 5000 ms: AssetPairs: HTTP 502',
    });
    clock.advanceTo(4999);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.requestsTo('/0/public/AssetPairs')).toHaveLength(1);
    clock.advanceTo(5000);
    await until(() => seen.length === 1);
    expect(seen[0]).toContain('BTC/USD.KRAKEN');
    expect(server.requestsTo('/0/public/AssetPairs')).toHaveLength(2);
    expect(clock.scheduler.actions).toHaveLength(0); // reload disabled: nothing more is scheduled
    p.close();
  });

  it('does not reload when updateInstrumentsIntervalMins is null', async () => {
    const { provider: p, clock } = provider({ updateInstrumentsIntervalMins: null });
    await firstValueFrom(p.loadAll());
    clock.advanceTo(24 * 60 * MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.requestsTo('/0/public/AssetPairs')).toHaveLength(1);
    expect(clock.scheduler.actions).toHaveLength(0);
    p.close();
  });

  it('load(id) answers from the cache, else loads that product type and publishes', async () => {
    const { provider: p } = provider({ productTypes: ['SPOT'] });
    const seen: string[][] = [];
    await firstValueFrom(p.loadAll());
    p.instruments$.subscribe((list) => seen.push(ids(list)));
    expect((await firstValueFrom(p.load('BTC/USD.KRAKEN'))).id.toString()).toBe('BTC/USD.KRAKEN');
    expect(server.requests).toHaveLength(1);
    const perpetual = await firstValueFrom(p.load('PF_XBTUSD.KRAKEN'));
    expect(perpetual.kind).toBe('CryptoPerpetual');
    expect(seen[seen.length - 1]).toContain('PF_XBTUSD.KRAKEN');
    await expect(firstValueFrom(p.load('NOPE/USD.KRAKEN'))).rejects.toBeInstanceOf(KrakenConfigError);
    p.close();
  });
});
