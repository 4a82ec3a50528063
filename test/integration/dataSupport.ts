/**
 * KrakenDataClient against KrakenSimulator: a client wired to a simulator with a manual clock, a WebSocket that
 * records what the client sends, and helpers that wait for values (never for time).
 */
import {
  filter,
  firstValueFrom,
  ReplaySubject,
  take,
  timeout,
  toArray,
  type Observable,
  type Subscription,
} from 'rxjs';
import { crc32 } from 'node:zlib';
import type Decimal from 'decimal.js';
import WebSocket from 'ws';
import { silentLogger } from '../../src/config/logger';
import type { KrakenDataClientOptions } from '../../src/config/config';
import { KrakenDataClient, type DataConnectionEvent } from '../../src/data/KrakenDataClient';
import type { OrderBook, OrderBookDeltas } from '../../src/model/data';
import { KrakenSimulator } from '../../src/sim';

export type Json = Record<string, unknown>;

export const START = Date.UTC(2024, 0, 2, 12, 0, 0);

/** Every frame the client sent, per endpoint path (`/v2`, `/ws/v1`). */
export const sent: { path: string; frame: Json }[] = [];

/** Every frame the client received, per endpoint path. */
export const received: { path: string; frame: Json }[] = [];

/** `ws` that records the frames the client sends and receives. */
export class RecordingWebSocket extends WebSocket {
  private readonly path: string;

  constructor(url: string, options?: WebSocket.ClientOptions) {
    super(url, options);
    const path = new URL(url).pathname;
    this.path = path;
    this.on('message', (data: WebSocket.RawData) => {
      try {
        received.push({ path, frame: JSON.parse(String(data)) as Json });
      } catch {
        // a malformed frame: the client reports it
      }
    });
  }

  override send(data: unknown, ...rest: unknown[]): void {
    sent.push({ path: this.path, frame: JSON.parse(String(data)) as Json });
    (super.send as (...args: unknown[]) => void)(data, ...rest);
  }
}

export function sentTo(path: string, kind: 'subscribe' | 'unsubscribe'): Json[] {
  return sent.filter((s) => s.path === path && (s.frame.method === kind || s.frame.event === kind)).map((s) => s.frame);
}

/** Acknowledgements the client received (Spot `subscribe` responses, Futures `subscribed` events). */
export function acks(path: string): Json[] {
  return received
    .filter((r) => r.path === path && (r.frame.method === 'subscribe' || r.frame.event === 'subscribed'))
    .map((r) => r.frame);
}

/** Unsubscriptions the simulator confirmed (Spot `unsubscribe` responses, Futures `unsubscribed` events). */
export function unsubscribeAcks(path: string): Json[] {
  return received
    .filter((r) => r.path === path && (r.frame.method === 'unsubscribe' || r.frame.event === 'unsubscribed'))
    .map((r) => r.frame);
}

export interface Harness {
  readonly sim: KrakenSimulator;
  readonly client: KrakenDataClient;
  readonly errors: Error[];
  readonly states: DataConnectionEvent[];
  /** Replays every connection event (for waiting on one). */
  readonly states$: Observable<DataConnectionEvent>;
  readonly errors$: Observable<Error>;
  keep(subscription: Subscription): Subscription;
  stop(): Promise<void>;
}

export async function startHarness(
  options: { seed?: number; tradesPerMinute?: number; client?: Partial<KrakenDataClientOptions> } = {},
): Promise<Harness> {
  sent.length = 0;
  received.length = 0;
  const sim = await KrakenSimulator.start({
    seed: options.seed ?? 7,
    clock: 'manual',
    startTime: START,
    heartbeatMs: 200,
    ...(options.tradesPerMinute !== undefined ? { tradesPerMinute: options.tradesPerMinute } : {}),
  });
  const client = new KrakenDataClient({
    ...sim.config(),
    productTypes: ['SPOT', 'FUTURES'],
    WebSocket: RecordingWebSocket as never,
    retryDelayInitialMs: 20,
    retryDelayMaxMs: 40,
    wsHeartbeatSecs: 5,
    updateInstrumentsIntervalMins: null,
    logger: silentLogger,
    ...options.client,
  });
  const errors: Error[] = [];
  const states: DataConnectionEvent[] = [];
  const states$ = new ReplaySubject<DataConnectionEvent>();
  const errors$ = new ReplaySubject<Error>();
  const subscriptions: Subscription[] = [
    client.errors$.subscribe((e) => {
      errors.push(e);
      errors$.next(e);
    }),
    client.connectionState$.subscribe((s) => {
      states.push(s);
      states$.next(s);
    }),
  ];
  return {
    sim,
    client,
    errors,
    states,
    states$,
    errors$,
    keep(subscription) {
      subscriptions.push(subscription);
      return subscription;
    },
    async stop() {
      for (const s of subscriptions) s.unsubscribe();
      await client.close();
      await sim.stop();
    },
  };
}

