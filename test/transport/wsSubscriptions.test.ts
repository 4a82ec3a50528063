/**
 * WsSession subscriptions and requests against a socket that answers inside `send()` (as an in-process socket or a
 * test double may), and Spot private-channel routing end to end.
 */
import { VirtualTimeScheduler } from 'rxjs';
import { KrakenApiError, KrakenSubscriptionError } from '../../src/errors';
import { futuresWsProtocol, type FuturesWsSubscription } from '../../src/kraken/futures/wsProtocol';
import {
  classifySpotWsMessage,
  matchSpotWsResponse,
  spotWsKey,
  spotWsProtocol,
  spotWsRequest,
  type SpotWsSubscription,
} from '../../src/kraken/spot/wsProtocol';
import { WsSession, type WebSocketLike, type WsSessionOptions } from '../../src/transport/wsSession';
import { spotFixture } from '../kraken/fixtures';

type Json = Record<string, unknown>;

const ACK_TIMEOUT_MS = 1_000;

/** A socket whose server answers each frame synchronously, inside `send`, with what `answer` returns. */
class SyncAnswerSocket implements WebSocketLike {
  static instances: SyncAnswerSocket[] = [];
  static answer: (frame: Json) => unknown[] = () => [];
  static scheduler: VirtualTimeScheduler;
  readyState = 0;
  readonly sent: Json[] = [];
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;

  constructor() {
    SyncAnswerSocket.instances.push(this);
    SyncAnswerSocket.scheduler.schedule(() => {
      this.readyState = 1;
      this.onopen?.({});
    }, 0);
  }

  send(data: string): void {
    const frame = JSON.parse(data) as Json;
    this.sent.push(frame);
    for (const reply of SyncAnswerSocket.answer(frame)) this.receive(reply);
  }

  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  close(): void {
    this.readyState = 3;
  }

  /** Protocol pings go unanswered here (the heartbeat is long). */
  ping(): void {}
}

function session<Req, Auth>(protocol: WsSessionOptions<Req, Auth>['protocol']) {
  const scheduler = new VirtualTimeScheduler();
  SyncAnswerSocket.scheduler = scheduler;
  const s = new WsSession<Req, Auth>({
    url: 'wss://sync.test/ws',
    protocol,
    WebSocket: SyncAnswerSocket,
    scheduler,
    heartbeatSecs: 60,
    ackTimeoutMs: ACK_TIMEOUT_MS,
    closeGraceMs: 0,
  });
  const errors: Error[] = [];
  s.errors$.subscribe((e) => errors.push(e));
  const advance = (ms: number) => {
    scheduler.maxFrames = scheduler.frame + ms;
    scheduler.flush();
  };
  return { session: s, errors, advance };
}

const BTC_TRADES: SpotWsSubscription = { channel: 'trade', symbol: 'BTC/USD' };
const tradeFrame = (price: number) => ({ channel: 'trade', type: 'update', data: [{ symbol: 'BTC/USD', price }] });

beforeEach(() => {
  SyncAnswerSocket.instances = [];
  SyncAnswerSocket.answer = () => [];
});

