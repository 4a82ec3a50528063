/**
 * Model → Kraken Futures wire: `sendorder` / `editorder` / `cancelorder` parameters (futures-wire.md §8.1–§8.3).
 * Pure: no I/O. Commands are assumed to have passed the support matrix (`src/execution/supportMatrix.ts`).
 *
 * Order types: LIMIT → `lmt` (`post` when post-only, `ioc` when IOC), MARKET → `mkt`, STOP_MARKET → `stp`,
 * STOP_LIMIT → `stp` with a `limitPrice`, MARKET_IF_TOUCHED → `take_profit`. Trigger signals: LAST → `last`,
 * MARK → `mark`, INDEX → `index` (the documented input value; Kraken reports it back as `spot`).
 */
import { toDecimal } from '../../model/decimal';
import type { FuturesInstrument } from '../../model/instruments';
import type { ModifyOrder, OrderType, SubmitOrder, TriggerType } from '../../model/orders';
import type {
  FuturesEditOrderParams,
  FuturesOrderTypeParam,
  FuturesSendOrderParams,
} from '../../http/futuresRawClient';
import { hasLimitPrice, isKrakenClientOrderId, krakenClientOrderId } from '../spot/orderParams';

/** The Futures `orderType` of each supported model type (LIMIT_IF_TOUCHED is Spot only). */
export const FUTURES_ORDER_TYPES: Readonly<Partial<Record<OrderType, FuturesOrderTypeParam>>> = {
  MARKET: 'mkt',
  LIMIT: 'lmt',
  STOP_MARKET: 'stp',
  STOP_LIMIT: 'stp',
  MARKET_IF_TOUCHED: 'take_profit',
};

/** `triggerSignal` for each trigger type. */
export const FUTURES_TRIGGER_SIGNALS: Readonly<Record<TriggerType, 'last' | 'mark' | 'index'>> = {
  LAST: 'last',
  MARK: 'mark',
  INDEX: 'index',
};

/**
 * The `cliOrdId` sent for the caller's id. Kraken documents up to 100 characters, but clients report longer free
 * text truncated beyond 18 (futures-wire.md §8.1 [UNCERTAIN]): the same rule as Spot is applied, so an id is either
 * sent as it is (≤ 18 printable ASCII characters, or a UUID) or replaced by a UUID derived from it.
 */
export function futuresClientOrderId(id: string): string {
  return krakenClientOrderId(id);
}

export { isKrakenClientOrderId };

/** The `orderType` for a validated command. */
export function futuresOrderType(cmd: Pick<SubmitOrder, 'type' | 'postOnly' | 'timeInForce'>): FuturesOrderTypeParam {
  if (cmd.type === 'LIMIT') {
    if (cmd.postOnly) return 'post';
    if (cmd.timeInForce === 'IOC') return 'ioc';
    return 'lmt';
  }
  const type = FUTURES_ORDER_TYPES[cmd.type];
  if (type === undefined) throw new Error(`${cmd.type} has no Kraken Futures order type`);
  return type;
}

/** `sendorder` params: `orderType`, `symbol` (Kraken's native symbol), `side`, `size`, prices, `cliOrdId`, flags. */
export function futuresSendOrderParams(
  cmd: SubmitOrder,
  instrument: Pick<FuturesInstrument, 'rawSymbol'>,
  cliOrdId: string,
): FuturesSendOrderParams {
  const triggered = cmd.type === 'STOP_MARKET' || cmd.type === 'STOP_LIMIT' || cmd.type === 'MARKET_IF_TOUCHED';
  return {
    orderType: futuresOrderType(cmd),
    symbol: instrument.rawSymbol,
    side: cmd.side === 'BUY' ? 'buy' : 'sell',
    size: toDecimal(cmd.quantity),
    ...(hasLimitPrice(cmd.type) && cmd.price !== undefined ? { limitPrice: toDecimal(cmd.price) } : {}),
    ...(triggered && cmd.triggerPrice !== undefined ? { stopPrice: toDecimal(cmd.triggerPrice) } : {}),
    cliOrdId,
    ...(triggered ? { triggerSignal: FUTURES_TRIGGER_SIGNALS[cmd.triggerType ?? 'LAST'] } : {}),
    ...(cmd.reduceOnly ? { reduceOnly: true } : {}),
  };
}

/** Who an order is addressed by: Kraken's order id when known, else the `cliOrdId` sent with it. */
export type FuturesOrderRef = { readonly orderId: string } | { readonly cliOrdId: string };

/**
 * `editorder` params. `size` is the new total quantity (fills included), hence `qtyMode: ABSOLUTE`. A stop order
 * needs its `stopPrice` (and `limitPrice` if it has one) on every edit: pass the current values in `current`.
 */
export function futuresEditOrderParams(
  cmd: ModifyOrder,
  ref: FuturesOrderRef,
  current: { readonly price?: { toFixed(): string }; readonly triggerPrice?: { toFixed(): string } } = {},
): FuturesEditOrderParams {
  const limitPrice = cmd.price ?? current.price?.toFixed();
  const stopPrice = cmd.triggerPrice ?? current.triggerPrice?.toFixed();
  return {
    ...('orderId' in ref ? { orderId: ref.orderId } : { cliOrdId: ref.cliOrdId }),
    ...(cmd.quantity !== undefined ? { size: toDecimal(cmd.quantity), qtyMode: 'ABSOLUTE' as const } : {}),
    ...(limitPrice !== undefined ? { limitPrice: toDecimal(limitPrice) } : {}),
    ...(stopPrice !== undefined ? { stopPrice: toDecimal(stopPrice) } : {}),
  };
}
