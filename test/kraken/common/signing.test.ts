import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import Decimal from 'decimal.js';
import { KrakenConfigError } from '../../../src/errors';
import {
  decodeSecret,
  encodeForm,
  encodeFuturesForm,
  encodeSpotForm,
  futuresAuthent,
  futuresBatchOrderBody,
  futuresEndpointPath,
  futuresSigner,
  futuresWsChallengeSign,
  krakenJson,
  parseForm,
  plainNumber,
  spotJsonBody,
  spotSign,
  spotSigner,
} from '../../../src/kraken/common/signing';
import {
  FUTURES_DEMO_RETIRED,
  defaultBaseUrls,
  futuresChartsAnalyticsPath,
  futuresChartsPath,
  futuresDerivativesPath,
  futuresHistoryPath,
  futuresMarketHistoryPath,
  isRetiredFuturesDemoUrl,
  joinUrl,
  spotPrivatePath,
  spotPublicPath,
} from '../../../src/kraken/common/urls';

// spot-wire.md §1.3.2
const SPOT_SECRET_A = 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==';
const SPOT_SECRET_B = 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=';

// futures-wire.md §3.3
const FUTURES_SECRET_A = 'cHl0aG9uLWtyYWtlbi1zZGsgdW5pdC10ZXN0IHNlY3JldCB2YWx1ZQ==';
const FUTURES_WS_SECRET = '7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm';
const VECTOR_G_BATCH = [
  {
    order: 'send',
    order_tag: '1',
    orderType: 'lmt',
    symbol: 'PF_XBTUSD',
    side: 'buy',
    size: 0.001,
    limitPrice: 50000,
  },
  { order: 'cancel', order_id: '022774bc-2c4a-4f26-9317-436c8d85746d' },
];
const VECTOR_G_POST_DATA =
  'json=%7B%22batchOrder%22%3A%5B%7B%22order%22%3A%22send%22%2C%22order_tag%22%3A%221%22%2C%22orderType%22%3A%22lmt%22%2C%22symbol%22%3A%22PF_XBTUSD%22%2C%22side%22%3A%22buy%22%2C%22size%22%3A0.001%2C%22limitPrice%22%3A50000%7D%2C%7B%22order%22%3A%22cancel%22%2C%22order_id%22%3A%22022774bc-2c4a-4f26-9317-436c8d85746d%22%7D%5D%7D';

describe('spotSign (API-Sign, spot-wire.md §1.3.2)', () => {
  it('reproduces vector A (Kraken published form body)', () => {
    const body = 'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25';
    expect(createHash('sha256').update(`1616492376594${body}`).digest('hex')).toBe(
      '23a1c1b34c6a11d641af0f24684896cb90f66fb991125c83dc357bdc3dc146f1',
    );
    expect(spotSign('/0/private/AddOrder', '1616492376594', body, SPOT_SECRET_A)).toBe(
      '4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==',
    );
  });

  it('reproduces vector A with a body built by encodeSpotForm', () => {
    const body = encodeSpotForm({
      nonce: '1616492376594',
      ordertype: 'limit',
      pair: 'XBTUSD',
      price: 37500,
      type: 'buy',
      volume: new Decimal('1.25'),
    });
    expect(body).toBe('nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25');
    expect(spotSigner(SPOT_SECRET_A).sign('/0/private/AddOrder', '1616492376594', body)).toBe(
      '4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==',
    );
  });

  it('reproduces vector B (Kraken Rust SDK golden vector, 19-digit nonce)', () => {
    expect(spotSign('/0/private/Balance', '1700000000000000000', 'nonce=1700000000000000000', SPOT_SECRET_B)).toBe(
      '6i7+cpXVLDDnDOekgsRcgFQhkYFyPDSSxhSVA8OrA6vjziXcy2K1DP3n7f9B/Kgni71WjBSQusZKxduRsdF20Q==',
    );
  });

  it('reproduces vector C (JSON body)', () => {
    const body =
      '{"nonce":"1616492376594","ordertype":"limit","pair":"XBTUSD","price":"37500","type":"buy","volume":"1.25"}';
    expect(spotSign('/0/private/AddOrder', '1616492376594', body, SPOT_SECRET_A)).toBe(
      'r/o+GpKxXjV/mls/r5CKLu5R+yzK5psqvQ4hXxMX1nzdxTBhV+ui82QGgPZMMitpFwCOAdPEZMmXgZxD2chJEg==',
    );
  });

  it('gives a different signature for a different secret, path, nonce or body', () => {
    const body = 'nonce=1616492376594&pair=XBTUSD';
    const reference = spotSign('/0/private/AddOrder', '1616492376594', body, SPOT_SECRET_A);
    expect(spotSign('/0/private/AddOrder', '1616492376594', body, SPOT_SECRET_B)).not.toBe(reference);
    expect(spotSign('/0/private/CancelOrder', '1616492376594', body, SPOT_SECRET_A)).not.toBe(reference);
    expect(spotSign('/0/private/AddOrder', '1616492376595', body, SPOT_SECRET_A)).not.toBe(reference);
    expect(spotSign('/0/private/AddOrder', '1616492376594', `${body}&x=1`, SPOT_SECRET_A)).not.toBe(reference);
  });

  it('rejects a nonce that is not a decimal integer', () => {
    expect(() => spotSign('/0/private/Balance', '12a', 'nonce=12a', SPOT_SECRET_B)).toThrow(KrakenConfigError);
  });
});

