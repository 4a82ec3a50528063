import { filter, firstValueFrom, take, toArray, type Observable } from 'rxjs';
import type WebSocket from 'ws';
import type { WebSocketServer } from 'ws';
import { KrakenDecodeError, KrakenSubscriptionError } from '../../src/errors';
import {
  futuresChallengeAuthentication,
  futuresWsKey,
  futuresWsProtocol,
  type FuturesWsSubscription,
} from '../../src/kraken/futures/wsProtocol';
import {
  matchSpotWsResponse,
  spotTokenAuthentication,
  spotWsKey,
  spotWsProtocol,
  spotWsRequest,
  type SpotWsSubscription,
} from '../../src/kraken/spot/wsProtocol';
import type { BackoffOptions } from '../../src/operators/retryBackoff';
import { WsSession, type WsConnectionEvent } from '../../src/transport/wsSession';
import { closeWsServer, startConnectProxy, startWsServer } from './servers';

type Json = Record<string, unknown>;

/** A loopback server speaking enough Kraken Spot v2 to exercise the session; it records every request. */
class SpotServer {
  readonly received: Json[][] = []; // per connection
  readonly sockets: WebSocket[] = [];
  refuse = new Map<string, string>(); // symbol -> Kraken's reason
  answerPings = true;
  private constructor(
    readonly wss: WebSocketServer,
    readonly url: string,
  ) {
    wss.on('connection', (socket) => {
      const log: Json[] = [];
      this.received.push(log);
      this.sockets.push(socket);
      socket.send(JSON.stringify({ channel: 'status', type: 'update', data: [{ system: 'online' }] }));
      socket.on('message', (data) => {
        const request = JSON.parse(String(data)) as Json;
        log.push(request);
        const params = (request.params ?? {}) as Json;
        const symbol = (params.symbol as string[] | undefined)?.[0];
        if (request.method === 'ping' && this.answerPings) {
          socket.send(JSON.stringify({ method: 'pong', req_id: request.req_id }));
        } else if (request.method === 'subscribe' || request.method === 'unsubscribe') {
          const reason = symbol !== undefined ? this.refuse.get(symbol) : undefined;
          socket.send(
            JSON.stringify(
              reason
                ? { method: request.method, req_id: request.req_id, success: false, error: reason, symbol }
                : {
                    method: request.method,
                    req_id: request.req_id,
                    success: true,
                    result: { channel: params.channel, symbol },
                  },
            ),
          );
        } else if (request.method === 'add_order') {
          socket.send(
            JSON.stringify({ method: 'add_order', req_id: request.req_id, success: true, result: { order_id: 'O-1' } }),
          );
        }
      });
    });
  }

  static async start(): Promise<SpotServer> {
    const { wss, url } = await startWsServer();
    return new SpotServer(wss, `${url}/v2`);
  }

  get current(): WebSocket {
    return this.sockets[this.sockets.length - 1];
  }

