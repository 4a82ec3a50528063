import type Decimal from 'decimal.js';
import type { BarType, InstrumentId } from './identifiers';

export type AggressorSide = 'BUYER' | 'SELLER' | 'NO_AGGRESSOR';

/** Timestamps throughout the model are epoch milliseconds; a fractional part keeps Kraken's microseconds. */
export interface TradeTick {
  readonly instrumentId: InstrumentId;
  readonly price: Decimal;
  readonly size: Decimal;
  readonly aggressorSide: AggressorSide;
  readonly tradeId: string;
  readonly tsEvent: number;
  readonly tsInit: number;
}

export interface QuoteTick {
  readonly instrumentId: InstrumentId;
  readonly bidPrice: Decimal;
  readonly askPrice: Decimal;
  readonly bidSize: Decimal;
  readonly askSize: Decimal;
  readonly tsEvent: number;
  readonly tsInit: number;
}

export type BookSide = 'BID' | 'ASK';
export type BookAction = 'ADD' | 'UPDATE' | 'DELETE' | 'CLEAR';

export interface OrderBookDelta {
  readonly action: BookAction;
  readonly side: BookSide;
  readonly price: Decimal;
  /** Zero for DELETE. */
  readonly size: Decimal;
}

/** What changed in a book: a snapshot (`isSnapshot`, starting with a CLEAR) or an incremental update. */
export interface OrderBookDeltas {
  readonly instrumentId: InstrumentId;
  readonly deltas: readonly OrderBookDelta[];
  readonly isSnapshot: boolean;
  /** Futures `seq` of the last message applied; undefined on Spot. */
  readonly sequence?: number;
  readonly tsEvent: number;
  readonly tsInit: number;
}

export interface BookLevel {
  readonly price: Decimal;
  readonly size: Decimal;
}

/** A read-only view of a maintained book. `bids` and `asks` are best first. */
export interface OrderBook {
  readonly instrumentId: InstrumentId;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  readonly bestBid: BookLevel | undefined;
  readonly bestAsk: BookLevel | undefined;
  /** bestAsk − bestBid, undefined when a side is empty. */
  readonly spread: Decimal | undefined;
  /** (bestAsk + bestBid) / 2, undefined when a side is empty. */
  readonly mid: Decimal | undefined;
  readonly sequence?: number;
  readonly tsEvent: number;
  readonly tsInit: number;
}

export interface Bar {
  readonly barType: BarType;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  /** The bar's close time (interval begin + interval length). */
  readonly tsEvent: number;
  readonly tsInit: number;
}

export interface MarkPriceUpdate {
  readonly instrumentId: InstrumentId;
  readonly value: Decimal;
  readonly tsEvent: number;
  readonly tsInit: number;
}

export interface IndexPriceUpdate {
  readonly instrumentId: InstrumentId;
  readonly value: Decimal;
  readonly tsEvent: number;
  readonly tsInit: number;
}

export interface FundingRateUpdate {
  readonly instrumentId: InstrumentId;
  /** The current (absolute, per funding interval) funding rate as Kraken reports it. */
  readonly rate: Decimal;
  /** Kraken's relative funding rate, when given. */
  readonly relativeRate?: Decimal;
  readonly predictedRate?: Decimal;
  /** Next funding time, epoch ms, when known. */
  readonly nextFundingTime?: number;
  readonly tsEvent: number;
  readonly tsInit: number;
}
