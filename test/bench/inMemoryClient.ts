/**
 * A real `KrakenDataClient` on an in-memory WebSocket: the benchmark hands it text frames synchronously, as the `ws`
 * socket would, so a measurement covers everything the client does per frame (session parse and routing, the frame
 * envelope check, the feed's decode, the operators, the shared book feed) and nothing of the network.
 */
import type { Observable, Subscription } from 'rxjs';
import type { FetchLike } from '../../src/config/config';
import { KrakenDataClient } from '../../src/data/KrakenDataClient';

/** Kraken's `AssetPairs` answer for BTC/USD (spot-wire.md §2.4): `pair_decimals` 1, `lot_decimals` 8. */
export const ASSET_PAIRS_BODY = JSON.stringify({
  error: [],
  result: {
    XXBTZUSD: {
      altname: 'XBTUSD',
      wsname: 'XBT/USD',
      aclass_base: 'currency',
      base: 'XXBT',
      aclass_quote: 'currency',
      quote: 'ZUSD',
      lot: 'unit',
      cost_decimals: 5,
      pair_decimals: 1,
      lot_decimals: 8,
      lot_multiplier: 1,
      leverage_buy: [2, 3, 4, 5],
      leverage_sell: [2, 3, 4, 5],
      fees: [
        [0, 0.26],
        [50000, 0.24],
      ],
      fees_maker: [
        [0, 0.16],
        [50000, 0.14],
      ],
      fee_volume_currency: 'ZUSD',
      margin_call: 80,
      margin_stop: 40,
      ordermin: '0.0001',
      costmin: '0.5',
      tick_size: '0.1',
      status: 'online',
    },
  },
});

/** A `fetch` that answers `AssetPairs` (the only REST call `book()` makes) and 404 otherwise. */
export const assetPairsFetch: FetchLike = (input) =>
  Promise.resolve(
    input.includes('/0/public/AssetPairs')
      ? { status: 200, ok: true, text: () => Promise.resolve(ASSET_PAIRS_BODY) }
      : { status: 404, ok: false, text: () => Promise.resolve('not found') },
  );

const OPEN = 1;
const CLOSED = 3;

/** A Kraken Spot v2 endpoint in memory: acknowledges subscribe / unsubscribe / ping; data comes from `deliver`. */
export class InMemorySocket {
  static readonly instances: InMemorySocket[] = [];
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string | Buffer; wasClean?: boolean }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** Acknowledged subscriptions, `channel:symbol`. */
  readonly subscribed = new Set<string>();
  subscribes = 0;

  constructor(readonly url: string) {
    InMemorySocket.instances.push(this);
    setImmediate(() => {
      this.readyState = OPEN;
      this.onopen?.({});
    });
  }

  send(data: string): void {
    const request = JSON.parse(data) as { method: string; req_id?: number; params?: Record<string, unknown> };
    const params = request.params ?? {};
    const symbol = Array.isArray(params.symbol) ? String(params.symbol[0]) : undefined;
    const route = `${String(params.channel)}:${symbol ?? ''}`;
    // Answer on a later turn, as a socket would (the session records the request id after `send` returns).
    setImmediate(() => {
      if (this.readyState !== OPEN) return;
      if (request.method === 'subscribe') {
        this.subscribed.add(route);
        this.subscribes++;
      } else if (request.method === 'unsubscribe') {
        this.subscribed.delete(route);
      }
      const result = request.method === 'ping' ? undefined : { channel: params.channel, symbol, depth: params.depth };
      this.deliver(
        JSON.stringify({
          method: request.method === 'ping' ? 'pong' : request.method,
          req_id: request.req_id,
          success: true,
          ...(result ? { result } : {}),
        }),
      );
    });
  }

  /** One inbound text frame, handled synchronously by the session. */
  deliver(text: string): void {
    this.onmessage?.({ data: text });
  }

  close(code = 1000): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    setImmediate(() => this.onclose?.({ code, reason: '', wasClean: true }));
  }

  terminate(): void {
    this.close(1006);
  }
}

export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await nextTurn();
  }
}

/** What a stream delivered so far. */
interface Tally<T> {
  emitted: number;
  last: T | undefined;
  errors: number;
}

/** A data client with one stream open on an in-memory socket. */
export class InMemoryClient<T> {
  private constructor(
    readonly client: KrakenDataClient,
    readonly socket: InMemorySocket,
    private readonly subscription: Subscription,
    private readonly tally: Tally<T>,
  ) {}

  /** Values the stream emitted. */
  get emitted(): number {
    return this.tally.emitted;
  }

  get last(): T | undefined {
    return this.tally.last;
  }

  /** Errors reported on the client's `errors$`. */
  get errors(): number {
    return this.tally.errors;
  }

  /**
   * Opens `stream(client)` and waits until Kraken (the in-memory socket) acknowledged the subscription `route`
   * (`book:BTC/USD`, `trade:BTC/USD`, `ohlc:BTC/USD`).
   */
  static async open<T>(stream: (client: KrakenDataClient) => Observable<T>, route: string): Promise<InMemoryClient<T>> {
    InMemorySocket.instances.length = 0;
    const client = new KrakenDataClient({
      baseUrlHttpSpot: 'http://in-memory.invalid',
      baseUrlWsSpot: 'ws://in-memory.invalid/v2',
      fetch: assetPairsFetch,
      WebSocket: InMemorySocket,
      updateInstrumentsIntervalMins: null,
    });
    const tally: Tally<T> = { emitted: 0, last: undefined, errors: 0 };
    const subscription = stream(client).subscribe({
      next: (value) => {
        tally.emitted++;
        tally.last = value;
      },
      error: (err: unknown) => {
        console.error('bench: the stream failed:', err);
        process.exitCode = 1;
      },
    });
    client.errors$.subscribe(() => tally.errors++);
    await waitFor(
      () => InMemorySocket.instances.length > 0 && InMemorySocket.instances[0].subscribed.has(route),
      `the ${route} subscription`,
    );
    const socket = InMemorySocket.instances[0];
    InMemorySocket.instances.length = 0;
    return new InMemoryClient<T>(client, socket, subscription, tally);
  }

  /** Hands every frame to the socket, synchronously. */
  push(frames: readonly string[]): void {
    const socket = this.socket;
    for (let i = 0; i < frames.length; i++) socket.deliver(frames[i]);
  }

  async close(): Promise<void> {
    this.subscription.unsubscribe();
    await this.client.close();
  }
}
