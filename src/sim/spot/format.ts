/**
 * Spot wire formatting: times and numbers exactly as Kraken writes them, and the REST order/trade objects.
 */
import type Decimal from 'decimal.js';
import type { EngineFill, EngineOrder } from '../engine/engine';
import type { SpotPairDef } from '../engine/instruments';

/** RFC 3339 with microseconds, as WS v2 writes times: `2023-09-25T09:04:31.742648Z`. */
export function rfc3339Micros(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.round((ms - whole) * 1000);
  return new Date(whole).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
}

/** RFC 3339 with nanoseconds: `2023-10-04T16:25:00.000000000Z` (ohlc `interval_begin`). */
export function rfc3339Nanos(ms: number): string {
  return rfc3339Micros(ms).replace('Z', '000Z');
}

/** RFC 3339 to the second: `2023-07-06T18:52:00Z`. */
export function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Thu, 06 Jul 23 18:50:48 +0000`, as the `Time` endpoint writes it. */
export function rfc1123(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCFullYear() % 100)} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

/** Unix seconds with four decimals, as REST order times are written (`1688666559.8974`). */
export function unixSeconds(ms: number): number {
  return Math.round(ms / 0.1) / 10000;
}

/** A Decimal as a WS v2 JSON number. */
export function num(value: Decimal): number {
  return value.toNumber();
}

/** The human description Kraken puts in `descr.order`. */
export function orderDescription(
  order: Pick<EngineOrder, 'side' | 'type' | 'qty' | 'limitPrice' | 'triggerPrice'>,
  pair: SpotPairDef,
): string {
  const qty = order.qty.toFixed(pair.qtyDecimals);
  const p = (v?: Decimal) => (v ?? { toFixed: () => '0' }).toFixed(pair.priceDecimals);
  const what: Record<EngineOrder['type'], string> = {
    market: 'market',
    limit: `limit ${p(order.limitPrice)}`,
    'stop-loss': `stop loss ${p(order.triggerPrice)}`,
    'take-profit': `take profit ${p(order.triggerPrice)}`,
    'stop-loss-limit': `stop loss ${p(order.triggerPrice)} -> limit ${p(order.limitPrice)}`,
    'take-profit-limit': `take profit ${p(order.triggerPrice)} -> limit ${p(order.limitPrice)}`,
  };
  return `${order.side} ${qty} ${pair.altname} @ ${what[order.type]}`;
}

/** REST `price`/`price2` of an order: the trigger is `price` for triggered types, the limit `price2`. */
export function restPrices(order: Pick<EngineOrder, 'type' | 'limitPrice' | 'triggerPrice'>): {
  price?: Decimal;
  price2?: Decimal;
} {
  if (order.type === 'limit') return { price: order.limitPrice };
  if (order.type === 'market') return {};
  return { price: order.triggerPrice, price2: order.limitPrice };
}

function oflags(order: EngineOrder): string {
  const flags = [order.feeInBase ? 'fcib' : 'fciq'];
  if (order.postOnly) flags.push('post');
  return flags.join(',');
}

function misc(order: EngineOrder): string {
  const parts: string[] = [];
  if (order.triggered) parts.push(order.type.startsWith('stop') ? 'stopped' : 'touched');
  if (order.amended) parts.push('amended');
  return parts.join(',');
}

/** The REST order object of `OpenOrders` / `ClosedOrders` / `QueryOrders` (spot-wire.md §3.4). */
export function restOrder(order: EngineOrder, pair: SpotPairDef, withTrades: boolean): Record<string, unknown> {
  const { price, price2 } = restPrices(order);
  const priceText = (v?: Decimal) => (v ? v.toFixed(pair.priceDecimals) : '0');
  const closed = order.status !== 'open' && order.status !== 'pending';
  const avg = order.filled.isZero() ? undefined : order.cost.div(order.filled);
  return {
    refid: null,
    userref: order.userref ?? 0,
    ...(order.clOrdId !== undefined ? { cl_ord_id: order.clOrdId } : {}),
    status: order.status,
    ...(closed ? { reason: order.reason ?? null } : {}),
    opentm: unixSeconds(order.openTime),
    ...(closed ? { closetm: unixSeconds(order.closeTime ?? order.lastUpdate) } : {}),
    starttm: 0,
    expiretm: order.expireTime !== undefined ? unixSeconds(order.expireTime) : 0,
    descr: {
      pair: pair.altname,
      type: order.side,
      ordertype: order.type,
      price: priceText(price),
      price2: priceText(price2),
      leverage: 'none',
      order: orderDescription(order, pair),
      close: '',
    },
    vol: order.qty.toFixed(pair.qtyDecimals),
    vol_exec: order.filled.toFixed(pair.qtyDecimals),
    cost: order.cost.toFixed(pair.costDecimals),
    fee: order.fee.toFixed(pair.costDecimals),
    price: avg ? avg.toFixed(pair.priceDecimals) : (0).toFixed(pair.costDecimals),
    stopprice: order.triggerPrice && order.triggered ? order.triggerPrice.toFixed(pair.priceDecimals) : (0).toFixed(5),
    limitprice: order.limitPrice && order.triggered ? order.limitPrice.toFixed(pair.priceDecimals) : (0).toFixed(5),
    misc: misc(order),
    oflags: oflags(order),
    ...(order.triggerPrice !== undefined && order.triggerReference === 'index' ? { trigger: 'index' } : {}),
    ...(withTrades && order.tradeIds.length > 0 ? { trades: [...order.tradeIds] } : {}),
  };
}

/** The REST trade object of `TradesHistory` / `QueryTrades` (spot-wire.md §3.8). */
export function restTrade(fill: EngineFill, pair: SpotPairDef, postxid: string): Record<string, unknown> {
  return {
    ordertxid: fill.orderId,
    postxid,
    pair: pair.restKey,
    time: unixSeconds(fill.time),
    type: fill.side,
    ordertype: fill.orderType,
    price: fill.price.toFixed(pair.priceDecimals),
    cost: fill.cost.toFixed(pair.costDecimals),
    fee: fill.fee.toFixed(pair.costDecimals),
    vol: fill.qty.toFixed(pair.qtyDecimals),
    margin: (0).toFixed(pair.costDecimals),
    misc: '',
    trade_id: fill.publicTradeId,
    maker: fill.liquidity === 'maker',
  };
}
