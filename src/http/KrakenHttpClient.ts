import type Decimal from 'decimal.js';
import {
  defer,
  filter,
  forkJoin,
  from,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  share,
  take,
  takeLast,
  toArray,
  type MonoTypeOperatorFunction,
} from 'rxjs';
import {
  KrakenDataClientConfig,
  KrakenExecClientConfig,
  type KrakenClientConfig,
  type KrakenDataClientOptions,
} from '../config/config';
import { KrakenConfigError } from '../errors';
import { epochMsToRfc3339 } from '../kraken/common/codecs';
import {
  futuresChartResolution,
  futuresChartResolutionSeconds,
  futuresChartTickType,
  spotOhlcIntervalMinutes,
} from '../kraken/common/intervals';
import { instrumentFinder } from '../kraken/common/symbols';
import {
  parseFuturesAccounts,
  parseFuturesCandle,
  parseFuturesInstruments,
  parseFuturesOrderBook,
  parseFuturesPublicTrade,
  type FuturesCandle,
  type FuturesPublicTrade,
} from '../kraken/futures';
import {
  parseSpotAssetPairs,
  parseSpotBalanceEx,
  parseSpotDepth,
  parseSpotOhlcRow,
  parseSpotTradeRow,
  type SpotOhlcRow,
  type SpotPairSeries,
  type SpotTradeRow,
} from '../kraken/spot';
import type { Bar, BookLevel, OrderBook, OrderBookDeltas, TradeTick } from '../model/data';
import {
  BarType,
  KrakenProductType,
  type InstrumentId,
  type BarTypeLike,
  type InstrumentIdLike,
} from '../model/identifiers';
import type { Instrument } from '../model/instruments';
import type { AccountState } from '../model/reports';
import { paginate } from '../operators/paginate';
import { KrakenRawHttpClient } from './KrakenRawHttpClient';
import type { RawClientOptions } from './restCall';

/** Account ids used in the `AccountState`s this client builds (override with `accountIds`). */
export const KRAKEN_SPOT_ACCOUNT_ID = 'KRAKEN-SPOT';
export const KRAKEN_FUTURES_ACCOUNT_ID = 'KRAKEN-FUTURES';

export interface KrakenHttpClientOptions extends RawClientOptions {
  /** Share an existing raw client (and so its nonces and rate-limit buckets). */
  readonly raw?: KrakenRawHttpClient;
  readonly accountIds?: Partial<Record<KrakenProductType, string>>;
}

/** A time window and/or count. Times are epoch ms (or `Date`s). */
export interface HistoryRequest {
  readonly start?: number | Date;
  readonly end?: number | Date;
  /**
   * How many to return. With `start`: the first `limit` from `start` on. Without `start`: the most recent
   * `limit` up to `end` (or now).
   */
  readonly limit?: number;
}

interface Window {
  readonly start?: number;
  readonly end?: number;
  readonly limit?: number;
}

/** Futures charts answer at most ~2000 candles per call. */
const FUTURES_CHART_PAGE = 2000;
/** Spot `Trades` answers at most 1000 per call. */
const SPOT_TRADES_PAGE = 1000;

function toMs(value: number | Date | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : value;
  if (!Number.isFinite(ms))
    throw new KrakenConfigError(option, `expected epoch milliseconds or a Date, got ${String(value)}`);
  return ms;
}

function toWindow(request: HistoryRequest): Window {
  const start = toMs(request.start, 'start');
  const end = toMs(request.end, 'end');
  const { limit } = request;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new KrakenConfigError('limit', `expected a positive integer, got ${String(limit)}`);
  }
  if (start !== undefined && end !== undefined && end < start) {
    throw new KrakenConfigError('end', `must not be before start (${start}), got ${end}`);
  }
  return {
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    ...(limit ? { limit } : {}),
  };
}

/** With `start`: the first `limit`; without: the last `limit`. */
function applyLimit<T>(window: Window): MonoTypeOperatorFunction<T> {
  return (source) => {
    if (window.limit === undefined) return source;
    return window.start !== undefined ? source.pipe(take(window.limit)) : source.pipe(takeLast(window.limit));
  };
}

/** The rows of the pair asked for in an OHLC/Trades result (keyed by the pair key Kraken chose). */
function seriesRows<R>(result: SpotPairSeries<R, unknown>, pairKey: string): readonly R[] {
  return result.pairs[pairKey] ?? Object.values(result.pairs)[0] ?? [];
}

