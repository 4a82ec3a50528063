/**
 * DESIGN.md §3.2 / issue item 4: no secret in a rendering of a config, a client, an error or a log line.
 * Every failing call below goes to a real server on 127.0.0.1; every error it gives (cause chain included) and
 * every line the client logged are rendered every way a user might print them, and scanned for the API
 * secrets, the full API keys and the proxy password.
 */
import { inspect } from 'node:util';
import { firstValueFrom } from 'rxjs';
import { KrakenDataClientConfig, type KrakenLogger } from '../../src/config';
import { KrakenApiError, KrakenConfigError, KrakenDecodeError, KrakenTimeoutError } from '../../src/errors';
import { KrakenHttpClient } from '../../src/http/KrakenHttpClient';
import { KrakenRawHttpClient } from '../../src/http/KrakenRawHttpClient';
import { KrakenInstrumentProvider } from '../../src/instruments';
import { startRecordingServer, type RecordingServer } from '../support/httpServer';
import {
  failOnUnhandledRejections,
  fastLimits,
  FUTURES_KEY,
  FUTURES_SECRET,
  SPOT_KEY,
  SPOT_SECRET,
  testConfig,
} from './helpers';

failOnUnhandledRejections();

const PROXY_PASSWORD = 'pr0xy-Pa55word';
const FORBIDDEN = [SPOT_SECRET, FUTURES_SECRET, SPOT_KEY, FUTURES_KEY, PROXY_PASSWORD];

/** Every way a value gets printed: String, template, JSON, util.inspect (hidden fields, whole cause chain). */
function renderings(value: unknown): string[] {
  const texts = [String(value), inspect(value, { depth: Infinity, showHidden: true })];
  try {
    texts.push(JSON.stringify(value) ?? '');
  } catch (err) {
    texts.push(String(err));
  }
  if (value instanceof Error) texts.push(value.message, value.stack ?? '');
  return texts;
}

function expectClean(texts: readonly string[]): void {
  for (const text of texts) for (const secret of FORBIDDEN) expect(text).not.toContain(secret);
}

/** A logger that keeps every message and context, rendered. */
function capturingLogger(): KrakenLogger & { readonly texts: string[] } {
  const texts: string[] = [];
  const at = (level: string) => (message: string, context?: Record<string, unknown>) => {
    texts.push(`${level} ${message}`, ...renderings(context));
  };
  return { texts, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let server: RecordingServer;

beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

function setup(options: Parameters<typeof testConfig>[1] = {}) {
  const logger = capturingLogger();
  const config = testConfig(server.url, { logger, maxRetries: 1, ...options });
  return { logger, raw: new KrakenRawHttpClient(config, { limits: fastLimits() }) };
}

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err,
  );
}

