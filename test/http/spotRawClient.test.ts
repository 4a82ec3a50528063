import Decimal from 'decimal.js';
import { firstValueFrom, lastValueFrom, merge, toArray } from 'rxjs';
import {
  KrakenApiError,
  KrakenConfigError,
  KrakenDecodeError,
  KrakenRateLimitError,
  KrakenTimeoutError,
} from '../../src/errors';
import { KrakenRawHttpClient } from '../../src/http/KrakenRawHttpClient';
import { krakenHttpLimits } from '../../src/http/restCall';
import { startRecordingServer, type RecordingServer } from '../support/httpServer';
import {
  expectedSpotSign,
  fastLimits,
  fixture,
  fixtureJson,
  recordingLogger,
  SPOT_KEY,
  SPOT_SECRET,
  spotNonceOf,
  spotSignatureValid,
  testConfig,
  failOnUnhandledRejections,
} from './helpers';

failOnUnhandledRejections();

let server: RecordingServer;

beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

function client(options: Parameters<typeof testConfig>[1] = {}) {
  return new KrakenRawHttpClient(testConfig(server.url, options), { limits: fastLimits() });
}

const ok = (result: unknown) => ({ body: { error: [], result } });

describe('the independent signature check', () => {
  it('reproduces Kraken vector A', () => {
    expect(
      expectedSpotSign(
        '/0/private/AddOrder',
        '1616492376594',
        'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25',
        SPOT_SECRET,
      ),
    ).toBe('4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==');
  });
});

