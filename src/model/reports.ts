import type Decimal from 'decimal.js';
import type { InstrumentId } from './identifiers';
import type { LiquiditySide, OrderSide, OrderType, TimeInForce, TriggerType } from './orders';

export type OrderStatus =
  'SUBMITTED' | 'ACCEPTED' | 'TRIGGERED' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';

export interface OrderStatusReport {
  readonly accountId: string;
  readonly instrumentId: InstrumentId;
  readonly clientOrderId?: string;
  readonly venueOrderId: string;
  readonly orderSide: OrderSide;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  readonly orderStatus: OrderStatus;
  /** Kraken's own status word, kept as sent (an unknown value is kept, not fatal). */
  readonly venueStatus: string;
  readonly quantity: Decimal;
  readonly filledQty: Decimal;
  readonly price?: Decimal;
  readonly triggerPrice?: Decimal;
  readonly triggerType?: TriggerType;
  readonly avgPx?: Decimal;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly expireTime?: number;
  readonly cancelReason?: string;
  readonly tsAccepted: number;
  readonly tsLastUpdate: number;
  readonly tsInit: number;
}

export interface FillReport {
  readonly accountId: string;
  readonly instrumentId: InstrumentId;
  readonly venueOrderId: string;
  readonly clientOrderId?: string;
  readonly tradeId: string;
  readonly orderSide: OrderSide;
  readonly lastQty: Decimal;
  readonly lastPx: Decimal;
  readonly commission: Decimal;
  readonly commissionCurrency: string;
  readonly liquiditySide: LiquiditySide;
  readonly tsEvent: number;
  readonly tsInit: number;
}

export type PositionSide = 'LONG' | 'SHORT' | 'FLAT';

export interface PositionStatusReport {
  readonly accountId: string;
  readonly instrumentId: InstrumentId;
  readonly positionSide: PositionSide;
  /** Unsigned size. */
  readonly quantity: Decimal;
  readonly avgPxOpen?: Decimal;
  readonly unrealizedPnl?: Decimal;
  readonly tsLast: number;
  readonly tsInit: number;
}

export type AccountType = 'CASH' | 'MARGIN';

export interface AccountBalance {
  readonly currency: string;
  readonly total: Decimal;
  readonly locked: Decimal;
  readonly free: Decimal;
}

export interface MarginBalance {
  readonly currency: string;
  readonly initial: Decimal;
  readonly maintenance: Decimal;
  /** Set when the margin belongs to one instrument (isolated margin). */
  readonly instrumentId?: InstrumentId;
}

export interface AccountState {
  readonly accountId: string;
  readonly accountType: AccountType;
  readonly baseCurrency?: string;
  readonly balances: readonly AccountBalance[];
  readonly margins: readonly MarginBalance[];
  /** True when the figures came from Kraken, false when computed locally. */
  readonly reported: boolean;
  readonly tsEvent: number;
  readonly tsInit: number;
}

export interface ExecutionMassStatus {
  readonly clientId: string;
  readonly accountId: string;
  readonly venue: string;
  readonly orderReports: readonly OrderStatusReport[];
  readonly fillReports: readonly FillReport[];
  readonly positionReports: readonly PositionStatusReport[];
  readonly tsInit: number;
}
