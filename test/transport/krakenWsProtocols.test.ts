import { firstValueFrom, of, throwError } from 'rxjs';
import { KrakenApiError } from '../../src/errors';
import {
  classifyFuturesWsMessage,
  futuresChallengeAuthentication,
  futuresWsKey,
  futuresWsProtocol,
} from '../../src/kraken/futures/wsProtocol';
import {
  classifySpotWsMessage,
  matchSpotWsResponse,
  spotWsKey,
  spotWsProtocol,
  spotWsRequest,
  spotWsRoute,
} from '../../src/kraken/spot/wsProtocol';
import type { WsAuthContext } from '../../src/transport/wsSession';

describe('spotWsProtocol (Kraken Spot WebSocket v2)', () => {
  it('builds the subscribe frame of spot-wire.md §5.3, with the token when authenticated', () => {
    expect(
      spotWsProtocol.subscribeFrame({ channel: 'ticker', symbol: 'BTC/USD' }, { reqId: 42, auth: undefined }),
    ).toEqual({ method: 'subscribe', params: { channel: 'ticker', symbol: ['BTC/USD'] }, req_id: 42 });
    expect(
      spotWsProtocol.subscribeFrame(
        { channel: 'executions', params: { snap_orders: true, snap_trades: true } },
        { reqId: 10, auth: { token: 'G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY' } },
      ),
    ).toEqual({
      method: 'subscribe',
      params: {
        channel: 'executions',
        token: 'G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY',
        snap_orders: true,
        snap_trades: true,
      },
      req_id: 10,
    });
  });

  it('echoes depth, interval and event_trigger on unsubscribe, but not snapshot', () => {
    const book = { channel: 'book', symbol: 'BTC/USD', params: { depth: 25, snapshot: true } };
    expect(spotWsProtocol.unsubscribeFrame(book, { reqId: 2, auth: undefined })).toEqual({
      method: 'unsubscribe',
      params: { channel: 'book', symbol: ['BTC/USD'], depth: 25 },
      req_id: 2,
    });
  });

  it('routes by channel and symbol, with the interval for ohlc; keys keep every parameter apart', () => {
    expect(spotWsRoute({ channel: 'book', symbol: 'BTC/USD', params: { depth: 10 } })).toBe('book:BTC/USD');
    expect(spotWsRoute({ channel: 'ohlc', symbol: 'MATIC/USD', params: { interval: 5 } })).toBe('ohlc:MATIC/USD:5');
    expect(spotWsRoute({ channel: 'executions' })).toBe('executions');
    expect(spotWsKey({ channel: 'book', symbol: 'BTC/USD', params: { snapshot: true, depth: 10 } })).toBe(
      'book:BTC/USD?depth=10&snapshot=true',
    );
    expect(spotWsKey({ channel: 'ohlc', symbol: 'MATIC/USD', params: { interval: 5 } })).toBe('ohlc:MATIC/USD:5');
  });

  it('reads the acknowledgement and refusal fixtures of spot-wire.md §5.4', () => {
    expect(
      classifySpotWsMessage({
        method: 'subscribe',
        req_id: 42,
        success: true,
        result: { channel: 'ticker', snapshot: true, symbol: 'BTC/USD', event_trigger: 'trades' },
        time_in: '2023-09-25T09:04:31.742599Z',
        time_out: '2023-09-25T09:04:31.742648Z',
      }),
    ).toEqual({ kind: 'subscribed', reqId: 42, routes: ['ticker:BTC/USD'] });
    expect(
      classifySpotWsMessage({
        error: 'Currency pair not supported xxx/USD',
        method: 'subscribe',
        req_id: 69,
        success: false,
        symbol: 'xxx/USD',
        time_in: '2025-04-27T15:37:48.652299Z',
        time_out: '2025-04-27T15:37:48.652337Z',
      }),
    ).toEqual({ kind: 'refused', reqId: 69, reason: 'Currency pair not supported xxx/USD' });
  });

  it('correlates the executions acknowledgement, which carries no req_id, by its channel (§8.1)', () => {
    expect(
      classifySpotWsMessage({
        method: 'subscribe',
        result: { channel: 'executions', maxratecount: 125, snap_orders: true, snap_trades: true },
        success: true,
        time_in: '2023-10-16T13:18:35.303171Z',
        time_out: '2023-10-16T13:18:35.318297Z',
      }),
    ).toEqual({ kind: 'subscribed', routes: ['executions'] });
  });

  it('treats pong, heartbeat and status as control, and other responses as control', () => {
    expect(classifySpotWsMessage({ method: 'pong', req_id: 101 })).toEqual({ kind: 'control' });
    expect(classifySpotWsMessage({ channel: 'heartbeat' })).toEqual({ kind: 'control' });
    expect(
      classifySpotWsMessage({ channel: 'status', type: 'update', data: [{ api_version: 'v2', system: 'online' }] }),
    ).toEqual({ kind: 'control' });
    expect(classifySpotWsMessage({ method: 'add_order', req_id: 99, success: false })).toEqual({ kind: 'control' });
    expect(classifySpotWsMessage('not an object')).toEqual({ kind: 'control' });
  });

  it('routes the ohlc update fixture of §7.4 to its symbol and interval', () => {
    const frame = {
      channel: 'ohlc',
      type: 'update',
      timestamp: '2023-10-04T16:26:30.524394914Z',
      data: [{ symbol: 'MATIC/USD', open: 0.5624, interval_begin: '2023-10-04T16:25:00.000000000Z', interval: 5 }],
    };
    expect(classifySpotWsMessage(frame)).toEqual({
      kind: 'data',
      deliveries: [{ route: 'ohlc:MATIC/USD:5', message: frame }],
    });
  });

  it('splits a data frame that carries several symbols into one delivery per symbol', () => {
    const frame = {
      channel: 'ticker',
      type: 'snapshot',
      data: [
        { symbol: 'BTC/USD', bid: 1 },
        { symbol: 'ETH/USD', bid: 2 },
        { symbol: 'BTC/USD', bid: 3 },
      ],
    };
    expect(classifySpotWsMessage(frame)).toEqual({
      kind: 'data',
      deliveries: [
        { route: 'ticker:BTC/USD', message: { ...frame, data: [frame.data[0], frame.data[2]] } },
        { route: 'ticker:ETH/USD', message: { ...frame, data: [frame.data[1]] } },
      ],
    });
  });

  it('splits an ohlc frame by interval too, and keeps entries without a symbol on the bare channel', () => {
    const candle = (symbol: string, interval: number) => ({ symbol, interval, open: 1 });
    const frame = { channel: 'ohlc', type: 'update', data: [candle('BTC/USD', 5), candle('BTC/USD', 1)] };
    expect(classifySpotWsMessage(frame)).toEqual({
      kind: 'data',
      deliveries: [
        { route: 'ohlc:BTC/USD:5', message: { ...frame, data: [frame.data[0]] } },
        { route: 'ohlc:BTC/USD:1', message: { ...frame, data: [frame.data[1]] } },
      ],
    });
    const odd = { channel: 'trade', type: 'update', data: [{ price: 1 }, 'junk'] };
    expect(classifySpotWsMessage(odd)).toEqual({ kind: 'data', deliveries: [{ route: 'trade', message: odd }] });
  });

  it('builds requests with the token and matches their response by method and req_id', () => {
    const build = spotWsRequest('cancel_order', { order_id: ['O-1'] });
    expect(build({ reqId: 7, auth: { token: 'T' } })).toEqual({
      method: 'cancel_order',
      params: { order_id: ['O-1'], token: 'T' },
      req_id: 7,
    });
    const match = matchSpotWsResponse('cancel_order');
    expect(match({ method: 'cancel_order', req_id: 6, success: true }, 7)).toBeUndefined();
    expect(match({ method: 'add_order', req_id: 7, success: true }, 7)).toBeUndefined();
    expect(match({ method: 'cancel_order', req_id: 7, error: 'EOrder:Unknown order' }, 7)).toEqual({
      method: 'cancel_order',
      req_id: 7,
      success: false,
      error: 'EOrder:Unknown order',
    });
  });

  it('pings with {"method":"ping","req_id":n} (§6.1)', () => {
    expect(spotWsProtocol.pingFrame?.(101)).toEqual({ method: 'ping', req_id: 101 });
  });
});

