/**
 * Kraken Futures vocabulary of the simulator: how engine orders, fills and positions are written on the
 * derivatives REST API, the History API and the WS v1 feeds (futures-wire.md §5, §8, §9, §12). Pure functions.
 */
import Decimal from 'decimal.js';
import type { EngineFill, EngineOrder, TriggerReference } from '../engine/engine';
import type { FuturesContractDef } from '../engine/instruments';

/** The order types `sendorder` accepts (futures-wire.md §8.1). */
export type FuturesOrderType = 'lmt' | 'post' | 'ioc' | 'fok' | 'mkt' | 'stp' | 'take_profit';

export const FUTURES_ORDER_TYPES: readonly FuturesOrderType[] = [
  'lmt',
  'post',
  'ioc',
  'fok',
  'mkt',
  'stp',
  'take_profit',
];

/** `tags` the futures layer puts on every engine order it submits. */
export interface FuturesOrderTags {
  readonly futuresType: FuturesOrderType;
  /** Size asked for, before a reduce-only clamp. */
  readonly requestedQty?: string;
}

const ZERO = new Decimal(0);

/** ISO-8601 with milliseconds, as the derivatives REST API writes times. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A JSON number (REST v3 and WS v1 write prices and sizes as numbers). */
export function num(value: Decimal | undefined): number {
  return value === undefined ? 0 : value.toNumber();
}

/** A decimal string (History and Charts APIs write prices and sizes as strings). */
export function str(value: Decimal | undefined): string {
  return value === undefined ? '0' : value.toFixed();
}

export function futuresTypeOf(order: EngineOrder): FuturesOrderType {
  const tagged = (order.tags as Partial<FuturesOrderTags>).futuresType;
  if (tagged) return tagged;
  if (order.type.startsWith('stop-loss')) return 'stp';
  if (order.type.startsWith('take-profit')) return 'take_profit';
  if (order.type === 'market') return 'mkt';
  return order.postOnly ? 'post' : order.timeInForce === 'IOC' ? 'ioc' : 'lmt';
}

export function isTriggerOrder(order: EngineOrder): boolean {
  return order.triggerPrice !== undefined;
}

/** A trigger order whose trigger has not fired yet. */
export function isUntriggered(order: EngineOrder): boolean {
  return order.triggerPrice !== undefined && !order.triggered;
}

/** `trigger_above` / `trigger_below` of a stop or take-profit. */
export function triggerSide(order: EngineOrder): 'trigger_above' | 'trigger_below' {
  const stop = order.type.startsWith('stop-loss');
  const rising = order.side === 'buy' ? stop : !stop;
  return rising ? 'trigger_above' : 'trigger_below';
}

/** `sendorder`'s `triggerSignal` input vocabulary ↔ the engine's reference price. */
export const TRIGGER_SIGNALS: Readonly<Record<string, TriggerReference>> = {
  mark: 'mark',
  index: 'index',
  last: 'last',
};

export function signalName(reference: TriggerReference): 'mark' | 'spot' | 'last' {
  return reference === 'index' ? 'spot' : reference;
}

/** `Order` of `orderEvents` (futures-wire.md §5.5). `quantity` is the total size; `filled` the cumulative fill. */
export function v3Order(order: EngineOrder): Record<string, unknown> {
  const type = futuresTypeOf(order);
  return {
    orderId: order.id,
    cliOrdId: order.clOrdId ?? null,
    type: type === 'mkt' ? 'ioc' : type === 'take_profit' ? 'lmt' : type,
    symbol: order.symbol,
    side: order.side,
    quantity: num(order.qty),
    filled: num(order.filled),
    limitPrice: order.limitPrice ? num(order.limitPrice) : null,
    reduceOnly: order.reduceOnly,
    timestamp: iso(order.openTime),
    lastUpdateTimestamp: iso(order.lastUpdate),
  };
}

/** `Trigger` of `orderEvents` (futures-wire.md §5.5). */
export function v3Trigger(order: EngineOrder): Record<string, unknown> {
  return {
    uid: order.id,
    clientId: order.clOrdId ?? null,
    type: order.limitPrice ? 'lmt' : 'ioc',
    symbol: order.symbol,
    side: order.side,
    quantity: num(order.qty),
    limitPrice: order.limitPrice ? num(order.limitPrice) : null,
    triggerPrice: num(order.triggerPrice),
    triggerSide: triggerSide(order),
    triggerSignal: `${signalName(order.triggerReference)}_price`,
    reduceOnly: order.reduceOnly,
    timestamp: iso(order.openTime),
    lastUpdateTimestamp: iso(order.lastUpdate),
    startTime: null,
  };
}

