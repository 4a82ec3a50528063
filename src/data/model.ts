/**
 * Model values built on the hot paths of the data client: their `Decimal` fields are made on first read (a trade
 * decoded from a WebSocket frame carries the JSON numbers; most consumers never read every field).
 */
import Decimal from 'decimal.js';
import type { AggressorSide, BookLevel, OrderBook, OrderBookDelta, OrderBookDeltas, TradeTick } from '../model/data';
import type { InstrumentId } from '../model/identifiers';
import { BookView } from '../operators/internal/bookState';

/** A trade with Kraken's per-book counter: Spot `trade_id`, Futures `seq`. Used to find holes in the feed. */
export interface SequencedTrade extends TradeTick {
  readonly sequence: number;
}

/**
 * A `TradeTick` decoded from a WebSocket frame; `price` and `size` become Decimals when first read, a numeric trade
 * id becomes its string when first read.
 */
export class WsTradeTick implements SequencedTrade {
  private decimalPrice: Decimal | undefined = undefined;
  private decimalSize: Decimal | undefined = undefined;

  constructor(
    readonly instrumentId: InstrumentId,
    private readonly rawPrice: number,
    private readonly rawSize: number,
    readonly aggressorSide: AggressorSide,
    private rawTradeId: string | number,
    readonly tsEvent: number,
    readonly tsInit: number,
    readonly sequence: number,
  ) {}

  get tradeId(): string {
    const id = this.rawTradeId;
    return typeof id === 'string' ? id : (this.rawTradeId = String(id));
  }

  get price(): Decimal {
    return (this.decimalPrice ??= new Decimal(this.rawPrice));
  }

  get size(): Decimal {
    return (this.decimalSize ??= new Decimal(this.rawSize));
  }

  toJSON(): Record<string, unknown> {
    return {
      instrumentId: this.instrumentId.toString(),
      price: String(this.rawPrice),
      size: String(this.rawSize),
      aggressorSide: this.aggressorSide,
      tradeId: this.tradeId,
      tsEvent: this.tsEvent,
      tsInit: this.tsInit,
    };
  }
}

/** Kraken's taker side (`buy`/`sell`) as the aggressor. */
export function aggressorOf(side: string): AggressorSide {
  return side === 'buy' ? 'BUYER' : side === 'sell' ? 'SELLER' : 'NO_AGGRESSOR';
}

/** The best `depth` levels of a deeper book: what a subscriber asked for when another one asked for more. */
export class DepthLimitedBook implements OrderBook {
  private bidLevels: readonly BookLevel[] | undefined = undefined;
  private askLevels: readonly BookLevel[] | undefined = undefined;

  constructor(
    private readonly book: OrderBook,
    private readonly depth: number,
  ) {}

  /** Read (and cut) on first use: a subscriber that only looks at the best levels never flattens the sides. */
  get bids(): readonly BookLevel[] {
    return (this.bidLevels ??= cut(this.book.bids, this.depth));
  }

  get asks(): readonly BookLevel[] {
    return (this.askLevels ??= cut(this.book.asks, this.depth));
  }

  get instrumentId(): InstrumentId {
    return this.book.instrumentId;
  }

  get bestBid(): BookLevel | undefined {
    return this.book.bestBid;
  }

  get bestAsk(): BookLevel | undefined {
    return this.book.bestAsk;
  }

  get spread(): Decimal | undefined {
    return this.book.spread;
  }

  get mid(): Decimal | undefined {
    return this.book.mid;
  }

  get sequence(): number | undefined {
    return this.book.sequence;
  }

  get tsEvent(): number {
    return this.book.tsEvent;
  }

  get tsInit(): number {
    return this.book.tsInit;
  }

  toJSON(): Record<string, unknown> {
    return {
      instrumentId: this.instrumentId.toString(),
      bids: this.bids,
      asks: this.asks,
      ...(this.sequence === undefined ? {} : { sequence: this.sequence }),
      tsEvent: this.tsEvent,
      tsInit: this.tsInit,
    };
  }
}

function cut(levels: readonly BookLevel[], depth: number): readonly BookLevel[] {
  return levels.length > depth ? levels.slice(0, depth) : levels;
}

/**
 * A book as at most `depth` levels per side (the book itself when it cannot be deeper). Reads no level of a view
 * from `orderBook()`: its `depth` says how many it can show (reading `bids`/`asks` would flatten them, per update).
 */
export function limitDepth(book: OrderBook, depth: number): OrderBook {
  if (book instanceof BookView) return book.depth <= depth ? book : new DepthLimitedBook(book, depth);
  return book.bids.length > depth || book.asks.length > depth ? new DepthLimitedBook(book, depth) : book;
}

const ZERO = new Decimal(0);

/**
 * The whole book as a snapshot `OrderBookDeltas` (a CLEAR per side, then every level as ADD): what a subscriber
 * that joins a running book stream receives first, so that applying its deltas gives the book.
 */
export function snapshotDeltas(book: OrderBook): OrderBookDeltas {
  const deltas: OrderBookDelta[] = [
    { action: 'CLEAR', side: 'BID', price: ZERO, size: ZERO },
    { action: 'CLEAR', side: 'ASK', price: ZERO, size: ZERO },
  ];
  for (const level of book.bids) deltas.push(new LevelDelta('BID', level));
  for (const level of book.asks) deltas.push(new LevelDelta('ASK', level));
  const { instrumentId, sequence, tsEvent, tsInit } = book;
  return sequence === undefined
    ? { instrumentId, deltas, isSnapshot: true, tsEvent, tsInit }
    : { instrumentId, deltas, isSnapshot: true, sequence, tsEvent, tsInit };
}

/** An ADD delta that reads its Decimals from the (lazy) level. */
class LevelDelta implements OrderBookDelta {
  readonly action = 'ADD';

  constructor(
    readonly side: 'BID' | 'ASK',
    private readonly level: BookLevel,
  ) {}

  get price(): Decimal {
    return this.level.price;
  }

  get size(): Decimal {
    return this.level.size;
  }

  toJSON(): Record<string, unknown> {
    return { action: this.action, side: this.side, price: this.level.price, size: this.level.size };
  }
}
