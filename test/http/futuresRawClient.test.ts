import Decimal from 'decimal.js';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { KrakenApiError, KrakenDecodeError, KrakenRateLimitError } from '../../src/errors';
import { KrakenRawHttpClient } from '../../src/http/KrakenRawHttpClient';
import { startRecordingServer, type RecordingServer } from '../support/httpServer';
import {
  expectedFuturesAuthent,
  fastLimits,
  fixture,
  FUTURES_KEY,
  FUTURES_SECRET,
  futuresSignatureValid,
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

const html502 = { status: 502, body: '<html><body>502 Bad Gateway</body></html>' };

describe('the independent Authent check', () => {
  it('reproduces futures vector A', () => {
    expect(
      expectedFuturesAuthent(
        '/derivatives/api/v3/sendorder',
        'orderType=lmt&symbol=PI_XBTUSD',
        '1616492376594',
        FUTURES_SECRET,
      ),
    ).toBe('Txi+gJVXe3EN1brXYQ46FuV6UVtEVSKhc6dYMhPb7a/HXZLGvO6m9UUg+KVKqhLxrbllOPI7qRkHYmPfJZZSGA==');
  });
});

describe('Futures private endpoints', () => {
  it('sends sendorder as the exact form body it signed, with APIKey, Nonce and Authent', async () => {
    server.route('POST', '/derivatives/api/v3/sendorder', { body: fixture('futures', '8.1-sendorder-cost-10-1') });
    const body = await firstValueFrom(
      client().futures.sendOrder({
        orderType: 'lmt',
        symbol: 'PF_XBTUSD',
        side: 'buy',
        size: new Decimal('0.001'),
        limitPrice: 50000,
        cliOrdId: 'my-order-1',
      }),
    );
    expect(body.sendStatus.status).toBe('placed');
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/derivatives/api/v3/sendorder');
    expect(request.query).toBe('');
    expect(request.body).toBe(
      'orderType=lmt&symbol=PF_XBTUSD&side=buy&size=0.001&limitPrice=50000&cliOrdId=my-order-1',
    );
    expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request.headers.apikey).toBe(FUTURES_KEY);
    expect(request.headers.nonce).toMatch(/^\d+$/);
    expect(request.headers.authent).toBe(
      expectedFuturesAuthent('/derivatives/api/v3/sendorder', request.body, String(request.headers.nonce)),
    );
  });

  it('sends a stop order with its trigger fields in the given order', async () => {
    server.route('POST', '/derivatives/api/v3/sendorder', { body: fixture('futures', '8.1-sendorder-cost-10-4') });
    await firstValueFrom(
      client().futures.sendOrder({
        orderType: 'stp',
        symbol: 'PI_ETHUSD',
        side: 'buy',
        size: 10,
        limitPrice: '1860.0',
        stopPrice: new Decimal('1880.4'),
        triggerSignal: 'last',
        reduceOnly: false,
      }),
    );
    expect(server.requests[0].body).toBe(
      'orderType=stp&symbol=PI_ETHUSD&side=buy&size=10&limitPrice=1860.0&stopPrice=1880.4&triggerSignal=last&reduceOnly=false',
    );
    expect(futuresSignatureValid(server.requests[0])).toBe(true);
  });

  it('returns a refused order as data (sendStatus.status is not placed) without throwing', async () => {
    server.route('POST', '/derivatives/api/v3/sendorder', { body: fixture('futures', '8.1-sendorder-cost-10-2') });
    const body = await firstValueFrom(
      client().futures.sendOrder({ orderType: 'ioc', symbol: 'PI_XBTUSD', side: 'buy', size: 10000, limitPrice: 9400 }),
    );
    expect(body.sendStatus.status).toBe('iocWouldNotExecute');
  });

  it('sends batchorder as a json= form field (futures vector G body) and signs it', async () => {
    server.route('POST', '/derivatives/api/v3/batchorder', {
      body: fixture('futures', '8.6-batchorder-cost-9-number-5'),
    });
    const body = await firstValueFrom(
      client().futures.batchOrder({
        batchOrder: [
          {
            order: 'send',
            order_tag: '1',
            orderType: 'lmt',
            symbol: 'PF_XBTUSD',
            side: 'buy',
            size: new Decimal('0.001'),
            limitPrice: 50000,
          },
          { order: 'cancel', order_id: '022774bc-2c4a-4f26-9317-436c8d85746d' },
        ],
      }),
    );
    expect(body.batchStatus.map((s) => s.status)).toEqual([
      'placed',
      'edited',
      'cancelled',
      'notFound',
      'insufficientAvailableFunds',
    ]);
    const [request] = server.requests;
    expect(request.body).toBe(
      'json=%7B%22batchOrder%22%3A%5B%7B%22order%22%3A%22send%22%2C%22order_tag%22%3A%221%22%2C%22orderType%22%3A%22lmt%22%2C%22symbol%22%3A%22PF_XBTUSD%22%2C%22side%22%3A%22buy%22%2C%22size%22%3A0.001%2C%22limitPrice%22%3A50000%7D%2C%7B%22order%22%3A%22cancel%22%2C%22order_id%22%3A%22022774bc-2c4a-4f26-9317-436c8d85746d%22%7D%5D%7D',
    );
    expect(futuresSignatureValid(request)).toBe(true);
  });

  it('signs a GET over its exact query string (fills with lastFillTime)', async () => {
    server.route('GET', '/derivatives/api/v3/fills', { body: fixture('futures', '8.9-fills-lastfilltime-iso-cost-1') });
    const body = await firstValueFrom(client().futures.fills({ lastFillTime: '2024-01-15T10:30:45.123Z' }));
    expect(body.fills).toHaveLength(2);
    const [request] = server.requests;
    expect(request.query).toBe('lastFillTime=2024-01-15T10%3A30%3A45.123Z');
    expect(request.body).toBe('');
    expect(futuresSignatureValid(request)).toBe(true);
  });

  it('charges the derivatives budget per endpoint (fills with lastFillTime costs 25)', async () => {
    server.route('GET', '/derivatives/api/v3/fills', { body: fixture('futures', '8.9-fills-lastfilltime-iso-cost-1') });
    const limits = fastLimits();
    const acquire = jest.spyOn(limits.futuresDerivatives, 'acquire');
    const http = new KrakenRawHttpClient(testConfig(server.url), { limits });
    await firstValueFrom(http.futures.fills({ lastFillTime: '2024-01-15T10:30:45.123Z' }));
    await firstValueFrom(http.futures.fills());
    expect(acquire.mock.calls.map(([cost]) => cost)).toEqual([25, 2]);
  });

  it('signs the other private endpoints', async () => {
    const routes: [string, string, string][] = [
      ['GET', '/derivatives/api/v3/openorders', '8.8-openorders-cost-2-1'],
      ['GET', '/derivatives/api/v3/openpositions', '8.10-openpositions-cost-2-1'],
      ['GET', '/derivatives/api/v3/accounts', '8.11-accounts-cost-2-1'],
      ['POST', '/derivatives/api/v3/editorder', '8.2-editorder-cost-10-1'],
      ['POST', '/derivatives/api/v3/cancelorder', '8.3-cancelorder-cost-10-1'],
      ['POST', '/derivatives/api/v3/cancelallorders', '8.4-cancelallorders-cost-25-1'],
      ['POST', '/derivatives/api/v3/cancelallordersafter', '8.5-cancelallordersafter-cost-25-dead-1'],
      ['POST', '/derivatives/api/v3/orders/status', '8.7-orders-status-cost-1-1'],
    ];
    for (const [method, path, name] of routes) server.route(method, path, { body: fixture('futures', name) });
    const { futures } = client();
    await firstValueFrom(futures.openOrders());
    await firstValueFrom(futures.openPositions());
    const accounts = await firstValueFrom(futures.accounts());
    expect(Object.keys(accounts.accounts)).toEqual(['cash', 'fi_xbtusd', 'flex']);
    await firstValueFrom(
      futures.editOrder({ orderId: '022774bc-2c4a-4f26-9317-436c8d85746d', size: 1501, limitPrice: 7200 }),
    );
    await firstValueFrom(futures.cancelOrder({ order_id: 'cb4e34f6-4eb3-4d4b-9724-4c3035b99d47' }));
    await firstValueFrom(futures.cancelAllOrders({ symbol: 'PI_XBTUSD' }));
    await firstValueFrom(futures.cancelAllOrdersAfter({ timeout: 60 }));
    await firstValueFrom(futures.ordersStatus({ orderIds: ['a', 'b'] }));
    expect(server.requests.every(futuresSignatureValid)).toBe(true);
    expect(server.requestsTo('/derivatives/api/v3/editorder')[0].body).toBe(
      'orderId=022774bc-2c4a-4f26-9317-436c8d85746d&size=1501&limitPrice=7200',
    );
    expect(server.requestsTo('/derivatives/api/v3/orders/status')[0].body).toBe('orderIds=a&orderIds=b');
    const nonces = server.requests.map((r) => BigInt(String(r.headers.nonce)));
    for (let i = 1; i < nonces.length; i++) expect(nonces[i] > nonces[i - 1]).toBe(true);
  });

  it('follows history continuation tokens to the end, keeping the sort', async () => {
    const element = (uid: string) => ({
      uid,
      timestamp: 1604937694000,
      event: {
        OrderPlaced: {
          order: { uid: `o-${uid}`, tradeable: 'PF_XBTUSD', direction: 'Buy', quantity: '0.001', filled: '0' },
          reason: 'new_user_order',
          reducedQuantity: '',
        },
      },
    });
    server
      .once('GET', '/api/history/v3/orders', {
        body: { accountUid: 'acc', len: 2, elements: [element('a'), element('b')], continuationToken: 'T1' },
      })
      .once('GET', '/api/history/v3/orders', { body: { accountUid: 'acc', len: 1, elements: [element('c')] } });
    const elements = await lastValueFrom(
      client().futures.historyOrderElements({ since: 1700000000000, sort: 'asc' }).pipe(toArray()),
    );
    expect(elements.map((e) => e.uid)).toEqual(['a', 'b', 'c']);
    const [first, second] = server.requestsTo('/api/history/v3/orders');
    expect(first.query).toBe('since=1700000000000&sort=asc');
    expect(second.query).toBe('since=1700000000000&sort=asc&continuation_token=T1');
    expect(futuresSignatureValid(first) && futuresSignatureValid(second)).toBe(true);
  });

  it('reaches the v2 history paths on request', async () => {
    server.route('GET', '/api/history/v2/orders', { body: { elements: [] } });
    await firstValueFrom(client().futures.historyOrders({ version: 'v2', sort: 'desc' }));
    const [request] = server.requests;
    expect(request.path).toBe('/api/history/v2/orders');
    expect(request.query).toBe('sort=desc');
    expect(futuresSignatureValid(request)).toBe(true);
  });
});