  push(frame: unknown): void {
    this.current.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  requests(method: string): Json[] {
    return this.received.flat().filter((request) => request.method === method);
  }

  close(): Promise<void> {
    return closeWsServer(this.wss);
  }
}

const backoff: BackoffOptions = { initialDelayMs: 20, maxDelayMs: 100, jitter: 0 };
const BTC_TRADES: SpotWsSubscription = { channel: 'trade', symbol: 'BTC/USD' };
const trade = (price: number) => ({ channel: 'trade', type: 'update', data: [{ symbol: 'BTC/USD', price }] });

/** Resolves with the first value that passes `predicate` (the test's only way to wait on real I/O). */
const first = <T>(source: Observable<T>, predicate: (value: T) => boolean = () => true) =>
  firstValueFrom(source.pipe(filter(predicate)));

/** Resolves once the server has seen a request matching `predicate`. */
async function serverSees(server: SpotServer | FuturesServer, predicate: (request: Json) => boolean): Promise<void> {
  while (!server.received.flat().some(predicate)) await new Promise((resolve) => setImmediate(resolve));
}

describe('WsSession against a loopback Kraken Spot v2 server', () => {
  let server: SpotServer;
  let session: WsSession<SpotWsSubscription, unknown>;
  let states: WsConnectionEvent[];

  const open = (options: Partial<ConstructorParameters<typeof WsSession<SpotWsSubscription, unknown>>[0]> = {}) => {
    session = new WsSession({ url: server.url, protocol: spotWsProtocol, heartbeatSecs: 0.2, backoff, ...options });
    states = [];
    session.connectionState$.subscribe((event) => states.push(event));
    return session;
  };

  beforeEach(async () => {
    server = await SpotServer.start();
  });

  afterEach(async () => {
    await session?.close();
    await server.close();
  });

  it('connects, subscribes once, delivers the routed data, and pings when idle', async () => {
    open();
    const held = session.messages$.subscribe(); // holds the connection through the silence below
    const frames = session.subscribe(spotWsKey(BTC_TRADES), BTC_TRADES);
    const firstTwo = firstValueFrom(frames.pipe(take(2), toArray()));
    await serverSees(server, (r) => r.method === 'subscribe');
    server.push({ channel: 'trade', type: 'update', data: [{ symbol: 'ETH/USD', price: 9 }] }); // not ours
    server.push(trade(1));
    server.push(trade(2));
    await expect(firstTwo).resolves.toEqual([trade(1), trade(2)]);
    expect(server.requests('subscribe')).toEqual([
      { method: 'subscribe', params: { channel: 'trade', symbol: ['BTC/USD'] }, req_id: 1 },
    ]);
    // Silence: pings at half the heartbeat (100 ms) keep the connection alive; answered by pongs.
    await serverSees(server, (r) => r.method === 'ping');
    await serverSees(server, (r) => r.method === 'ping' && r.req_id !== server.requests('ping')[0].req_id);
    held.unsubscribe();
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connected', 'closed']);
    expect(server.sockets).toHaveLength(1);
  });

  it('declares the connection dead when even pings go unanswered, then reconnects and resubscribes', async () => {
    server.answerPings = false;
    open();
    const received: unknown[] = [];
    session.subscribe('btc', BTC_TRADES).subscribe((frame) => received.push(frame));
    const reconnected = first(session.connectionState$, (s) => s.state === 'reconnected');
    const reconnecting = first(session.connectionState$, (s) => s.state === 'reconnecting');
    await expect(reconnecting).resolves.toMatchObject({ attempt: 1, reason: expect.stringMatching(/no message for/) });
    await reconnected;
    await serverSees(server, () => server.received.length === 2 && server.received[1].length > 0);
    expect(server.received.map((log) => log.filter((r) => r.method === 'subscribe').length)).toEqual([1, 1]);
  });

  it('reconnects after a server drop with backoff, replays every subscription and reports the gap', async () => {
    open();
    const eth: SpotWsSubscription = { channel: 'book', symbol: 'ETH/USD', params: { depth: 10 } };
    const btcFrames: unknown[] = [];
    session.subscribe(spotWsKey(BTC_TRADES), BTC_TRADES).subscribe((f) => btcFrames.push(f));
    session.subscribe(spotWsKey(eth), eth).subscribe();
    await serverSees(server, (r) => r.method === 'subscribe' && (r.params as Json).channel === 'book');
    const gap = first(session.connectionState$, (s) => s.state === 'gap');
    server.current.terminate();
    await expect(gap).resolves.toEqual({
      state: 'gap',
      url: server.url,
      keys: ['trade:BTC/USD', 'book:ETH/USD?depth=10'],
      reason: expect.stringMatching(/^reconnected/),
    });
    await serverSees(server, () => (server.received[1] ?? []).length === 2);
    const replayed = server.received[1].map((r) => r.params);
    expect(replayed).toEqual([
      { channel: 'trade', symbol: ['BTC/USD'] },
      { channel: 'book', symbol: ['ETH/USD'], depth: 10 },
    ]);
    const next = first(session.subscribe(spotWsKey(BTC_TRADES), BTC_TRADES));
    server.push(trade(3));
    await expect(next).resolves.toEqual(trade(3));
    expect(states.map(({ state, attempt, delayMs }) => ({ state, attempt, delayMs }))).toEqual([
      { state: 'connecting', attempt: 1, delayMs: undefined },
      { state: 'connected', attempt: 1, delayMs: undefined },
      { state: 'reconnecting', attempt: 1, delayMs: 20 },
      { state: 'reconnected', attempt: 1, delayMs: undefined },
      { state: 'gap', attempt: undefined, delayMs: undefined },
    ]);
    expect(states[2].reason).toMatch(/lost \(code 1006/);
  });

  it('shares one Kraken subscription between subscribers of a key: one subscribe, one unsubscribe', async () => {
    open();
    const key = spotWsKey(BTC_TRADES);
    const a: unknown[] = [];
    const b: unknown[] = [];
    const held = session.messages$.subscribe(); // keeps the socket open after the last subscriber leaves
    const subA = session.subscribe(key, BTC_TRADES).subscribe((f) => a.push(f));
    const subB = session.subscribe(key, BTC_TRADES).subscribe((f) => b.push(f));
    await serverSees(server, (r) => r.method === 'subscribe');
    const both = first(session.messages$, (m) => (m as Json).channel === 'trade');
    server.push(trade(5));
    await both;
    subA.unsubscribe();
    server.push(trade(6));
    await first(session.messages$, (m) => (m as Json).channel === 'trade');
    subB.unsubscribe();
    await serverSees(server, (r) => r.method === 'unsubscribe');
    held.unsubscribe();
    expect(a).toEqual([trade(5)]);
    expect(b).toEqual([trade(5), trade(6)]);
    expect(server.requests('subscribe')).toHaveLength(1);
    expect(server.requests('unsubscribe')).toEqual([
      { method: 'unsubscribe', params: { channel: 'trade', symbol: ['BTC/USD'] }, req_id: expect.any(Number) },
    ]);
  });

  it("errors a refused subscription with KrakenSubscriptionError carrying Kraken's reason", async () => {
    server.refuse.set('XXX/USD', 'Currency pair not supported XXX/USD');
    open();
    const error = await new Promise<unknown>((resolve) =>
      session.subscribe('bad', { channel: 'ticker', symbol: 'XXX/USD' }).subscribe({ error: resolve }),
    );
    expect(error).toBeInstanceOf(KrakenSubscriptionError);
    expect(error).toMatchObject({
      channel: 'ticker',
      symbol: 'XXX/USD',
      reason: 'Currency pair not supported XXX/USD',
    });
  });

  it('reports a malformed frame on errors$ and keeps the stream going', async () => {
    open();
    const errors: Error[] = [];
    session.errors$.subscribe((err) => errors.push(err));
    const frames = session.subscribe('btc', BTC_TRADES);
    const next = first(frames);
    await serverSees(server, (r) => r.method === 'subscribe');
    server.push('{"channel":"trade","data":[{');
    server.push(trade(7));
    await expect(next).resolves.toEqual(trade(7));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(KrakenDecodeError);
    expect(errors[0]).toMatchObject({ input: '{"channel":"trade","data":[{' });
    expect(server.sockets).toHaveLength(1);
  });

  it('authenticates with a fresh token per connection and correlates requests by req_id', async () => {
    let tokens = 0;
    open({ authenticate: spotTokenAuthentication(() => Promise.resolve(`token-${++tokens}`)) });
    const executions: SpotWsSubscription = { channel: 'executions', params: { snap_orders: true } };
    session.subscribe(spotWsKey(executions), executions).subscribe();
    const response = await firstValueFrom(
      session.request(spotWsRequest('add_order', { order_type: 'limit' }), matchSpotWsResponse('add_order')),
    );
    expect(response).toMatchObject({ method: 'add_order', success: true, result: { order_id: 'O-1' } });
    expect(server.requests('add_order')).toEqual([
      { method: 'add_order', params: { order_type: 'limit', token: 'token-1' }, req_id: response.req_id },
    ]);
    server.current.terminate();
    await serverSees(server, (r) => r.method === 'subscribe' && (r.params as Json).token === 'token-2');
    expect(server.requests('subscribe').map((r) => r.params)).toEqual([
      { channel: 'executions', snap_orders: true, token: 'token-1' },
      { channel: 'executions', snap_orders: true, token: 'token-2' },
    ]);
  });

  it('connects through the wsProxyUrl CONNECT tunnel', async () => {
    const proxy = await startConnectProxy();
    try {
      open({ proxyUrl: proxy.url });
      const next = first(session.subscribe('btc', BTC_TRADES));
      await serverSees(server, (r) => r.method === 'subscribe');
      server.push(trade(8));
      await expect(next).resolves.toEqual(trade(8));
      expect(proxy.targets).toEqual([server.url.replace('ws://', '').replace('/v2', '')]);
    } finally {
      await session.close();
      await proxy.close();
    }
  });

  it('close() unsubscribes, closes the socket with 1000, completes every stream and leaves no handle', async () => {
    open();
    const completed: string[] = [];
    session.subscribe('btc', BTC_TRADES).subscribe({ complete: () => completed.push('data') });
    session.connectionState$.subscribe({ complete: () => completed.push('states') });
    await serverSees(server, (r) => r.method === 'subscribe');
    const serverClose = new Promise<number>((resolve) => server.current.once('close', resolve));
    await session.close();
    await expect(serverClose).resolves.toBe(1000);
    expect(completed).toEqual(['data', 'states']);
    expect(server.requests('unsubscribe')).toHaveLength(1);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connected', 'closed']);
  });
});

/** A loopback server speaking enough Kraken Futures ws/v1: challenge, serial subscribes, protocol pongs. */
class FuturesServer {
  readonly received: Json[][] = [];
  readonly sockets: WebSocket[] = [];
  pings = 0;
  private constructor(
    readonly wss: WebSocketServer,
    readonly url: string,
  ) {
    wss.on('connection', (socket) => {
      const log: Json[] = [];
      this.received.push(log);
      this.sockets.push(socket);
      socket.on('ping', () => this.pings++); // ws answers with a pong by itself
      socket.send(JSON.stringify({ event: 'info', version: 1 }));
      socket.on('message', (data) => {
        const request = JSON.parse(String(data)) as Json;
        log.push(request);
        const products = request.product_ids as string[] | undefined;
        if (request.event === 'challenge') {
          socket.send(JSON.stringify({ event: 'challenge', message: `challenge-${this.sockets.length}` }));
        } else if (request.event === 'subscribe' && products?.includes('PI_BAD')) {
          socket.send(JSON.stringify({ event: 'error', message: 'Invalid product id' }));
        } else if (request.event === 'subscribe' || request.event === 'unsubscribe') {
          const { event, feed, product_ids, api_key, original_challenge, signed_challenge } = request;
          socket.send(
            JSON.stringify({
              event: event === 'subscribe' ? 'subscribed' : 'unsubscribed',
              feed,
              ...(product_ids ? { product_ids } : { api_key, original_challenge, signed_challenge }),
            }),
          );
        }
      });
    });
  }

  static async start(): Promise<FuturesServer> {
    const { wss, url } = await startWsServer();
    return new FuturesServer(wss, `${url}/ws/v1`);
  }

  close(): Promise<void> {
    return closeWsServer(this.wss);
  }
}

describe('WsSession against a loopback Kraken Futures ws/v1 server', () => {
  let server: FuturesServer;
  let session: WsSession<FuturesWsSubscription, unknown>;

  beforeEach(async () => {
    server = await FuturesServer.start();
  });

  afterEach(async () => {
    await session?.close();
    await server.close();
  });

  it('signs the challenge, sends private subscriptions with it, and keeps alive with protocol pings', async () => {
    session = new WsSession({
      url: server.url,
      protocol: futuresWsProtocol,
      heartbeatSecs: 0.2,
      backoff,
      authenticate: futuresChallengeAuthentication('PUBLIC-KEY', (challenge) => `signed(${challenge})`),
    });
    const states: string[] = [];
    session.connectionState$.subscribe((s) => states.push(s.state));
    const openOrders: FuturesWsSubscription = { feed: 'open_orders' };
    const book: FuturesWsSubscription = { feed: 'book', productId: 'PF_XBTUSD' };
    session.subscribe(futuresWsKey(openOrders), openOrders).subscribe();
    const bookFrames = session.subscribe(futuresWsKey(book), book);
    const snapshot = first(bookFrames);
    await serverSees(server, (r) => r.feed === 'book');
    server.sockets[0].send(
      JSON.stringify({ feed: 'book_snapshot', product_id: 'PF_XBTUSD', seq: 1, bids: [], asks: [] }),
    );
    await expect(snapshot).resolves.toMatchObject({ feed: 'book_snapshot', seq: 1 });
    expect(server.received[0]).toEqual([
      { event: 'challenge', api_key: 'PUBLIC-KEY' },
      {
        event: 'subscribe',
        feed: 'open_orders',
        api_key: 'PUBLIC-KEY',
        original_challenge: 'challenge-1',
        signed_challenge: 'signed(challenge-1)',
      },
      { event: 'subscribe', feed: 'book', product_ids: ['PF_XBTUSD'] },
    ]);
    const held = session.subscribe('held', book).subscribe();
    while (server.pings < 2) await new Promise((resolve) => setImmediate(resolve));
    held.unsubscribe();
    expect(states).toEqual(['connecting', 'connected']);
  });

  it('blames an uncorrelated refusal on the one subscribe in flight and sends the next only after it', async () => {
    session = new WsSession({ url: server.url, protocol: futuresWsProtocol, heartbeatSecs: 1, backoff });
    const bad: FuturesWsSubscription = { feed: 'ticker', productId: 'PI_BAD' };
    const good: FuturesWsSubscription = { feed: 'ticker', productId: 'PI_XBTUSD' };
    const refused = new Promise<unknown>((resolve) =>
      session.subscribe(futuresWsKey(bad), bad).subscribe({ error: resolve }),
    );
    const goodErrors: unknown[] = [];
    session.subscribe(futuresWsKey(good), good).subscribe({ error: (err: unknown) => goodErrors.push(err) });
    await expect(refused).resolves.toMatchObject({ channel: 'ticker', symbol: 'PI_BAD', reason: 'Invalid product id' });
    await serverSees(server, (r) => (r.product_ids as string[] | undefined)?.[0] === 'PI_XBTUSD');
    expect(server.received[0].map((r) => r.product_ids)).toEqual([['PI_BAD'], ['PI_XBTUSD']]);
    expect(goodErrors).toEqual([]);
  });
});
