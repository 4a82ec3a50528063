/**
 * Spot order parameters, REST and WS v2 flavours, turned into engine requests — with Kraken's error strings for
 * everything a client can get wrong. Both transports share the checks so they refuse the same things the same way.
 */
import Decimal from 'decimal.js';
import type { EngineOrderType, EngineRejectCode, SubmitOrderRequest, TriggerReference } from '../engine/engine';
import type { MatchingEngine } from '../engine/engine';
import type { SpotPairDef } from '../engine/instruments';
import type { Side } from '../engine/book';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

export const ORDER_TYPES: readonly EngineOrderType[] = [
  'market',
  'limit',
  'stop-loss',
  'take-profit',
  'stop-loss-limit',
  'take-profit-limit',
];

/** Order types Kraken has that the simulator does not model; refused as an invalid `ordertype`. */
const UNSUPPORTED_TYPES = ['iceberg', 'trailing-stop', 'trailing-stop-limit', 'settle-position'];

/** Kraken's error string for an engine refusal. */
export function engineError(code: EngineRejectCode, detail?: string): string {
  switch (code) {
    case 'UNKNOWN_INSTRUMENT':
      return 'EQuery:Unknown asset pair';
    case 'INVALID_QTY':
      return 'EGeneral:Invalid arguments:volume';
    case 'ORDER_MINIMUM':
      return 'EOrder:Order minimum not met';
    case 'COST_MINIMUM':
      return 'EOrder:Cost minimum not met';
    case 'TICK_SIZE':
      return 'EOrder:Tick size check failed';
    case 'INVALID_PRICE':
      return detail === 'post_only' ? 'EGeneral:Invalid arguments:oflags' : 'EOrder:Invalid price';
    case 'MISSING_PRICE':
      return detail === 'trigger' ? 'EGeneral:Invalid arguments:price' : 'EGeneral:Invalid arguments:price';
    case 'INVALID_EXPIRE':
      return 'EGeneral:Invalid arguments:expiretm';
    case 'INSUFFICIENT_FUNDS':
      return 'EOrder:Insufficient funds';
    case 'DUPLICATE_CLIENT_ID':
      return 'EGeneral:Invalid arguments:cl_ord_id';
    case 'UNKNOWN_ORDER':
    case 'ORDER_CLOSED':
      return 'EOrder:Unknown order';
    case 'POST_ONLY_WOULD_TAKE':
      return 'EOrder:Post only order';
    case 'REDUCE_ONLY_WOULD_NOT_REDUCE':
      return 'EOrder:Reduce only:No position exists';
    case 'MAX_POSITION':
      return 'EOrder:Positions limit exceeded';
    case 'NOT_AMENDABLE':
      return 'EOrder:Invalid order';
  }
}

const DECIMAL = /^(?:\d+\.?\d*|\.\d+)$/;

/** A non-negative decimal from a REST string or a WS number; undefined if malformed. */
export function decimalOf(value: unknown): Decimal | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? new Decimal(String(value)) : undefined;
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return new Decimal(value.trim());
  return undefined;
}

function decimalsOf(value: Decimal): number {
  return value.decimalPlaces();
}

/** Client order id: a UUID (long or 32 hex) or free ASCII text of at most 18 characters. */
export function validClientOrderId(id: string): boolean {
  return (
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(id) ||
    /^[0-9a-fA-F]{32}$/.test(id) ||
    /^[\x20-\x7e]{1,18}$/.test(id)
  );
}

export function isTriggered(type: EngineOrderType): boolean {
  return type !== 'market' && type !== 'limit';
}

export function hasLimit(type: EngineOrderType): boolean {
  return type === 'limit' || type.endsWith('-limit');
}

/** Which way `#` points for a relative price (spot-wire.md §4.1). */
function autoSign(side: Side, type: EngineOrderType, forTrigger: boolean): 1 | -1 {
  if (forTrigger) {
    const stop = type.startsWith('stop-loss');
    return side === 'buy' ? (stop ? 1 : -1) : stop ? -1 : 1;
  }
  return side === 'buy' ? -1 : 1;
}

/**
 * A REST price: absolute (`37500`), relative to `base` (`+5`, `-5`, `#5`), or a percentage offset (`+1.5%`).
 * Relative results are rounded to the tick.
 */