describe('WsSession with a socket that answers inside send()', () => {
  it('takes an acknowledgement given inside send: no ack timeout, data flows, one unsubscribe on leave', () => {
    const { session: s, errors, advance } = session(spotWsProtocol);
    SyncAnswerSocket.answer = (frame) =>
      frame.method === 'subscribe'
        ? [
            {
              method: 'subscribe',
              req_id: frame.req_id,
              success: true,
              result: { channel: 'trade', symbol: 'BTC/USD' },
            },
          ]
        : [];
    const values: unknown[] = [];
    let failure: unknown;
    const subscription = s
      .subscribe(spotWsKey(BTC_TRADES), BTC_TRADES)
      .subscribe({ next: (v) => values.push(v), error: (e: unknown) => (failure = e) });
    advance(0);
    const socket = SyncAnswerSocket.instances[0];
    expect(socket.sent.map((f) => f.method)).toEqual(['subscribe']);
    advance(ACK_TIMEOUT_MS * 3);
    expect(failure).toBeUndefined();
    socket.receive(tradeFrame(100));
    expect(values).toEqual([tradeFrame(100)]);
    subscription.unsubscribe();
    expect(socket.sent.map((f) => f.method)).toEqual(['subscribe', 'unsubscribe']);
    expect(errors).toEqual([]);
    void s.close();
  });

  it('errors with Kraken’s reason when the refusal comes inside send', () => {
    const { session: s, errors, advance } = session(spotWsProtocol);
    SyncAnswerSocket.answer = (frame) =>
      frame.method === 'subscribe'
        ? [{ method: 'subscribe', req_id: frame.req_id, success: false, error: 'Currency pair not supported BTC/USD' }]
        : [];
    let failure: unknown;
    s.subscribe(spotWsKey(BTC_TRADES), BTC_TRADES).subscribe({ error: (e: unknown) => (failure = e) });
    advance(0);
    expect(failure).toBeInstanceOf(KrakenSubscriptionError);
    expect(failure).toMatchObject({
      channel: 'trade',
      symbol: 'BTC/USD',
      reason: 'Currency pair not supported BTC/USD',
    });
    expect(errors).toEqual([]);
    void s.close();
  });

  it('blames a Futures refusal given inside send on that subscribe, then sends the queued one', () => {
    const { session: s, errors, advance } = session(futuresWsProtocol);
    SyncAnswerSocket.answer = (frame) => {
      if (frame.event !== 'subscribe') return [];
      const [product] = frame.product_ids as string[];
      return product === 'PF_NOPE'
        ? [{ event: 'error', message: 'Invalid product id' }]
        : [{ event: 'subscribed', feed: frame.feed, product_ids: [product] }];
    };
    const bad: FuturesWsSubscription = { feed: 'trade', productId: 'PF_NOPE' };
    const good: FuturesWsSubscription = { feed: 'trade', productId: 'PF_XBTUSD' };
    let badFailure: unknown;
    let goodFailure: unknown;
    s.subscribe('trade:PF_NOPE', bad).subscribe({ error: (e: unknown) => (badFailure = e) });
    s.subscribe('trade:PF_XBTUSD', good).subscribe({ error: (e: unknown) => (goodFailure = e) });
    advance(0);
    advance(ACK_TIMEOUT_MS * 3);
    expect(badFailure).toBeInstanceOf(KrakenSubscriptionError);
    expect((badFailure as KrakenSubscriptionError).reason).toBe('Invalid product id');
    expect(goodFailure).toBeUndefined();
    expect(SyncAnswerSocket.instances[0].sent.map((f) => (f.product_ids as string[])[0])).toEqual([
      'PF_NOPE',
      'PF_XBTUSD',
    ]);
    expect(errors.filter((e) => e instanceof KrakenApiError)).toEqual([]);
    void s.close();
  });

  it('matches a request’s response given inside send', () => {
    const { session: s, advance } = session(spotWsProtocol);
    SyncAnswerSocket.answer = (frame) =>
      frame.method === 'cancel_all' ? [{ method: 'cancel_all', req_id: frame.req_id, success: true }] : [];
    const responses: unknown[] = [];
    let failure: unknown;
    s.request(spotWsRequest('cancel_all'), matchSpotWsResponse('cancel_all')).subscribe({
      next: (r) => responses.push(r),
      error: (e: unknown) => (failure = e),
    });
    advance(0);
    advance(20_000);
    expect(failure).toBeUndefined();
    expect(responses).toEqual([{ method: 'cancel_all', req_id: 1, success: true }]);
    void s.close();
  });
});

