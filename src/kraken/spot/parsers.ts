/**
 * Kraken Spot wire → model: pure functions from decoded REST / WS v2 values (see `./rest`, `./ws`) to the
 * domain types of `src/model`. Every parser takes `tsInit` (the caller's clock) and, where the wire value
 * needs it, the instrument.
 */
import Decimal from 'decimal.js';
import type {
  AggressorSide,
  Bar,
  BookAction,
  OrderBookDelta,
  OrderBookDeltas,
  QuoteTick,
  TradeTick,
} from '../../model/data';
import { type BarType, InstrumentId, KRAKEN, KrakenProductType } from '../../model/identifiers';
import type { CurrencyPair, Instrument } from '../../model/instruments';
import type { LiquiditySide, OrderSide, OrderType, TimeInForce, TriggerType } from '../../model/orders';
import type { AccountBalance, AccountState, FillReport, OrderStatus, OrderStatusReport } from '../../model/reports';
import type { BookMessage } from '../../operators/orderBook';
import { normalizeCurrency, spotSymbol } from '../common/symbols';
import type {
  SpotAssetPair,
  SpotBalanceExResult,
  SpotBalanceResult,
  SpotDepthEntry,
  SpotFeeTier,
  SpotOhlcRow,
  SpotOrder,
  SpotTrade,
  SpotTradeRow,
} from './rest';
import type {
  SpotWsBalance,
  SpotWsBookData,
  SpotWsExecution,
  SpotWsMessageType,
  SpotWsOhlc,
  SpotWsTicker,
  SpotWsTrade,
} from './ws';

const ZERO = new Decimal(0);
const HUNDRED = new Decimal(100);

/** `10^-decimals` as a Decimal: `0.1` for 1, `0.00000001` for 8. */
export function incrementFromDecimals(decimals: number): Decimal {
  return new Decimal(10).pow(-decimals);
}

/** A JSON number as a Decimal via its shortest text (the literal Kraken sent, up to trailing zeros). */
function dec(value: number): Decimal {
  return new Decimal(value);
}

function firstTierFee(tiers: readonly SpotFeeTier[] | undefined): Decimal | undefined {
  const first = tiers?.[0];
  return first === undefined ? undefined : first[1].div(HUNDRED);
}

/**
 * An `AssetPairs` entry → `CurrencyPair`. The symbol is normalised from the pair's asset ids
 * (`XETH`/`XXBT` → `ETH/BTC`); precision from `pair_decimals`/`lot_decimals`; price increment from
 * `tick_size` (else 10^-pair_decimals); fees from the first tier of `fees_maker`/`fees`, percent ÷ 100.
 * Aliases are Kraken's names for it: pair key, altname, wsname.
 */
export function parseSpotAssetPair(
  pairKey: string,
  pair: SpotAssetPair,
  tsInit: number,
  tsEvent = tsInit,
): CurrencyPair {
  const base = normalizeCurrency(pair.base);
  const quote = normalizeCurrency(pair.quote);
  const symbol = spotSymbol(pair.base, pair.quote);
  const takerFee = firstTierFee(pair.fees) ?? ZERO;
  const makerFee = firstTierFee(pair.fees_maker) ?? takerFee;
  const aliases = [...new Set([pairKey, pair.altname, ...(pair.wsname !== undefined ? [pair.wsname] : [])])];
  return {
    kind: 'CurrencyPair',
    id: InstrumentId.of(symbol, KRAKEN),
    rawSymbol: pairKey,
    productType: KrakenProductType.SPOT,
    base,
    quote,
    settlement: quote,
    isInverse: false,
    priceIncrement: pair.tick_size ?? incrementFromDecimals(pair.pair_decimals),
    sizeIncrement: incrementFromDecimals(pair.lot_decimals),
    pricePrecision: pair.pair_decimals,
    sizePrecision: pair.lot_decimals,
    ...(pair.ordermin !== undefined ? { minQuantity: pair.ordermin } : {}),
    ...(pair.costmin !== undefined ? { minNotional: pair.costmin } : {}),
    makerFee,
    takerFee,
    aliases,
    // WS v2 names pairs with normalised codes (`BTC/USD`), which is the model symbol.
    wsName: symbol,
    altName: pair.altname,
    tsEvent,
    tsInit,
  };
}