export function restPrice(
  text: unknown,
  field: string,
  base: Decimal,
  pair: SpotPairDef,
  side: Side,
  type: EngineOrderType,
  forTrigger: boolean,
): Parsed<Decimal> {
  const raw = typeof text === 'number' ? String(text) : typeof text === 'string' ? text.trim() : undefined;
  if (raw === undefined || raw === '') return fail(`EGeneral:Invalid arguments:${field}`);
  const match = /^([+\-#]?)(\d+\.?\d*|\.\d+)(%?)$/.exec(raw);
  if (!match) return fail(`EGeneral:Invalid arguments:${field}`);
  const [, sign, digits, pct] = match;
  const magnitude = new Decimal(digits);
  if (!sign) {
    if (pct) return fail(`EGeneral:Invalid arguments:${field}`);
    return ok(magnitude);
  }
  const direction = sign === '+' ? 1 : sign === '-' ? -1 : autoSign(side, type, forTrigger);
  const offset = pct ? base.mul(magnitude).div(100) : magnitude;
  const value = base.add(offset.mul(direction));
  return ok(value.div(pair.tickSize).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).mul(pair.tickSize));
}

interface Common {
  readonly engine: MatchingEngine;
  readonly now: number;
}

function boolOf(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === 'true' || value === '1' || value === 1) return true;
  if (value === false || value === 'false' || value === '0' || value === 0) return false;
  return undefined;
}

/** `expiretm`: `0` (none), `<n>` Unix seconds, `+<n>` seconds from now. */
function restTime(value: unknown, now: number): Parsed<number | undefined> {
  if (value === undefined || value === '0' || value === 0) return ok(undefined);
  const text = String(value).trim();
  const m = /^(\+?)(\d+(?:\.\d+)?)$/.exec(text);
  if (!m) return fail('EGeneral:Invalid arguments:expiretm');
  const seconds = Number(m[2]);
  return ok(m[1] ? now + seconds * 1000 : seconds * 1000);
}

/** REST `AddOrder` (and each `AddOrderBatch` entry) → engine request. */
export function parseRestOrder(
  p: Readonly<Record<string, unknown>>,
  pair: SpotPairDef,
  { engine, now }: Common,
): Parsed<SubmitOrderRequest> {
  const side = p.type;
  if (side !== 'buy' && side !== 'sell') return fail('EGeneral:Invalid arguments:type');
  const type = p.ordertype as EngineOrderType;
  if (typeof type !== 'string' || !ORDER_TYPES.includes(type)) {
    return fail(
      UNSUPPORTED_TYPES.includes(String(p.ordertype))
        ? 'EGeneral:Invalid arguments:ordertype'
        : 'EGeneral:Invalid arguments:ordertype',
    );
  }
  if (p.leverage !== undefined && p.leverage !== 'none') return fail('EGeneral:Invalid arguments:leverage');
  const oflags = typeof p.oflags === 'string' && p.oflags !== '' ? p.oflags.split(',') : [];
  for (const flag of oflags) {
    if (!['post', 'fcib', 'fciq', 'nompp', 'viqc'].includes(flag)) return fail('EGeneral:Invalid arguments:oflags');
  }
  let qty = decimalOf(p.volume);
  if (!qty || qty.isZero()) return fail('EGeneral:Invalid arguments:volume');
  const market = engine.market(pair.symbol);
  const last = market ? market.lastPrice() : new Decimal(0);
  let limitPrice: Decimal | undefined;
  let triggerPrice: Decimal | undefined;
  if (type === 'limit') {
    const price = restPrice(p.price, 'price', last, pair, side, type, false);
    if (!price.ok) return price;
    limitPrice = price.value;
  } else if (isTriggered(type)) {
    const trigger = restPrice(p.price, 'price', last, pair, side, type, true);
    if (!trigger.ok) return trigger;
    triggerPrice = trigger.value;
    if (hasLimit(type)) {
      const limit = restPrice(p.price2, 'price2', last, pair, side, type, false);
      if (!limit.ok) return limit;
      limitPrice = limit.value;
    }
  }
  if (oflags.includes('viqc')) {
    if (type !== 'market' || side !== 'buy') return fail('EGeneral:Invalid arguments:oflags');
    const ask = market?.book.best('sell')?.price ?? last;
    qty = qty.div(ask).toDecimalPlaces(pair.qtyDecimals, Decimal.ROUND_DOWN);
  }
  if (decimalsOf(qty) > pair.qtyDecimals) return fail('EGeneral:Invalid arguments:volume');
  const trigger = p.trigger ?? 'last';
  if (trigger !== 'last' && trigger !== 'index') return fail('EGeneral:Invalid arguments:trigger');
  const tif = String(p.timeinforce ?? 'GTC').toUpperCase();
  if (!['GTC', 'IOC', 'GTD', 'FOK'].includes(tif)) return fail('EGeneral:Invalid arguments:timeinforce');
  const expire = restTime(p.expiretm, now);
  if (!expire.ok) return expire;
  if (tif === 'GTD' && expire.value === undefined) return fail('EGeneral:Invalid arguments:expiretm');
  const ids = clientIds(p.cl_ord_id, p.userref, 'userref');
  if (!ids.ok) return ids;
  const reduceOnly = boolOf(p.reduce_only);
  if (reduceOnly) return fail('EOrder:Reduce only:No position exists');
  return ok({
    symbol: pair.symbol,
    side,
    type,
    qty,
    limitPrice,
    triggerPrice,
    triggerReference: trigger as TriggerReference,
    timeInForce: tif as SubmitOrderRequest['timeInForce'],
    expireTime: tif === 'GTD' ? expire.value : undefined,
    postOnly: oflags.includes('post'),
    feeInBase: oflags.includes('fcib'),
    clOrdId: ids.value.clOrdId,
    userref: ids.value.userref,
    validateOnly: boolOf(p.validate) ?? false,
  });
}

