/**
 * An in-memory Kraken for KrakenDataClient unit tests: a WebSocket constructor whose sockets talk to a scripted
 * venue synchronously (no I/O), and a virtual-time scheduler the client runs on.
 *
 * ```ts
 * const venue = new FakeVenue();
 * const client = new KrakenDataClient({ WebSocket: venue.WebSocket, scheduler: venue.scheduler, ... });
 * client.trades('BTC/USD.KRAKEN').subscribe(...);
 * venue.advance(0);                         // the socket opens, the subscribe goes out and is acknowledged
 * venue.push('spot', { channel: 'trade', ... });
 * ```
 */
import { of, throwError, VirtualTimeScheduler, type Observable, type Subscription } from 'rxjs';
import Decimal from 'decimal.js';
import { KrakenDataClient, type DataConnectionEvent } from '../../src/data/KrakenDataClient';
import { type KrakenHttpClient } from '../../src/http/KrakenHttpClient';
import type { KrakenInstrumentProvider } from '../../src/instruments/KrakenInstrumentProvider';
import { formatFixed, spotBookChecksum } from '../../src/kraken/common/checksum';
import type { TradeTick } from '../../src/model/data';
import { InstrumentId, KrakenProductType } from '../../src/model/identifiers';
import type { CurrencyPair, Instrument } from '../../src/model/instruments';
import { silentLogger } from '../../src/config/logger';

type Json = Record<string, unknown>;
export type Endpoint = 'spot' | 'futures';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

export class FakeSocket {
  readyState = CONNECTING;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean?: boolean }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly received: Json[] = [];

  constructor(
    readonly endpoint: Endpoint,
    private readonly venue: FakeVenue,
  ) {}

  send(data: string): void {
    const message = JSON.parse(data) as Json;
    this.received.push(message);
    this.venue.handle(this, message);
  }

  close(code = 1000): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.venue.closedSockets.push(this);
    this.onclose?.({ code, reason: '', wasClean: true });
  }

  ping(): void {
    // protocol ping: answered by traffic in these tests
  }

  /** The server side drops the connection (1006). */
  drop(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.onclose?.({ code: 1006, reason: 'dropped', wasClean: false });
  }

  deliver(frame: unknown): void {
    if (this.readyState !== OPEN) return;
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** Delivers on the next turn of the virtual clock, as a real server's answer would arrive. */
  reply(frame: unknown): void {
    this.venue.scheduler.schedule(() => this.deliver(frame), 0);
  }

  open(): void {
    this.readyState = OPEN;
    this.onopen?.({});
  }
}

/** Which Kraken subscriptions the venue answers how. */
export interface VenueScript {
  /** Refuse the next subscribe whose channel/feed matches, with Kraken's reason. */
  refuse?: { channel: string; reason: string };
}

export class FakeVenue {
  readonly scheduler = new VirtualTimeScheduler();
  readonly sockets: FakeSocket[] = [];
  readonly closedSockets: FakeSocket[] = [];
  /** Every request the client sent, per endpoint, in order. */
  readonly requests: Record<Endpoint, Json[]> = { spot: [], futures: [] };
  /** Called for each acknowledged subscribe; may send snapshot frames (use `socket.reply`). */
  onSubscribe?: (endpoint: Endpoint, request: Json, socket: FakeSocket) => void;
  private refusals: { channel: string; reason: string }[] = [];

  readonly WebSocket = ((venue: FakeVenue) =>
    class {
      constructor(url: string) {
        const socket = new FakeSocket(url.includes('futures') ? 'futures' : 'spot', venue);
        venue.sockets.push(socket);
        // Opens on the next turn of the virtual clock, like a real socket after its handshake.
        venue.scheduler.schedule(() => socket.open(), 0);
        return socket;
      }
    })(this);

  refuseNext(channel: string, reason: string): void {
    this.refusals.push({ channel, reason });
  }

  /** Runs the virtual clock `ms` forward (timers due by then fire). */
  advance(ms: number): void {
    const target = this.scheduler.frame + ms;
    this.scheduler.maxFrames = target;
    this.scheduler.flush();
    this.scheduler.frame = target;
  }

  live(endpoint: Endpoint): FakeSocket | undefined {
    return [...this.sockets].reverse().find((s) => s.endpoint === endpoint && s.readyState === OPEN);
  }

  push(endpoint: Endpoint, frame: unknown): void {
    const socket = this.live(endpoint);
    if (!socket) throw new Error(`no open ${endpoint} socket`);
    socket.deliver(frame);
  }

  subscribes(endpoint: Endpoint): Json[] {
    return this.requests[endpoint].filter((r) => r.method === 'subscribe' || r.event === 'subscribe');
  }

  unsubscribes(endpoint: Endpoint): Json[] {
    return this.requests[endpoint].filter((r) => r.method === 'unsubscribe' || r.event === 'unsubscribe');
  }

  handle(socket: FakeSocket, message: Json): void {
    const endpoint = socket.endpoint;
    this.requests[endpoint].push(message);
    if (endpoint === 'spot') {
      const params = (message.params ?? {}) as Json;
      const symbol = (params.symbol as string[] | undefined)?.[0];
      if (message.method === 'ping') {
        socket.reply({ method: 'pong', req_id: message.req_id });
      } else if (message.method === 'subscribe' || message.method === 'unsubscribe') {
        const refusal = message.method === 'subscribe' ? this.takeRefusal(String(params.channel)) : undefined;
        socket.reply(
          refusal
            ? { method: message.method, req_id: message.req_id, success: false, error: refusal, symbol }
            : {
                method: message.method,
                req_id: message.req_id,
                success: true,
                result: { channel: params.channel, symbol, ...(params.depth ? { depth: params.depth } : {}) },
              },
        );
        if (message.method === 'subscribe' && !refusal) this.onSubscribe?.(endpoint, message, socket);
      }
    } else if (message.event === 'subscribe' || message.event === 'unsubscribe') {
      const refusal = message.event === 'subscribe' ? this.takeRefusal(String(message.feed)) : undefined;
      if (refusal) {
        socket.reply({ event: 'error', message: refusal });
        return;
      }
      socket.reply({
        event: message.event === 'subscribe' ? 'subscribed' : 'unsubscribed',
        feed: message.feed,
        product_ids: message.product_ids,
      });
      if (message.event === 'subscribe') this.onSubscribe?.(endpoint, message, socket);
    }
  }

