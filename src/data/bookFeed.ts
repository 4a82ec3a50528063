/**
 * One maintained book per instrument, shared by every subscriber whatever depth each asked for.
 *
 * Kraken's frames do not say which depth they serve, so one instrument can have only one book subscription per
 * connection: the feed subscribes at the largest depth any subscriber wants (a deeper request switches the
 * subscription up, with a new snapshot; it is not switched down while subscribers remain), and each subscriber sees
 * the best levels it asked for. The last book is replayed to a subscriber that joins a running feed.
 */
import {
  BehaviorSubject,
  defer,
  distinctUntilChanged,
  finalize,
  Observable,
  share,
  type MonoTypeOperatorFunction,
  type OperatorFunction,
} from 'rxjs';
import { KrakenDecodeError } from '../errors';
import type { OrderBook, OrderBookDeltas, QuoteTick } from '../model/data';
import type { OrderBookEvent, OrderBookResync } from '../operators/orderBook';
import { limitDepth, snapshotDeltas } from './model';

/** Builds the book events of one instrument for the depth the feed should subscribe at (a switching stream). */
export type BookEventSource = (depth$: Observable<number>) => Observable<OrderBookEvent>;

export class BookFeed {
  private readonly subscribers = new Map<number, number>();
  private depth$: BehaviorSubject<number> | undefined;
  /** The last event of the running feed, replayed to a subscriber that joins it. */
  private latest: OrderBookEvent | undefined;
  private readonly events$: Observable<OrderBookEvent>;

  constructor(source: BookEventSource) {
    this.events$ = defer(() => {
      const depth$ = new BehaviorSubject(this.maxDepth());
      this.depth$ = depth$;
      return source(depth$.pipe(distinctUntilChanged()));
    }).pipe(
      keepLatest((event) => (this.latest = event)),
      finalize(() => {
        this.depth$ = undefined;
        this.latest = undefined;
      }),
      share(),
    );
  }

  /** The depth the venue subscription has (or would have now). */
  get depth(): number {
    return this.depth$?.value ?? this.maxDepth();
  }

  /** The maintained book, best `depth` levels, after the snapshot and after every applied update. */
  books(depth: number): Observable<OrderBook> {
    return this.join(depth).pipe(booksOnly(depth));
  }

  /** What changed, starting with a snapshot (built from the current book when joining a running feed). */
  deltas(depth: number): Observable<OrderBookDeltas> {
    return this.join(depth).pipe(deltasOnly(depth));
  }

  /** The best bid and ask whenever either changes (price or size). */
  quotes(): Observable<QuoteTick> {
    return this.join(1).pipe(booksOnly(undefined), topOfBook());
  }

  private join(depth: number): Observable<OrderBookEvent> {
    return new Observable<OrderBookEvent>((subscriber) => {
      this.subscribers.set(depth, (this.subscribers.get(depth) ?? 0) + 1);
      const current = this.depth$;
      if (current !== undefined && depth > current.value) current.next(depth);
      const latest = this.latest;
      if (latest !== undefined) subscriber.next(latest);
      const subscription = this.events$.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        const left = (this.subscribers.get(depth) ?? 1) - 1;
        if (left > 0) this.subscribers.set(depth, left);
        else this.subscribers.delete(depth);
      };
    });
  }

  private maxDepth(): number {
    let max = 0;
    for (const depth of this.subscribers.keys()) if (depth > max) max = depth;
    return max;
  }
}

/** Calls `record` with each value, then passes it on (a `tap` without the per-value observer plumbing). */
function keepLatest<T>(record: (value: T) => void): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (value) => {
          record(value);
          subscriber.next(value);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}

