/**
 * KrakenDataClient: every Kraken market-data feed as an Observable (DESIGN.md §3.3).
 *
 * One WebSocket session per endpoint (Spot v2 public, Futures v1), opened by the first subscriber and closed after
 * the last one leaves. Each feed is decoded once and shared: subscribers of the same feed share one Kraken
 * subscription, sent when the first arrives and unsubscribed when the last leaves. The instrument decides the venue:
 * Spot `BASE/QUOTE` symbols, Futures `PI_`/`PF_`/`FI_`/`FF_` symbols.
 *
 * Nothing is lost in silence: a book whose checksum (Spot) or sequence (Futures) fails is resubscribed for a fresh
 * snapshot, and never emitted wrong; a hole in the trades (a reconnect, a skipped number) is filled from REST, or
 * reported as a `gap` on `connectionState$`; a malformed frame is reported on `errors$` and the streams go on.
 */
import {
  defer,
  distinctUntilChanged,
  ignoreElements,
  map,
  merge,
  mergeMap,
  Observable,
  of,
  share,
  Subject,
  switchMap,
  throwError,
  toArray,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import type Decimal from 'decimal.js';
import { KrakenDataClientConfig, type KrakenDataClientOptions } from '../config/config';
import type { KrakenLogger } from '../config/logger';
import { KrakenConfigError, type KrakenDecodeError } from '../errors';
import { KrakenHttpClient, type HistoryRequest } from '../http/KrakenHttpClient';
import { KrakenInstrumentProvider } from '../instruments/KrakenInstrumentProvider';
import { spotOhlcIntervalMinutes } from '../kraken/common/intervals';
import { krakenWsSymbol, modelSymbolFromKrakenWs } from '../kraken/common/symbols';
import type { FuturesTickerUpdates } from '../kraken/futures/parsers';
import {
  futuresWsKey,
  futuresWsProtocol,
  type FuturesWsAuth,
  type FuturesWsSubscription,
} from '../kraken/futures/wsProtocol';
import { spotWsKey, spotWsProtocol, type SpotWsAuth, type SpotWsSubscription } from '../kraken/spot/wsProtocol';
import type {
  Bar,
  FundingRateUpdate,
  IndexPriceUpdate,
  MarkPriceUpdate,
  OrderBook,
  OrderBookDeltas,
  QuoteTick,
  TradeTick,
} from '../model/data';
import { BarType, InstrumentId, KRAKEN, type BarTypeLike, type InstrumentIdLike } from '../model/identifiers';
import type { CurrencyPair, Instrument } from '../model/instruments';
import { aggregateBars } from '../operators/aggregateBars';
import { orderBook } from '../operators/orderBook';
import { WsSession, type WsConnectionEvent, type WsConnectionState } from '../transport/wsSession';
import { BookFeed, BookGuard, resyncBook } from './bookFeed';
import type { FeedContext } from './decodeFrames';
import { futuresFrameProblem, spotFrameProblem } from './frameMonitor';
import {
  futuresBookMessages,
  futuresBookSubscription,
  futuresTickerSubscription,
  futuresTickers,
  futuresTrades,
  futuresTradeSubscription,
} from './futuresFeeds';
import type { SequencedTrade } from './model';
import {
  SPOT_BOOK_DEPTHS,
  spotBars,
  spotBookMessages,
  spotBookSubscription,
  spotOhlcSubscription,
  spotQuotes,
  spotQuoteSubscription,
  spotTrades,
  spotTradeSubscription,
} from './spotFeeds';
import type { TradeAnchor, TradeGap } from './tradeBackfill';

/** The WebSocket endpoint a feed uses. */
export type DataVenue = 'spot' | 'futures';

/**
 * A change of a connection, or a hole in one feed:
 * `connecting` / `connected` / `reconnecting` (with `reason`, `attempt`, `delayMs`) / `reconnected` / `closed`
 * (with `reason`) per endpoint; `gap` when data could not be kept whole: a book resubscribed after a failed
 * checksum or sequence check (`keys`, `reason`), or trades that could not be recovered after a hole
 * (`instrumentId`, `reason`, `missing`).
 */
export interface DataConnectionEvent extends WsConnectionEvent {
  readonly venue: DataVenue;
  /** For a `gap` in one instrument's feed. */
  readonly instrumentId?: InstrumentId;
  /** For a trade `gap`: how many trades are missing. */
  readonly missing?: number;
}

export type { WsConnectionState as DataConnectionState };

/** The book depth option: Spot accepts 10, 25, 100, 500, 1000; Futures any positive integer (default 10). */
export interface BookOptions {
  readonly depth?: number;
}

/** Collaborators, to share an HTTP client's caches and rate limits with other clients. */
export interface KrakenDataClientDeps {
  readonly instrumentProvider?: KrakenInstrumentProvider;
  readonly httpClient?: KrakenHttpClient;
}

const FUTURES_SYMBOL = /^(PI|PF|FI|FF|FV|OF|OI)_/i;
const DEFAULT_BOOK_DEPTH = 10;

function venueOf(instrumentId: InstrumentId): DataVenue {
  return FUTURES_SYMBOL.test(instrumentId.symbol) ? 'futures' : 'spot';
}

function definedOnly<T, R>(pick: (value: T) => R | undefined): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) =>
      source.subscribe({
        next: (value) => {
          const picked = pick(value);
          if (picked !== undefined) subscriber.next(picked);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}

const always = () => true;

/** A Futures book frame other than a one-level delta (a `book_snapshot`, or one too broken to tell). */
function notADelta(frame: unknown): boolean {
  return (frame as { feed?: unknown } | null)?.feed !== 'book';
}

function sameDecimal(a: Decimal | undefined, b: Decimal | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.eq(b);
}

function sameFunding(a: FundingRateUpdate, b: FundingRateUpdate): boolean {
  const eq = sameDecimal;
  return (
    eq(a.rate, b.rate) &&
    eq(a.relativeRate, b.relativeRate) &&
    eq(a.predictedRate, b.predictedRate) &&
    a.nextFundingTime === b.nextFundingTime
  );
}

/**
 * Kraken market data as Observables (Spot WS v2, Futures WS v1, and REST for history).
 *
 * @example
 * ```ts
 * const client = new KrakenDataClient({ productTypes: ['SPOT', 'FUTURES'] });
 * client.book('BTC/USD.KRAKEN', { depth: 10 }).subscribe((book) => console.log(book.mid?.toFixed()));
 * client.trades('PF_XBTUSD.KRAKEN').subscribe((trade) => console.log(trade.price.toFixed()));
 * client.errors$.subscribe((error) => console.warn(error.message));
 * // ...
 * await client.close();
 * ```
 */
export class KrakenDataClient {
  readonly config: KrakenDataClientConfig;
  /** Connection changes of both endpoints and holes in feeds (hot). */
  readonly connectionState$: Observable<DataConnectionEvent>;
  /** Bad frames, failed book checks, venue alerts: reported, never fatal to the other streams (hot). */
  readonly errors$: Observable<Error>;
  readonly http: KrakenHttpClient;
  readonly instrumentProvider: KrakenInstrumentProvider;

  private readonly scheduler: SchedulerLike;
  private readonly logger: KrakenLogger;
  private readonly ownsProvider: boolean;
  private readonly states = new Subject<DataConnectionEvent>();
  private readonly errors = new Subject<Error>();
  private readonly spot: WsSession<SpotWsSubscription, SpotWsAuth>;
  private readonly futures: WsSession<FuturesWsSubscription, FuturesWsAuth>;
  /** Held by book feeds: keeps the socket open while a book switches its subscription to a deeper one. */
  private readonly spotHold: Observable<never>;
  private readonly futuresHold: Observable<never>;
  private readonly context: FeedContext;
  private readonly feeds = new Map<string, Observable<unknown>>();
  private readonly books = new Map<string, BookFeed>();
  private closed = false;

  constructor(config: KrakenDataClientOptions | KrakenDataClientConfig = {}, deps: KrakenDataClientDeps = {}) {
    this.config = KrakenDataClientConfig.from(config);
    this.scheduler = this.config.scheduler;
    this.logger = this.config.logger;
    this.http = deps.httpClient ?? deps.instrumentProvider?.http ?? new KrakenHttpClient(this.config);
    this.ownsProvider = deps.instrumentProvider === undefined;
    this.instrumentProvider = deps.instrumentProvider ?? new KrakenInstrumentProvider(this.config, { http: this.http });

    const sessionOptions = this.config.wsSessionOptions();
    this.spot = new WsSession({
      ...sessionOptions,
      url: this.config.baseUrlWsSpot,
      protocol: spotWsProtocol,
      parse: this.parser(spotFrameProblem),
    });
    this.futures = new WsSession({
      ...sessionOptions,
      url: this.config.baseUrlWsFutures,
      protocol: futuresWsProtocol,
      parse: this.parser(futuresFrameProblem),
    });
    this.forward('spot', this.spot);
    this.forward('futures', this.futures);
    this.spotHold = this.hold(this.spot);
    this.futuresHold = this.hold(this.futures);
    this.context = {
      scheduler: this.scheduler,
      reportDecodeError: (error: KrakenDecodeError) => this.report(error),
    };
    this.connectionState$ = this.states.asObservable();
    this.errors$ = this.errors.asObservable();
  }

  // ----- live feeds ---------------------------------------------------------------------------------------------

  /**
   * Public trades as they print, each once and in order. After a reconnect (and, on Spot, any hole in Kraken's
   * `trade_id` numbering) the missed trades are fetched over REST (Spot `Trades`, Futures `/history`) and emitted
   * first; what cannot be recovered is reported as a `gap` on `connectionState$`.
   */
  trades(instrumentId: InstrumentIdLike): Observable<TradeTick> {
    return defer(() => {
      const id = InstrumentId.from(instrumentId);
      return venueOf(id) === 'spot' ? this.spotTrades(id) : this.futuresTrades(id);
    });
  }

  /**
   * Best bid and offer. Spot: Kraken's `ticker` channel with the `bbo` trigger (an update on every change of the
   * best levels). Futures: read off the maintained book (the Futures ticker is throttled to one a second), on every
   * change of the best bid or ask.
   */
  quotes(instrumentId: InstrumentIdLike): Observable<QuoteTick> {
    return defer(() => {
      const id = InstrumentId.from(instrumentId);
      return venueOf(id) === 'spot' ? this.spotQuotes(id) : this.futuresBookFeed(id).quotes();
    });
  }

  /**
   * The maintained order book: the whole view (best `depth` levels per side, best first) after the snapshot and
   * after every applied update. Spot books are verified against Kraken's CRC32 after every update, Futures books
   * against the `seq` counter; a failed check resubscribes for a new snapshot and nothing wrong is emitted
   * meanwhile. A subscriber joining a running book gets the current one at once.
   */
  book(instrumentId: InstrumentIdLike, options: BookOptions = {}): Observable<OrderBook> {
    return this.bookFeed(instrumentId, options, (feed, depth) => feed.books(depth));
  }

  /**
   * What changed in the book, message by message (verified like {@link book}). Starts with a snapshot (CLEAR per
   * side then ADDs), also for a subscriber joining a running feed, and again after every resync. When another
   * subscriber asked for a deeper book of the same instrument, the deltas describe that deeper book.
   */
  bookDeltas(instrumentId: InstrumentIdLike, options: BookOptions = {}): Observable<OrderBookDeltas> {
    return this.bookFeed(instrumentId, options, (feed, depth) => feed.deltas(depth));
  }

  /**
   * Final bars. EXTERNAL Spot bars come from Kraken's `ohlc` channel (intervals 1, 5, 15, 30 MINUTE, 1, 4 HOUR, 1, 15
   * DAY, 1 WEEK); each bar is emitted once, when Kraken's first update of the next interval arrives. INTERNAL bars
   * (Spot or Futures) are aggregated from `trades()` at each boundary on the client's scheduler. Futures have no
   * bar feed: an EXTERNAL Futures bar type errors, pointing to {@link requestBars}.
   */
  bars(barType: BarTypeLike): Observable<Bar> {
    return defer(() => {
      const type = BarType.from(barType);
      if (type.source === 'INTERNAL') {
        return this.trades(type.instrumentId).pipe(aggregateBars(type.spec, this.scheduler));
      }
      if (venueOf(type.instrumentId) === 'futures') {
        return throwError(
          () =>
            new KrakenConfigError(
              'barType',
              `Kraken Futures has no bar feed on its WebSocket: use requestBars('${type.toString()}') for the charts API, or an INTERNAL bar type ('${type.instrumentId.toString()}-${type.spec.step}-${type.spec.aggregation}-LAST-INTERNAL') to aggregate trades`,
            ),
        );
      }
      const interval = spotOhlcIntervalMinutes(type.spec);
      return this.spotBars(type, interval);
    });
  }

  /** Futures mark prices, from the `ticker` feed (about one a second). */
  markPrices(instrumentId: InstrumentIdLike): Observable<MarkPriceUpdate> {
    return this.tickerFeed(
      instrumentId,
      'markPrices',
      definedOnly((update) => update.markPrice),
    );
  }

  /** Futures index prices, from the `ticker` feed (about one a second). */
  indexPrices(instrumentId: InstrumentIdLike): Observable<IndexPriceUpdate> {
    return this.tickerFeed(
      instrumentId,
      'indexPrices',
      definedOnly((update) => update.indexPrice),
    );
  }

  /**
   * Futures funding rates (perpetuals), from the `ticker` feed: the current rate (absolute and relative), the
   * predicted one and the next funding time; emitted when any of them changes.
   */
  fundingRates(instrumentId: InstrumentIdLike): Observable<FundingRateUpdate> {
    return this.tickerFeed(instrumentId, 'fundingRates', (source) =>
      source.pipe(
        definedOnly((update) => update.fundingRate),
        distinctUntilChanged(sameFunding),
      ),
    );
  }

  // ----- requests -----------------------------------------------------------------------------------------------

  /**
   * Historical EXTERNAL bars, oldest first, closed bars only: Spot from OHLC (at most Kraken's latest 720), Futures
   * from the charts API (LAST → `trade`, MARK → `mark`, INDEX → `spot` tick type). With `limit` and no `start`,
   * the most recent `limit` bars.
   */
  requestBars(barType: BarTypeLike, request: HistoryRequest = {}): Observable<Bar> {
    return this.http.bars(barType, request);
  }

  /** Historical public trades, oldest first (Spot `Trades`, Futures `/history`). */
  requestTrades(instrumentId: InstrumentIdLike, request: HistoryRequest = {}): Observable<TradeTick> {
    return this.http.trades(instrumentId, request);
  }

  /** Every instrument of the configured product types (also refreshes the instrument provider). */
  requestInstruments(): Observable<readonly Instrument[]> {
    return this.instrumentProvider.loadAll();
  }

  /** The current book over REST (Spot `Depth`, Futures `/orderbook`), `depth` levels per side (default 10). */
  requestBookSnapshot(instrumentId: InstrumentIdLike, options: BookOptions = {}): Observable<OrderBook> {
    return this.http.bookSnapshot(instrumentId, options.depth ?? DEFAULT_BOOK_DEPTH);
  }

  /**
   * Closes both connections (Kraken subscriptions end with them), completes every stream and the hot streams, and
   * stops the instrument reload of the provider this client made. Resolves once the sockets are closed.
   */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      if (this.ownsProvider) this.instrumentProvider.close();
    }
    await Promise.all([this.spot.close(), this.futures.close()]);
    this.states.complete();
    this.errors.complete();
  }

  toString(): string {
    return `KrakenDataClient(${this.config.baseUrlWsSpot}, ${this.config.baseUrlWsFutures})`;
  }

  // ----- Spot ---------------------------------------------------------------------------------------------------

  /** The v2 symbol and canonical id of a Spot instrument (`XBT/USD` → `BTC/USD`). */
  private spotNames(id: InstrumentId): Observable<{ wsSymbol: string; id: InstrumentId }> {
    const cached = this.instrumentProvider.find(id);
    if (cached?.kind === 'CurrencyPair') return of({ wsSymbol: cached.wsName, id: cached.id });
    if (id.symbol.includes('/')) {
      return of({
        wsSymbol: krakenWsSymbol(id.symbol),
        id: InstrumentId.of(modelSymbolFromKrakenWs(id.symbol), id.venue),
      });
    }
    return this.instrumentProvider.load(id).pipe(
      map((instrument) => {
        if (instrument.kind !== 'CurrencyPair') {
          throw new KrakenConfigError('instrumentId', `'${id.toString()}' is not a Kraken Spot pair`);
        }
        return { wsSymbol: instrument.wsName, id: instrument.id };
      }),
    );
  }

  private spotTrades(instrumentId: InstrumentId): Observable<TradeTick> {
    return this.spotNames(instrumentId).pipe(
      switchMap(({ wsSymbol, id }) =>
        this.feed(`spot:trade:${wsSymbol}`, () => {
          const subscription = spotTradeSubscription(wsSymbol);
          const key = spotWsKey(subscription);
          return this.spot.subscribe(key, subscription).pipe(
            spotTrades(id, this.context, {
              fetchMissing: (after, before) => this.missedSpotTrades(id, after, before),
              onGap: (gap) => this.tradeGap('spot', this.spot.url, key, id, gap),
            }),
          );
        }),
      ),
    );
  }

  /** Spot REST `Trades` since the last trade seen, by `trade_id` strictly between the two. */
  private missedSpotTrades(id: InstrumentId, after: TradeAnchor, before: SequencedTrade): Observable<TradeTick[]> {
    return this.http.trades(id, { start: after.tsEvent, end: before.tsEvent }).pipe(
      toArray(),
      map((trades) => {
        const byId = new Map<number, TradeTick>();
        for (const trade of trades) {
          const n = Number(trade.tradeId);
          if (n > after.sequence && n < before.sequence) byId.set(n, trade);
        }
        return [...byId.entries()].sort(([a], [b]) => a - b).map(([, trade]) => trade);
      }),
    );
  }

  private spotQuotes(instrumentId: InstrumentId): Observable<QuoteTick> {
    return this.spotNames(instrumentId).pipe(
      switchMap(({ wsSymbol, id }) =>
        this.feed(`spot:quotes:${wsSymbol}`, () => {
          const subscription = spotQuoteSubscription(wsSymbol);
          return this.spot.subscribe(spotWsKey(subscription), subscription).pipe(spotQuotes(id, this.context));
        }),
      ),
    );
  }

  private spotBars(barType: BarType, interval: number): Observable<Bar> {
    return this.spotNames(barType.instrumentId).pipe(
      switchMap(({ wsSymbol, id }) => {
        const type = BarType.of(id, barType.spec, barType.source);
        return this.feed(`spot:ohlc:${wsSymbol}:${interval}`, () => {
          const subscription = spotOhlcSubscription(wsSymbol, interval);
          return this.spot.subscribe(spotWsKey(subscription), subscription).pipe(spotBars(type, this.context));
        });
      }),
    );
  }

  private spotBookFeed(instrument: CurrencyPair): BookFeed {
    const name = `spot:book:${instrument.wsName}`;
    let feed = this.books.get(name);
    if (feed === undefined) {
      const what = `spot ${instrument.wsName}`;
      feed = new BookFeed((depth$) =>
        merge(
          this.spotHold,
          depth$.pipe(
            switchMap((depth) => {
              const subscription = spotBookSubscription(instrument.wsName, depth);
              const key = spotWsKey(subscription);
              const guard = new BookGuard();
              const resubscribe = (reason: string) => this.spot.resubscribe(key, reason);
              return this.spot.subscribe(key, subscription).pipe(
                spotBookMessages(instrument, this.bookContext(guard, always)),
                orderBook(depth, { checksum: true }),
                resyncBook({
                  what,
                  guard,
                  resubscribe,
                  report: (error) => this.report(error),
                }),
              );
            }),
          ),
        ),
      );
      this.books.set(name, feed);
    }
    return feed;
  }

  // ----- Futures ------------------------------------------------------------------------------------------------

  /** Kraken's product id (upper case: frames are routed by it). */
  private productId(id: InstrumentId): string {
    return this.instrumentProvider.find(id)?.rawSymbol ?? id.symbol.toUpperCase();
  }

  private futuresId(id: InstrumentId): InstrumentId {
    return InstrumentId.of(this.productId(id), id.venue || KRAKEN);
  }

  private futuresTrades(instrumentId: InstrumentId): Observable<TradeTick> {
    const productId = this.productId(instrumentId);
    const id = this.futuresId(instrumentId);
    return this.feed(`futures:trade:${productId}`, () => {
      const subscription = futuresTradeSubscription(productId);
      const key = futuresWsKey(subscription);
      return this.futures.subscribe(key, subscription).pipe(
        futuresTrades(id, this.context, {
          fetchMissing: (after, before) => this.missedFuturesTrades(id, after, before),
          onGap: (gap) => this.tradeGap('futures', this.futures.url, key, id, gap),
          contiguous: false,
        }),
      );
    });
  }

  /**
   * Futures REST history between the last trade seen and the first one after the hole, oldest first. REST trades
   * carry no `seq`: they are matched by time here and by `uid` in the sequencer.
   */
  private missedFuturesTrades(id: InstrumentId, after: TradeAnchor, before: SequencedTrade): Observable<TradeTick[]> {
    return this.http.trades(id, { start: after.tsEvent, end: before.tsEvent }).pipe(
      toArray(),
      map((trades) => {
        const seen = new Set<string>([after.tradeId, before.tradeId]);
        const between: TradeTick[] = [];
        for (const trade of trades) {
          if (seen.has(trade.tradeId) || trade.tsEvent < after.tsEvent || trade.tsEvent > before.tsEvent) continue;
          seen.add(trade.tradeId);
          between.push(trade);
        }
        return between.sort((a, b) => a.tsEvent - b.tsEvent);
      }),
    );
  }

  private futuresBookFeed(instrumentId: InstrumentId): BookFeed {
    const productId = this.productId(instrumentId);
    const name = `futures:book:${productId}`;
    let feed = this.books.get(name);
    if (feed === undefined) {
      const cached = this.instrumentProvider.find(instrumentId);
      const instrument = {
        id: this.futuresId(instrumentId),
        ...(cached !== undefined ? { pricePrecision: cached.pricePrecision, sizePrecision: cached.sizePrecision } : {}),
      };
      const subscription = futuresBookSubscription(productId);
      const key = futuresWsKey(subscription);
      const what = `futures ${productId}`;
      const resubscribe = (reason: string) => this.futures.resubscribe(key, reason);
      feed = new BookFeed((depth$) =>
        merge(
          this.futuresHold,
          depth$.pipe(
            switchMap((depth) => {
              const guard = new BookGuard();
              return this.futures
                .subscribe(key, subscription)
                .pipe(
                  futuresBookMessages(instrument, this.bookContext(guard, notADelta)),
                  orderBook(depth, { truncate: false, checksum: false }),
                  resyncBook({ what, guard, resubscribe, report: (error) => this.report(error) }),
                );
            }),
          ),
        ),
      );
      this.books.set(name, feed);
    }
    return feed;
  }

  private tickerFeed<T>(
    instrumentId: InstrumentIdLike,
    what: string,
    select: OperatorFunction<FuturesTickerUpdates, T>,
  ): Observable<T> {
    return defer(() => {
      const id = InstrumentId.from(instrumentId);
      if (venueOf(id) !== 'futures') {
        return throwError(
          () =>
            new KrakenConfigError(
              'instrumentId',
              `${what} is a Kraken Futures feed; '${id.toString()}' is a Spot instrument (use a PI_/PF_/FI_/FF_ contract)`,
            ),
        );
      }
      const productId = this.productId(id);
      const updates = this.feed(`futures:ticker:${productId}`, () => {
        const subscription = futuresTickerSubscription(productId);
        return this.futures
          .subscribe(futuresWsKey(subscription), subscription)
          .pipe(futuresTickers(this.futuresId(id), this.context));
      });
      return updates.pipe(select);
    });
  }

  // ----- plumbing -----------------------------------------------------------------------------------------------

  private bookFeed<T>(
    instrumentId: InstrumentIdLike,
    options: BookOptions,
    select: (feed: BookFeed, depth: number) => Observable<T>,
  ): Observable<T> {
    return defer(() => {
      const id = InstrumentId.from(instrumentId);
      const depth = options.depth ?? DEFAULT_BOOK_DEPTH;
      if (venueOf(id) === 'futures') {
        if (!(Number.isInteger(depth) && depth > 0)) {
          throw new KrakenConfigError('depth', `expected a positive integer, got ${String(depth)}`);
        }
        return select(this.futuresBookFeed(id), depth);
      }
      if (!SPOT_BOOK_DEPTHS.includes(depth)) {
        throw new KrakenConfigError(
          'depth',
          `Kraken Spot books have depth ${SPOT_BOOK_DEPTHS.join(', ')}; got ${String(depth)}`,
        );
      }
      // The checksum needs the pair's price and size precision.
      return this.instrumentProvider.load(id).pipe(
        mergeMap((instrument) => {
          if (instrument.kind !== 'CurrencyPair') {
            throw new KrakenConfigError('instrumentId', `'${id.toString()}' is not a Kraken Spot pair`);
          }
          return select(this.spotBookFeed(instrument), depth);
        }),
      );
    });
  }

  /**
   * The decode context of one book subscription: a frame of the book that does not decode is reported, and when
   * `lostUpdate(frame)` says the book can no longer be trusted, the guard has `resyncBook` hold the books back until
   * a new snapshot and ask for one. Spot: any frame (its checksum covers only the top 10 levels). Futures: anything
   * but a delta (a lost delta shows as a `seq` gap at the next one, which resyncs by itself).
   */
  private bookContext(guard: BookGuard, lostUpdate: (frame: unknown) => boolean): FeedContext {
    return {
      scheduler: this.scheduler,
      reportDecodeError: (error, frame) => {
        this.report(error);
        if (lostUpdate(frame)) guard.lost('a frame did not decode');
      },
    };
  }

  /** One shared pipeline per feed: decoded once, however many subscribers. */
  private feed<T>(name: string, create: () => Observable<T>): Observable<T> {
    let feed = this.feeds.get(name) as Observable<T> | undefined;
    if (feed === undefined) {
      feed = defer(create).pipe(share());
      this.feeds.set(name, feed);
    }
    return feed;
  }

  /**
   * `JSON.parse`, then a check of the envelope (see `frameMonitor`): a frame the session could not route to any feed
   * is reported here, since no feed will ever see it.
   */
  private parser(check: (message: unknown) => KrakenDecodeError | undefined): (text: string) => unknown {
    return (text) => {
      const message: unknown = JSON.parse(text);
      const problem = check(message);
      if (problem !== undefined) this.report(problem);
      return message;
    };
  }

  private hold(session: WsSession<unknown, unknown>): Observable<never> {
    return session.messages$.pipe(ignoreElements(), share());
  }

  private forward(venue: DataVenue, session: WsSession<unknown, unknown>): void {
    let previous: WsConnectionState | undefined;
    session.connectionState$.subscribe((event) => {
      const after = previous;
      previous = event.state;
      // The session flags every replayed subscription after a reconnect; the feeds repair themselves (books from
      // the new snapshot, trades from REST, bars from the OHLC snapshot) and report only what stays missing.
      if (event.state === 'gap' && after === 'reconnected') return;
      if (event.state === 'reconnecting') this.logger.warn(`${venue} websocket reconnecting: ${event.reason ?? ''}`);
      this.states.next({ ...event, venue });
    });
    session.errors$.subscribe((error) => this.report(error));
  }

  private tradeGap(venue: DataVenue, url: string, key: string, instrumentId: InstrumentId, gap: TradeGap): void {
    const reason = `${instrumentId.toString()} trades after #${gap.fromSequence - 1}: ${gap.reason}`;
    this.logger.warn(`${venue} trade gap: ${reason}`);
    this.states.next({
      state: 'gap',
      url,
      venue,
      keys: [key],
      instrumentId,
      ...(gap.missing !== undefined ? { missing: gap.missing - gap.recovered } : {}),
      reason,
      ...(gap.error !== undefined ? { error: gap.error } : {}),
    });
  }

  private report(error: Error): void {
    this.logger.warn(error.message);
    this.errors.next(error);
  }
}