describe('Spot public endpoints', () => {
  it('sends a GET with the parameters as a query string and decodes the result', async () => {
    server.route('GET', '/0/public/OHLC', { body: fixture('spot', '2.6-ohlc-1') });
    const result = await firstValueFrom(client().spot.ohlc({ pair: 'XBTUSD', interval: 60, since: 1688671200 }));
    const [request] = server.requests;
    expect(request.method).toBe('GET');
    expect(request.path).toBe('/0/public/OHLC');
    expect(request.query).toBe('pair=XBTUSD&interval=60&since=1688671200');
    expect(request.headers['api-key']).toBeUndefined();
    expect(request.headers['user-agent']).toMatch(/^kraken-rx\//);
    expect(result.last).toBe(1688672160);
    expect(result.pairs.XXBTZUSD?.[0].open.toFixed()).toBe('30306.1');
  });

  it('writes list parameters as comma lists', async () => {
    server.route('GET', '/0/public/AssetPairs', { body: fixture('spot', '2.4-assetpairs-1') });
    await firstValueFrom(client().spot.assetPairs({ pair: ['XBTUSD', 'ETHXBT'], info: 'info' }));
    expect(server.requests[0].query).toBe('pair=XBTUSD%2CETHXBT&info=info');
  });

  it('is cold: nothing is sent before subscription, and each subscription sends again', async () => {
    server.route('GET', '/0/public/Time', ok({ unixtime: 1, rfc1123: 'x' }));
    const time$ = client().spot.time();
    expect(server.requests).toHaveLength(0);
    await firstValueFrom(time$);
    await firstValueFrom(time$);
    expect(server.requestsTo('/0/public/Time')).toHaveLength(2);
  });

  it('ignores a field Kraken added', async () => {
    const body = fixtureJson<{ result: Record<string, Record<string, unknown>> }>('spot', '2.4-assetpairs-1');
    body.result.XXBTZUSD.brand_new_field = { nested: [1, 2, 3] };
    server.route('GET', '/0/public/AssetPairs', { body });
    const result = await firstValueFrom(client().spot.assetPairs());
    expect(result.XXBTZUSD.altname).toBe('XBTUSD');
  });
});

describe('Spot private endpoints', () => {
  it('sends AddOrder (stop-loss-limit) as the exact form body it signed, with API-Key and API-Sign', async () => {
    server.route('POST', '/0/private/AddOrder', { body: fixture('spot', '4.1-addorder-2') });
    const result = await firstValueFrom(
      client().spot.addOrder({
        pair: 'XBTUSD',
        type: 'sell',
        ordertype: 'stop-loss-limit',
        volume: new Decimal('1.25'),
        price: '27000',
        price2: new Decimal('26900.5'),
        trigger: 'index',
        oflags: 'post,fcib',
        starttm: '+60',
        cl_ord_id: 'my-order-1',
        timeinforce: 'GTC',
      }),
    );
    expect(result.txid).toEqual(['OUF4EM-FRGI2-MQMWZD']);
    const [request] = server.requests;
    const nonce = spotNonceOf(request);
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/0/private/AddOrder');
    expect(request.query).toBe('');
    expect(request.body).toBe(
      `nonce=${nonce}&pair=XBTUSD&type=sell&ordertype=stop-loss-limit&volume=1.25&price=27000&price2=26900.5` +
        '&trigger=index&oflags=post%2Cfcib&starttm=%2B60&cl_ord_id=my-order-1&timeinforce=GTC',
    );
    expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request.headers['api-key']).toBe(SPOT_KEY);
    expect(request.headers['api-sign']).toBe(expectedSpotSign('/0/private/AddOrder', nonce, request.body));
  });

  it('sends AddOrderBatch as signed JSON with the nonce first and decimals as strings', async () => {
    server.route('POST', '/0/private/AddOrderBatch', { body: fixture('spot', '4.2-addorderbatch-2') });
    const result = await firstValueFrom(
      client().spot.addOrderBatch({
        pair: 'XBTUSD',
        orders: [
          {
            ordertype: 'limit',
            type: 'buy',
            volume: new Decimal('1.2'),
            price: 40000,
            cl_ord_id: 'a',
            close: { ordertype: 'stop-loss-limit', price: '37000', price2: '36000' },
          },
          { ordertype: 'limit', type: 'sell', volume: '1.2', price: new Decimal('42000') },
        ],
      }),
    );
    expect(result.orders.map((o) => o.txid)).toEqual(['65LRD3-AHGRA-YAH8E5', 'OK8HFF-5J2PL-XLR17S']);
    const [request] = server.requests;
    const nonce = spotNonceOf(request);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toBe(
      `{"nonce":${nonce},"pair":"XBTUSD","orders":[` +
        '{"ordertype":"limit","type":"buy","volume":"1.2","price":40000,"cl_ord_id":"a",' +
        '"close":{"ordertype":"stop-loss-limit","price":"37000","price2":"36000"}},' +
        '{"ordertype":"limit","type":"sell","volume":"1.2","price":"42000"}]}',
    );
    expect(spotSignatureValid(request)).toBe(true);
  });

  it('sends CancelOrderBatch as signed JSON', async () => {
    server.route('POST', '/0/private/CancelOrderBatch', ok({ count: 2 }));
    await firstValueFrom(client().spot.cancelOrderBatch({ orders: ['OP5V2Y-RYKVL-ET3V3B', 'OP5V2Y-7YKVL-ET3V3B'] }));
    const [request] = server.requests;
    expect(request.body).toBe(
      `{"nonce":${spotNonceOf(request)},"orders":["OP5V2Y-RYKVL-ET3V3B","OP5V2Y-7YKVL-ET3V3B"]}`,
    );
    expect(spotSignatureValid(request)).toBe(true);
  });

  it('signs every other private endpoint the same way', async () => {
    const routes: [string, unknown][] = [
      ['Balance', fixtureJson('spot', '3.1-balance-1')],
      ['BalanceEx', fixtureJson('spot', '3.2-balanceex-1')],
      ['OpenOrders', fixtureJson('spot', '3.5-openorders-1')],
      ['ClosedOrders', fixtureJson('spot', '3.6-closedorders-paginated-1')],
      ['QueryOrders', fixtureJson('spot', '3.7-queryorders-1')],
      ['TradesHistory', fixtureJson('spot', '3.8-tradeshistory-paginated-fills-1')],
      ['AmendOrder', fixtureJson('spot', '4.3-amendorder-in-place-modify-2')],
      ['EditOrder', fixtureJson('spot', '4.4-editorder-legacy-cancel-and-2')],
      ['CancelOrder', { error: [], result: { count: 1 } }],
      ['CancelAll', { error: [], result: { count: 4 } }],
      ['GetWebSocketsToken', { error: [], result: { token: 'tok', expires: 900 } }],
    ];
    for (const [method, body] of routes) server.route('POST', `/0/private/${method}`, { body });
    const http = client();
    await lastValueFrom(
      merge(
        http.spot.balance(),
        http.spot.balanceEx(),
        http.spot.openOrders({ trades: true }),
        http.spot.closedOrders({ ofs: 50, closetime: 'close' }),
        http.spot.queryOrders({ txid: ['OBCMZD-JIEE7-77TH3F', 'OQCLML-BW3P3-BUCMWZ'] }),
        http.spot.tradesHistory({ start: 1688667796, end: 'THVRQM-33VKH-UCI7BS' }),
        http.spot.amendOrder({ cl_ord_id: 'x', order_qty: new Decimal('1.25'), limit_price: '+0.5%' }),
        http.spot.editOrder({ pair: 'XBTUSD', txid: 'OHYO67-6LP66-HMQ437', volume: '1.25' }),
        http.spot.cancelOrder({ cl_ord_id: 'x' }),
        http.spot.cancelAll(),
        http.spot.getWebSocketsToken(),
      ).pipe(toArray()),
    );
    expect(server.requests).toHaveLength(routes.length);
    for (const request of server.requests) expect(spotSignatureValid(request)).toBe(true);
    const bodyOf = (method: string) => server.requestsTo(`/0/private/${method}`)[0].body.replace(/^nonce=\d+&?/, '');
    expect(bodyOf('QueryOrders')).toBe('txid=OBCMZD-JIEE7-77TH3F%2COQCLML-BW3P3-BUCMWZ');
    expect(bodyOf('AmendOrder')).toBe('cl_ord_id=x&order_qty=1.25&limit_price=%2B0.5%25');
    expect(bodyOf('Balance')).toBe('');
  });

  it('serialises 200 concurrent private calls: one in flight at a time, nonces strictly increasing on arrival', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    server.route('POST', '/0/private/Balance', async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return ok({ ZUSD: '1.5' });
    });
    const http = client();
    const results = await lastValueFrom(
      merge(...Array.from({ length: 200 }, () => http.spot.balance())).pipe(toArray()),
    );
    expect(results).toHaveLength(200);
    const nonces = server.requests.map((r) => BigInt(spotNonceOf(r)));
    expect(nonces).toHaveLength(200);
    for (let i = 1; i < nonces.length; i++) expect(nonces[i] > nonces[i - 1]).toBe(true);
    expect(maxInFlight).toBe(1);
    expect(server.requests.every(spotSignatureValid)).toBe(true);
  });

  it('fails with a KrakenConfigError naming the options when no credentials are configured', async () => {
    const http = new KrakenRawHttpClient(
      testConfig(server.url, { apiKey: undefined, apiSecret: undefined, productTypes: ['SPOT'] }),
      { limits: fastLimits() },
    );
    await expect(firstValueFrom(http.spot.balance())).rejects.toBeInstanceOf(KrakenConfigError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('Spot answers that go wrong', () => {
  const html502 = { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' };

  it('retries a read after an HTML 502 page and returns the answer that follows', async () => {
    server.once('POST', '/0/private/Balance', html502).route('POST', '/0/private/Balance', ok({ ZUSD: '10' }));
    const result = await firstValueFrom(client().spot.balance());
    expect(result.ZUSD.toFixed()).toBe('10');
    expect(server.requestsTo('/0/private/Balance')).toHaveLength(2);
    const [first, second] = server.requestsTo('/0/private/Balance');
    expect(BigInt(spotNonceOf(second)) > BigInt(spotNonceOf(first))).toBe(true);
  });

  it('gives a KrakenApiError with the HTTP status once the retries are spent', async () => {
    server.route('GET', '/0/public/Time', html502);
    const err = await firstValueFrom(client({ maxRetries: 2 }).spot.time()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenApiError);
    expect((err as KrakenApiError).httpStatus).toBe(502);
    expect((err as KrakenApiError).retryable).toBe(true);
    expect(server.requests).toHaveLength(3);
  });

  it('never retries an order placement: one AddOrder reaches the server after a 502', async () => {
    server.once('POST', '/0/private/AddOrder', html502).route('POST', '/0/private/AddOrder', {
      body: fixture('spot', '4.1-addorder-2'),
    });
    const err = await firstValueFrom(
      client().spot.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'market', volume: '1' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenApiError);
    expect((err as KrakenApiError).httpStatus).toBe(502);
    expect(server.requestsTo('/0/private/AddOrder')).toHaveLength(1);
  });

  it('does not retry AmendOrder, EditOrder or AddOrderBatch either', async () => {
    for (const method of ['AmendOrder', 'EditOrder', 'AddOrderBatch'])
      server.route('POST', `/0/private/${method}`, html502);
    const http = client();
    await expect(firstValueFrom(http.spot.amendOrder({ txid: 'X', order_qty: '1' }))).rejects.toBeInstanceOf(
      KrakenApiError,
    );
    await expect(firstValueFrom(http.spot.editOrder({ pair: 'XBTUSD', txid: 'X' }))).rejects.toBeInstanceOf(
      KrakenApiError,
    );
    await expect(firstValueFrom(http.spot.addOrderBatch({ pair: 'XBTUSD', orders: [] }))).rejects.toBeInstanceOf(
      KrakenApiError,
    );
    expect(server.requests).toHaveLength(3);
  });

  it('turns truncated JSON into a KrakenDecodeError without retrying', async () => {
    server.route('POST', '/0/private/Balance', { body: '{"error":[],"result":{"ZUSD":"171288.61' });
    const err = await firstValueFrom(client().spot.balance()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenDecodeError);
    expect((err as KrakenDecodeError).message).toMatch(/not JSON/);
    expect((err as KrakenDecodeError).input).toContain('171288.61');
    expect(server.requests).toHaveLength(1);
  });

  it('turns a missing field into a KrakenDecodeError naming its path from result', async () => {
    server.route('POST', '/0/private/GetWebSocketsToken', ok({ expires: 900 }));
    const err = await firstValueFrom(client().spot.getWebSocketsToken()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenDecodeError);
    expect((err as KrakenDecodeError).paths).toEqual(['result.token']);
  });

  it('turns an envelope of the wrong shape into a KrakenDecodeError', async () => {
    server.route('GET', '/0/public/Time', { body: { result: { unixtime: 1 } } });
    const err = await firstValueFrom(client().spot.time()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenDecodeError);
    expect((err as KrakenDecodeError).paths).toContain('error');
  });

  it('retries EAPI:Rate limit exceeded after draining the REST counter', async () => {
    server
      .once('POST', '/0/private/Balance', { body: { error: ['EAPI:Rate limit exceeded'] } })
      .route('POST', '/0/private/Balance', ok({ ZUSD: '1' }));
    const limits = fastLimits();
    const drain = jest.spyOn(limits.spotCounter, 'drain');
    const http = new KrakenRawHttpClient(testConfig(server.url), { limits });
    const result = await firstValueFrom(http.spot.balance());
    expect(result.ZUSD.toFixed()).toBe('1');
    expect(drain).toHaveBeenCalledTimes(1);
    expect(server.requests).toHaveLength(2);
  });

  it('gives a KrakenRateLimitError when the limit persists', async () => {
    server.route('POST', '/0/private/Balance', { body: { error: ['EAPI:Rate limit exceeded'] } });
    const err = await firstValueFrom(client({ maxRetries: 1 }).spot.balance()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenRateLimitError);
    expect((err as KrakenRateLimitError).reason).toBe('EAPI:Rate limit exceeded');
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a Kraken error that is final', async () => {
    server.route('POST', '/0/private/AddOrder', { body: { error: ['EOrder:Insufficient funds'] } });
    const err = await firstValueFrom(
      client().spot.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'market', volume: '1' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenApiError);
    expect((err as KrakenApiError).is('EOrder:Insufficient funds')).toBe(true);
    expect((err as KrakenApiError).endpoint).toBe('AddOrder');
  });

  it('logs W warnings and returns the result', async () => {
    server.route('POST', '/0/private/Balance', {
      body: { error: ['WGeneral:Deprecated endpoint'], result: { ZUSD: '2' } },
    });
    const logger = recordingLogger();
    const http = new KrakenRawHttpClient(testConfig(server.url, { logger }), { limits: fastLimits() });
    const result = await firstValueFrom(http.spot.balance());
    expect(result.ZUSD.toFixed()).toBe('2');
    expect(logger.lines).toEqual([{ level: 'warn', message: expect.stringContaining('WGeneral:Deprecated endpoint') }]);
  });

  it('retries a cancel after a 502; an Unknown order answer then carries the lost attempt as cause', async () => {
    server
      .once('POST', '/0/private/CancelOrder', html502)
      .route('POST', '/0/private/CancelOrder', { body: { error: ['EOrder:Unknown order'] } });
    const err = await firstValueFrom(client().spot.cancelOrder({ txid: 'OHYO67-6LP66-HMQ437' })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KrakenApiError);
    expect((err as KrakenApiError).is('EOrder:Unknown order')).toBe(true);
    expect((err as KrakenApiError).cause).toBeInstanceOf(KrakenApiError);
    expect(((err as KrakenApiError).cause as KrakenApiError).httpStatus).toBe(502);
    expect(server.requestsTo('/0/private/CancelOrder')).toHaveLength(2);
  });

  it('reports Unknown order on a first attempt without a cause', async () => {
    server.route('POST', '/0/private/CancelOrder', { body: { error: ['EOrder:Unknown order'] } });
    const err = await firstValueFrom(client().spot.cancelOrder({ txid: 'X' })).catch((e: unknown) => e);
    expect((err as KrakenApiError).is('EOrder:Unknown order')).toBe(true);
    expect((err as KrakenApiError).cause).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it('times out with a KrakenTimeoutError after httpTimeoutSecs', async () => {
    server.route('POST', '/0/private/AddOrder', { hang: true });
    const err = await firstValueFrom(
      client({ httpTimeoutSecs: 0.1 }).spot.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'market', volume: '1' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenTimeoutError);
    expect((err as KrakenTimeoutError).timeoutMs).toBe(100);
    expect(server.requestsTo('/0/private/AddOrder')).toHaveLength(1);
  });

  it('releases the private lane after a timeout so the next call goes out', async () => {
    server.once('POST', '/0/private/Balance', { hang: true }).route('POST', '/0/private/Balance', ok({ ZUSD: '3' }));
    const result = await firstValueFrom(client({ httpTimeoutSecs: 0.1 }).spot.balance());
    expect(result.ZUSD.toFixed()).toBe('3');
    expect(server.requests).toHaveLength(2);
  });

  it('gives a KrakenConnectionError-based retry when the server drops the connection', async () => {
    server
      .once('GET', '/0/public/Time', { destroy: true })
      .route('GET', '/0/public/Time', ok({ unixtime: 7, rfc1123: 'x' }));
    const result = await firstValueFrom(client().spot.time());
    expect(result.unixtime).toBe(7);
    expect(server.requests).toHaveLength(2);
  });
});

describe('Spot rate limiting', () => {
  it('builds the tier counter and the flat bucket from the config', () => {
    const starter = krakenHttpLimits(testConfig(server.url));
    expect([starter.spotCounter.capacity, starter.spotCounter.refillPerSecond]).toEqual([15, 0.33]);
    expect([starter.spotFlat.capacity, starter.spotFlat.refillPerSecond]).toEqual([5, 5]);
    const pro = krakenHttpLimits(testConfig(server.url, { spotRateLimitTier: 'pro', maxRequestsPerSecond: 2 }));
    expect([pro.spotCounter.capacity, pro.spotCounter.refillPerSecond]).toEqual([20, 1]);
    expect([pro.spotFlat.capacity, pro.spotFlat.refillPerSecond]).toEqual([2, 2]);
    expect([pro.futuresDerivatives.capacity, pro.futuresDerivatives.refillPerSecond]).toEqual([500, 50]);
    expect(pro.futuresHistory.capacity).toBe(100);
  });

  it('charges the REST counter per method (history 2, trading 0, public none) and the flat bucket per call', async () => {
    server.route('POST', '/0/private/Balance', ok({}));
    server.route('POST', '/0/private/TradesHistory', ok({ trades: {}, count: 0 }));
    server.route('POST', '/0/private/AddOrder', { body: fixture('spot', '4.1-addorder-2') });
    server.route('GET', '/0/public/Time', ok({ unixtime: 1, rfc1123: 'x' }));
    const limits = fastLimits();
    const counter = jest.spyOn(limits.spotCounter, 'acquire');
    const flat = jest.spyOn(limits.spotFlat, 'acquire');
    const http = new KrakenRawHttpClient(testConfig(server.url), { limits });
    await firstValueFrom(http.spot.balance());
    await firstValueFrom(http.spot.tradesHistory());
    await firstValueFrom(http.spot.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'market', volume: '1' }));
    await firstValueFrom(http.spot.time());
    expect(counter.mock.calls.map(([cost]) => cost)).toEqual([1, 2]);
    expect(flat.mock.calls.map(([cost]) => cost)).toEqual([1, 1, 1, 1]);
  });
});

describe('Spot throttling and cancellation', () => {
  it('reads EService:Throttled: <unix seconds> as a rate limit with retryAfterMs', async () => {
    const until = Math.floor(Date.now() / 1000) + 30;
    server.route('POST', '/0/private/Balance', { body: { error: [`EService: Throttled: ${until}`] } });
    const err = await firstValueFrom(client({ maxRetries: 0 }).spot.balance()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenRateLimitError);
    expect((err as KrakenRateLimitError).retryAfterMs).toBeGreaterThan(25_000);
    expect((err as KrakenRateLimitError).retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('unsubscribing aborts the request in flight and frees the private lane', async () => {
    server.once('POST', '/0/private/Balance', { hang: true }).route('POST', '/0/private/Balance', ok({ ZUSD: '4' }));
    const http = client();
    const subscription = http.spot.balance().subscribe();
    for (let i = 0; i < 200 && server.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 2));
    expect(server.requests).toHaveLength(1);
    subscription.unsubscribe();
    const result = await firstValueFrom(http.spot.balance());
    expect(result.ZUSD.toFixed()).toBe('4');
    expect(http.spot.privateQueueLength).toBe(0);
  });
});