/** Every entry of an `AssetPairs` result, in key order. */
export function parseSpotAssetPairs(
  result: Readonly<Record<string, SpotAssetPair>>,
  tsInit: number,
  tsEvent = tsInit,
): CurrencyPair[] {
  return Object.entries(result).map(([key, pair]) => parseSpotAssetPair(key, pair, tsInit, tsEvent));
}

// ---------------------------------------------------------------------------------------------------------
// Market data

/** REST OHLC row → `Bar`; `tsEvent` is the bar's close (interval begin + interval). */
export function parseSpotOhlcRow(row: SpotOhlcRow, barType: BarType, tsInit: number): Bar {
  return {
    barType,
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    volume: row.volume,
    tsEvent: row.time + barType.intervalMs,
    tsInit,
  };
}

/** WS v2 `ohlc` candle → `Bar` (close time = `interval_begin` + `interval` minutes). */
export function parseSpotWsOhlc(candle: SpotWsOhlc, barType: BarType, tsInit: number): Bar {
  return {
    barType,
    open: candle.open,
    high: candle.high,
    low: candle.low,
    close: candle.close,
    volume: candle.volume,
    tsEvent: candle.interval_begin + candle.interval * 60_000,
    tsInit,
  };
}

/** `b`/`buy` → BUYER, `s`/`sell` → SELLER (the taker's side). */
export function spotAggressorSide(side: string): AggressorSide {
  if (side === 'b' || side === 'buy') return 'BUYER';
  if (side === 's' || side === 'sell') return 'SELLER';
  return 'NO_AGGRESSOR';
}

/** REST `Trades` row → `TradeTick`. Rows without a trade id get one from time, price and size. */
export function parseSpotTradeRow(row: SpotTradeRow, instrumentId: InstrumentId, tsInit: number): TradeTick {
  return {
    instrumentId,
    price: row.price,
    size: row.volume,
    aggressorSide: spotAggressorSide(row.side),
    tradeId:
      row.tradeId !== undefined ? String(row.tradeId) : `${row.time}-${row.price.toFixed()}-${row.volume.toFixed()}`,
    tsEvent: row.time,
    tsInit,
  };
}

/** WS v2 `trade` entry → `TradeTick`. */
export function parseSpotWsTrade(trade: SpotWsTrade, instrumentId: InstrumentId, tsInit: number): TradeTick {
  return {
    instrumentId,
    price: dec(trade.price),
    size: dec(trade.qty),
    aggressorSide: spotAggressorSide(trade.side),
    tradeId: String(trade.trade_id),
    tsEvent: trade.timestamp,
    tsInit,
  };
}

/** WS v2 `ticker` → `QuoteTick` (undefined when a side is missing). */
export function parseSpotWsTicker(
  ticker: SpotWsTicker,
  instrumentId: InstrumentId,
  tsInit: number,
): QuoteTick | undefined {
  const { bid, ask, bid_qty: bidSize, ask_qty: askSize } = ticker;
  if (bid === undefined || ask === undefined || bidSize === undefined || askSize === undefined) return undefined;
  return { instrumentId, bidPrice: bid, askPrice: ask, bidSize, askSize, tsEvent: ticker.timestamp ?? tsInit, tsInit };
}

/**
 * WS v2 `book` payload → the `orderBook` operator's input. Levels are mapped to `{price, size}` as JSON numbers;
 * the pair's precision rides along so the operator can format them for the checksum.
 */
export function spotWsBookMessage(
  type: SpotWsMessageType,
  data: SpotWsBookData,
  instrument: Pick<Instrument, 'id' | 'pricePrecision' | 'sizePrecision'>,
  tsInit: number,
): BookMessage {
  return {
    kind: type,
    instrumentId: instrument.id,
    bids: data.bids.map((l) => ({ price: l.price, size: l.qty })),
    asks: data.asks.map((l) => ({ price: l.price, size: l.qty })),
    checksum: data.checksum,
    pricePrecision: instrument.pricePrecision,
    sizePrecision: instrument.sizePrecision,
    tsEvent: data.timestamp ?? tsInit,
    tsInit,
  };
}