/** A read-only book view from a snapshot's deltas, best first, `depth` levels per side. */
function bookFromSnapshot(snapshot: OrderBookDeltas, depth: number): OrderBook {
  const bids: BookLevel[] = [];
  const asks: BookLevel[] = [];
  for (const delta of snapshot.deltas) {
    if (delta.action !== 'ADD' || delta.size.isZero()) continue;
    (delta.side === 'BID' ? bids : asks).push({ price: delta.price, size: delta.size });
  }
  bids.sort((a, b) => b.price.comparedTo(a.price));
  asks.sort((a, b) => a.price.comparedTo(b.price));
  const topBids = Object.freeze(bids.slice(0, depth));
  const topAsks = Object.freeze(asks.slice(0, depth));
  const bestBid = topBids[0];
  const bestAsk = topAsks[0];
  const both = bestBid !== undefined && bestAsk !== undefined;
  const spread: Decimal | undefined = both ? bestAsk.price.minus(bestBid.price) : undefined;
  const mid: Decimal | undefined = both ? bestAsk.price.plus(bestBid.price).div(2) : undefined;
  return Object.freeze({
    instrumentId: snapshot.instrumentId,
    bids: topBids,
    asks: topAsks,
    bestBid,
    bestAsk,
    spread,
    mid,
    tsEvent: snapshot.tsEvent,
    tsInit: snapshot.tsInit,
  });
}

/** Spot symbols contain `/` or are pair keys; Futures symbols carry a two-letter prefix (`PF_`, `FI_`, ...). */
function productTypeOf(name: string): KrakenProductType {
  const symbol = name.endsWith('.KRAKEN') ? name.slice(0, -'.KRAKEN'.length) : name;
  return /^(PI|PF|FI|FF|FV|OF|OI)_/i.test(symbol) ? KrakenProductType.FUTURES : KrakenProductType.SPOT;
}

/** The instruments loaded so far, by product type, answering to every name Kraken uses. */
class InstrumentCache {
  private readonly byProduct = new Map<KrakenProductType, readonly Instrument[]>();
  private finder = instrumentFinder<Instrument>([]);

  replace(productType: KrakenProductType, instruments: readonly Instrument[]): void {
    this.byProduct.set(productType, instruments);
    this.finder = instrumentFinder(this.all());
  }

  all(): Instrument[] {
    return [KrakenProductType.SPOT, KrakenProductType.FUTURES].flatMap((p) => [...(this.byProduct.get(p) ?? [])]);
  }

  loaded(productType: KrakenProductType): boolean {
    return this.byProduct.has(productType);
  }

  find(id: InstrumentIdLike): Instrument | undefined {
    return this.finder(typeof id === 'string' ? id : id.toString());
  }
}

/**
 * Kraken REST at the domain level (DESIGN.md §3.3): instruments, historical bars and trades, book snapshots and
 * account state as model types (`Decimal` prices, epoch-ms times), with an instrument cache. Every method
 * returns a cold Observable; instruments are resolved by `InstrumentId`, its string, or any name Kraken uses
 * for them (`XBTUSD`, `XXBTZUSD`, `pf_xbtusd`).
 *
 * - `bars`: Spot from `OHLC` (the still-open last candle dropped; `since` paging), Futures from the charts API
 *   (tick type `trade`/`mark`/`spot` for LAST/MARK/INDEX; paged backwards so that a count-only request returns
 *   the most recent N, forwards from `start`).
 * - `trades`: Spot `Trades` (`since` cursor = `last`; at most the latest 1000 without `start`), Futures
 *   `/history` paged backwards with `lastTime` (Kraken keeps about 7 days there).
 * - `bookSnapshot`: Spot `Depth`, Futures `/orderbook` (full depth, cut to `depth`).
 * - `accountState`: Spot `BalanceEx`, Futures `/accounts`, one `AccountState` per product type with credentials.
 */
export class KrakenHttpClient {
  readonly raw: KrakenRawHttpClient;
  readonly config: KrakenClientConfig;
  private readonly cache = new InstrumentCache();
  private readonly loaders: Record<KrakenProductType, Observable<readonly Instrument[]>>;
  private readonly accountIds: Record<KrakenProductType, string>;