describe('Spot frames that name no symbol', () => {
  const emptySnapshot = { channel: 'trade', type: 'snapshot', data: [] };
  const ETH_TRADES: SpotWsSubscription = { channel: 'trade', symbol: 'ETH/USD' };
  const ETH_TICKER: SpotWsSubscription = { channel: 'ticker', symbol: 'ETH/USD' };

  function ackingSession(snapshots: (symbol: string, channel: string) => unknown[]) {
    const harness = session(spotWsProtocol);
    SyncAnswerSocket.answer = (frame) => {
      if (frame.method !== 'subscribe') return [];
      const params = frame.params as { channel: string; symbol: string[] };
      const symbol = params.symbol[0];
      const ack = { method: 'subscribe', req_id: frame.req_id, success: true, result: { ...params, symbol } };
      return [ack, ...snapshots(symbol, params.channel)];
    };
    const seen: Record<string, unknown[]> = { btc: [], eth: [], ticker: [] };
    harness.session.subscribe(spotWsKey(ETH_TICKER), ETH_TICKER).subscribe((m) => seen.ticker.push(m));
    harness.session.subscribe(spotWsKey(BTC_TRADES), BTC_TRADES).subscribe((m) => seen.btc.push(m));
    harness.session.subscribe(spotWsKey(ETH_TRADES), ETH_TRADES).subscribe((m) => seen.eth.push(m));
    harness.advance(0);
    return { ...harness, seen, socket: SyncAnswerSocket.instances[0] };
  }

  it('delivers an empty snapshot to the subscription whose snapshot is due: acknowledged, no data yet', () => {
    const {
      session: s,
      seen,
      socket,
    } = ackingSession((symbol, channel) =>
      channel !== 'trade' ? [] : symbol === 'ETH/USD' ? [emptySnapshot] : [{ ...tradeFrame(1), type: 'snapshot' }],
    );
    expect(seen.eth).toEqual([emptySnapshot]);
    expect(seen.btc).toEqual([{ ...tradeFrame(1), type: 'snapshot' }]);
    // Nobody's snapshot is due any more (the ticker's channel is another): a stray empty frame goes nowhere.
    socket.receive(emptySnapshot);
    expect(seen.eth).toEqual([emptySnapshot]);
    expect(seen.ticker).toEqual([]);
    void s.close();
  });

  it('when acknowledgements come before their snapshots, gives empty snapshots out in acknowledgement order', () => {
    const { session: s, seen, socket } = ackingSession(() => []);
    socket.receive(emptySnapshot); // BTC/USD's (acknowledged first among the trade subscriptions)
    socket.receive({ ...tradeFrame(2), type: 'snapshot', data: [{ symbol: 'ETH/USD', price: 2 }] });
    socket.receive(emptySnapshot); // nobody's: ETH/USD had its snapshot
    expect(seen.btc).toEqual([emptySnapshot]);
    expect(seen.eth).toEqual([{ ...tradeFrame(2), type: 'snapshot', data: [{ symbol: 'ETH/USD', price: 2 }] }]);
    void s.close();
  });
});

describe('Spot private-channel routing (executions entries carry a symbol)', () => {
  const executionsUpdate = spotFixture('8.1-executions-orders-fills-replaces-3') as Json;
  const executionsTrade = spotFixture('8.1-executions-orders-fills-replaces-5') as Json;
  const balancesUpdate = spotFixture('8.2-balances-3') as Json;

  it('routes executions and balances frames to the channel, whole, whatever symbol their entries name', () => {
    expect((executionsUpdate.data as Json[])[0].symbol).toBe('BTC/USD');
    expect(classifySpotWsMessage(executionsUpdate)).toEqual({
      kind: 'data',
      deliveries: [{ route: 'executions', message: executionsUpdate }],
    });
    const mixed = {
      ...executionsTrade,
      data: [...(executionsTrade.data as Json[]), { exec_type: 'new', symbol: 'ETH/USD' }],
    };
    expect(classifySpotWsMessage(mixed)).toEqual({
      kind: 'data',
      deliveries: [{ route: 'executions', message: mixed }],
    });
    expect(classifySpotWsMessage(balancesUpdate)).toEqual({
      kind: 'data',
      deliveries: [{ route: 'balances', message: balancesUpdate }],
    });
  });

  it('delivers execution reports to the executions subscription, not to a trade subscription of the symbol', () => {
    const { session: s, advance } = session(spotWsProtocol);
    SyncAnswerSocket.answer = (frame) => {
      if (frame.method !== 'subscribe') return [];
      const params = frame.params as { channel: string; symbol?: string[] };
      return [
        {
          method: 'subscribe',
          req_id: frame.req_id,
          success: true,
          result: { channel: params.channel, ...(params.symbol ? { symbol: params.symbol[0] } : {}) },
        },
      ];
    };
    const executions: SpotWsSubscription = { channel: 'executions', params: { snap_orders: true } };
    const reports: unknown[] = [];
    const trades: unknown[] = [];
    s.subscribe(spotWsKey(executions), executions).subscribe((m) => reports.push(m));
    s.subscribe(spotWsKey(BTC_TRADES), BTC_TRADES).subscribe((m) => trades.push(m));
    advance(0);
    const socket = SyncAnswerSocket.instances[0];
    socket.receive(executionsUpdate);
    socket.receive(executionsTrade);
    socket.receive(tradeFrame(26599.9));
    expect(reports).toEqual([executionsUpdate, executionsTrade]);
    expect(trades).toEqual([tradeFrame(26599.9)]);
    void s.close();
  });
});
