/**
 * A KrakenSimulator (manual clock, static market) with a KrakenExecutionClient connected to it, recording every
 * event, error, WebSocket frame sent and HTTP request made. For the execution integration tests.
 */
import Decimal from 'decimal.js';
import { firstValueFrom, filter, type Observable, take, toArray, timeout } from 'rxjs';
import WebSocket from 'ws';
import { silentLogger } from '../../src/config/logger';
import type { FetchLike, KrakenExecClientOptions } from '../../src/config/config';
import { KrakenExecutionClient, type ExecutionEvent, isOrderEvent } from '../../src/execution';
import { KrakenRawHttpClient } from '../../src/http/KrakenRawHttpClient';
import { KrakenExecClientConfig } from '../../src/config/config';
import { TokenBucket } from '../../src/operators/tokenBucket';
import { KrakenSimulator, type KrakenSimulatorOptions } from '../../src/sim';
import type { OrderEvent } from '../../src/model/events';
import type { KrakenProductType } from '../../src/model/identifiers';

export interface Harness {
  readonly sim: KrakenSimulator;
  readonly client: KrakenExecutionClient;
  readonly events: ExecutionEvent[];
  readonly errors: Error[];
  /** WebSocket frames the client sent (parsed). */
  readonly sent: Record<string, unknown>[];
  /** HTTP requests the client made: `METHOD /path`. */
  readonly requests: string[];
  /** How many times the client has subscribed to a private feed (Spot channel or Futures feed name). */
  subscriptionsTo(feed: string): number;
  orderEvents(clientOrderId?: string): OrderEvent[];
  /** Best bid/ask of a symbol in the simulator. */
  best(symbol: string): { bid: Decimal; ask: Decimal };
  /** Lets the simulator's rate counters decay (the market stays still: no volatility, no synthetic trades). */
  relax(ms?: number): void;
  /** Resolves when `predicate` holds for a recorded event (or rejects after `ms`). */
  until(predicate: (event: ExecutionEvent) => boolean, ms?: number): Promise<ExecutionEvent>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly products?: readonly KrakenProductType[];
  readonly sim?: KrakenSimulatorOptions;
  readonly client?: Partial<KrakenExecClientOptions>;
  /** Do not call `connect()`. */
  readonly noConnect?: boolean;
}

const open = () => new TokenBucket({ capacity: 1e9, refillPerSecond: 1e9 });

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await KrakenSimulator.start({
    seed: 11,
    clock: 'manual',
    tier: 'pro',
    volatility: 0,
    tradesPerMinute: 0,
    heartbeatMs: 0,
    ...options.sim,
  });
  const sent: Record<string, unknown>[] = [];
  const requests: string[] = [];
  class RecordingWebSocket extends WebSocket {
    override send(data: unknown, ...rest: unknown[]): void {
      try {
        sent.push(JSON.parse(String(data)) as Record<string, unknown>);
      } catch {
        // not JSON
      }
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const crossFetch = (require('cross-fetch') as { fetch: FetchLike }).fetch;
  const fetch: FetchLike = (url, init) => {
    requests.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    return crossFetch(url, init);
  };
  const config = new KrakenExecClientConfig({
    ...sim.config(),
    productTypes: options.products ?? ['SPOT', 'FUTURES'],
    httpTimeoutSecs: 1,
    retryDelayInitialMs: 20,
    retryDelayMaxMs: 100,
    logger: silentLogger,
    WebSocket: RecordingWebSocket as unknown as KrakenExecClientOptions['WebSocket'],
    fetch,
    ...options.client,
  });
  const raw = new KrakenRawHttpClient(config, {
    limits: {
      spotCounter: open(),
      spotFlat: open(),
      futuresFlat: open(),
      futuresDerivatives: open(),
      futuresHistory: open(),
    },
  });
  const client = new KrakenExecutionClient(config, { httpClient: raw });
  const events: ExecutionEvent[] = [];
  const errors: Error[] = [];
  client.events$.subscribe((e) => events.push(e));
  client.errors$.subscribe((e) => errors.push(e));
  if (!options.noConnect) await client.connect();
  const harness: Harness = {
    sim,
    client,
    events,
    errors,
    sent,
    requests,
    subscriptionsTo: (feed) =>
      sent.filter(
        (f) =>
          (f.method === 'subscribe' && (f.params as { channel?: string } | undefined)?.channel === feed) ||
          (f.event === 'subscribe' && f.feed === feed),
      ).length,
    orderEvents: (id) => events.filter(isOrderEvent).filter((e) => id === undefined || e.clientOrderId === id),
    best: (symbol) => {
      const book = sim.engine.market(symbol)?.book;
      const bid = book?.best('buy')?.price;
      const ask = book?.best('sell')?.price;
      if (!bid || !ask) throw new Error(`no book for ${symbol}`);
      return { bid, ask };
    },
    relax: (ms = 60_000) => sim.clock.advance(ms),
    until: (predicate, ms = 5_000) => {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return firstValueFrom(client.events$.pipe(filter(predicate), take(1), timeout(ms)));
    },
    close: async () => {
      await client.close();
      await sim.stop();
    },
  };
  return harness;
}

/** Subscribes and collects everything until completion (with a safety timeout). */
export function collect<T>(source: Observable<T>, ms = 10_000): Promise<T[]> {
  return firstValueFrom(source.pipe(toArray(), timeout(ms)));
}

/** Event types of a list, for compact assertions. */
export function types(events: readonly OrderEvent[]): string[] {
  return events.map((e) => e.type);
}

/** Waits for real time (for the streams to deliver what the simulator already did). */
export function settle(ms = 100): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { Decimal };