  constructor(config: KrakenClientConfig | KrakenDataClientOptions = {}, options: KrakenHttpClientOptions = {}) {
    this.config =
      options.raw?.config ??
      (config instanceof KrakenDataClientConfig || config instanceof KrakenExecClientConfig
        ? config
        : KrakenDataClientConfig.from(config));
    this.raw = options.raw ?? new KrakenRawHttpClient(this.config, options);
    this.accountIds = {
      SPOT: options.accountIds?.SPOT ?? KRAKEN_SPOT_ACCOUNT_ID,
      FUTURES: options.accountIds?.FUTURES ?? KRAKEN_FUTURES_ACCOUNT_ID,
    };
    // One load per product type at a time: concurrent callers join the request in flight.
    this.loaders = {
      SPOT: defer(() => {
        const tsInit = this.now();
        return this.raw.spot.assetPairs().pipe(map((result) => parseSpotAssetPairs(result, tsInit)));
      }).pipe(
        map((list) => this.store(KrakenProductType.SPOT, list)),
        share(),
      ),
      FUTURES: defer(() => {
        const tsInit = this.now();
        return this.raw.futures
          .instruments()
          .pipe(map((body) => parseFuturesInstruments(body.instruments, body.serverTime ?? tsInit)));
      }).pipe(
        map((list) => this.store(KrakenProductType.FUTURES, list)),
        share(),
      ),
    };
  }

  // ----- instruments -----

  /**
   * Loads the instruments of every configured product type (Spot `AssetPairs`, Futures `/instruments`),
   * replaces them in the cache and emits them once.
   */
  instruments(): Observable<readonly Instrument[]> {
    return defer(() => forkJoin(this.config.productTypes.map((p) => this.loaders[p]))).pipe(
      map((lists) => Object.freeze(lists.flat())),
    );
  }

  /** The instruments of one product type, loaded now (whether or not it is configured). */
  instrumentsOf(productType: KrakenProductType): Observable<readonly Instrument[]> {
    return this.loaders[productType];
  }

  /**
   * An instrument from the cache, or loaded with its product type when not cached yet.
   * Errors with a `KrakenConfigError` when Kraken does not list it.
   */
  instrument(id: InstrumentIdLike): Observable<Instrument> {
    return defer(() => {
      const cached = this.cache.find(id);
      if (cached !== undefined) return of(cached);
      const name = typeof id === 'string' ? id : id.toString();
      const productType = productTypeOf(name);
      return this.loaders[productType].pipe(
        map(() => {
          const found = this.cache.find(id);
          if (found === undefined) {
            throw new KrakenConfigError(
              'instrumentId',
              `Kraken lists no ${productType} instrument '${name}' (ids look like 'BTC/USD.KRAKEN' or 'PF_XBTUSD.KRAKEN')`,
            );
          }
          return found;
        }),
      );
    });
  }

  /** A cached instrument, without any request. */
  cachedInstrument(id: InstrumentIdLike): Instrument | undefined {
    return this.cache.find(id);
  }

  /** Every cached instrument (Spot first). */
  cachedInstruments(): readonly Instrument[] {
    return this.cache.all();
  }

  // ----- market data -----

  /** Historical EXTERNAL bars, oldest first (the still-open bar is never included). */
  bars(barType: BarTypeLike, request: HistoryRequest = {}): Observable<Bar> {
    return defer(() => {
      const type = BarType.from(barType);
      if (type.source !== 'EXTERNAL') {
        throw new KrakenConfigError(
          'barType',
          `Kraken serves EXTERNAL bars only; INTERNAL bars are aggregated from trades (aggregateBars), got '${type.toString()}'`,
        );
      }
      const window = toWindow(request);
      return this.instrument(type.instrumentId).pipe(
        mergeMap((instrument) =>
          instrument.kind === 'CurrencyPair'
            ? this.spotBars(instrument.rawSymbol, type, window)
            : this.futuresBars(instrument.rawSymbol, type, window),
        ),
      );
    });
  }

  /** Historical trades, oldest first. */
  trades(id: InstrumentIdLike, request: HistoryRequest = {}): Observable<TradeTick> {
    return defer(() => {
      const window = toWindow(request);
      return this.instrument(id).pipe(
        mergeMap((instrument) =>
          instrument.kind === 'CurrencyPair'
            ? this.spotTrades(instrument.rawSymbol, instrument.id, window)
            : this.futuresTrades(instrument.rawSymbol, instrument.id, window),
        ),
      );
    });
  }

