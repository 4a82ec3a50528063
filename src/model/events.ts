import type Decimal from 'decimal.js';
import type { InstrumentId } from './identifiers';
import type { LiquiditySide, OrderSide, OrderType, TimeInForce, TriggerType } from './orders';

interface OrderEventBase {
  /** Always the caller's original client order id (never the venue-safe mapping of it). */
  readonly clientOrderId: string;
  readonly venueOrderId?: string;
  readonly instrumentId: InstrumentId;
  readonly accountId: string;
  readonly tsEvent: number;
  readonly tsInit: number;
}

interface Refusal {
  readonly reason: string;
}

/** Refused locally, never sent to Kraken. */
export interface OrderDenied extends OrderEventBase, Refusal {
  readonly type: 'OrderDenied';
}
export interface OrderSubmitted extends OrderEventBase {
  readonly type: 'OrderSubmitted';
}
export interface OrderAccepted extends OrderEventBase {
  readonly type: 'OrderAccepted';
  readonly venueOrderId: string;
}
export interface OrderRejected extends OrderEventBase, Refusal {
  readonly type: 'OrderRejected';
  /** True when Kraken refused because a post-only order would have taken liquidity. */
  readonly dueToPostOnly?: boolean;
}
export interface OrderUpdated extends OrderEventBase {
  readonly type: 'OrderUpdated';
  readonly quantity: Decimal;
  readonly price?: Decimal;
  readonly triggerPrice?: Decimal;
}
export interface OrderTriggered extends OrderEventBase {
  readonly type: 'OrderTriggered';
}
export interface OrderCanceled extends OrderEventBase {
  readonly type: 'OrderCanceled';
  readonly reason?: string;
}
export interface OrderExpired extends OrderEventBase {
  readonly type: 'OrderExpired';
}
export interface OrderFilled extends OrderEventBase {
  readonly type: 'OrderFilled';
  readonly venueOrderId: string;
  readonly tradeId: string;
  readonly orderSide: OrderSide;
  readonly orderType?: OrderType;
  readonly lastQty: Decimal;
  readonly lastPx: Decimal;
  readonly commission: Decimal;
  readonly commissionCurrency: string;
  readonly liquiditySide: LiquiditySide;
}
export interface OrderModifyRejected extends OrderEventBase, Refusal {
  readonly type: 'OrderModifyRejected';
}
export interface OrderCancelRejected extends OrderEventBase, Refusal {
  readonly type: 'OrderCancelRejected';
}

export type OrderEvent =
  | OrderDenied
  | OrderSubmitted
  | OrderAccepted
  | OrderRejected
  | OrderUpdated
  | OrderTriggered
  | OrderCanceled
  | OrderExpired
  | OrderFilled
  | OrderModifyRejected
  | OrderCancelRejected;

export type OrderEventType = OrderEvent['type'];

/** Order parameters echoed on accepted events and reports. */
export interface OrderParameters {
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly triggerType?: TriggerType;
}
