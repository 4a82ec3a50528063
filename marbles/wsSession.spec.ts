import { of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { KrakenConnectionError, KrakenSubscriptionError, KrakenTimeoutError } from '../src/errors';
import { futuresWsProtocol } from '../src/kraken/futures/wsProtocol';
import { spotWsKey, spotWsProtocol, type SpotWsSubscription } from '../src/kraken/spot/wsProtocol';
import { backoffDelayMs, type BackoffOptions } from '../src/operators/retryBackoff';
import { heartbeatWatchdog } from '../src/transport/heartbeatWatchdog';
import {
  WsSession,
  type WebSocketLike,
  type WsConnectionEvent,
  type WsSessionOptions,
} from '../src/transport/wsSession';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

describe('heartbeatWatchdog', () => {
  it('errors after timeoutMs of silence, counted from the last value', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -a-b-----------|');
      const subs = '        ^-------!';
      const result = source.pipe(heartbeatWatchdog({ timeoutMs: 5, scheduler: testScheduler, error: () => 'dead' }));
      expectObservable(result).toBe('-a-b----#', undefined, 'dead');
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('counts silence from subscription when the source never emits', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('-').pipe(heartbeatWatchdog({ timeoutMs: 4, scheduler: testScheduler, error: () => 'dead' }));
      expectObservable(result).toBe('----#', undefined, 'dead');
    });
  });

  it('mirrors a source that never stays silent for timeoutMs', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a---b---c---|');
      const result = source.pipe(heartbeatWatchdog({ timeoutMs: 5, scheduler: testScheduler }));
      expectObservable(result).toBe('-a---b---c---|');
    });
  });

  it('calls onIdle once per silence, idleMs after the last value', () => {
    const idleAt: number[] = [];
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('a-------b----------------|');
      const result = source.pipe(
        heartbeatWatchdog({
          timeoutMs: 12,
          idleMs: 3,
          onIdle: () => idleAt.push(testScheduler.now()),
          scheduler: testScheduler,
          error: () => 'dead',
        }),
      );
      expectObservable(result).toBe('a-------b-----------#', undefined, 'dead');
    });
    expect(idleAt).toEqual([3, 11]);
  });

  it('emits a KrakenTimeoutError by default', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('-').pipe(heartbeatWatchdog({ timeoutMs: 2, scheduler: testScheduler }));
      expectObservable(result).toBe(
        '--#',
        undefined,
        new KrakenTimeoutError('no message for 2 ms: connection presumed dead'),
      );
    });
  });
});

/** A scripted socket: the test opens it, feeds it frames and drops it; it records what the session sends. */
class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  readonly sent: unknown[] = [];
  closedWith: number | undefined;
  terminated = false;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 2;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(message: unknown): void {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }
  drop(code = 1006, wasClean = false): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '', wasClean });
  }
}

const backoff: BackoffOptions = { initialDelayMs: 100, maxDelayMs: 1_000, jitter: 0 };
const BTC_TRADES: SpotWsSubscription = { channel: 'trade', symbol: 'BTC/USD' };
const ETH_BOOK: SpotWsSubscription = { channel: 'book', symbol: 'ETH/USD', params: { depth: 10 } };

function spotSession(options?: Partial<WsSessionOptions<SpotWsSubscription, { token: string }>>) {
  const session = new WsSession({
    url: 'wss://ws.kraken.test/v2',
    protocol: spotWsProtocol,
    WebSocket: FakeSocket,
    scheduler: testScheduler,
    heartbeatSecs: 1,
    backoff,
    ackTimeoutMs: 300,
    ...options,
  });
  const states: (WsConnectionEvent & { at: number })[] = [];
  session.connectionState$.subscribe((event) => states.push({ ...event, at: testScheduler.now() }));
  return { session, states };
}