describe('Futures public endpoints', () => {
  it('sends no credentials to public endpoints', async () => {
    server.route('GET', '/derivatives/api/v3/instruments', { body: fixture('futures', '6.1-instruments-1') });
    server.route('GET', '/api/charts/v1/trade/PF_XBTUSD/1h', {
      body: fixture('futures', '7-charts-api-candles-public-1'),
    });
    const { futures } = client();
    const instruments = await firstValueFrom(futures.instruments());
    expect(instruments.instruments.map((i) => i.symbol)).toEqual(['PI_XBTUSD', 'FI_XBTUSD_220930', 'PF_XBTUSD']);
    const candles = await firstValueFrom(
      futures.charts({ tickType: 'trade', symbol: 'PF_XBTUSD', resolution: '1h', from: 1731715200, to: 1731726000 }),
    );
    expect(candles.candles).toHaveLength(3);
    expect(server.requests[1].query).toBe('from=1731715200&to=1731726000');
    for (const request of server.requests) expect(request.headers.apikey).toBeUndefined();
  });
});

describe('Futures answers that go wrong', () => {
  it("turns result:error into a KrakenApiError with Kraken's code", async () => {
    server.route('POST', '/derivatives/api/v3/sendorder', {
      body: { result: 'error', serverTime: '2016-02-25T09:45:53.818Z', error: 'invalidArgument' },
    });
    const err = await firstValueFrom(
      client().futures.sendOrder({ orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'buy', size: 1, limitPrice: 1 }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenApiError);
    expect((err as KrakenApiError).reason).toBe('invalidArgument');
    expect(server.requests).toHaveLength(1);
  });

  it('reads the errors[] form sent with a 400', async () => {
    server.route('POST', '/derivatives/api/v3/sendorder', {
      status: 400,
      body: { status: 'BAD_REQUEST', result: 'error', errors: [{ code: 11, message: 'invalid order type' }] },
    });
    const err = await firstValueFrom(
      client().futures.sendOrder({ orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'buy', size: 1 }),
    ).catch((e: unknown) => e);
    expect((err as KrakenApiError).reason).toBe('invalid order type');
    expect((err as KrakenApiError).httpStatus).toBe(400);
  });

  it('retries apiLimitExceeded on a read after draining the derivatives budget', async () => {
    server
      .once('GET', '/derivatives/api/v3/accounts', { body: { result: 'error', error: 'apiLimitExceeded' } })
      .route('GET', '/derivatives/api/v3/accounts', { body: fixture('futures', '8.11-accounts-cost-2-1') });
    const limits = fastLimits();
    const drain = jest.spyOn(limits.futuresDerivatives, 'drain');
    const http = new KrakenRawHttpClient(testConfig(server.url), { limits });
    const body = await firstValueFrom(http.futures.accounts());
    expect(body.accounts.cash?.type).toBe('cashAccount');
    expect(drain).toHaveBeenCalledTimes(1);
    expect(server.requests).toHaveLength(2);
  });

  it('never retries sendorder, even after apiLimitExceeded', async () => {
    server.route('POST', '/derivatives/api/v3/sendorder', { body: { result: 'error', error: 'apiLimitExceeded' } });
    const err = await firstValueFrom(
      client().futures.sendOrder({ orderType: 'mkt', symbol: 'PF_XBTUSD', side: 'buy', size: 1 }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenRateLimitError);
    expect(server.requests).toHaveLength(1);
  });

  it('reads a plain-text history 429 as a rate limit with rate-limit-reset', async () => {
    server.route('GET', '/api/history/v3/executions', {
      status: 429,
      headers: { 'content-type': 'text/plain', 'rate-limit-reset': '7' },
      body: 'Too many requests',
    });
    const err = await firstValueFrom(client({ maxRetries: 0 }).futures.historyExecutions()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenRateLimitError);
    expect((err as KrakenRateLimitError).retryAfterMs).toBe(7000);
    expect((err as KrakenRateLimitError).httpStatus).toBe(429);
  });

  it('retries a cancel after a 502 and returns what the retry says', async () => {
    server.once('POST', '/derivatives/api/v3/cancelorder', html502).route('POST', '/derivatives/api/v3/cancelorder', {
      body: { result: 'success', cancelStatus: { status: 'notFound', receivedTime: '2020-07-22T13:26:20.806Z' } },
    });
    const body = await firstValueFrom(client().futures.cancelOrder({ cliOrdId: 'my-order-1' }));
    expect(body.cancelStatus.status).toBe('notFound');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].body).toBe('cliOrdId=my-order-1');
  });

  it('turns a missing field into a KrakenDecodeError naming it', async () => {
    server.route('GET', '/derivatives/api/v3/openpositions', { body: { result: 'success' } });
    const err = await firstValueFrom(client().futures.openPositions()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenDecodeError);
    expect((err as KrakenDecodeError).paths).toEqual(['openPositions']);
  });

  it('turns truncated JSON into a KrakenDecodeError', async () => {
    server.route('GET', '/derivatives/api/v3/tickers', { body: '{"result":"success","tickers":[{"symbol":"PI_' });
    await expect(firstValueFrom(client().futures.tickers())).rejects.toBeInstanceOf(KrakenDecodeError);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a read after an HTML 502 page, and gives a retryable KrakenApiError 502 once the retries are spent', async () => {
    server.once('GET', '/derivatives/api/v3/fills', html502).route('GET', '/derivatives/api/v3/fills', {
      body: fixture('futures', '8.9-fills-lastfilltime-iso-cost-1'),
    });
    const body = await firstValueFrom(client().futures.fills());
    expect(body.fills.map((f) => f.fill_id)).toHaveLength(2);
    expect(server.requestsTo('/derivatives/api/v3/fills')).toHaveLength(2);
    const [first, second] = server.requestsTo('/derivatives/api/v3/fills');
    expect(BigInt(String(second.headers.nonce)) > BigInt(String(first.headers.nonce))).toBe(true);
    expect(futuresSignatureValid(second)).toBe(true);

    server.reset();
    server.route('GET', '/derivatives/api/v3/openpositions', html502);
    const err = await firstValueFrom(client({ maxRetries: 2 }).futures.openPositions()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenApiError);
    expect((err as KrakenApiError).httpStatus).toBe(502);
    expect((err as KrakenApiError).retryable).toBe(true);
    expect((err as KrakenApiError).cause).toBeInstanceOf(KrakenDecodeError); // the HTML, as an excerpt
    expect(((err as KrakenApiError).cause as KrakenDecodeError).input).toContain('502 Bad Gateway');
    expect(server.requests).toHaveLength(3);
  });

  it('keeps an unknown field and an unknown enum value (fillType) instead of failing', async () => {
    const body = JSON.parse(fixture('futures', '8.9-fills-lastfilltime-iso-cost-1')) as {
      fills: Record<string, unknown>[];
    };
    Object.assign(body.fills[0], { fillType: 'rebalance', brandNewField: { nested: [1] } });
    server.route('GET', '/derivatives/api/v3/fills', { body });
    const answer = await firstValueFrom(client().futures.fills());
    expect(answer.fills[0].fillType).toBe('rebalance');
    expect(answer.fills[0].price.toFixed()).toBe('9400');
  });

  it("retries Kraken's apiLimitExceeded with a 429 and honours rate-limit-reset before the retry", async () => {
    server
      .once('GET', '/derivatives/api/v3/openorders', {
        status: 429,
        headers: { 'rate-limit-reset': '0.05' },
        body: { result: 'error', error: 'apiLimitExceeded' },
      })
      .route('GET', '/derivatives/api/v3/openorders', { body: fixture('futures', '8.8-openorders-cost-2-1') });
    const started = Date.now();
    const body = await firstValueFrom(client().futures.openOrders());
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(body.result).toBe('success');
    expect(server.requests).toHaveLength(2);
  });

  it('gives a final KrakenApiError with the status for a 404 {"status":"NOT_FOUND"}', async () => {
    server.route('GET', '/derivatives/api/v3/tickers', { status: 404, body: { status: 'NOT_FOUND' } });
    const err = await firstValueFrom(client().futures.tickers()).catch((e: unknown) => e);
    expect((err as KrakenApiError).httpStatus).toBe(404);
    expect((err as KrakenApiError).reason).toBe('NOT_FOUND');
    expect((err as KrakenApiError).retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });
});
