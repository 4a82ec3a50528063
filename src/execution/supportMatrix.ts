/**
 * What kraken-rx sends to Kraken, and what it refuses locally (as `OrderDenied`, never sent), per product type.
 * One table, read by the execution client, the docs and the tests: every row says, for Spot and for Futures,
 * either the Kraken wire value it maps to or what to use instead.
 *
 * Combination rules that are not a single row (IOC only on limit-type orders, post-only only on LIMIT, GTD needs
 * `expireTime`, prices required per order type, ...) are checked by {@link checkSubmitOrder} and
 * {@link checkModifyOrder}, whose reasons also say what to do instead.
 */
import type Decimal from 'decimal.js';
import { toDecimal } from '../model/decimal';
import type { KrakenProductType } from '../model/identifiers';
import type { DecimalLike, ModifyOrder, OrderType, SubmitOrder } from '../model/orders';
import { hasLimitPrice, isTriggeredOrderType, wsNumber } from '../kraken/spot/orderParams';

export type SupportDimension =
  'orderType' | 'timeInForce' | 'postOnly' | 'reduceOnly' | 'triggerType' | 'quoteQuantity';

export type ProductSupport =
  | {
      readonly supported: true;
      /** The Kraken wire value(s) it maps to. */ readonly wire: string;
      readonly note?: string;
    }
  | { readonly supported: false; /** What to use instead. */ readonly instead: string };

export interface SupportRow {
  readonly dimension: SupportDimension;
  /** The model value: `STOP_LIMIT`, `GTD`, `MARK`, or `true` for the boolean flags. */
  readonly value: string;
  readonly SPOT: ProductSupport;
  readonly FUTURES: ProductSupport;
}

const yes = (wire: string, note?: string): ProductSupport => ({ supported: true, wire, ...(note ? { note } : {}) });
const no = (instead: string): ProductSupport => ({ supported: false, instead });

/** The support matrix (NautilusTrader's Kraken reference, enforced before anything is sent). */
export const SUPPORT_MATRIX: readonly SupportRow[] = [
  { dimension: 'orderType', value: 'MARKET', SPOT: yes('market'), FUTURES: yes('mkt') },
  {
    dimension: 'orderType',
    value: 'LIMIT',
    SPOT: yes('limit'),
    FUTURES: yes('lmt (post when postOnly, ioc when IOC)'),
  },
  { dimension: 'orderType', value: 'STOP_MARKET', SPOT: yes('stop-loss'), FUTURES: yes('stp') },
  { dimension: 'orderType', value: 'STOP_LIMIT', SPOT: yes('stop-loss-limit'), FUTURES: yes('stp with limitPrice') },
  { dimension: 'orderType', value: 'MARKET_IF_TOUCHED', SPOT: yes('take-profit'), FUTURES: yes('take_profit') },
  {
    dimension: 'orderType',
    value: 'LIMIT_IF_TOUCHED',
    SPOT: yes('take-profit-limit'),
    FUTURES: no('MARKET_IF_TOUCHED (take_profit) or STOP_LIMIT'),
  },
  { dimension: 'timeInForce', value: 'GTC', SPOT: yes('GTC'), FUTURES: yes('(default)') },
  {
    dimension: 'timeInForce',
    value: 'GTD',
    SPOT: yes('GTD + expiretm', 'requires expireTime'),
    FUTURES: no('GTC and cancel the order yourself (Kraken Futures orders have no expiry)'),
  },
  {
    dimension: 'timeInForce',
    value: 'IOC',
    SPOT: yes('IOC', 'limit-type orders only'),
    FUTURES: yes('ioc', 'LIMIT orders only'),
  },
  {
    dimension: 'timeInForce',
    value: 'FOK',
    SPOT: no('IOC on a LIMIT order, or GTC'),
    FUTURES: no('IOC on a LIMIT order, or GTC'),
  },
  {
    dimension: 'postOnly',
    value: 'true',
    SPOT: yes('oflags=post / post_only', 'LIMIT orders only'),
    FUTURES: yes('orderType post', 'LIMIT orders only'),
  },
  {
    dimension: 'reduceOnly',
    value: 'true',
    SPOT: no('a plain order (Kraken Spot orders cannot be reduce-only; reduceOnly is a Futures option)'),
    FUTURES: yes('reduceOnly=true'),
  },
  { dimension: 'triggerType', value: 'LAST', SPOT: yes('trigger last'), FUTURES: yes('triggerSignal last') },
  {
    dimension: 'triggerType',
    value: 'MARK',
    SPOT: no('LAST or INDEX (Kraken Spot has no mark price)'),
    FUTURES: yes('triggerSignal mark'),
  },
  { dimension: 'triggerType', value: 'INDEX', SPOT: yes('trigger index'), FUTURES: yes('triggerSignal index') },
  {
    dimension: 'quoteQuantity',
    value: 'true',
    SPOT: yes('oflags=viqc / cash_order_qty', 'MARKET BUY orders only'),
    FUTURES: no('a quantity in contracts (Kraken Futures sizes are never in the quote currency)'),
  },
];