/** WS v2 `book` payload → `OrderBookDeltas` (a snapshot starts with CLEAR; qty 0 is DELETE). */
export function parseSpotWsBookDeltas(
  type: SpotWsMessageType,
  data: SpotWsBookData,
  instrumentId: InstrumentId,
  tsInit: number,
): OrderBookDeltas {
  const isSnapshot = type === 'snapshot';
  const deltas: OrderBookDelta[] = isSnapshot ? [{ action: 'CLEAR', side: 'BID', price: ZERO, size: ZERO }] : [];
  const levelAction = (qty: number): BookAction => (qty === 0 ? 'DELETE' : isSnapshot ? 'ADD' : 'UPDATE');
  for (const l of data.bids)
    deltas.push({ action: levelAction(l.qty), side: 'BID', price: dec(l.price), size: dec(l.qty) });
  for (const l of data.asks)
    deltas.push({ action: levelAction(l.qty), side: 'ASK', price: dec(l.price), size: dec(l.qty) });
  return { instrumentId, deltas, isSnapshot, tsEvent: data.timestamp ?? tsInit, tsInit };
}

/** REST `Depth` entry → a snapshot `OrderBookDeltas` (CLEAR, then every level as ADD). */
export function parseSpotDepth(entry: SpotDepthEntry, instrumentId: InstrumentId, tsInit: number): OrderBookDeltas {
  const deltas: OrderBookDelta[] = [{ action: 'CLEAR', side: 'BID', price: ZERO, size: ZERO }];
  let tsEvent = 0;
  for (const l of entry.bids) {
    deltas.push({ action: 'ADD', side: 'BID', price: l.price, size: l.volume });
    tsEvent = Math.max(tsEvent, l.timestamp);
  }
  for (const l of entry.asks) {
    deltas.push({ action: 'ADD', side: 'ASK', price: l.price, size: l.volume });
    tsEvent = Math.max(tsEvent, l.timestamp);
  }
  return { instrumentId, deltas, isSnapshot: true, tsEvent: tsEvent || tsInit, tsInit };
}

// ---------------------------------------------------------------------------------------------------------
// Orders and fills

export function spotOrderSide(side: string): OrderSide | undefined {
  if (side === 'buy' || side === 'b') return 'BUY';
  if (side === 'sell' || side === 's') return 'SELL';
  return undefined;
}

/**
 * Kraken order type → model order type. Stop/take-profit variants map to the trigger types; an unknown
 * type falls back to LIMIT when it has a limit price and MARKET otherwise.
 */
export function spotOrderType(orderType: string, hasLimitPrice = false): OrderType {
  switch (orderType) {
    case 'market':
    case 'settle-position':
      return 'MARKET';
    case 'limit':
    case 'iceberg':
      return 'LIMIT';
    case 'stop-loss':
    case 'trailing-stop':
      return 'STOP_MARKET';
    case 'stop-loss-limit':
    case 'trailing-stop-limit':
      return 'STOP_LIMIT';
    case 'take-profit':
      return 'MARKET_IF_TOUCHED';
    case 'take-profit-limit':
      return 'LIMIT_IF_TOUCHED';
    default:
      return hasLimitPrice ? 'LIMIT' : 'MARKET';
  }
}

const TRIGGERED_TYPES = new Set(['stop-loss', 'take-profit', 'trailing-stop']);
const TRIGGERED_LIMIT_TYPES = new Set(['stop-loss-limit', 'take-profit-limit', 'trailing-stop-limit']);

/** REST order `status` (+ executed volume) → model status; an unknown status is judged by the fill. */
export function spotOrderStatus(status: string, filledQty: Decimal, quantity: Decimal): OrderStatus {
  switch (status) {
    case 'pending':
      return 'SUBMITTED';
    case 'open':
      return filledQty.gt(0) ? 'PARTIALLY_FILLED' : 'ACCEPTED';
    case 'closed':
      return 'FILLED';
    case 'canceled':
      return 'CANCELED';
    case 'expired':
      return 'EXPIRED';
    default:
      if (filledQty.gt(0)) return filledQty.gte(quantity) ? 'FILLED' : 'PARTIALLY_FILLED';
      return 'ACCEPTED';
  }
}

function positive(value: Decimal | undefined): Decimal | undefined {
  return value !== undefined && value.gt(0) ? value : undefined;
}

