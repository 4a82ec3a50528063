/**
 * Model → Kraken Spot wire: order type, time in force, flags, trigger reference and client order id mapping for
 * WS v2 trading methods (`add_order`, `amend_order`, spot-wire.md §9) and their REST fallbacks (`AddOrder`,
 * `AmendOrder`, §4). Pure: no I/O. The commands are assumed to have passed the support matrix
 * (`src/execution/supportMatrix.ts`); these functions only translate.
 */
import { createHash } from 'node:crypto';
import type Decimal from 'decimal.js';
import { toDecimal } from '../../model/decimal';
import type { CurrencyPair } from '../../model/instruments';
import type { ModifyOrder, OrderSide, OrderType, SubmitOrder, TimeInForce, TriggerType } from '../../model/orders';
import type { SpotAddOrderParams, SpotAmendOrderParams, SpotOrderTypeParam } from '../../http/spotRawClient';

/** Kraken Spot order type for each model order type (`LIMIT_IF_TOUCHED` → `take-profit-limit`). */
export const SPOT_ORDER_TYPES: Readonly<Record<OrderType, SpotOrderTypeParam>> = {
  MARKET: 'market',
  LIMIT: 'limit',
  STOP_MARKET: 'stop-loss',
  STOP_LIMIT: 'stop-loss-limit',
  MARKET_IF_TOUCHED: 'take-profit',
  LIMIT_IF_TOUCHED: 'take-profit-limit',
};

/** Kraken Spot trigger references: `last` and `index`; Spot has no mark price. */
export const SPOT_TRIGGER_REFERENCES: Readonly<Partial<Record<TriggerType, 'last' | 'index'>>> = {
  LAST: 'last',
  INDEX: 'index',
};

/** The time-in-force values Kraken Spot takes (REST spelling; WS v2 uses lower case). */
export const SPOT_TIME_IN_FORCE: Readonly<Partial<Record<TimeInForce, 'GTC' | 'IOC' | 'GTD'>>> = {
  GTC: 'GTC',
  IOC: 'IOC',
  GTD: 'GTD',
};

const TRIGGERED: ReadonlySet<OrderType> = new Set([
  'STOP_MARKET',
  'STOP_LIMIT',
  'MARKET_IF_TOUCHED',
  'LIMIT_IF_TOUCHED',
]);
const WITH_LIMIT_PRICE: ReadonlySet<OrderType> = new Set(['LIMIT', 'STOP_LIMIT', 'LIMIT_IF_TOUCHED']);

/** True for order types that wait for a trigger price. */
export function isTriggeredOrderType(type: OrderType): boolean {
  return TRIGGERED.has(type);
}

/** True for order types that carry a limit price. */
export function hasLimitPrice(type: OrderType): boolean {
  return WITH_LIMIT_PRICE.has(type);
}

// ---------------------------------------------------------------------------------------------------------------
// Client order ids

const FREE_TEXT = /^[\x21-\x7e]{1,18}$/;
const LONG_UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SHORT_UUID = /^[0-9a-fA-F]{32}$/;

/** True when Kraken takes this client order id as it is: printable ASCII of at most 18 characters, or a UUID. */
export function isKrakenClientOrderId(id: string): boolean {
  return FREE_TEXT.test(id) || LONG_UUID.test(id) || SHORT_UUID.test(id);
}

/**
 * The client order id sent to Kraken for the caller's id: the id itself when Kraken accepts it (≤ 18 printable
 * ASCII characters, or a UUID), otherwise a UUID derived from it (SHA-256, so the same id always maps to the same
 * UUID). The mapping is reversed by remembering it (`src/execution/clientOrderIds.ts`); events always carry the
 * caller's id.
 */