const PRODUCT_NAME: Record<KrakenProductType, string> = { SPOT: 'Kraken Spot', FUTURES: 'Kraken Futures' };

/** The row for one dimension and value, if the matrix has it. */
export function supportRow(dimension: SupportDimension, value: string): SupportRow | undefined {
  return SUPPORT_MATRIX.find((row) => row.dimension === dimension && row.value === value);
}

function rowDenial(dimension: SupportDimension, value: string, product: KrakenProductType): string | undefined {
  const row = supportRow(dimension, value);
  if (row === undefined) return `${dimension} ${value} is unknown; expected one of ${knownValues(dimension)}`;
  const support = row[product];
  if (support.supported) return undefined;
  const what = value === 'true' ? dimension : `${dimension} ${value}`;
  return `${what} is not supported on ${PRODUCT_NAME[product]}; use ${support.instead}`;
}

function knownValues(dimension: SupportDimension): string {
  return SUPPORT_MATRIX.filter((row) => row.dimension === dimension)
    .map((row) => row.value)
    .join(', ');
}

/** A positive amount, or the reason it is not one. */
function amount(value: DecimalLike | undefined, name: string): { value?: Decimal; reason?: string } {
  if (value === undefined) return {};
  let d: Decimal;
  try {
    d = toDecimal(value);
  } catch {
    return { reason: `${name} must be a decimal number, got '${String(value)}'` };
  }
  if (!d.isFinite() || !d.gt(0)) return { reason: `${name} must be a positive number, got ${d.toString()}` };
  return { value: d };
}

/** Spot sends WS v2 numbers: a value a double cannot hold exactly would be altered, so it is refused. */
function sendable(value: Decimal | undefined, name: string, product: KrakenProductType): string | undefined {
  if (value === undefined || product !== 'SPOT' || wsNumber(value) !== undefined) return undefined;
  return `${name} ${value.toFixed()} has more significant digits than Kraken accepts; round it to the instrument's precision`;
}

const LIMIT_TYPES = 'LIMIT, STOP_LIMIT or LIMIT_IF_TOUCHED';

/**
 * Checks a `SubmitOrder` against the support matrix and the combination rules for one product type.
 * Returns the reason to deny it (saying what to use instead), or `undefined` when it may be sent.
 */
