import { Observable, type OperatorFunction } from 'rxjs';
import { KrakenConfigError } from '../errors';
import { CHECKSUM_LEVELS, formatFixed } from '../kraken/common/checksum';
import type { OrderBook, OrderBookDeltas } from '../model/data';
import type { InstrumentId } from '../model/identifiers';
import { BookState, BookView, bookDeltas, Delta, type BookSideState, type Formatter } from './internal/bookState';

/** One price level as decoded from the wire: JSON numbers. `size` is the new absolute size; 0 deletes the level. */
export interface BookLevelInput {
  readonly price: number;
  readonly size: number;
}

/**
 * A venue-neutral L2 book message: what Kraken Spot's `book` channel (snapshot / update) and Kraken Futures' `book`
 * feed (`book_snapshot` / one-level `book` delta, with `seq`) decode to.
 */
export interface BookMessage {
  readonly kind: 'snapshot' | 'update';
  readonly instrumentId: InstrumentId;
  /** Applied in order; the same price may appear twice (the later entry wins). */
  readonly bids: readonly BookLevelInput[];
  readonly asks: readonly BookLevelInput[];
  /** Kraken Spot's CRC32 of the top 10 levels per side after this message (unsigned). */
  readonly checksum?: number;
  /** Kraken Futures' per-product message counter (`seq`). */
  readonly sequence?: number;
  /** The instrument's price / size decimals (Spot `price_precision` / `qty_precision`); read on snapshots. */
  readonly pricePrecision?: number;
  readonly sizePrecision?: number;
  readonly tsEvent: number;
  readonly tsInit: number;
}

export interface OrderBookOptions {
  /** Verify Kraken Spot's CRC32 on every message that carries a `checksum`. Default `true`. */
  readonly checksum?: boolean;
  /** Require `sequence` to increase by exactly 1 on messages that carry one (Kraken Futures). Default `true`. */
  readonly sequence?: boolean;
  /**
   * Drop the levels beyond `depth` after each message. Default `true`: right for Kraken Spot, whose feed is limited
   * to the subscribed depth and sends the levels that enter the window but no deletes for those that leave it. Set
   * `false` for a full-depth feed (Kraken Futures): every level is kept and the book shows the best `depth`.
   */
  readonly truncate?: boolean;
  /** Price decimals of the instrument, used when the messages do not carry them. Needed to verify checksums. */
  readonly pricePrecision?: number;
  /** Size decimals of the instrument, used when the messages do not carry them. Needed to verify checksums. */
  readonly sizePrecision?: number;
}

/** The maintained book after a snapshot or an applied update, and what that message changed. */
export interface OrderBookUpdate {
  readonly type: 'book';
  readonly book: OrderBook;
  readonly deltas: OrderBookDeltas;
}

/**
 * The book can no longer be trusted: a checksum mismatch (`expected` = Kraken's checksum, `actual` = ours) or a
 * sequence gap (`expected` = last sequence + 1, `actual` = the message's). Resubscribe to get a new snapshot; until
 * one arrives, updates are ignored.
 */
export interface OrderBookResync {
  readonly type: 'resync';
  readonly instrumentId: InstrumentId;
  readonly reason: 'checksum' | 'sequence';
  readonly expected: number;
  readonly actual: number;
  readonly tsEvent: number;
  readonly tsInit: number;
}

export type OrderBookEvent = OrderBookUpdate | OrderBookResync;

function formatterFor(precision: number | undefined): Formatter {
  return precision === undefined ? String : (value) => formatFixed(value, precision);
}

function applyLevels(
  side: BookSideState,
  levels: readonly BookLevelInput[],
  formatPrice: Formatter,
  formatSize: Formatter,
  deltas: Delta[],
): void {
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    side.apply(level.price, level.size, formatPrice, formatSize, deltas);
  }
}

/**
 * Maintains an L2 order book from snapshot + update messages and emits it after every applied message, verified.
 *
 * - A `snapshot` replaces the book; an `update` sets each level's absolute size in order (size 0 deletes it).
 * - With `truncate` (default), each side is cut to `depth` after every message, as Kraken Spot requires.
 * - With `checksum` (default), Kraken's CRC32 over the top 10 levels per side is checked after every message that
 *   carries one (prices and sizes rendered with the instrument's precision). A mismatch emits a `resync` instead of
 *   the wrong book.
 * - With `sequence` (default), an update whose `sequence` is not the last one + 1 emits a `resync`; an update with a
 *   sequence at or below the last one is a stale duplicate and is ignored.
 * - After a `resync` the book is discarded and updates are ignored until the next snapshot; updates before the first
 *   snapshot are ignored too.
 * - Emitted books are immutable views (best first, `Decimal`s created on first read); `deltas` lists what the
 *   message changed, including the levels dropped by truncation (a snapshot starts with a CLEAR per side).
 * - Cost: consecutive books share structure, so an update copies at most a 64-level chunk per side it touches,
 *   whatever the depth; `bids`/`asks` are materialised on first read. No Decimal is made unless read.
 *   `npm run bench` (test/bench/run.ts) measures the whole frame-to-book path.
 * - One instrument per stream (`groupBy` the instrument for a multiplexed feed). Errors and completion pass
 *   through.
 *
 * ```
 * messages:   -S--u--u--x--u--S--u--|   (x: an update whose checksum does not match)
 * orderBook:  -b--b--b--r-----b--b--|   (b: { type: 'book' }, r: { type: 'resync' })
 * ```
 *
 * @example
 * ```ts
 * spotBookMessages$.pipe(orderBook(10, { checksum: true, pricePrecision: 1, sizePrecision: 8 }));
 * futuresBookMessages$.pipe(orderBook(25, { truncate: false }));
 * ```
 *
 * @param depth levels per side to keep (Spot: the subscribed depth, ≥ 10 when checksums are verified) and show.
 * @param options `checksum`, `sequence`, `truncate`, `pricePrecision`, `sizePrecision`.
 * @returns an operator from `BookMessage` to `OrderBookEvent`.
 */