  private takeRefusal(channel: string): string | undefined {
    const index = this.refusals.findIndex((r) => r.channel === channel);
    if (index < 0) return undefined;
    return this.refusals.splice(index, 1)[0].reason;
  }
}

export const BTC_USD: CurrencyPair = {
  kind: 'CurrencyPair',
  id: InstrumentId.from('BTC/USD.KRAKEN'),
  rawSymbol: 'XXBTZUSD',
  productType: KrakenProductType.SPOT,
  base: 'BTC',
  quote: 'USD',
  settlement: 'USD',
  isInverse: false,
  priceIncrement: new Decimal('0.1'),
  sizeIncrement: new Decimal('0.00000001'),
  pricePrecision: 1,
  sizePrecision: 8,
  makerFee: new Decimal('0.0025'),
  takerFee: new Decimal('0.004'),
  aliases: ['XXBTZUSD', 'XBTUSD', 'XBT/USD'],
  wsName: 'BTC/USD',
  altName: 'XBTUSD',
  tsEvent: 0,
  tsInit: 0,
};

/** What the data client asks of its HTTP client, scripted. */
export class FakeHttp {
  readonly tradeRequests: { id: string; start?: number; end?: number }[] = [];
  trades$: (id: InstrumentId, request: { start?: number; end?: number }) => Observable<TradeTick> = () =>
    throwError(() => new Error('no REST trades scripted'));
  instruments: Instrument[] = [BTC_USD];

  trades(
    id: string | InstrumentId,
    request: { start?: number | Date; end?: number | Date } = {},
  ): Observable<TradeTick> {
    const instrumentId = InstrumentId.from(id);
    const window = { start: request.start as number | undefined, end: request.end as number | undefined };
    this.tradeRequests.push({ id: instrumentId.toString(), ...window });
    return this.trades$(instrumentId, window);
  }
}

/** A provider over a fixed list of instruments, no I/O. */
export function fakeProvider(http: FakeHttp): KrakenInstrumentProvider {
  const find = (id: string | InstrumentId) => http.instruments.find((i) => i.id.equals(id));
  return {
    http: http as unknown as KrakenHttpClient,
    find,
    load: (id: string | InstrumentId) => {
      const found = find(id);
      return found ? of(found) : throwError(() => new Error(`unknown instrument ${String(id)}`));
    },
    loadAll: () => of(http.instruments),
    close: () => undefined,
  } as unknown as KrakenInstrumentProvider;
}

/** Client options for a fake venue: fast reconnects, quiet logs. */
export function fakeOptions(venue: FakeVenue) {
  return {
    productTypes: [KrakenProductType.SPOT, KrakenProductType.FUTURES],
    baseUrlWsSpot: 'ws://spot.test/v2',
    baseUrlWsFutures: 'ws://futures.test/ws/v1',
    WebSocket: venue.WebSocket as never,
    scheduler: venue.scheduler,
    retryDelayInitialMs: 100,
    retryDelayMaxMs: 100,
    logger: silentLogger,
  };
}

/** A Spot book level with the JSON numbers Kraken would send. */
export interface Level {
  price: number;
  qty: number;
}

/** Kraken's checksum of a Spot book (asks ascending, bids descending), with BTC/USD precision (1 / 8). */
export function checksumOf(asks: Level[], bids: Level[], pricePrecision = 1, sizePrecision = 8): number {
  const fmt = (levels: Level[]) =>
    levels.map((l) => ({ price: formatFixed(l.price, pricePrecision), size: formatFixed(l.qty, sizePrecision) }));
  return spotBookChecksum(fmt(asks), fmt(bids));
}

/** A REST-shaped trade tick (eager Decimals) as KrakenHttpClient.trades emits it. */
export function restTrade(id: InstrumentId, tradeId: string, price: number, tsEvent: number): TradeTick {
  return {
    instrumentId: id,
    price: new Decimal(price),
    size: new Decimal(1),
    aggressorSide: 'BUYER',
    tradeId,
    tsEvent,
    tsInit: tsEvent,
  };
}

/**
 * A KrakenDataClient on a fake venue and a scripted HTTP client, with its errors and connection events collected;
 * `track` keeps a subscription for `teardown`, which closes the client in virtual time.
 */
export function setupClient() {
  const venue = new FakeVenue();
  const http = new FakeHttp();
  const client = new KrakenDataClient(fakeOptions(venue), {
    httpClient: http as unknown as KrakenHttpClient,
    instrumentProvider: fakeProvider(http),
  });
  const errors: Error[] = [];
  const states: DataConnectionEvent[] = [];
  const subs: Subscription[] = [
    client.errors$.subscribe((e) => errors.push(e)),
    client.connectionState$.subscribe((s) => states.push(s)),
  ];
  const track = (s: Subscription) => {
    subs.push(s);
    return s;
  };
  const teardown = async () => {
    for (const s of subs) s.unsubscribe();
    const closing = client.close();
    venue.advance(5_000);
    await closing;
  };
  return { venue, http, client, errors, states, track, teardown };
}