export function checkSubmitOrder(cmd: SubmitOrder, product: KrakenProductType): string | undefined {
  if (typeof cmd.clientOrderId !== 'string' || cmd.clientOrderId.length === 0) {
    return 'clientOrderId must be a non-empty string';
  }
  if (cmd.side !== 'BUY' && cmd.side !== 'SELL') return `side must be BUY or SELL, got '${String(cmd.side)}'`;
  const typeDenial = rowDenial('orderType', cmd.type, product);
  if (typeDenial) return typeDenial;
  const type: OrderType = cmd.type;
  const tif = cmd.timeInForce ?? 'GTC';
  const tifDenial = rowDenial('timeInForce', tif, product);
  if (tifDenial) return tifDenial;
  if (cmd.postOnly) {
    const denial = rowDenial('postOnly', 'true', product);
    if (denial) return denial;
  }
  if (cmd.reduceOnly) {
    const denial = rowDenial('reduceOnly', 'true', product);
    if (denial) return denial;
  }
  if (cmd.quoteQuantity) {
    const denial = rowDenial('quoteQuantity', 'true', product);
    if (denial) return denial;
  }
  if (cmd.triggerType !== undefined) {
    const denial = rowDenial('triggerType', cmd.triggerType, product);
    if (denial) return denial;
    if (!isTriggeredOrderType(type)) {
      return `triggerType applies to stop and if-touched orders only; remove it from a ${type} order`;
    }
  }

  const quantity = amount(cmd.quantity, 'quantity');
  if (quantity.reason) return quantity.reason;
  if (quantity.value === undefined) return 'quantity is required';
  const price = amount(cmd.price, 'price');
  if (price.reason) return price.reason;
  const trigger = amount(cmd.triggerPrice, 'triggerPrice');
  if (trigger.reason) return trigger.reason;

  if (hasLimitPrice(type) && price.value === undefined) return `a ${type} order needs a price (its limit price)`;
  if (!hasLimitPrice(type) && price.value !== undefined) {
    const use = type === 'MARKET' ? 'LIMIT' : type === 'STOP_MARKET' ? 'STOP_LIMIT' : 'LIMIT_IF_TOUCHED';
    return `a ${type} order takes no price; remove it, or use ${use} for a limit price`;
  }
  if (isTriggeredOrderType(type) && trigger.value === undefined) return `a ${type} order needs a triggerPrice`;
  if (!isTriggeredOrderType(type) && trigger.value !== undefined) {
    return `a ${type} order takes no triggerPrice; use ${type === 'MARKET' ? 'STOP_MARKET or MARKET_IF_TOUCHED' : 'STOP_LIMIT or LIMIT_IF_TOUCHED'}`;
  }

  if (tif === 'IOC') {
    if (product === 'FUTURES' && type !== 'LIMIT') {
      return `IOC on Kraken Futures applies to LIMIT orders only (orderType ioc); use GTC for a ${type} order`;
    }
    if (!hasLimitPrice(type)) {
      return `IOC applies to limit-type orders only (${LIMIT_TYPES}); a ${type} order takes GTC`;
    }
  }
  if (tif === 'GTD') {
    if (cmd.expireTime === undefined) return 'GTD requires expireTime (epoch ms)';
    if (type === 'MARKET') return 'a MARKET order executes at once; GTD applies to resting orders (use GTC)';
  }
  if (cmd.expireTime !== undefined) {
    if (tif !== 'GTD')
      return `expireTime is used with timeInForce GTD only; set timeInForce: 'GTD' or remove expireTime`;
    if (!Number.isFinite(cmd.expireTime) || cmd.expireTime <= 0) {
      return `expireTime must be epoch milliseconds, got ${String(cmd.expireTime)}`;
    }
  }
  if (cmd.postOnly) {
    if (type !== 'LIMIT') return `postOnly applies to LIMIT orders only; remove it from a ${type} order`;
    if (tif === 'IOC') return 'postOnly and IOC contradict each other (a post-only order must rest); use one of them';
  }
  if (cmd.quoteQuantity && !(type === 'MARKET' && cmd.side === 'BUY')) {
    return 'quoteQuantity applies to MARKET BUY orders only; give the quantity in the base currency';
  }
  return (
    sendable(quantity.value, 'quantity', product) ??
    sendable(price.value, 'price', product) ??
    sendable(trigger.value, 'triggerPrice', product)
  );
}

/** Checks a `ModifyOrder`: something to change, positive amounts. Returns the reason to deny it, or undefined. */
export function checkModifyOrder(cmd: ModifyOrder, product: KrakenProductType): string | undefined {
  if (typeof cmd.clientOrderId !== 'string' || cmd.clientOrderId.length === 0) {
    return 'clientOrderId must be a non-empty string';
  }
  if (cmd.quantity === undefined && cmd.price === undefined && cmd.triggerPrice === undefined) {
    return 'nothing to modify: give quantity, price or triggerPrice';
  }
  for (const [name, value] of [
    ['quantity', cmd.quantity],
    ['price', cmd.price],
    ['triggerPrice', cmd.triggerPrice],
  ] as const) {
    const checked = amount(value, name);
    if (checked.reason) return checked.reason;
    const digits = sendable(checked.value, name, product);
    if (digits) return digits;
  }
  return undefined;
}