/** The order as it was before `fill` was applied (for `EXECUTION.orderPriorExecution`). */
export function priorToFill(order: EngineOrder, fill: EngineFill, previousUpdate: number): EngineOrder {
  return { ...order, filled: order.filled.sub(fill.qty), lastUpdate: previousUpdate, status: 'open' };
}

/** Row of `GET /openorders` (futures-wire.md §8.8). */
export function openOrderRow(order: EngineOrder): Record<string, unknown> {
  const untriggered = isUntriggered(order);
  const type = futuresTypeOf(order);
  return {
    order_id: order.id,
    ...(order.clOrdId !== undefined ? { cliOrdId: order.clOrdId } : {}),
    symbol: order.symbol,
    side: order.side,
    orderType: untriggered ? (type === 'take_profit' ? 'take_profit' : 'stop') : 'lmt',
    ...(order.limitPrice ? { limitPrice: num(order.limitPrice) } : {}),
    ...(untriggered ? { stopPrice: num(order.triggerPrice) } : {}),
    unfilledSize: num(order.qty.sub(order.filled)),
    receivedTime: iso(order.openTime),
    status: order.filled.isZero() ? 'untouched' : 'partiallyFilled',
    filledSize: num(order.filled),
    reduceOnly: order.reduceOnly,
    ...(untriggered ? { triggerSignal: signalName(order.triggerReference) } : {}),
    lastUpdateTime: iso(order.lastUpdate),
  };
}

/** `order` object of the WS `open_orders` feed (futures-wire.md §12.5): `qty` is the remaining size. */
export function wsOpenOrder(order: EngineOrder, remaining?: Decimal): Record<string, unknown> {
  const untriggered = isUntriggered(order);
  const type = futuresTypeOf(order);
  return {
    instrument: order.symbol,
    time: order.openTime,
    last_update_time: order.lastUpdate,
    qty: num(remaining ?? Decimal.max(ZERO, order.qty.sub(order.filled))),
    filled: num(order.filled),
    ...(order.limitPrice ? { limit_price: num(order.limitPrice) } : {}),
    stop_price: untriggered ? num(order.triggerPrice) : 0,
    type: untriggered ? (type === 'take_profit' ? 'take_profit' : 'stop') : 'limit',
    order_id: order.id,
    ...(order.clOrdId !== undefined ? { cli_ord_id: order.clOrdId } : {}),
    direction: order.side === 'buy' ? 0 : 1,
    reduce_only: order.reduceOnly,
    ...(untriggered ? { triggerSignal: signalName(order.triggerReference) } : {}),
  };
}

/** The fee currency as the fills feeds name it (`BTC` for the XBT-margined inverse contracts). */
export function feeCurrency(fill: EngineFill): string {
  const c = fill.feeAsset.toUpperCase();
  return c === 'XBT' ? 'BTC' : c;
}

/** What the fills feed calls an order's type. */
export function fillOrderType(order: EngineOrder | undefined): string {
  if (!order) return 'limit';
  const type = futuresTypeOf(order);
  if (type === 'mkt' || (order.triggerPrice !== undefined && !order.limitPrice)) return 'market';
  return type === 'ioc' ? 'ioc' : 'limit';
}

/** Row of `GET /fills` (futures-wire.md §8.9). */
export function restFillRow(fill: EngineFill): Record<string, unknown> {
  return {
    fill_id: fill.uid,
    symbol: fill.symbol,
    side: fill.side,
    order_id: fill.orderId,
    ...(fill.clOrdId !== undefined ? { cli_ord_id: fill.clOrdId } : {}),
    size: num(fill.qty),
    price: num(fill.price),
    fillTime: iso(fill.time),
    fillType: fill.liquidity,
    fee_paid: num(fill.fee),
    fee_currency: feeCurrency(fill),
  };
}

/** Position side and size as the REST API writes them (size always positive). */
export function positionSide(size: Decimal): 'long' | 'short' {
  return size.isNegative() ? 'short' : 'long';
}

/** Hourly funding rates (futures-wire.md §6.6, §11): relative = premium / 8, capped by `maxRelativeFundingRate`. */
export function relativeFundingRate(basis: number): number {
  const rate = basis / 8;
  return Math.max(-0.001, Math.min(0.001, rate));
}

/** Absolute funding rate: quote currency per contract unit (linear: × mark; inverse: per USD contract in coin). */
export function absoluteFundingRate(contract: FuturesContractDef, relative: number, mark: Decimal): number {
  if (mark.isZero()) return 0;
  return contract.type === 'futures_inverse' ? relative / mark.toNumber() : relative * mark.toNumber();
}

/** Top of the hour after `now` (perpetual funding is exchanged hourly). */
export function nextFundingTime(now: number): number {
  return Math.floor(now / 3_600_000) * 3_600_000 + 3_600_000;
}