function triggerType(trigger: string | undefined): TriggerType {
  return trigger === 'index' ? 'INDEX' : 'LAST';
}

/**
 * A REST order object (`OpenOrders`, `ClosedOrders`, `QueryOrders`) → `OrderStatusReport`. The caller
 * resolves the instrument from `descr.pair` (an altname) with `instrumentFinder`. Kraken's own status is
 * kept in `venueStatus` (unknown values too).
 */
export function parseSpotOrder(
  txid: string,
  order: SpotOrder,
  instrumentId: InstrumentId,
  accountId: string,
  tsInit: number,
): OrderStatusReport {
  const { descr } = order;
  const quantity = order.vol;
  const filledQty = order.vol_exec ?? ZERO;
  const kind = descr.ordertype;
  let price: Decimal | undefined;
  let triggerPrice: Decimal | undefined;
  if (TRIGGERED_TYPES.has(kind)) {
    triggerPrice = positive(descr.price);
  } else if (TRIGGERED_LIMIT_TYPES.has(kind)) {
    triggerPrice = positive(descr.price);
    price = positive(descr.price2);
  } else {
    price = positive(descr.price);
  }
  const orderType = spotOrderType(kind, price !== undefined);
  const expireTime = order.expiretm !== undefined && order.expiretm > 0 ? order.expiretm : undefined;
  const flags = (order.oflags ?? '').split(',');
  const orderStatus = spotOrderStatus(order.status, filledQty, quantity);
  const closedAt = order.closetm !== undefined && order.closetm > 0 ? order.closetm : undefined;
  return {
    accountId,
    instrumentId,
    ...(order.cl_ord_id ? { clientOrderId: order.cl_ord_id } : {}),
    venueOrderId: txid,
    orderSide: spotOrderSide(descr.type) ?? 'BUY',
    orderType,
    timeInForce: expireTime !== undefined ? 'GTD' : 'GTC',
    orderStatus,
    venueStatus: order.status,
    quantity,
    filledQty,
    ...(price !== undefined ? { price } : {}),
    ...(triggerPrice !== undefined ? { triggerPrice, triggerType: triggerType(order.trigger) } : {}),
    ...(positive(order.price) !== undefined ? { avgPx: order.price } : {}),
    postOnly: flags.includes('post'),
    reduceOnly: false,
    ...(expireTime !== undefined ? { expireTime } : {}),
    ...(orderStatus === 'CANCELED' && order.reason ? { cancelReason: order.reason } : {}),
    tsAccepted: order.opentm,
    tsLastUpdate: closedAt ?? order.opentm,
    tsInit,
  };
}

function liquidity(maker: boolean | undefined): LiquiditySide {
  if (maker === true) return 'MAKER';
  if (maker === false) return 'TAKER';
  return 'NO_LIQUIDITY_SIDE';
}

/**
 * A `TradesHistory` entry → `FillReport`. The fee is in the quote currency (Kraken's default), taken
 * from the instrument; `pair` in the entry is the pair key.
 */
export function parseSpotFill(
  tradeTxid: string,
  trade: SpotTrade,
  instrument: Pick<Instrument, 'id' | 'quote'>,
  accountId: string,
  tsInit: number,
  clientOrderId?: string,
): FillReport {
  return {
    accountId,
    instrumentId: instrument.id,
    venueOrderId: trade.ordertxid,
    ...(clientOrderId !== undefined ? { clientOrderId } : {}),
    tradeId: tradeTxid,
    orderSide: spotOrderSide(trade.type) ?? 'BUY',
    lastQty: trade.vol,
    lastPx: trade.price,
    commission: trade.fee ?? ZERO,
    commissionCurrency: instrument.quote,
    liquiditySide: liquidity(trade.maker),
    tsEvent: trade.time,
    tsInit,
  };
}

/**
 * A WS v2 `executions` entry with `exec_type: "trade"` → `FillReport`; `undefined` for other entries or
 * when the fill fields are missing. The commission is the sum of `fees` (in its first asset, normalised).
 */