export function krakenClientOrderId(id: string): string {
  if (isKrakenClientOrderId(id)) return id;
  const hex = createHash('sha256').update(id, 'utf8').digest('hex');
  // RFC 4122 layout, version nibble 8 ("custom"), variant 10xx: recognisably derived, never a random v4.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers

/**
 * A Decimal as the JSON number WS v2 expects. `undefined` when a double cannot hold it exactly (more significant
 * digits than a double keeps): such a value must not be sent silently altered.
 */
export function wsNumber(value: Decimal): number | undefined {
  const n = value.toNumber();
  if (!Number.isFinite(n)) return undefined;
  return toDecimal(String(n)).eq(value) ? n : undefined;
}

/** WS v2 `expire_time`: RFC 3339 with second precision (spot-wire.md §9.1). */
export function spotWsTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function side(s: OrderSide): 'buy' | 'sell' {
  return s === 'BUY' ? 'buy' : 'sell';
}

/** Thrown by the builders for a value the support matrix should have refused; the message says which. */
export class SpotOrderParamsError extends Error {
  override readonly name = 'SpotOrderParamsError';
}

function requireNumber(value: Decimal, what: string): number {
  const n = wsNumber(value);
  if (n === undefined) throw new SpotOrderParamsError(`${what} ${value.toFixed()} has more digits than can be sent`);
  return n;
}

// ---------------------------------------------------------------------------------------------------------------
// add_order / AddOrder

/**
 * The `add_order` params (without `token`) for a validated command: `order_type`, `side`, `order_qty` (or
 * `cash_order_qty` for a quote-quantity market buy), `symbol` (the pair's WS v2 name), `limit_price`, `triggers`
 * (`reference` last|index, `price`), `time_in_force` (gtc|ioc|gtd), `expire_time`, `post_only`, `cl_ord_id`.
 */
export function spotWsAddOrderParams(
  cmd: SubmitOrder,
  pair: Pick<CurrencyPair, 'wsName'>,
  clOrdId: string,
): Record<string, unknown> {
  const quantity = toDecimal(cmd.quantity);
  const params: Record<string, unknown> = {
    order_type: SPOT_ORDER_TYPES[cmd.type],
    side: side(cmd.side),
    ...(cmd.quoteQuantity
      ? { cash_order_qty: requireNumber(quantity, 'quantity') }
      : { order_qty: requireNumber(quantity, 'quantity') }),
    symbol: pair.wsName,
  };
  if (hasLimitPrice(cmd.type) && cmd.price !== undefined) {
    params.limit_price = requireNumber(toDecimal(cmd.price), 'price');
  }
  if (isTriggeredOrderType(cmd.type) && cmd.triggerPrice !== undefined) {
    params.triggers = {
      reference: SPOT_TRIGGER_REFERENCES[cmd.triggerType ?? 'LAST'] ?? 'last',
      price: requireNumber(toDecimal(cmd.triggerPrice), 'triggerPrice'),
      price_type: 'static',
    };
  }
  const tif = cmd.timeInForce ?? 'GTC';
  if (tif !== 'GTC') params.time_in_force = (SPOT_TIME_IN_FORCE[tif] ?? 'GTC').toLowerCase();
  if (tif === 'GTD' && cmd.expireTime !== undefined) params.expire_time = spotWsTime(cmd.expireTime);
  if (cmd.postOnly) params.post_only = true;
  params.cl_ord_id = clOrdId;
  return params;
}

/**
 * The REST `AddOrder` params for a validated command (the WS fallback): `pair` (the pair key), `type`,
 * `ordertype`, `volume`, `price` (limit price, or the trigger price of triggered types), `price2` (the limit
 * price of stop-limit / take-profit-limit), `trigger`, `oflags` (`post`, `viqc`), `timeinforce`, `expiretm`
 * (Unix seconds), `cl_ord_id`.
 */
export function spotRestAddOrderParams(
  cmd: SubmitOrder,
  pair: Pick<CurrencyPair, 'rawSymbol'>,
  clOrdId: string,
): SpotAddOrderParams {
  const quantity = toDecimal(cmd.quantity);
  const params: SpotAddOrderParams = {
    pair: pair.rawSymbol,
    type: side(cmd.side),
    ordertype: SPOT_ORDER_TYPES[cmd.type],
    volume: quantity,
  };
  if (isTriggeredOrderType(cmd.type)) {
    if (cmd.triggerPrice !== undefined) params.price = toDecimal(cmd.triggerPrice);
    if (hasLimitPrice(cmd.type) && cmd.price !== undefined) params.price2 = toDecimal(cmd.price);
    params.trigger = SPOT_TRIGGER_REFERENCES[cmd.triggerType ?? 'LAST'] ?? 'last';
  } else if (cmd.type === 'LIMIT' && cmd.price !== undefined) {
    params.price = toDecimal(cmd.price);
  }
  const flags = [...(cmd.postOnly ? ['post'] : []), ...(cmd.quoteQuantity ? ['viqc'] : [])];
  if (flags.length > 0) params.oflags = flags.join(',');
  const tif = cmd.timeInForce ?? 'GTC';
  if (tif !== 'GTC') params.timeinforce = SPOT_TIME_IN_FORCE[tif] ?? 'GTC';
  if (tif === 'GTD' && cmd.expireTime !== undefined) params.expiretm = Math.floor(cmd.expireTime / 1000);
  params.cl_ord_id = clOrdId;
  return params;
}

// ---------------------------------------------------------------------------------------------------------------
// amend_order / AmendOrder

/** Who an order is addressed by: Kraken's order id when known, else the client order id sent with it. */
export type SpotOrderRef = { readonly orderId: string } | { readonly clOrdId: string };

/** `amend_order` params (without `token`): `order_id` or `cl_ord_id`, and `order_qty`, `limit_price`, `trigger_price`. */
export function spotWsAmendOrderParams(cmd: ModifyOrder, ref: SpotOrderRef): Record<string, unknown> {
  const params: Record<string, unknown> = 'orderId' in ref ? { order_id: ref.orderId } : { cl_ord_id: ref.clOrdId };
  if (cmd.quantity !== undefined) params.order_qty = requireNumber(toDecimal(cmd.quantity), 'quantity');
  if (cmd.price !== undefined) params.limit_price = requireNumber(toDecimal(cmd.price), 'price');
  if (cmd.triggerPrice !== undefined) params.trigger_price = requireNumber(toDecimal(cmd.triggerPrice), 'triggerPrice');
  return params;
}

/** REST `AmendOrder` params: `txid` or `cl_ord_id`, and `order_qty`, `limit_price`, `trigger_price`. */
export function spotRestAmendOrderParams(cmd: ModifyOrder, ref: SpotOrderRef): SpotAmendOrderParams {
  return {
    ...('orderId' in ref ? { txid: ref.orderId } : { cl_ord_id: ref.clOrdId }),
    ...(cmd.quantity !== undefined ? { order_qty: toDecimal(cmd.quantity) } : {}),
    ...(cmd.price !== undefined ? { limit_price: toDecimal(cmd.price) } : {}),
    ...(cmd.triggerPrice !== undefined ? { trigger_price: toDecimal(cmd.triggerPrice) } : {}),
  };
}