  /** The current book, `depth` levels per side (default 10), best first. */
  bookSnapshot(id: InstrumentIdLike, depth = 10): Observable<OrderBook> {
    return defer(() => {
      if (!(Number.isInteger(depth) && depth > 0)) {
        throw new KrakenConfigError('depth', `expected a positive integer, got ${String(depth)}`);
      }
      return this.instrument(id).pipe(
        mergeMap((instrument) => {
          if (instrument.kind === 'CurrencyPair') {
            return this.raw.spot.depth({ pair: instrument.rawSymbol, count: Math.min(depth, 500) }).pipe(
              map((result) => {
                const entry = result[instrument.rawSymbol] ?? Object.values(result)[0];
                if (entry === undefined) return bookFromSnapshot(emptySnapshot(instrument.id, this.now()), depth);
                return bookFromSnapshot(parseSpotDepth(entry, instrument.id, this.now()), depth);
              }),
            );
          }
          return this.raw.futures.orderBook({ symbol: instrument.rawSymbol }).pipe(
            map((body) => {
              const tsInit = this.now();
              const snapshot = parseFuturesOrderBook(body.orderBook, instrument.id, body.serverTime ?? tsInit, tsInit);
              return bookFromSnapshot(snapshot, depth);
            }),
          );
        }),
      );
    });
  }

  // ----- account -----

  /**
   * One `AccountState` per configured product type that has credentials: Spot from `BalanceEx` (CASH, with
   * `hold_trade` locked), Futures from `/accounts` (MARGIN). Errors with a `KrakenConfigError` when no product
   * type has credentials.
   */
  accountState(): Observable<AccountState> {
    return defer(() => {
      const productTypes = this.config.productTypes.filter((p) => this.config.credentials(p) !== undefined);
      if (productTypes.length === 0) this.config.requireCredentials(this.config.productTypes[0]);
      return merge(
        ...productTypes.map((p) =>
          p === 'SPOT'
            ? this.raw.spot.balanceEx().pipe(
                map((result) => {
                  const now = this.now();
                  return parseSpotBalanceEx(result, this.accountIds.SPOT, now, now);
                }),
              )
            : this.raw.futures.accounts().pipe(
                map((body) => {
                  const now = this.now();
                  return parseFuturesAccounts(body.accounts, this.accountIds.FUTURES, body.serverTime ?? now, now);
                }),
              ),
        ),
      );
    });
  }

