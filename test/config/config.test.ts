import { inspect } from 'node:util';
import { VirtualTimeScheduler } from 'rxjs';
import {
  consoleLogger,
  KrakenDataClientConfig,
  KrakenExecClientConfig,
  redactingLogger,
  Secret,
  silentLogger,
  type KrakenLogger,
} from '../../src/config';
import { KrakenConfigError } from '../../src/errors';

const SECRET = 'c2VjcmV0LXRoYXQtbXVzdC1uZXZlci1sZWFrLTEyMzQ1Njc4OTA=';
const FUTURES_SECRET = 'ZnV0dXJlcy1zZWNyZXQtdGhhdC1tdXN0LW5ldmVyLWxlYWs=';

function configError(fn: () => unknown): KrakenConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KrakenConfigError);
    return err as KrakenConfigError;
  }
  throw new Error('expected a KrakenConfigError');
}

describe('KrakenDataClientConfig defaults', () => {
  it('fills every option of DESIGN.md §3.2 with its default', () => {
    const config = new KrakenDataClientConfig({}, {});
    expect(config.environment).toBe('mainnet');
    expect(config.productTypes).toEqual(['SPOT']);
    expect(config.baseUrlHttpSpot).toBe('https://api.kraken.com');
    expect(config.baseUrlHttpFutures).toBe('https://futures.kraken.com');
    expect(config.baseUrlWsSpot).toBe('wss://ws.kraken.com/v2');
    expect(config.baseUrlWsSpotAuth).toBe('wss://ws-auth.kraken.com/v2');
    expect(config.baseUrlWsFutures).toBe('wss://futures.kraken.com/ws/v1');
    expect(config.updateInstrumentsIntervalMins).toBe(60);
    expect(config.wsHeartbeatSecs).toBe(30);
    expect(config.maxRequestsPerSecond).toBe(5);
    expect(config.maxRetries).toBe(3);
    expect(config.retryDelayInitialMs).toBe(1000);
    expect(config.retryDelayMaxMs).toBe(10000);
    expect(config.httpTimeoutSecs).toBe(10);
    expect(config.httpProxyUrl).toBeUndefined();
    expect(config.credentials('SPOT')).toBeUndefined();
  });

  it('accepts null for updateInstrumentsIntervalMins (reload disabled)', () => {
    expect(
      new KrakenDataClientConfig({ updateInstrumentsIntervalMins: null }, {}).updateInstrumentsIntervalMins,
    ).toBeNull();
  });

  it('keeps the injected scheduler and strips a trailing slash from base URLs', () => {
    const scheduler = new VirtualTimeScheduler();
    const config = new KrakenDataClientConfig({ scheduler, baseUrlHttpSpot: 'http://127.0.0.1:9000/' }, {});
    expect(config.scheduler).toBe(scheduler);
    expect(config.baseUrlHttpSpot).toBe('http://127.0.0.1:9000');
  });
});

describe('wsSessionOptions', () => {
  it('gives every socket the configured constructor, proxy, clock, heartbeat and backoff', () => {
    const scheduler = new VirtualTimeScheduler();
    const WebSocket = class {} as never;
    const config = new KrakenDataClientConfig(
      {
        scheduler,
        WebSocket,
        wsProxyUrl: 'http://127.0.0.1:3128',
        wsHeartbeatSecs: 7,
        retryDelayInitialMs: 250,
        retryDelayMaxMs: 4000,
      },
      {},
    );
    expect(config.wsSessionOptions()).toEqual({
      WebSocket,
      proxyUrl: 'http://127.0.0.1:3128',
      scheduler,
      heartbeatSecs: 7,
      backoff: { initialDelayMs: 250, maxDelayMs: 4000 },
    });
  });

  it('leaves out the constructor and proxy when none are configured', () => {
    const options = new KrakenExecClientConfig({}, {}).wsSessionOptions();
    expect(Object.keys(options).sort()).toEqual(['backoff', 'heartbeatSecs', 'scheduler']);
    expect(options.heartbeatSecs).toBe(30);
  });
});