/** The books of the events, cut to `depth` levels per side (`undefined`: as they come, for the top of book). */
function booksOnly(depth: number | undefined): OperatorFunction<OrderBookEvent, OrderBook> {
  return (source) =>
    new Observable<OrderBook>((subscriber) =>
      source.subscribe({
        next: (event) => {
          if (event.type === 'book') subscriber.next(depth === undefined ? event.book : limitDepth(event.book, depth));
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}

function deltasOnly(depth: number): OperatorFunction<OrderBookEvent, OrderBookDeltas> {
  return (source) =>
    new Observable<OrderBookDeltas>((subscriber) => {
      let first = true;
      return source.subscribe({
        next: (event) => {
          if (event.type !== 'book') return;
          // A subscriber joining mid-stream first gets the whole book, so that applying its deltas gives the book.
          const deltas =
            first && !event.deltas.isSnapshot ? snapshotDeltas(limitDepth(event.book, depth)) : event.deltas;
          first = false;
          subscriber.next(deltas);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

function sameLevel(a: OrderBook['bestBid'], b: OrderBook['bestBid']): boolean {
  // Levels are immutable and shared between successive views: an untouched level is the same object.
  return a === b;
}

function topOfBook(): OperatorFunction<OrderBook, QuoteTick> {
  return (source) =>
    new Observable<QuoteTick>((subscriber) => {
      let bid: OrderBook['bestBid'];
      let ask: OrderBook['bestAsk'];
      return source.subscribe({
        next: (book) => {
          const bestBid = book.bestBid;
          const bestAsk = book.bestAsk;
          if (bestBid === undefined || bestAsk === undefined) return;
          if (sameLevel(bid, bestBid) && sameLevel(ask, bestAsk)) return;
          bid = bestBid;
          ask = bestAsk;
          subscriber.next(new BookQuote(book, bestBid, bestAsk));
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

type Level = NonNullable<OrderBook['bestBid']>;

/** A quote read off the book; its Decimals are the levels' (made on first read). */
class BookQuote implements QuoteTick {
  readonly instrumentId: OrderBook['instrumentId'];
  readonly tsEvent: number;
  readonly tsInit: number;

  constructor(
    book: OrderBook,
    private readonly bid: Level,
    private readonly ask: Level,
  ) {
    this.instrumentId = book.instrumentId;
    this.tsEvent = book.tsEvent;
    this.tsInit = book.tsInit;
  }

  get bidPrice() {
    return this.bid.price;
  }

  get askPrice() {
    return this.ask.price;
  }

  get bidSize() {
    return this.bid.size;
  }

  get askSize() {
    return this.ask.size;
  }

  toJSON(): Record<string, unknown> {
    return {
      instrumentId: this.instrumentId.toString(),
      bidPrice: this.bid.price,
      askPrice: this.ask.price,
      bidSize: this.bid.size,
      askSize: this.ask.size,
      tsEvent: this.tsEvent,
      tsInit: this.tsInit,
    };
  }
}

export interface ResyncPolicy {
  /** `spot BTC/USD` — for messages. */
  readonly what: string;
  /** Where the feed tells of a frame of this book that did not decode (see {@link BookGuard}). */
  readonly guard?: BookGuard;
  /** Asks the venue for a new snapshot of this book (unsubscribe + subscribe). */
  resubscribe(reason: string): void;
  /** Reports the failed check (on `errors$`). */
  report(error: KrakenDecodeError): void;
  /** Consecutive resyncs, without one applied update in between, before the stream errors. Default 5. */
  readonly maxAttempts?: number;
}

/**
 * A book's frames that did not decode. The feed calls {@link BookGuard.lost} when the skipped frame may have changed
 * the book beyond what the next check would notice; {@link resyncBook} then emits no book until the next snapshot
 * and asks for one, counting it among its resync attempts.
 */
export class BookGuard {
  /** Installed by `resyncBook` while subscribed. */
  onLost: ((detail: string) => void) | undefined = undefined;

  lost(detail: string): void {
    this.onLost?.(detail);
  }
}

function describeResync(event: OrderBookResync): string {
  return event.reason === 'checksum'
    ? `checksum mismatch (Kraken ${event.expected}, local ${event.actual})`
    : `sequence gap (expected seq ${event.expected}, got ${event.actual})`;
}

/**
 * Reacts to the `orderBook` operator's resync signals and to the frames the feed lost (see {@link BookGuard}):
 * reports the failed check, asks for a new snapshot (emitting no book until it arrives), and gives up (errors the
 * stream) when recoveries keep failing — a book that never verifies is not one to trade on.
 */
export function resyncBook(policy: ResyncPolicy): MonoTypeOperatorFunction<OrderBookEvent> {
  const maxAttempts = policy.maxAttempts ?? 5;
  return (source) =>
    new Observable<OrderBookEvent>((subscriber) => {
      let attempts = 0;
      /** A frame was lost: the book is unknown until the next snapshot. */
      let stale = false;
      /** Counts one recovery; false (after erroring the stream) when there were too many in a row. */
      const attempt = (detail: string, path: string[]): boolean => {
        attempts += 1;
        if (attempts <= maxAttempts) return true;
        subscriber.error(
          new KrakenDecodeError(
            `${policy.what} book: ${detail}; ${maxAttempts} resyncs in a row failed, giving up`,
            path,
          ),
        );
        return false;
      };
      const guard = policy.guard;
      if (guard !== undefined) {
        guard.onLost = (detail) => {
          stale = true;
          if (attempt(detail, [])) policy.resubscribe(`${policy.what} book ${detail}`);
        };
      }
      const subscription = source.subscribe({
        next: (event) => {
          try {
            if (event.type === 'book') {
              if (stale) {
                if (!event.deltas.isSnapshot) return;
                stale = false;
              }
              if (!event.deltas.isSnapshot) attempts = 0;
              subscriber.next(event);
              return;
            }
            const detail = describeResync(event);
            const path = event.reason === 'checksum' ? ['data.0.checksum'] : ['seq'];
            if (!attempt(detail, path)) return;
            policy.report(
              new KrakenDecodeError(`${policy.what} book: ${detail}; resubscribing for a new snapshot`, path),
            );
            subscriber.next(event);
            policy.resubscribe(`${policy.what} book ${detail}`);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        subscription.unsubscribe();
        if (guard !== undefined) guard.onLost = undefined;
      };
    });
}