describe('futuresWsProtocol (Kraken Futures ws/v1)', () => {
  const auth = {
    apiKey: 'CMl2SeSn09Tz+2tWuzPiPUjaXEQRGq6qv5UaexXuQ3SnahDQU/gO3aT+',
    originalChallenge: '226aee50-88fc-4618-a42a-34f7709570b2',
    signedChallenge: 'RE0DVOc7vS6pzcEjGWd/WJRRBWb54RkyvV+AZQSRl4+rap8Rlk64diR+Z9DQILm7qxncswMmJyvP/2vgzqqh+g==',
  };

  it('builds public frames without and private frames with the challenge fields (§12.2, §12.3)', () => {
    expect(futuresWsProtocol.subscribeFrame({ feed: 'ticker', productId: 'PI_XBTUSD' }, { reqId: 1, auth })).toEqual({
      event: 'subscribe',
      feed: 'ticker',
      product_ids: ['PI_XBTUSD'],
    });
    expect(futuresWsProtocol.subscribeFrame({ feed: 'open_orders' }, { reqId: 1, auth })).toEqual({
      event: 'subscribe',
      feed: 'open_orders',
      api_key: auth.apiKey,
      original_challenge: auth.originalChallenge,
      signed_challenge: auth.signedChallenge,
    });
    expect(futuresWsProtocol.unsubscribeFrame({ feed: 'open_orders' }, { reqId: 2, auth })).toMatchObject({
      event: 'unsubscribe',
      signed_challenge: auth.signedChallenge,
    });
  });

  it('reads acknowledgements, trimming the stray space some carry', () => {
    expect(classifyFuturesWsMessage({ event: 'subscribed', feed: 'ticker', product_ids: ['PI_XBTUSD'] })).toEqual({
      kind: 'subscribed',
      routes: ['ticker:PI_XBTUSD'],
    });
    expect(classifyFuturesWsMessage({ event: 'subscribed ', feed: 'open_orders', api_key: 'k' })).toEqual({
      kind: 'subscribed',
      routes: ['open_orders'],
    });
    expect(classifyFuturesWsMessage({ event: 'subscribed_failed', feed: 'book', product_ids: ['PI_X'] })).toEqual({
      kind: 'refused',
      routes: ['book:PI_X'],
      reason: 'subscribed_failed',
    });
    expect(classifyFuturesWsMessage({ event: 'unsubscribed', feed: 'ticker', product_ids: ['PI_XBTUSD'] })).toEqual({
      kind: 'unsubscribed',
      routes: ['ticker:PI_XBTUSD'],
    });
  });

  it('reports error and alert events as uncorrelated errors, info and challenge as control', () => {
    expect(classifyFuturesWsMessage({ event: 'error', message: 'Invalid product id' })).toEqual({
      kind: 'error',
      reason: 'Invalid product id',
    });
    expect(classifyFuturesWsMessage({ event: 'alert', message: 'Bad websocket message' })).toEqual({
      kind: 'error',
      reason: 'Bad websocket message',
    });
    expect(classifyFuturesWsMessage({ event: 'info', version: 1 })).toEqual({ kind: 'control' });
    expect(classifyFuturesWsMessage({ event: 'challenge', message: 'uuid' })).toEqual({ kind: 'control' });
  });

  it('routes snapshots and updates of a feed to the same subscription', () => {
    const snapshot = { feed: 'book_snapshot', product_id: 'PF_XBTUSD', seq: 326072249, bids: [], asks: [] };
    const delta = { feed: 'book', product_id: 'PF_XBTUSD', side: 'sell', seq: 326094134, price: 34981, qty: 0 };
    const fills = { feed: 'fills_snapshot', account: 'DemoUser', fills: [] };
    const heartbeat = { feed: 'heartbeat', time: 1534262350627 };
    const route = (message: unknown) => {
      const inbound = classifyFuturesWsMessage(message);
      return inbound.kind === 'data' ? inbound.deliveries.map((d) => d.route) : inbound.kind;
    };
    expect(route(snapshot)).toEqual(['book:PF_XBTUSD']);
    expect(route(delta)).toEqual(['book:PF_XBTUSD']);
    expect(route(fills)).toEqual(['fills']);
    expect(route(heartbeat)).toEqual(['heartbeat']);
    expect(futuresWsProtocol.route({ feed: 'book', productId: 'PF_XBTUSD' })).toBe('book:PF_XBTUSD');
    expect(futuresWsProtocol.route({ feed: 'fills', productId: 'FI_XBTUSD_200925' })).toBe('fills');
    expect(futuresWsKey({ feed: 'fills', productId: 'FI_XBTUSD_200925' })).toBe('fills?product_id=FI_XBTUSD_200925');
  });

  it('subscribes serially and keeps alive with a heartbeat subscription when it cannot ping', () => {
    expect(futuresWsProtocol.serialSubscribes).toBe(true);
    expect(futuresWsProtocol.pingFrame).toBeUndefined();
    expect(futuresWsProtocol.keepaliveFrame?.()).toEqual({ event: 'subscribe', feed: 'heartbeat' });
  });

  describe('futuresChallengeAuthentication', () => {
    const context = (reply: unknown): WsAuthContext & { sent: unknown[] } => {
      const sent: unknown[] = [];
      return {
        url: 'wss://futures.test/ws/v1',
        attempt: 1,
        sent,
        send: () => true,
        request: (message, match) => {
          sent.push(message);
          try {
            const value = match(reply, 1);
            return value === undefined ? throwError(() => new Error('no match')) : of(value);
          } catch (err) {
            return throwError(() => err);
          }
        },
      };
    };

    it('requests a challenge with the API key and signs it', async () => {
      const ctx = context({ event: 'challenge', message: 'c100b894-1729-464d-ace1-52dbce11db42' });
      const authenticate = futuresChallengeAuthentication('KEY', (challenge) => `signed:${challenge}`);
      await expect(firstValueFrom(authenticate(ctx))).resolves.toEqual({
        apiKey: 'KEY',
        originalChallenge: 'c100b894-1729-464d-ace1-52dbce11db42',
        signedChallenge: 'signed:c100b894-1729-464d-ace1-52dbce11db42',
      });
      expect(ctx.sent).toEqual([{ event: 'challenge', api_key: 'KEY' }]);
    });

    it("fails with Kraken's error when the challenge is refused", async () => {
      const authenticate = futuresChallengeAuthentication('KEY', (challenge) => challenge);
      const error = await firstValueFrom(authenticate(context({ event: 'error', message: 'Json Error' }))).catch(
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(KrakenApiError);
      expect((error as KrakenApiError).reason).toBe('Json Error');
    });
  });
});