/** The first `count` values of a stream (within `ms` of real time). */
export function firstValues<T>(source: Observable<T>, count: number, ms = 4_000): Promise<T[]> {
  return firstValueFrom(source.pipe(take(count), toArray(), timeout(ms)));
}

/** The first value that satisfies `predicate`. */
export function firstMatch<T>(source: Observable<T>, predicate: (value: T) => boolean, ms = 4_000): Promise<T> {
  return firstValueFrom(source.pipe(filter(predicate), take(1), timeout(ms)));
}

/** Collects a stream's values into an array while subscribed. */
export function collect<T>(harness: Harness, source: Observable<T>): { values: T[]; subscription: Subscription } {
  const values: T[] = [];
  const subscription = harness.keep(source.subscribe((v) => values.push(v)));
  return { values, subscription };
}

/** Waits until `condition` holds, checking on every event of `poll` (or every 5 ms). */
export async function until(condition: () => boolean, ms = 4_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A value of a stream with the frame that made it: the last one the client received before it was emitted. */
export interface Caused<T> {
  readonly value: T;
  readonly frame: Json;
}

/**
 * Collects a stream's values with their frames. The client handles a frame synchronously inside the socket's
 * `message` event, after `RecordingWebSocket` recorded it, so the frame received last is the one that caused a value.
 */
export function collectCaused<T>(harness: Harness, source: Observable<T>): { values: Caused<T>[] } {
  const values: Caused<T>[] = [];
  harness.keep(source.subscribe((value) => values.push({ value, frame: received[received.length - 1].frame })));
  return { values };
}

/** The `data[0]` of a Spot frame. */
export function entry(frame: Json): Json {
  return (frame.data as Json[])[0];
}

/**
 * Kraken's Spot book checksum of a book, computed here from its Decimals with Node's zlib CRC-32 and decimal.js
 * formatting (spot-wire.md §7.2), independently of the client's incremental checksum and formatter.
 */
export function independentChecksum(book: OrderBook, pricePrecision: number, sizePrecision: number): number {
  const token = (value: Decimal, precision: number) => value.toFixed(precision).replace('.', '').replace(/^0+/, '');
  let text = '';
  for (const level of book.asks.slice(0, 10))
    text += token(level.price, pricePrecision) + token(level.size, sizePrecision);
  for (const level of book.bids.slice(0, 10))
    text += token(level.price, pricePrecision) + token(level.size, sizePrecision);
  return crc32(text);
}

/** The same over the JSON numbers' shortest text (the wrong method: trailing zeros lost), for negative checks. */
export function literalChecksum(book: OrderBook): number {
  const token = (value: Decimal) => String(value.toNumber()).replace('.', '').replace(/^0+/, '');
  let text = '';
  for (const level of book.asks.slice(0, 10)) text += token(level.price) + token(level.size);
  for (const level of book.bids.slice(0, 10)) text += token(level.price) + token(level.size);
  return crc32(text);
}

/** A book's levels as `price:size` texts, best first, for comparisons. */
export function levels(side: readonly { price: Decimal; size: Decimal }[]): string[] {
  return side.map((l) => `${l.price.toFixed()}:${l.size.toFixed()}`);
}

/** The simulator's engine book as `price:size` texts, best first. */
export function engineLevels(harness: Harness, symbol: string, side: 'buy' | 'sell', depth: number): string[] {
  return harness.sim.engine
    .market(symbol)!
    .book.view(side, depth)
    .map((l) => `${l.price.toFixed()}:${l.qty.toFixed()}`);
}

/** Applies `OrderBookDeltas` to a plain book (price text → size), as a consumer of `bookDeltas()` would. */
export class DeltaBook {
  readonly bids = new Map<string, Decimal>();
  readonly asks = new Map<string, Decimal>();

  apply(update: OrderBookDeltas): void {
    for (const delta of update.deltas) {
      const side = delta.side === 'BID' ? this.bids : this.asks;
      if (delta.action === 'CLEAR') side.clear();
      else if (delta.action === 'DELETE') side.delete(delta.price.toFixed());
      else side.set(delta.price.toFixed(), delta.size);
    }
  }

  /** Best first, at most `depth` levels, as `price:size` texts. */
  levels(side: 'BID' | 'ASK', depth: number): string[] {
    const map = side === 'BID' ? this.bids : this.asks;
    return [...map.entries()]
      .sort(([a], [b]) => (side === 'BID' ? Number(b) - Number(a) : Number(a) - Number(b)))
      .slice(0, depth)
      .map(([price, size]) => `${price}:${size.toFixed()}`);
  }
}