describe('futuresAuthent (futures-wire.md §3.3)', () => {
  it('reproduces vector A (python-kraken-sdk unit test)', () => {
    expect(
      futuresAuthent(
        '/derivatives/api/v3/sendorder',
        'orderType=lmt&symbol=PI_XBTUSD',
        '1616492376594',
        FUTURES_SECRET_A,
      ),
    ).toBe('Txi+gJVXe3EN1brXYQ46FuV6UVtEVSKhc6dYMhPb7a/HXZLGvO6m9UUg+KVKqhLxrbllOPI7qRkHYmPfJZZSGA==');
  });

  it.each([
    [
      'B',
      '/derivatives/api/v3/orderbook',
      'symbol=fi_xbtusd_180615',
      '1415957147987',
      'JHLjN8OUDYaXjHRGT0z4nUvJorORrXoL9omot4BK5ihtp6jKHPHfzX9MrpVjqAgKqGJejoO3gySwoVCMJQlx/Q==',
    ],
    [
      'C (empty body, no Nonce header)',
      '/derivatives/api/v3/openpositions',
      '',
      '',
      '97NHlfPZy2jSPglkvI5ZaYjteN2sBRIK32YTyrR8Op+S0+TKyqJvZPeUuV0CQhcW0oq7DKYxq3B/Vq0H+PJGWQ==',
    ],
    [
      'D',
      '/derivatives/api/v3/sendorder',
      'orderType=lmt&symbol=PF_XBTUSD&side=buy&size=0.001&limitPrice=50000&cliOrdId=my-order-1',
      '1700000000000',
      'IZr6xp4qk1p33wG7fOikKwsYlLMC7z6IQnujMC0xnovyA14ZgNl04Omx8P/DWX8z1jHAJl1WqFq1tKvEhZ6Beg==',
    ],
    [
      'E (GET query, URL-encoded)',
      '/derivatives/api/v3/fills',
      'lastFillTime=2024-01-15T10%3A30%3A45.123Z',
      '1700000000003',
      'xh0t1p0VaC7aHLI5+C4wO7eT0/dLVOSo3wwb87NLgrB08MB1aCGX/CX29MgdQz+qbR+zyTReBaGu4UzalhdE4w==',
    ],
    [
      'F',
      '/derivatives/api/v3/cancelorder',
      'cliOrdId=my-order-1',
      '1700000000004',
      'piXYh5lKtRir9o42INf1fSeX5xWfjXF2G3v4ymRbBFeulHQDbIjRCTj8po2AXA+VqoWJn7o4+QuAreZ2u51y0w==',
    ],
    [
      'G (batchorder json= body)',
      '/derivatives/api/v3/batchorder',
      VECTOR_G_POST_DATA,
      '1700000000005',
      'Mm4ct9qPJfCfeDE9vGwyuIDtHqUhovXIuaAlaJknqckAqYk9Wy+4rLNPMmIgWAJeacEtyQA7RlA6dxMocMS3dQ==',
    ],
    [
      'H (history path, nothing stripped)',
      '/api/history/v3/orders',
      'since=1700000000000&sort=asc',
      '1700000000002',
      'SyYqNdyDfD9isl2DO2W05wCd7bfTW6RKqLUDG6NuWTTVB6koRAG6XJBVjxq70IhH5iyZDLmhZx8MrvWmxM4HCQ==',
    ],
  ])('reproduces vector %s', (_name, path, postData, nonce, expected) => {
    expect(futuresAuthent(path, postData, nonce, FUTURES_WS_SECRET)).toBe(expected);
    expect(futuresSigner(FUTURES_WS_SECRET).authent(path, postData, nonce)).toBe(expected);
  });

  it('builds the vector D, E and H strings with encodeFuturesForm', () => {
    expect(
      encodeFuturesForm({
        orderType: 'lmt',
        symbol: 'PF_XBTUSD',
        side: 'buy',
        size: new Decimal('0.001'),
        limitPrice: 50000,
        cliOrdId: 'my-order-1',
        reduceOnly: undefined,
      }),
    ).toBe('orderType=lmt&symbol=PF_XBTUSD&side=buy&size=0.001&limitPrice=50000&cliOrdId=my-order-1');
    expect(encodeFuturesForm({ lastFillTime: '2024-01-15T10:30:45.123Z' })).toBe(
      'lastFillTime=2024-01-15T10%3A30%3A45.123Z',
    );
    expect(encodeFuturesForm({ since: 1700000000000, sort: 'asc' })).toBe('since=1700000000000&sort=asc');
  });

  it('builds the vector G body with futuresBatchOrderBody and signs it', () => {
    const body = futuresBatchOrderBody(VECTOR_G_BATCH);
    expect(body).toBe(VECTOR_G_POST_DATA);
    expect(futuresAuthent('/derivatives/api/v3/batchorder', body, '1700000000005', FUTURES_WS_SECRET)).toBe(
      'Mm4ct9qPJfCfeDE9vGwyuIDtHqUhovXIuaAlaJknqckAqYk9Wy+4rLNPMmIgWAJeacEtyQA7RlA6dxMocMS3dQ==',
    );
  });

  it('drops only a leading /derivatives, and host and query, from the signed path', () => {
    expect(futuresEndpointPath('/derivatives/api/v3/sendorder')).toBe('/api/v3/sendorder');
    expect(futuresEndpointPath('/api/history/v3/orders')).toBe('/api/history/v3/orders');
    expect(futuresEndpointPath('/derivatives/api/v3/fills?lastFillTime=x')).toBe('/api/v3/fills');
    expect(futuresEndpointPath('https://futures.kraken.com/derivatives/api/v3/accounts')).toBe('/api/v3/accounts');
    expect(futuresEndpointPath('/derivativesx/api')).toBe('/derivativesx/api');
    expect(futuresAuthent('/api/v3/orderbook', 'symbol=fi_xbtusd_180615', '1415957147987', FUTURES_WS_SECRET)).toBe(
      'JHLjN8OUDYaXjHRGT0z4nUvJorORrXoL9omot4BK5ihtp6jKHPHfzX9MrpVjqAgKqGJejoO3gySwoVCMJQlx/Q==',
    );
  });

  it('gives a different signature for a different secret', () => {
    const args = ['/derivatives/api/v3/sendorder', 'orderType=lmt&symbol=PI_XBTUSD', '1616492376594'] as const;
    expect(futuresAuthent(...args, FUTURES_WS_SECRET)).not.toBe(futuresAuthent(...args, FUTURES_SECRET_A));
  });
});