describe('KrakenExecClientConfig defaults', () => {
  it('has the exec-only options', () => {
    const config = new KrakenExecClientConfig({}, {});
    expect(config.useSpotPositionReports).toBe(false);
    expect(config.spotPositionsQuoteCurrency).toBe('USDT');
  });
});

describe('validation', () => {
  it.each([
    [{ productTypes: ['SPOT', 'OPTIONS'] }, 'productTypes', "expected SPOT, FUTURES, got 'OPTIONS'"],
    [{ productTypes: [] }, 'productTypes', 'non-empty'],
    [{ retryDelayInitialMs: -1 }, 'retryDelayInitialMs', 'expected a number >= 0, got -1'],
    [{ retryDelayInitialMs: 5000, retryDelayMaxMs: 100 }, 'retryDelayMaxMs', '>= retryDelayInitialMs'],
    [{ maxRetries: 1.5 }, 'maxRetries', 'an integer'],
    [{ httpTimeoutSecs: 0 }, 'httpTimeoutSecs', '> 0'],
    [{ environment: 'demo' }, 'environment', 'only for FUTURES'],
    [{ environment: 'testnet' }, 'environment', 'mainnet, demo'],
    [{ baseUrlHttpSpot: 'not a url' }, 'baseUrlHttpSpot', "http:// or https:// URL, got 'not a url'"],
    [{ baseUrlWsSpot: 'https://ws.kraken.com/v2' }, 'baseUrlWsSpot', 'ws:// or wss://'],
    [{ wsProxyUrl: 'socks://proxy' }, 'wsProxyUrl', 'http:// or https://'],
    [{ spotRateLimitTier: 'gold' }, 'spotRateLimitTier', 'starter, intermediate, pro'],
    [{ apiKey: 'key-only' }, 'apiSecret', 'required when apiKey is given'],
    [{ baseUrlHttp: 'https://api.kraken.com' }, 'baseUrlHttp', "did you mean 'baseUrlHttpSpot'"],
    [{ updateInstrumentsIntervalMins: -5 }, 'updateInstrumentsIntervalMins', '> 0'],
  ])('rejects %j naming %s', (options, option, text) => {
    const err = configError(() => new KrakenDataClientConfig(options as never, {}));
    expect(err.option).toBe(option);
    expect(err.message).toContain(option);
    expect(err.message).toContain(text);
  });

  it('accepts demo with FUTURES only', () => {
    const config = new KrakenDataClientConfig(
      { environment: 'demo', productTypes: ['FUTURES'], logger: silentLogger },
      {},
    );
    expect(config.baseUrlHttpFutures).toMatch(/demo-futures/);
  });

  it('rejects a bad spotPositionsQuoteCurrency on the exec config', () => {
    const err = configError(() => new KrakenExecClientConfig({ spotPositionsQuoteCurrency: 'us dollars' }, {}));
    expect(err.option).toBe('spotPositionsQuoteCurrency');
  });
});

describe('credentials', () => {
  it('reads Spot credentials from the environment when not configured', () => {
    const config = new KrakenDataClientConfig({}, { KRAKEN_SPOT_API_KEY: 'envkey', KRAKEN_SPOT_API_SECRET: SECRET });
    const creds = config.requireCredentials('SPOT');
    expect(creds.apiKey).toBe('envkey');
    expect(creds.apiSecret.reveal()).toBe(SECRET);
    expect(creds.source).toBe('KRAKEN_SPOT_API_KEY');
  });

  it('reads Futures and Futures demo credentials from their own variables', () => {
    const env = {
      KRAKEN_FUTURES_API_KEY: 'live',
      KRAKEN_FUTURES_API_SECRET: FUTURES_SECRET,
      KRAKEN_FUTURES_DEMO_API_KEY: 'demo',
      KRAKEN_FUTURES_DEMO_API_SECRET: SECRET,
    };
    expect(new KrakenDataClientConfig({ productTypes: ['FUTURES'] }, env).requireCredentials('FUTURES').apiKey).toBe(
      'live',
    );
    expect(
      new KrakenDataClientConfig(
        { productTypes: ['FUTURES'], environment: 'demo', logger: silentLogger },
        env,
      ).requireCredentials('FUTURES').apiKey,
    ).toBe('demo');
  });

  it('uses apiKey for the only product type and futuresApiKey when both are configured', () => {
    const futuresOnly = new KrakenExecClientConfig({ productTypes: ['FUTURES'], apiKey: 'f', apiSecret: SECRET }, {});
    expect(futuresOnly.requireCredentials('FUTURES').apiKey).toBe('f');
    const both = new KrakenExecClientConfig(
      {
        productTypes: ['SPOT', 'FUTURES'],
        apiKey: 's',
        apiSecret: SECRET,
        futuresApiKey: 'f',
        futuresApiSecret: FUTURES_SECRET,
      },
      {},
    );
    expect(both.requireCredentials('SPOT').apiKey).toBe('s');
    expect(both.requireCredentials('FUTURES').apiKey).toBe('f');
  });

  it('names the options and env vars when credentials are missing', () => {
    const err = configError(() => new KrakenExecClientConfig({}, {}).requireCredentials('SPOT'));
    expect(err.message).toContain('KRAKEN_SPOT_API_KEY');
    expect(err.message).toContain('KRAKEN_SPOT_API_SECRET');
  });
});