function clientIds(
  clOrdId: unknown,
  userref: unknown,
  userrefName: string,
): Parsed<{ clOrdId?: string; userref?: number }> {
  if (clOrdId !== undefined && userref !== undefined) return fail('EGeneral:Invalid arguments:cl_ord_id');
  if (clOrdId !== undefined && (typeof clOrdId !== 'string' || !validClientOrderId(clOrdId))) {
    return fail('EGeneral:Invalid arguments:cl_ord_id');
  }
  let ref: number | undefined;
  if (userref !== undefined) {
    ref = Number(userref);
    if (!Number.isInteger(ref) || ref < -2147483648 || ref > 2147483647) {
      return fail(`EGeneral:Invalid arguments:${userrefName}`);
    }
  }
  return ok({ clOrdId: clOrdId as string | undefined, userref: ref });
}

/** Fields WS v2 `add_order` accepts (per order for `batch_add`); anything else is refused. */
const WS_ORDER_FIELDS = new Set([
  'order_type',
  'side',
  'order_qty',
  'symbol',
  'limit_price',
  'limit_price_type',
  'triggers',
  'time_in_force',
  'expire_time',
  'effective_time',
  'deadline',
  'post_only',
  'reduce_only',
  'margin',
  'display_qty',
  'cash_order_qty',
  'fee_preference',
  'stp_type',
  'cl_ord_id',
  'order_userref',
  'conditional',
  'validate',
  'sender_sub_id',
  'no_mpp',
  'token',
]);

/** The first field of a WS request that Kraken would refuse as unsupported. */
export function unsupportedField(
  params: Readonly<Record<string, unknown>>,
  allowed: ReadonlySet<string>,
): string | undefined {
  return Object.keys(params).find((k) => !allowed.has(k));
}

export const WS_ADD_ORDER_FIELDS: ReadonlySet<string> = WS_ORDER_FIELDS;

function wsRelative(
  value: unknown,
  priceType: unknown,
  field: string,
  base: Decimal,
  pair: SpotPairDef,
): Parsed<Decimal> {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`EGeneral:Invalid arguments:${field}`);
  const type = priceType ?? 'static';
  if (type === 'static') {
    if (value <= 0) return fail('EOrder:Invalid price');
    return ok(new Decimal(String(value)));
  }
  if (type !== 'pct' && type !== 'quote') return fail(`EGeneral:Invalid arguments:${field}_type`);
  const offset = type === 'pct' ? base.mul(String(value)).div(100) : new Decimal(String(value));
  return ok(base.add(offset).div(pair.tickSize).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).mul(pair.tickSize));
}