describe('futuresWsChallengeSign (futures-wire.md §12.3)', () => {
  it('reproduces the Kraken-published challenge vector', () => {
    const expected = '4JEpF3ix66GA2B+ooK128Ift4XQVtc137N9yeg4Kqsn9PI0Kpzbysl9M1IeCEdjg0zl00wkVqcsnG4bmnlMb3A==';
    expect(futuresWsChallengeSign('c100b894-1729-464d-ace1-52dbce11db42', FUTURES_WS_SECRET)).toBe(expected);
    expect(futuresSigner(FUTURES_WS_SECRET).challenge('c100b894-1729-464d-ace1-52dbce11db42')).toBe(expected);
  });

  it('gives a different signature for a different secret', () => {
    expect(futuresWsChallengeSign('c100b894-1729-464d-ace1-52dbce11db42', FUTURES_SECRET_A)).not.toBe(
      '4JEpF3ix66GA2B+ooK128Ift4XQVtc137N9yeg4Kqsn9PI0Kpzbysl9M1IeCEdjg0zl00wkVqcsnG4bmnlMb3A==',
    );
  });
});

describe('secrets', () => {
  // 87 characters (like the REST guide's example secret), truncated, bad alphabet, misplaced padding, empty.
  const invalidSecrets = [
    'rttp4AzwRfYEdQ7R7X8Z/04Y4TZPa97pqCypi3xXxAqftygftnI6H9yGV+OcUOOJeFtZkr8mVwbAndU3Kz4Q+eG',
    FUTURES_WS_SECRET.slice(0, -1), // truncated copy-paste
    'not base64 at all!',
    'abc=def=',
    '',
  ];

  it.each(invalidSecrets)('an invalid secret throws a KrakenConfigError that does not contain it (%#)', (secret) => {
    for (const call of [
      () => spotSign('/0/private/Balance', '1', 'nonce=1', secret),
      () => futuresAuthent('/derivatives/api/v3/accounts', '', '', secret),
      () => futuresWsChallengeSign('challenge', secret),
      () => spotSigner(secret),
      () => futuresSigner(secret),
    ]) {
      let thrown: unknown;
      try {
        call();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(KrakenConfigError);
      const error = thrown as KrakenConfigError;
      expect(error.option).toBe('apiSecret');
      if (secret.length > 0) {
        expect(error.message).not.toContain(secret);
        expect(error.message).not.toContain(secret.slice(0, 8));
        expect(String(error.stack)).not.toContain(secret);
        expect(JSON.stringify(error)).not.toContain(secret);
      }
    }
  });

  it('accepts a secret with surrounding whitespace from a copy-paste', () => {
    expect(futuresWsChallengeSign('c100b894-1729-464d-ace1-52dbce11db42', ` ${FUTURES_WS_SECRET}\n`)).toBe(
      '4JEpF3ix66GA2B+ooK128Ift4XQVtc137N9yeg4Kqsn9PI0Kpzbysl9M1IeCEdjg0zl00wkVqcsnG4bmnlMb3A==',
    );
  });

  it('decodes a valid secret to its bytes', () => {
    expect(decodeSecret(SPOT_SECRET_B)).toEqual(Buffer.alloc(32, 1));
    expect(decodeSecret(SPOT_SECRET_A)).toHaveLength(64);
  });

  it('signers never reveal the secret through toString, JSON or inspection', () => {
    for (const signer of [spotSigner(SPOT_SECRET_A), futuresSigner(SPOT_SECRET_A)]) {
      expect(String(signer)).not.toContain(SPOT_SECRET_A.slice(0, 8));
      expect(JSON.stringify(signer)).not.toContain(SPOT_SECRET_A.slice(0, 8));
      expect(inspect(signer, { depth: 5 })).not.toContain(SPOT_SECRET_A.slice(0, 8));
    }
  });
});

describe('encodeForm', () => {
  it('keeps insertion order and drops undefined', () => {
    expect(encodeForm({ b: '2', a: 1, c: undefined, d: true, e: false })).toBe('b=2&a=1&d=true&e=false');
  });

  it('escapes + as %2B and space as +, as URLSearchParams does', () => {
    const body = encodeForm({ cl_ord_id: 'a+b c', time: '2024-01-15T10:30:45+00:00' });
    expect(body).toBe('cl_ord_id=a%2Bb+c&time=2024-01-15T10%3A30%3A45%2B00%3A00');
    expect(parseForm(body)).toEqual({ cl_ord_id: 'a+b c', time: '2024-01-15T10:30:45+00:00' });
  });

  it('writes arrays as repeated keys (Futures) or comma lists (Spot)', () => {
    expect(encodeFuturesForm({ orderIds: ['a', 'b'], cliOrdIds: [] })).toBe('orderIds=a&orderIds=b');
    expect(encodeForm({ orderIds: ['a', 'b'] })).toBe('orderIds=a&orderIds=b');
    expect(encodeSpotForm({ pair: ['XBTUSD', 'ETHUSD'], asset: [] })).toBe('pair=XBTUSD%2CETHUSD');
    expect(parseForm('orderIds=a&orderIds=b&x=1')).toEqual({ orderIds: ['a', 'b'], x: '1' });
  });

  it('writes numbers and Decimals in plain notation, never exponent form', () => {
    expect(encodeForm({ size: 1e-7, price: new Decimal('1e-8'), big: 1e21 })).toBe(
      'size=0.0000001&price=0.00000001&big=1000000000000000000000',
    );
    expect(plainNumber(0.1 + 0.2)).toBe('0.30000000000000004');
  });

  it('rejects non-finite numbers, naming the parameter', () => {
    expect(() => encodeForm({ price: Number.NaN })).toThrow(/price/);
    expect(() => encodeForm({ price: new Decimal(Infinity) })).toThrow(KrakenConfigError);
  });
});

describe('JSON bodies', () => {
  it('spotJsonBody puts the nonce first as a bare integer and Decimals as strings', () => {
    expect(
      spotJsonBody('1700000000000000000', {
        nonce: 'ignored',
        pair: 'BTC/USD',
        validate: undefined,
        orders: [{ ordertype: 'limit', type: 'buy', volume: new Decimal('1.2'), price: new Decimal('1e-7') }],
      }),
    ).toBe(
      '{"nonce":1700000000000000000,"pair":"BTC/USD","orders":[{"ordertype":"limit","type":"buy","volume":"1.2","price":"0.0000001"}]}',
    );
    expect(spotJsonBody('5', {})).toBe('{"nonce":5}');
    expect(() => spotJsonBody('5"', {})).toThrow(KrakenConfigError);
  });

  it('krakenJson matches JSON.stringify for plain data and writes small numbers without exponent', () => {
    const data = { a: [1, 'x', null, true, undefined], b: { c: 'é"\n' }, d: undefined };
    expect(krakenJson(data)).toBe(JSON.stringify(data));
    expect(krakenJson({ size: 1e-7, price: new Decimal('0.5') }, 'number')).toBe('{"size":0.0000001,"price":0.5}');
  });

  it('futuresBatchOrderBody adds processBefore after json', () => {
    expect(futuresBatchOrderBody([{ order: 'cancel', cliOrdId: 'x' }], { processBefore: '2024-01-01T00:00:00Z' })).toBe(
      'json=%7B%22batchOrder%22%3A%5B%7B%22order%22%3A%22cancel%22%2C%22cliOrdId%22%3A%22x%22%7D%5D%7D&processBefore=2024-01-01T00%3A00%3A00Z',
    );
  });
});

// urls.ts lives next to signing: these are the paths that get signed.
describe('base URLs and request paths (urls.ts)', () => {
  it('defaults to Kraken production (DESIGN.md §3.2)', () => {
    expect(defaultBaseUrls()).toEqual({
      httpSpot: 'https://api.kraken.com',
      httpFutures: 'https://futures.kraken.com',
      wsSpot: 'wss://ws.kraken.com/v2',
      wsSpotAuth: 'wss://ws-auth.kraken.com/v2',
      wsFutures: 'wss://futures.kraken.com/ws/v1',
    });
  });

  it('demo swaps only the (retired) Futures hosts', () => {
    const demo = defaultBaseUrls('demo');
    expect(demo.httpFutures).toBe('https://demo-futures.kraken.com');
    expect(demo.wsFutures).toBe('wss://demo-futures.kraken.com/ws/v1');
    expect(demo.httpSpot).toBe('https://api.kraken.com');
    expect(isRetiredFuturesDemoUrl(demo.httpFutures)).toBe(true);
    expect(isRetiredFuturesDemoUrl(demo.wsFutures)).toBe(true);
    expect(isRetiredFuturesDemoUrl('https://futures.kraken.com')).toBe(false);
    expect(isRetiredFuturesDemoUrl('https://demo-futures.kraken.com.evil.example')).toBe(false);
    expect(FUTURES_DEMO_RETIRED).toMatch(/retired on 2026-07-14/);
    expect(() => defaultBaseUrls('testnet' as never)).toThrow(KrakenConfigError);
  });

  it('builds Spot paths', () => {
    expect(spotPublicPath('AssetPairs')).toBe('/0/public/AssetPairs');
    expect(spotPrivatePath('AddOrder')).toBe('/0/private/AddOrder');
    expect(() => spotPrivatePath('../AddOrder')).toThrow(KrakenConfigError);
    expect(() => spotPublicPath('')).toThrow(KrakenConfigError);
  });

  it('builds Futures derivatives, history and charts paths', () => {
    expect(futuresDerivativesPath('sendorder')).toBe('/derivatives/api/v3/sendorder');
    expect(futuresDerivativesPath('/orders/status')).toBe('/derivatives/api/v3/orders/status');
    expect(futuresDerivativesPath('historicalfundingrates', 'v4')).toBe('/derivatives/api/v4/historicalfundingrates');
    expect(futuresHistoryPath('orders')).toBe('/api/history/v3/orders');
    expect(futuresHistoryPath('account-log', 'v2')).toBe('/api/history/v2/account-log');
    expect(futuresMarketHistoryPath('PF_XBTUSD', 'executions')).toBe('/api/history/v3/market/PF_XBTUSD/executions');
    expect(futuresChartsPath()).toBe('/api/charts/v1/');
    expect(futuresChartsPath('trade')).toBe('/api/charts/v1/trade');
    expect(futuresChartsPath('trade', 'PF_XBTUSD', '1h')).toBe('/api/charts/v1/trade/PF_XBTUSD/1h');
    expect(futuresChartsAnalyticsPath('PF_XBTUSD', 'open-interest')).toBe(
      '/api/charts/v1/analytics/PF_XBTUSD/open-interest',
    );
    expect(() => futuresDerivativesPath('../../etc')).toThrow(KrakenConfigError);
    expect(() => futuresChartsPath('trade', 'PF/XBT')).toThrow(KrakenConfigError);
  });

  it('the built Futures paths sign as in the vectors', () => {
    expect(futuresEndpointPath(futuresDerivativesPath('sendorder'))).toBe('/api/v3/sendorder');
    expect(futuresEndpointPath(futuresHistoryPath('orders'))).toBe('/api/history/v3/orders');
  });

  it('joins an origin with or without a trailing slash', () => {
    expect(joinUrl('https://api.kraken.com/', spotPublicPath('Time'))).toBe('https://api.kraken.com/0/public/Time');
    expect(joinUrl('http://127.0.0.1:8080', 'x')).toBe('http://127.0.0.1:8080/x');
  });
});