describe('secret redaction', () => {
  const options = {
    productTypes: ['SPOT', 'FUTURES'] as const,
    apiKey: 'SPOTKEY123456',
    apiSecret: SECRET,
    futuresApiKey: 'FUTKEY123456',
    futuresApiSecret: FUTURES_SECRET,
  };

  function renderings(value: unknown): string[] {
    return [
      String(value),
      JSON.stringify(value),
      inspect(value, { depth: 10, showHidden: true }),
      `${value as string}`,
    ];
  }

  it('never shows a secret in toString, JSON.stringify or util.inspect of a config', () => {
    for (const config of [new KrakenDataClientConfig(options, {}), new KrakenExecClientConfig(options, {})]) {
      for (const text of renderings(config)) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(FUTURES_SECRET);
      }
      const creds = config.requireCredentials('FUTURES');
      for (const text of renderings(creds)) {
        expect(text).not.toContain(FUTURES_SECRET);
        expect(text).not.toContain('FUTKEY123456');
      }
    }
  });

  it('never shows a secret in the message of a config error', () => {
    const err = configError(() => new KrakenDataClientConfig({ ...options, maxRetries: -1 }, {}));
    for (const text of [err.message, String(err), inspect(err), JSON.stringify(err)]) {
      expect(text).not.toContain(SECRET);
    }
  });

  it('Secret prints as ***', () => {
    const secret = new Secret(SECRET);
    expect(renderings(secret).join(' ')).not.toContain(SECRET);
    expect(secret.reveal()).toBe(SECRET);
  });

  it('the config logger redacts secrets from messages and context', () => {
    const lines: string[] = [];
    const sink: KrakenLogger = {
      debug: (m, c) => lines.push(m + JSON.stringify(c)),
      info: (m, c) => lines.push(m + JSON.stringify(c)),
      warn: (m, c) => lines.push(m + JSON.stringify(c)),
      error: (m, c) => lines.push(m + JSON.stringify(c)),
    };
    const config = new KrakenDataClientConfig({ ...options, logger: sink }, {});
    config.logger.error(`signing failed with ${SECRET}`, { body: `secret=${FUTURES_SECRET}`, nested: { s: SECRET } });
    config.logger.warn('plain', { err: new Error(`bad ${SECRET}`) });
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(FUTURES_SECRET);
    }
    expect(lines[0]).toContain('signing failed with ***');
    expect(lines[1]).toBe('plain{"err":"Error: bad ***"}'); // an Error in the context keeps its message, redacted
  });

  it('redactingLogger and consoleLogger respect levels', () => {
    const spy = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const debugSpy = jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    const logger = redactingLogger(consoleLogger('warn'), [new Secret(SECRET)]);
    logger.debug('hidden');
    logger.warn(`shown ${SECRET}`);
    expect(debugSpy).not.toHaveBeenCalled();
    expect(spy).toHaveBeenCalledWith('[kraken-rx] shown ***');
    spy.mockRestore();
    debugSpy.mockRestore();
  });
});