/** WS v2 `add_order` params (and `batch_add` entries, `symbol` given separately) → engine request. */
export function parseWsOrder(
  p: Readonly<Record<string, unknown>>,
  pair: SpotPairDef,
  { engine }: Common,
): Parsed<SubmitOrderRequest> {
  const bad = unsupportedField(p, WS_ORDER_FIELDS);
  if (bad) return fail(`Unsupported field: '${bad}'`);
  const side = p.side;
  if (side !== 'buy' && side !== 'sell') return fail('EGeneral:Invalid arguments:side');
  const type = p.order_type as EngineOrderType;
  if (typeof type !== 'string' || !ORDER_TYPES.includes(type)) return fail('EGeneral:Invalid arguments:order_type');
  if (p.margin === true) return fail('EGeneral:Invalid arguments:margin');
  const market = engine.market(pair.symbol);
  const last = market ? market.lastPrice() : new Decimal(0);
  let qty: Decimal | undefined;
  if (p.cash_order_qty !== undefined) {
    const cash = decimalOf(p.cash_order_qty);
    if (!cash || type !== 'market' || side !== 'buy') return fail('EGeneral:Invalid arguments:cash_order_qty');
    const ask = market?.book.best('sell')?.price ?? last;
    qty = cash.div(ask).toDecimalPlaces(pair.qtyDecimals, Decimal.ROUND_DOWN);
  } else {
    qty = decimalOf(p.order_qty);
    if (!qty || qty.isZero() || decimalsOf(qty) > pair.qtyDecimals) return fail('EGeneral:Invalid arguments:order_qty');
  }
  let limitPrice: Decimal | undefined;
  let triggerPrice: Decimal | undefined;
  let reference: TriggerReference = 'last';
  if (isTriggered(type)) {
    const triggers = p.triggers as Record<string, unknown> | undefined;
    if (!triggers || typeof triggers !== 'object') return fail('EGeneral:Invalid arguments:triggers');
    const ref = triggers.reference ?? 'last';
    if (ref !== 'last' && ref !== 'index') return fail('EGeneral:Invalid arguments:triggers.reference');
    reference = ref;
    const trigger = wsRelative(triggers.price, triggers.price_type, 'triggers.price', last, pair);
    if (!trigger.ok) return trigger;
    triggerPrice = trigger.value;
  } else if (p.triggers !== undefined) {
    return fail('EGeneral:Invalid arguments:triggers');
  }
  if (hasLimit(type)) {
    const base = isTriggered(type) && p.limit_price_type !== undefined ? (triggerPrice ?? last) : last;
    const limit = wsRelative(p.limit_price, p.limit_price_type, 'limit_price', base, pair);
    if (!limit.ok) return limit;
    limitPrice = limit.value;
  } else if (p.limit_price !== undefined) {
    return fail('EGeneral:Invalid arguments:limit_price');
  }
  const tif = String(p.time_in_force ?? 'gtc');
  if (!['gtc', 'ioc', 'gtd', 'fok'].includes(tif)) return fail('EGeneral:Invalid arguments:time_in_force');
  let expireTime: number | undefined;
  if (p.expire_time !== undefined) {
    expireTime = typeof p.expire_time === 'string' ? Date.parse(p.expire_time) : NaN;
    if (!Number.isFinite(expireTime)) return fail('EGeneral:Invalid arguments:expire_time');
  }
  if (tif === 'gtd' && expireTime === undefined) return fail('EGeneral:Invalid arguments:expire_time');
  const ids = clientIds(p.cl_ord_id, p.order_userref, 'order_userref');
  if (!ids.ok) return ids;
  if (p.reduce_only === true) return fail('EOrder:Reduce only:No position exists');
  const fee = p.fee_preference ?? (side === 'buy' ? 'quote' : 'quote');
  if (fee !== 'base' && fee !== 'quote') return fail('EGeneral:Invalid arguments:fee_preference');
  return ok({
    symbol: pair.symbol,
    side,
    type,
    qty,
    limitPrice,
    triggerPrice,
    triggerReference: reference,
    timeInForce: tif.toUpperCase() as SubmitOrderRequest['timeInForce'],
    expireTime: tif === 'gtd' ? expireTime : undefined,
    postOnly: p.post_only === true,
    feeInBase: fee === 'base',
    clOrdId: ids.value.clOrdId,
    userref: ids.value.userref,
    validateOnly: p.validate === true,
  });
}

/** An amend's new price from REST (`+`/`-`/`%` forms allowed) or WS (number). */
export function amendPrice(
  value: unknown,
  field: string,
  base: Decimal,
  pair: SpotPairDef,
  side: Side,
  type: EngineOrderType,
  forTrigger: boolean,
): Parsed<Decimal | undefined> {
  if (value === undefined) return ok(undefined);
  return restPrice(value, field, base, pair, side, type, forTrigger);
}