export function orderBook(
  depth: number,
  options: OrderBookOptions = {},
): OperatorFunction<BookMessage, OrderBookEvent> {
  const verifyChecksum = options.checksum !== false;
  const verifySequence = options.sequence !== false;
  const truncate = options.truncate !== false;
  if (!Number.isInteger(depth) || depth <= 0) {
    throw new KrakenConfigError('depth', `expected a positive integer, got ${depth}`);
  }
  if (verifyChecksum && truncate && depth < CHECKSUM_LEVELS) {
    throw new KrakenConfigError(
      'depth',
      `Kraken's checksum covers ${CHECKSUM_LEVELS} levels per side: subscribe with depth ≥ ${CHECKSUM_LEVELS} (10, 25, 100, 500, 1000), got ${depth}`,
    );
  }

  return (source) =>
    new Observable<OrderBookEvent>((subscriber) => {
      const state = new BookState();
      let instrumentId: InstrumentId | undefined;
      /** A snapshot has been applied and nothing has invalidated it since. */
      let live = false;
      let lastSequence: number | undefined;
      let formatPrice: Formatter = String;
      let formatSize: Formatter = String;
      let precisionKnown = false;

      const resync = (
        message: BookMessage,
        reason: OrderBookResync['reason'],
        expected: number,
        actual: number,
      ): void => {
        live = false;
        lastSequence = undefined;
        state.clear();
        subscriber.next({
          type: 'resync',
          instrumentId: message.instrumentId,
          reason,
          expected,
          actual,
          tsEvent: message.tsEvent,
          tsInit: message.tsInit,
        });
      };

      /** True when the message's checksum matches (or there is nothing to check). */
      const checksumMatches = (message: BookMessage): boolean => {
        const expected = message.checksum;
        if (!verifyChecksum || expected === undefined) return true;
        if (!precisionKnown) {
          throw new KrakenConfigError(
            'pricePrecision',
            `verifying Kraken book checksums needs the instrument's price and size precision: pass pricePrecision and sizePrecision to orderBook() or on the messages (${message.instrumentId.toString()})`,
          );
        }
        const actual = state.checksum();
        if (actual === expected) return true;
        resync(message, 'checksum', expected, actual);
        return false;
      };

      const emit = (message: BookMessage, id: InstrumentId, deltas: Delta[], isSnapshot: boolean): void => {
        const { sequence, tsEvent, tsInit } = message;
        subscriber.next({
          type: 'book',
          book: new BookView(
            id,
            state.bids.view(),
            state.asks.view(),
            depth,
            state.bids.flatCache,
            state.asks.flatCache,
            sequence,
            tsEvent,
            tsInit,
          ),
          deltas: bookDeltas(id, deltas, isSnapshot, sequence, tsEvent, tsInit),
        });
      };

      const onSnapshot = (message: BookMessage): void => {
        const id = message.instrumentId;
        instrumentId = id;
        const pricePrecision = message.pricePrecision ?? options.pricePrecision;
        const sizePrecision = message.sizePrecision ?? options.sizePrecision;
        formatPrice = formatterFor(pricePrecision);
        formatSize = formatterFor(sizePrecision);
        precisionKnown = pricePrecision !== undefined && sizePrecision !== undefined;
        state.clear();
        const ignored: Delta[] = [];
        applyLevels(state.bids, message.bids, formatPrice, formatSize, ignored);
        applyLevels(state.asks, message.asks, formatPrice, formatSize, ignored);
        if (truncate) {
          state.bids.truncate(depth, ignored);
          state.asks.truncate(depth, ignored);
        }
        lastSequence = verifySequence ? message.sequence : undefined;
        live = true;
        if (!checksumMatches(message)) return;
        const deltas: Delta[] = [new Delta('CLEAR', 'BID', undefined), new Delta('CLEAR', 'ASK', undefined)];
        for (const level of state.bids.toArray()) deltas.push(new Delta('ADD', 'BID', level));
        for (const level of state.asks.toArray()) deltas.push(new Delta('ADD', 'ASK', level));
        emit(message, id, deltas, true);
      };

      const onUpdate = (message: BookMessage): void => {
        if (!live || instrumentId === undefined) return;
        const sequence = message.sequence;
        if (lastSequence !== undefined && sequence !== undefined) {
          if (sequence <= lastSequence) return;
          if (sequence !== lastSequence + 1) {
            resync(message, 'sequence', lastSequence + 1, sequence);
            return;
          }
          lastSequence = sequence;
        } else if (verifySequence && sequence !== undefined) {
          lastSequence = sequence;
        }
        const deltas: Delta[] = [];
        applyLevels(state.bids, message.bids, formatPrice, formatSize, deltas);
        applyLevels(state.asks, message.asks, formatPrice, formatSize, deltas);
        if (truncate) {
          state.bids.truncate(depth, deltas);
          state.asks.truncate(depth, deltas);
        }
        if (!checksumMatches(message)) return;
        emit(message, instrumentId, deltas, false);
      };

      return source.subscribe({
        next(message) {
          try {
            if (message.kind === 'snapshot') onSnapshot(message);
            else onUpdate(message);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
