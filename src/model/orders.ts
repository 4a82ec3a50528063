import type Decimal from 'decimal.js';
import type { InstrumentIdLike } from './identifiers';

export const OrderSide = { BUY: 'BUY', SELL: 'SELL' } as const;
export type OrderSide = (typeof OrderSide)[keyof typeof OrderSide];

export const OrderType = {
  MARKET: 'MARKET',
  LIMIT: 'LIMIT',
  STOP_MARKET: 'STOP_MARKET',
  STOP_LIMIT: 'STOP_LIMIT',
  MARKET_IF_TOUCHED: 'MARKET_IF_TOUCHED',
  LIMIT_IF_TOUCHED: 'LIMIT_IF_TOUCHED',
} as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

export const TimeInForce = { GTC: 'GTC', GTD: 'GTD', IOC: 'IOC', FOK: 'FOK' } as const;
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce];

export const TriggerType = { LAST: 'LAST', MARK: 'MARK', INDEX: 'INDEX' } as const;
export type TriggerType = (typeof TriggerType)[keyof typeof TriggerType];

export type LiquiditySide = 'MAKER' | 'TAKER' | 'NO_LIQUIDITY_SIDE';

/** Amounts accept a `Decimal`, a decimal string or a number (converted through its shortest string form). */
export type DecimalLike = Decimal | string | number;

export interface SubmitOrder {
  readonly clientOrderId: string;
  readonly instrumentId: InstrumentIdLike;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: DecimalLike;
  readonly price?: DecimalLike;
  readonly triggerPrice?: DecimalLike;
  readonly triggerType?: TriggerType;
  readonly timeInForce?: TimeInForce;
  /** Epoch ms; required with GTD. */
  readonly expireTime?: number;
  readonly postOnly?: boolean;
  readonly reduceOnly?: boolean;
  /** Spot market buys: `quantity` is in the quote currency. */
  readonly quoteQuantity?: boolean;
}

export interface ModifyOrder {
  readonly clientOrderId: string;
  readonly venueOrderId?: string;
  readonly instrumentId: InstrumentIdLike;
  readonly quantity?: DecimalLike;
  readonly price?: DecimalLike;
  readonly triggerPrice?: DecimalLike;
}

export interface CancelOrder {
  readonly clientOrderId: string;
  readonly venueOrderId?: string;
  readonly instrumentId: InstrumentIdLike;
}

export interface BatchCancelOrders {
  readonly cancels: readonly CancelOrder[];
}

export interface CancelAllOrders {
  /** Required on Futures; on Spot, omitted means every symbol. */
  readonly instrumentId?: InstrumentIdLike;
  readonly side?: OrderSide;
}