  toString(): string {
    return `KrakenHttpClient(${this.config.productTypes.join(', ')}; ${this.cache.all().length} instruments cached)`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** `util.inspect` shows the summary, never the internals (signers, API keys, proxy agent). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ----- machinery -----

  private now(): number {
    return this.config.scheduler.now();
  }

  private store(productType: KrakenProductType, list: readonly Instrument[]): readonly Instrument[] {
    const frozen = Object.freeze([...list]);
    this.cache.replace(productType, frozen);
    return frozen;
  }

  /**
   * Spot OHLC: Kraken answers the latest 720 candles after `since`, the last one still open (dropped here).
   * Pages forward with `last` while new committed candles come back.
   */
  private spotBars(pair: string, barType: BarType, window: Window): Observable<Bar> {
    const interval = spotOhlcIntervalMinutes(barType.spec);
    const intervalMs = barType.intervalMs;
    const firstSince = window.start !== undefined ? Math.floor((window.start - intervalMs) / 1000) : undefined;
    let newest = -Infinity;
    const rows$ = paginate<SpotOhlcRow, number>((cursor) => {
      const since = cursor ?? firstSince;
      return this.raw.spot.ohlc({ pair, interval, ...(since !== undefined ? { since } : {}) }).pipe(
        map((result) => {
          const committed = seriesRows(result, pair).slice(0, -1);
          const first = committed[0];
          if (cursor === undefined && window.start !== undefined && first !== undefined && first.time > window.start) {
            // Kraken keeps the latest 720 bars of each interval only: say so rather than return a short series.
            this.config.logger.warn(
              `Spot OHLC ${pair} ${barType.toString()}: Kraken serves only the latest 720 bars; asked from ` +
                `${new Date(window.start).toISOString()}, the first it has starts ${new Date(first.time).toISOString()}`,
              { pair, start: window.start, firstAvailable: first.time },
            );
          }
          const fresh = committed.filter((row) => row.time > newest);
          for (const row of fresh) newest = Math.max(newest, row.time);
          const pastEnd = window.end !== undefined && newest + intervalMs >= window.end;
          const more = window.start !== undefined && fresh.length > 0 && !pastEnd && result.last !== cursor;
          return { items: fresh, ...(more ? { next: result.last } : {}) };
        }),
      );
    });
    return rows$.pipe(
      filter(
        (row) =>
          (window.start === undefined || row.time >= window.start) &&
          (window.end === undefined || row.time + intervalMs <= window.end),
      ),
      applyLimit(window),
      map((row) => parseSpotOhlcRow(row, barType, this.now())),
    );
  }

  /**
   * Futures charts. With `start`: forward from `start`, following `more_candles`. Without: backwards from `end`
   * (or now) in pages of up to 2000 candles until `limit` closed candles are in hand.
   */
  private futuresBars(symbol: string, barType: BarType, window: Window): Observable<Bar> {
    const resolution = futuresChartResolution(barType.spec);
    const tickType = futuresChartTickType(barType.spec.priceType);
    const stepSec = futuresChartResolutionSeconds(resolution);
    const stepMs = stepSec * 1000;
    const now = this.now();
    const endMs = Math.min(window.end ?? now, now);
    const toSec = Math.floor(endMs / 1000);
    const closedInWindow = (c: FuturesCandle) =>
      c.time + stepMs <= endMs && (window.start === undefined || c.time >= window.start);
    const toBar = (c: FuturesCandle) => parseFuturesCandle(c, barType, this.now());

    if (window.start !== undefined) {
      const startSec = Math.floor(window.start / 1000);
      return paginate<FuturesCandle, number>((cursor) => {
        const fromSec = cursor ?? startSec;
        return this.raw.futures.charts({ tickType, symbol, resolution, from: fromSec, to: toSec }).pipe(
          map((body) => {
            const candles = body.candles.filter((c) => c.time / 1000 >= fromSec);
            const last = candles[candles.length - 1];
            const next = last !== undefined ? last.time / 1000 + stepSec : undefined;
            const more = body.more_candles === true && next !== undefined && next > fromSec && next <= toSec;
            return { items: candles, ...(more ? { next } : {}) };
          }),
        );
      }).pipe(filter(closedInWindow), applyLimit(window), map(toBar));
    }

    const wanted = window.limit ?? FUTURES_CHART_PAGE;
    let oldestSeen = Infinity;
    // A page spans `size` candle lengths up to `to` (inclusive: at most size + 1 candles, one of which may be the
    // open one). Should the answer still say
    // `more_candles` (a smaller cap than expected: the newest part is missing), the same window is asked again
    // at half the size rather than leaving a gap.
    const newestFirst$ = paginate<FuturesCandle, { to: number; size: number }>((cursor) => {
      const { to, size } = cursor ?? { to: toSec, size: Math.min(FUTURES_CHART_PAGE - 1, wanted + 1) };
      const fromSec = to - size * stepSec;
      return this.raw.futures.charts({ tickType, symbol, resolution, from: fromSec, to }).pipe(
        map((body) => {
          if (body.more_candles === true && size > 1) return { items: [], next: { to, size: Math.ceil(size / 2) } };
          const candles = body.candles.filter((c) => c.time < oldestSeen).sort((a, b) => b.time - a.time);
          const oldest = candles[candles.length - 1];
          if (oldest !== undefined) oldestSeen = oldest.time;
          const more = window.limit !== undefined && oldest !== undefined;
          return { items: candles, ...(more ? { next: { to: oldest.time / 1000 - stepSec, size } } : {}) };
        }),
      );
    });
    return newestFirst$.pipe(
      filter(closedInWindow),
      take(wanted),
      toArray(),
      mergeMap((candles) => from(candles.reverse())),
      map(toBar),
    );
  }

  /**
   * Spot `Trades`. With `start`: forward from `start` with the `last` cursor until `end`, `limit` or the
   * present. Without: the latest trades (at most 1000) up to `end`.
   */
  private spotTrades(pair: string, instrumentId: InstrumentId, window: Window): Observable<TradeTick> {
    const inWindow = (row: SpotTradeRow) =>
      (window.start === undefined || row.time >= window.start) && (window.end === undefined || row.time <= window.end);
    const toTick = (row: SpotTradeRow) => parseSpotTradeRow(row, instrumentId, this.now());
    if (window.start === undefined) {
      const count = Math.min(window.limit ?? SPOT_TRADES_PAGE, SPOT_TRADES_PAGE);
      return this.raw.spot.trades({ pair, count }).pipe(
        mergeMap((result) => {
          const rows = seriesRows(result, pair);
          const oldest = rows[0];
          if (window.end !== undefined && oldest !== undefined && oldest.time > window.end) {
            this.config.logger.warn(
              `Spot Trades ${pair}: without start Kraken answers only the latest ${count} trades, all after end ` +
                `${new Date(window.end).toISOString()}; give start to page forward from there`,
              { pair, end: window.end, oldest: oldest.time },
            );
          }
          return from(rows);
        }),
        filter(inWindow),
        applyLimit(window),
        map(toTick),
      );
    }
    const firstSince = String(Math.floor(window.start / 1000));
    return paginate<SpotTradeRow, string>((cursor) =>
      this.raw.spot.trades({ pair, since: cursor ?? firstSince, count: SPOT_TRADES_PAGE }).pipe(
        map((result) => {
          const rows = seriesRows(result, pair);
          const newest = rows[rows.length - 1];
          const pastEnd = window.end !== undefined && newest !== undefined && newest.time > window.end;
          const more = rows.length > 0 && !pastEnd && result.last !== (cursor ?? firstSince);
          return { items: rows, ...(more ? { next: result.last } : {}) };
        }),
      ),
    ).pipe(filter(inWindow), applyLimit(window), map(toTick));
  }

  /**
   * Futures `/history`: the 100 trades before `lastTime`, paged backwards until `start` (or `limit` trades,
   * without `start`). Kraken keeps about 7 days there.
   */
  private futuresTrades(symbol: string, instrumentId: InstrumentId, window: Window): Observable<TradeTick> {
    const seen = new Set<string>();
    const keyOf = (trade: FuturesPublicTrade) =>
      trade.uid ?? `${String(trade.trade_id)}-${trade.time}-${trade.price.toFixed()}-${trade.size.toFixed()}`;
    const firstLastTime = window.end !== undefined ? epochMsToRfc3339(window.end) : undefined;
    const newestFirst$ = paginate<FuturesPublicTrade, string>((cursor) => {
      const lastTime = cursor ?? firstLastTime;
      return this.raw.futures.history({ symbol, ...(lastTime !== undefined ? { lastTime } : {}) }).pipe(
        map((body) => {
          const trades = body.history
            .filter((trade) => {
              const key = keyOf(trade);
              if (seen.has(key)) return false;
              seen.add(key);
              return true;
            })
            .sort((a, b) => b.time - a.time);
          const oldest = trades[trades.length - 1];
          const reachedStart = window.start !== undefined && oldest !== undefined && oldest.time < window.start;
          const wantsMore = window.start !== undefined || window.limit !== undefined;
          const more = oldest !== undefined && wantsMore && !reachedStart;
          return { items: trades, ...(more ? { next: epochMsToRfc3339(oldest.time) } : {}) };
        }),
      );
    });
    const inWindow = (trade: FuturesPublicTrade) =>
      (window.start === undefined || trade.time >= window.start) &&
      (window.end === undefined || trade.time <= window.end);
    const collected$ =
      window.start === undefined && window.limit !== undefined
        ? newestFirst$.pipe(filter(inWindow), take(window.limit))
        : newestFirst$.pipe(filter(inWindow));
    return collected$.pipe(
      toArray(),
      mergeMap((trades) => from(trades.reverse())),
      window.start !== undefined && window.limit !== undefined ? take(window.limit) : (source) => source,
      map((trade) => parseFuturesPublicTrade(trade, instrumentId, this.now())),
    );
  }
}

function emptySnapshot(instrumentId: InstrumentId, now: number): OrderBookDeltas {
  return { instrumentId, deltas: [], isSnapshot: true, tsEvent: now, tsInit: now };
}