describe('errors and logs of failing private calls carry no secret', () => {
  it('Spot 401 EAPI:Invalid key and 200 EAPI:Invalid signature', async () => {
    server.route('POST', '/0/private/Balance', { status: 401, body: { error: ['EAPI:Invalid key'] } });
    server.route('POST', '/0/private/AddOrder', { body: { error: ['EAPI:Invalid signature'] } });
    const { raw, logger } = setup();
    const invalidKey = await failure(firstValueFrom(raw.spot.balance()));
    const invalidSign = await failure(
      firstValueFrom(raw.spot.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'market', volume: '1' })),
    );
    expect(invalidKey).toBeInstanceOf(KrakenApiError);
    expect((invalidKey as KrakenApiError).is('EAPI:Invalid key')).toBe(true);
    expect((invalidKey as KrakenApiError).retryable).toBe(false);
    expect((invalidSign as KrakenApiError).is('EAPI:Invalid signature')).toBe(true);
    expect(server.requestsTo('/0/private/Balance')).toHaveLength(1); // not retried
    expectClean([...renderings(invalidKey), ...renderings(invalidSign), ...logger.texts]);
  });

  it('Futures 401 authenticationError, on a read and on sendorder', async () => {
    const refused = { status: 401, body: { result: 'error', error: 'authenticationError', serverTime: 'x' } };
    server.route('GET', '/derivatives/api/v3/accounts', refused);
    server.route('POST', '/derivatives/api/v3/sendorder', refused);
    server.route('GET', '/api/history/v3/orders', refused);
    const { raw, logger } = setup();
    const errors = [
      await failure(firstValueFrom(raw.futures.accounts())),
      await failure(
        firstValueFrom(raw.futures.sendOrder({ orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'buy', size: 1 })),
      ),
      await failure(firstValueFrom(raw.futures.historyOrders())),
    ];
    for (const err of errors) {
      expect(err).toBeInstanceOf(KrakenApiError);
      expect((err as KrakenApiError).reason).toBe('authenticationError');
      expect((err as KrakenApiError).httpStatus).toBe(401);
    }
    expectClean([...errors.flatMap(renderings), ...logger.texts]);
  });

  it('a retried 502, a timeout, a dropped connection and a malformed answer, with their logs', async () => {
    server.route('POST', '/0/private/Balance', { status: 502, body: '<html>502 Bad Gateway</html>' });
    server.route('POST', '/0/private/OpenOrders', { hang: true });
    server.route('POST', '/0/private/TradeBalance', { destroy: true });
    server.route('POST', '/0/private/GetWebSocketsToken', { body: { error: [], result: { token: 7 } } });
    server.route('GET', '/derivatives/api/v3/openpositions', { body: '{"result":"success","openPositions":[' });
    const { raw, logger } = setup({ httpTimeoutSecs: 0.05 });
    const errors = [
      await failure(firstValueFrom(raw.spot.balance())),
      await failure(firstValueFrom(raw.spot.openOrders())),
      await failure(firstValueFrom(raw.spot.tradeBalance())),
      await failure(firstValueFrom(raw.spot.getWebSocketsToken())),
      await failure(firstValueFrom(raw.futures.openPositions())),
    ];
    expect((errors[0] as KrakenApiError).httpStatus).toBe(502);
    expect(errors[1]).toBeInstanceOf(KrakenTimeoutError);
    expect(errors[3]).toBeInstanceOf(KrakenDecodeError);
    expect(errors[4]).toBeInstanceOf(KrakenDecodeError);
    // The retries were logged (each naming the call and what went wrong).
    expect(logger.texts.filter((t) => /^info Spot Balance: .*retry/.test(t))).toHaveLength(1);
    expectClean([...errors.flatMap(renderings), ...logger.texts]);
  });

  it('a secret that is not valid base64 fails with a KrakenConfigError that quotes none of it', async () => {
    const { raw } = setup({ apiSecret: `${SPOT_SECRET.slice(0, -3)}!` });
    const err = await failure(firstValueFrom(raw.spot.balance()));
    expect(err).toBeInstanceOf(KrakenConfigError);
    expect((err as KrakenConfigError).option).toBe('apiSecret');
    expectClean(renderings(err));
    for (const text of renderings(err)) expect(text).not.toContain(SPOT_SECRET.slice(0, 16));
    expect(server.requests).toHaveLength(0);
  });
});

describe('configs and clients print no secret', () => {
  const options = {
    apiKey: SPOT_KEY,
    apiSecret: SPOT_SECRET,
    futuresApiKey: FUTURES_KEY,
    futuresApiSecret: FUTURES_SECRET,
    productTypes: ['SPOT', 'FUTURES'] as const,
    httpProxyUrl: `http://alice:${PROXY_PASSWORD}@127.0.0.1:3128`,
    wsProxyUrl: `http://alice:${PROXY_PASSWORD}@127.0.0.1:3128`,
    updateInstrumentsIntervalMins: null,
  };

  it('the config, with proxy credentials, shows the proxy user but not the password', () => {
    const config = new KrakenDataClientConfig(options, {});
    expect(config.httpProxyUrl).toBe(options.httpProxyUrl); // the value itself is there for the transport
    expectClean(renderings(config));
    expect(String(config)).toContain('"httpProxyUrl":"http://alice:***@127.0.0.1:3128"');
  });

  it('a bad proxy URL is refused without quoting its password', () => {
    let err: unknown;
    try {
      new KrakenDataClientConfig({ httpProxyUrl: `socks://alice:${PROXY_PASSWORD}@proxy:1080` }, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KrakenConfigError);
    expect((err as Error).message).toContain("got 'socks://alice:***@proxy:1080'");
    expectClean(renderings(err));
  });

  it('raw client, domain client and instrument provider, after a signed call', async () => {
    server.route('POST', '/0/private/Balance', { body: { error: [], result: { ZUSD: '1' } } });
    server.route('GET', '/derivatives/api/v3/accounts', { body: { result: 'success', accounts: {} } });
    const config = new KrakenDataClientConfig({ ...options, httpProxyUrl: undefined }, {});
    const raw = new KrakenRawHttpClient(
      new KrakenDataClientConfig(
        { ...options, httpProxyUrl: undefined, baseUrlHttpSpot: server.url, baseUrlHttpFutures: server.url },
        {},
      ),
      { limits: fastLimits() },
    );
    await firstValueFrom(raw.spot.balance()); // the signers now exist
    await firstValueFrom(raw.futures.accounts());
    const withProxy = new KrakenRawHttpClient(new KrakenDataClientConfig(options, {}));
    const http = new KrakenHttpClient(config, { raw: withProxy });
    const provider = new KrakenInstrumentProvider(config, { http });
    for (const value of [raw, raw.spot, raw.futures, withProxy, http, provider]) expectClean(renderings(value));
    provider.close();
  });
});