const at = (time: number, action: () => void) => testScheduler.schedule(action, time);
const socket = (index: number) => FakeSocket.instances[index];
const ack = (reqId: number, subscription: SpotWsSubscription) => ({
  method: 'subscribe',
  req_id: reqId,
  success: true,
  result: { channel: subscription.channel, symbol: subscription.symbol },
});

beforeEach(() => {
  FakeSocket.instances = [];
});

describe('WsSession in virtual time', () => {
  it('reconnects after a drop with backoff, replays subscriptions and reports connecting → gap', () => {
    const { session, states } = spotSession({ authenticate: () => of({ token: 'tok' }) });
    const received: unknown[] = [];
    testScheduler.run(() => {
      session.subscribe(spotWsKey(BTC_TRADES), BTC_TRADES).subscribe((frame) => received.push(frame));
      at(10, () => socket(0).open());
      at(20, () => socket(0).receive(ack(1, BTC_TRADES)));
      at(30, () => socket(0).receive({ channel: 'trade', type: 'update', data: [{ symbol: 'BTC/USD', price: 1 }] }));
      at(40, () => socket(0).drop(1006));
      at(150, () => socket(1).open());
      at(160, () => socket(1).receive(ack(2, BTC_TRADES)));
      at(170, () => socket(1).receive({ channel: 'trade', type: 'update', data: [{ symbol: 'BTC/USD', price: 2 }] }));
      at(200, () => void session.close());
    });
    expect(
      states.map(({ at: time, state, attempt, delayMs, keys }) => ({ time, state, attempt, delayMs, keys })),
    ).toEqual([
      { time: 0, state: 'connecting', attempt: 1, delayMs: undefined, keys: undefined },
      { time: 10, state: 'connected', attempt: 1, delayMs: undefined, keys: undefined },
      { time: 40, state: 'reconnecting', attempt: 1, delayMs: backoffDelayMs(1, backoff), keys: undefined },
      { time: 150, state: 'reconnected', attempt: 1, delayMs: undefined, keys: undefined },
      { time: 150, state: 'gap', attempt: undefined, delayMs: undefined, keys: ['trade:BTC/USD'] },
      { time: 200, state: 'closed', attempt: undefined, delayMs: undefined, keys: undefined },
    ]);
    expect(states[2].reason).toMatch(/connection to wss:\/\/ws\.kraken\.test\/v2 lost \(code 1006/);
    expect(FakeSocket.instances).toHaveLength(2);
    const subscribe = { method: 'subscribe', params: { channel: 'trade', symbol: ['BTC/USD'], token: 'tok' } };
    expect(socket(0).sent).toEqual([{ ...subscribe, req_id: 1 }]);
    expect(socket(1).sent).toEqual([
      { ...subscribe, req_id: 2 },
      { method: 'unsubscribe', params: { channel: 'trade', symbol: ['BTC/USD'], token: 'tok' }, req_id: 3 },
    ]);
    expect(received).toEqual([
      { channel: 'trade', type: 'update', data: [{ symbol: 'BTC/USD', price: 1 }] },
      { channel: 'trade', type: 'update', data: [{ symbol: 'BTC/USD', price: 2 }] },
    ]);
    expect(socket(1).closedWith).toBe(1000);
  });

  it('doubles the delay while tries keep failing and resets it after a successful connection', () => {
    const { session, states } = spotSession();
    testScheduler.run(() => {
      session.subscribe('k', BTC_TRADES).subscribe({ error: () => undefined });
      at(5, () => socket(0).drop(1006)); // fails before opening
      at(106, () => socket(1).drop(1006)); // retry 1, opened at 105
      at(307, () => socket(2).drop(1006)); // retry 2, opened at 306
      at(710, () => socket(3).open()); // retry 3, created at 707: connected
      at(720, () => socket(3).drop(1006));
      at(825, () => socket(4).open()); // created at 820: back to 100
      at(830, () => void session.close());
    });
    expect(states.filter((s) => s.state !== 'gap').map((s) => [s.at, s.state, s.attempt])).toEqual([
      [0, 'connecting', 1],
      [5, 'reconnecting', 1],
      [106, 'reconnecting', 2],
      [307, 'reconnecting', 3],
      [710, 'connected', 4],
      [720, 'reconnecting', 1],
      [825, 'reconnected', 1],
      [830, 'closed', undefined],
    ]);
  });

  it('pings after half the heartbeat of silence and reconnects when nothing at all arrives within it', () => {
    const { session, states } = spotSession();
    testScheduler.run(() => {
      session.messages$.subscribe({ error: () => undefined });
      at(0, () => socket(0).open());
      at(400, () => socket(0).receive({ channel: 'heartbeat' }));
      at(950, () => socket(0).receive({ method: 'pong', req_id: 1 })); // answer to the ping at 900
      // then silence: ping at 1450, dead at 1950, new socket 100 later
      at(2100, () => void session.close());
    });
    expect(socket(0).sent).toEqual([
      { method: 'ping', req_id: 1 },
      { method: 'ping', req_id: 2 },
    ]);
    const reconnecting = states.find((s) => s.state === 'reconnecting');
    expect(reconnecting).toMatchObject({ at: 1950, attempt: 1, delayMs: 100 });
    expect(reconnecting?.reason).toMatch(/no message for 1000 ms .*presumed dead/);
    expect(socket(0).terminated || socket(0).closedWith === 1000).toBe(true);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('treats a clean server close as the end of one socket, not of the session (repeat)', () => {
    const { session, states } = spotSession();
    testScheduler.run(() => {
      session.subscribe('k', BTC_TRADES).subscribe();
      at(0, () => socket(0).open());
      at(50, () => socket(0).drop(1000, true));
      at(151, () => socket(1).open()); // created at 150
      at(160, () => void session.close());
    });
    expect(states.map((s) => [s.at, s.state, s.reason])).toEqual([
      [0, 'connecting', undefined],
      [0, 'connected', undefined],
      [50, 'reconnecting', 'closed by the server'],
      [151, 'reconnected', undefined],
      [151, 'gap', expect.stringMatching(/^reconnected/)],
      [160, 'closed', 'closed by the client'],
    ]);
  });

  it('gives up on close code 1008 (policy violation) and errors every stream', () => {
    const { session, states } = spotSession();
    const errors: unknown[] = [];
    testScheduler.run(() => {
      session.subscribe('k', BTC_TRADES).subscribe({ error: (err: unknown) => errors.push(err) });
      at(0, () => socket(0).open());
      at(10, () => socket(0).drop(1008));
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(KrakenConnectionError);
    expect(String(errors[0])).toMatch(/refused the connection \(code 1008/);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connected', 'closed']);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('gives up after maxReconnectAttempts consecutive failures', () => {
    const { session, states } = spotSession({ maxReconnectAttempts: 2 });
    const errors: unknown[] = [];
    testScheduler.run(() => {
      session.subscribe('k', BTC_TRADES).subscribe({ error: (err: unknown) => errors.push(err) });
      at(1, () => socket(0).drop());
      at(102, () => socket(1).drop());
      at(303, () => socket(2).drop());
    });
    expect(FakeSocket.instances).toHaveLength(3);
    expect(errors).toEqual([expect.any(KrakenConnectionError)]);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'reconnecting', 'reconnecting', 'closed']);
  });

  it('errors a subscription that is not acknowledged within ackTimeoutMs and unsubscribes it', () => {
    const { session } = spotSession();
    const errors: unknown[] = [];
    testScheduler.run(() => {
      session.subscribe(spotWsKey(ETH_BOOK), ETH_BOOK).subscribe({ error: (err: unknown) => errors.push(err) });
      session.subscribe('trades', BTC_TRADES).subscribe();
      at(0, () => socket(0).open());
      at(10, () => socket(0).receive(ack(2, BTC_TRADES)));
      at(400, () => void session.close());
    });
    expect(errors).toEqual([expect.any(KrakenTimeoutError)]);
    expect(String(errors[0])).toMatch(/no answer to the subscription to book ETH\/USD within 300 ms/);
    expect(socket(0).sent).toContainEqual({
      method: 'unsubscribe',
      params: { channel: 'book', symbol: ['ETH/USD'], depth: 10 },
      req_id: 3,
    });
  });

  it('routes a refusal by req_id to the refused subscription only', () => {
    const { session } = spotSession();
    const outcome: unknown[] = [];
    testScheduler.run(() => {
      session.subscribe('eth', ETH_BOOK).subscribe({ error: (err: unknown) => outcome.push(err) });
      session.subscribe('btc', BTC_TRADES).subscribe({ next: (m) => outcome.push(m) });
      at(0, () => socket(0).open());
      at(5, () =>
        socket(0).receive({
          method: 'subscribe',
          req_id: 1,
          success: false,
          error: 'Currency pair not supported ETH/USD',
        }),
      );
      at(6, () => socket(0).receive(ack(2, BTC_TRADES)));
      at(7, () => socket(0).receive({ channel: 'trade', type: 'snapshot', data: [{ symbol: 'BTC/USD' }] }));
      at(8, () => void session.close());
    });
    expect(outcome).toEqual([
      new KrakenSubscriptionError('book', 'ETH/USD', 'Currency pair not supported ETH/USD'),
      { channel: 'trade', type: 'snapshot', data: [{ symbol: 'BTC/USD' }] },
    ]);
    expect((outcome[0] as KrakenSubscriptionError).reason).toBe('Currency pair not supported ETH/USD');
  });

  it('times out a request and fails one whose connection drops after sending (never re-sent)', () => {
    const { session } = spotSession({ requestTimeoutMs: 50 });
    const outcome: unknown[] = [];
    const record = { next: (v: unknown) => outcome.push(v), error: (e: unknown) => outcome.push(e) };
    const matchPong = (m: unknown, reqId: number) =>
      (m as { method?: string; req_id?: number }).method === 'pong' && (m as { req_id?: number }).req_id === reqId
        ? 'pong'
        : undefined;
    testScheduler.run(() => {
      session.messages$.subscribe({ error: () => undefined }); // holds the connection between requests
      session.request(({ reqId }) => ({ method: 'ping', req_id: reqId }), matchPong).subscribe(record);
      at(10, () => socket(0).open()); // sent now as req 1
      at(20, () => socket(0).receive({ method: 'pong', req_id: 1 }));
      at(30, () => session.request(({ reqId }) => ({ method: 'ping', req_id: reqId }), matchPong).subscribe(record));
      at(90, () =>
        session
          .request(
            ({ reqId }) => ({ method: 'add_order', req_id: reqId }),
            () => undefined,
          )
          .subscribe(record),
      );
      at(95, () => socket(0).drop());
      at(300, () => void session.close());
    });
    expect(outcome).toEqual([
      'pong',
      new KrakenTimeoutError('spot: no response to request 2 within 50 ms', 50),
      expect.any(KrakenConnectionError),
    ]);
    expect(String(outcome[2])).toMatch(/before the response to request 3; its outcome is unknown/);
    expect(socket(1).sent).toEqual([]);
  });

  it('closes the socket when the last consumer leaves and opens a fresh one for the next', () => {
    const { session, states } = spotSession();
    testScheduler.run(() => {
      const first = session.subscribe('k', BTC_TRADES).subscribe();
      at(0, () => socket(0).open());
      at(10, () => first.unsubscribe());
      at(20, () => session.subscribe('k', BTC_TRADES).subscribe());
      at(30, () => socket(1).open());
      at(40, () => void session.close());
    });
    expect(states.map((s) => [s.at, s.state, s.reason])).toEqual([
      [0, 'connecting', undefined],
      [0, 'connected', undefined],
      [10, 'closed', 'no subscribers left'],
      [20, 'connecting', undefined],
      [30, 'connected', undefined],
      [40, 'closed', 'closed by the client'],
    ]);
    expect(socket(0).closedWith).toBe(1000);
  });

  it('completes every stream on close() and connects no more', () => {
    const { session } = spotSession();
    const events: string[] = [];
    testScheduler.run(() => {
      session.subscribe('k', BTC_TRADES).subscribe({ complete: () => events.push('subscription complete') });
      session.connectionState$.subscribe({ complete: () => events.push('states complete') });
      at(0, () => socket(0).open());
      at(10, () => void session.close());
      at(20, () => session.subscribe('k', BTC_TRADES).subscribe({ complete: () => events.push('late complete') }));
    });
    expect(events).toEqual(['subscription complete', 'states complete', 'late complete']);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('resubscribes one key on the live socket for a fresh snapshot and reports the gap', () => {
    const { session, states } = spotSession();
    const book = { channel: 'book', symbol: 'BTC/USD', params: { depth: 10 } };
    testScheduler.run(() => {
      session.subscribe(spotWsKey(book), book).subscribe();
      at(0, () => socket(0).open());
      at(5, () => socket(0).receive(ack(1, book)));
      at(10, () => expect(session.resubscribe(spotWsKey(book), 'checksum mismatch')).toBe(true));
      at(20, () => void session.close());
    });
    expect(socket(0).sent.slice(0, 3)).toEqual([
      { method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'], depth: 10 }, req_id: 1 },
      { method: 'unsubscribe', params: { channel: 'book', symbol: ['BTC/USD'], depth: 10 }, req_id: 2 },
      { method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'], depth: 10 }, req_id: 3 },
    ]);
    expect(states.find((s) => s.state === 'gap')).toMatchObject({
      at: 10,
      keys: ['book:BTC/USD?depth=10'],
      reason: 'checksum mismatch',
    });
    expect(session.resubscribe('unknown')).toBe(false);
  });

  it('keeps a Futures socket alive with protocol pings, or with a heartbeat feed when it cannot ping', () => {
    class PingingSocket extends FakeSocket {
      pings = 0;
      ping(): void {
        this.pings += 1;
      }
    }
    const make = (WebSocket: typeof FakeSocket) =>
      new WsSession({
        url: 'wss://futures.test/ws/v1',
        protocol: futuresWsProtocol,
        WebSocket,
        scheduler: testScheduler,
        heartbeatSecs: 1,
        backoff,
      });
    const pinging = make(PingingSocket);
    const browserLike = make(FakeSocket);
    testScheduler.run(() => {
      pinging.messages$.subscribe();
      browserLike.messages$.subscribe();
      at(0, () => socket(0).open());
      at(0, () => socket(1).open());
      at(600, () => {
        void pinging.close();
        void browserLike.close();
      });
    });
    expect((socket(0) as PingingSocket).pings).toBe(1);
    expect(socket(0).sent).toEqual([]);
    expect(socket(1).sent).toEqual([{ event: 'subscribe', feed: 'heartbeat' }]);
  });

  it('gives up at once when the WebSocket constructor throws (a malformed URL)', () => {
    const { session, states } = spotSession({
      WebSocket: class {
        constructor() {
          throw new SyntaxError('Invalid URL: nope');
        }
      } as unknown as WsSessionOptions<SpotWsSubscription, { token: string }>['WebSocket'],
    });
    const errors: unknown[] = [];
    testScheduler.run(() => {
      session.subscribe('k', BTC_TRADES).subscribe({ error: (err: unknown) => errors.push(err) });
    });
    expect(String(errors[0])).toMatch(/cannot open wss:\/\/ws\.kraken\.test\/v2: Invalid URL: nope/);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'closed']);
  });
});