export function parseSpotWsFill(
  execution: SpotWsExecution,
  instrument: Pick<Instrument, 'id' | 'quote'>,
  accountId: string,
  tsInit: number,
): FillReport | undefined {
  const { exec_id: tradeId, order_id: venueOrderId, last_qty: lastQty, last_price: lastPx, side } = execution;
  if (execution.exec_type !== 'trade' || tradeId === undefined || venueOrderId === undefined) return undefined;
  if (lastQty === undefined || lastPx === undefined || side === undefined) return undefined;
  const fees = execution.fees ?? [];
  const commission = fees.reduce((sum, fee) => sum.plus(fee.qty), ZERO);
  return {
    accountId,
    instrumentId: instrument.id,
    venueOrderId,
    ...(execution.cl_ord_id !== undefined ? { clientOrderId: execution.cl_ord_id } : {}),
    tradeId,
    orderSide: spotOrderSide(side) ?? 'BUY',
    lastQty,
    lastPx,
    commission,
    commissionCurrency: fees[0] !== undefined ? normalizeCurrency(fees[0].asset) : instrument.quote,
    liquiditySide:
      execution.liquidity_ind === 'm' ? 'MAKER' : execution.liquidity_ind === 't' ? 'TAKER' : 'NO_LIQUIDITY_SIDE',
    tsEvent: execution.timestamp ?? tsInit,
    tsInit,
  };
}

/** WS v2 `time_in_force` (`GTC`/`gtd`/...) → model; unknown → GTC. */
export function spotTimeInForce(value: string | undefined): TimeInForce {
  switch (value?.toUpperCase()) {
    case 'IOC':
      return 'IOC';
    case 'GTD':
      return 'GTD';
    case 'FOK':
      return 'FOK';
    default:
      return 'GTC';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Balances

function addBalance(into: Map<string, AccountBalance>, currency: string, total: Decimal, locked: Decimal): void {
  const previous = into.get(currency);
  const t = previous === undefined ? total : previous.total.plus(total);
  const l = previous === undefined ? locked : previous.locked.plus(locked);
  into.set(currency, { currency, total: t, locked: l, free: t.minus(l) });
}

function cashState(
  balances: Map<string, AccountBalance>,
  accountId: string,
  tsEvent: number,
  tsInit: number,
): AccountState {
  return {
    accountId,
    accountType: 'CASH',
    balances: [...balances.values()],
    margins: [],
    reported: true,
    tsEvent,
    tsInit,
  };
}

/**
 * `Balance` → `AccountState` (CASH). Currencies are normalised (`XXBT` → `BTC`, `XBT.M` → `BTC.M`); two keys
 * that normalise to the same code are added up. `Balance` has no hold amounts: everything is free.
 */
export function parseSpotBalance(
  result: SpotBalanceResult,
  accountId: string,
  tsEvent: number,
  tsInit: number,
): AccountState {
  const balances = new Map<string, AccountBalance>();
  for (const [asset, total] of Object.entries(result)) addBalance(balances, normalizeCurrency(asset), total, ZERO);
  return cashState(balances, accountId, tsEvent, tsInit);
}

/** `BalanceEx` → `AccountState` (CASH): `balance` is the total, `hold_trade` the locked part. */
export function parseSpotBalanceEx(
  result: SpotBalanceExResult,
  accountId: string,
  tsEvent: number,
  tsInit: number,
): AccountState {
  const balances = new Map<string, AccountBalance>();
  for (const [asset, entry] of Object.entries(result)) {
    addBalance(balances, normalizeCurrency(asset), entry.balance, entry.hold_trade ?? ZERO);
  }
  return cashState(balances, accountId, tsEvent, tsInit);
}

/**
 * WS v2 `balances` entries → `AccountState` (CASH) with the entries' new totals (a snapshot gives every
 * asset, an update only those that changed). Entries without `balance` are skipped.
 */
export function parseSpotWsBalances(
  entries: readonly SpotWsBalance[],
  accountId: string,
  tsEvent: number,
  tsInit: number,
): AccountState {
  const balances = new Map<string, AccountBalance>();
  for (const entry of entries) {
    if (entry.balance === undefined) continue;
    const currency = normalizeCurrency(entry.asset);
    balances.delete(currency); // an update stream may carry several entries per asset: the last one wins
    addBalance(balances, currency, entry.balance, ZERO);
  }
  return cashState(balances, accountId, tsEvent, tsInit);
}
