/**
 * Kraken Futures wire → model: pure functions from decoded REST / History / Charts / WS v1 values (see
 * `./rest`, `./ws`) to the domain types of `src/model`. Futures symbols stay native (`PI_XBTUSD`); their
 * currencies are normalised (`XBT` → `BTC`).
 */
import Decimal from 'decimal.js';
import type {
  AggressorSide,
  Bar,
  FundingRateUpdate,
  IndexPriceUpdate,
  MarkPriceUpdate,
  OrderBookDelta,
  OrderBookDeltas,
  QuoteTick,
  TradeTick,
} from '../../model/data';
import { type BarType, type InstrumentId, KrakenProductType } from '../../model/identifiers';
import type {
  CryptoFuture,
  CryptoPerpetual,
  FuturesInstrument as FuturesInstrumentModel,
} from '../../model/instruments';
import type { LiquiditySide, OrderSide, OrderType, TimeInForce, TriggerType } from '../../model/orders';
import type {
  AccountBalance,
  AccountState,
  FillReport,
  MarginBalance,
  OrderStatus,
  OrderStatusReport,
  PositionStatusReport,
} from '../../model/reports';
import type { BookMessage } from '../../operators/orderBook';
import {
  futuresCurrencies,
  futuresInstrumentId,
  futuresSymbolParts,
  normalizeFuturesCurrency,
} from '../common/symbols';
import {
  historyExecutionOf,
  type FuturesAccount,
  type FuturesCandle,
  type FuturesFill,
  type FuturesHistoryExecutionElement,
  type FuturesHistoryOrder,
  type FuturesHistoryOrderElement,
  type FuturesInstrument,
  type FuturesOpenOrder,
  type FuturesOpenPosition,
  type FuturesPublicTrade,
  type FuturesTicker,
} from './rest';
import type {
  FuturesWsBalancesSnapshot,
  FuturesWsBalancesUpdate,
  FuturesWsBookSnapshot,
  FuturesWsBookUpdate,
  FuturesWsFill,
  FuturesWsOpenOrder,
  FuturesWsPosition,
  FuturesWsTicker,
  FuturesWsTrade,
} from './ws';

const ZERO = new Decimal(0);
const ONE = new Decimal(1);

/**
 * Kraken Futures' standard fee schedule (lowest volume tier): maker 0.02 %, taker 0.05 %. `/instruments` carries
 * no fees (and the fee-schedule endpoints were deprecated in 2026), so these are defaults the caller may override.
 */
export const FUTURES_DEFAULT_FEES: { readonly makerFee: Decimal; readonly takerFee: Decimal } = {
  makerFee: new Decimal('0.0002'),
  takerFee: new Decimal('0.0005'),
};

const TRADEABLE_TYPES = new Set(['futures_inverse', 'flexible_futures', 'futures_vanilla']);

/**
 * A `/instruments` entry → `CryptoPerpetual` (PI_, PF_) or `CryptoFuture` (FI_, FF_, or any contract with a
 * `lastTradingTime`, which becomes `expiry`). `undefined` for index rows, options and unknown types.
 * Inverse = `futures_inverse` (PI_/FI_): settled in the base currency. Price precision follows `tickSize`,
 * size step is 10^-`contractValueTradePrecision`.
 */
export function parseFuturesInstrument(
  wire: FuturesInstrument,
  tsInit: number,
  fees: { readonly makerFee: Decimal; readonly takerFee: Decimal } = FUTURES_DEFAULT_FEES,
): FuturesInstrumentModel | undefined {
  if (!TRADEABLE_TYPES.has(wire.type)) return undefined;
  const symbol = wire.symbol.toUpperCase();
  const parts = futuresSymbolParts(symbol);
  const currencies = futuresCurrencies(symbol, wire);
  if (currencies === undefined) return undefined;
  const prefix = parts?.prefix ?? '';
  const isInverse = wire.type === 'futures_inverse' || prefix === 'PI' || prefix === 'FI';
  const isDated = prefix === 'FI' || prefix === 'FF' || wire.lastTradingTime !== undefined;
  if (isDated && wire.lastTradingTime === undefined) return undefined;
  const tickSize = wire.tickSize ?? ONE;
  const cvtp = wire.contractValueTradePrecision ?? 0;
  const sizeIncrement = new Decimal(10).pow(-cvtp);
  const initialMargin = wire.marginLevels?.[0]?.initialMargin;
  const base = {
    id: futuresInstrumentId(symbol),
    rawSymbol: wire.symbol,
    productType: KrakenProductType.FUTURES,
    base: currencies.base,
    quote: currencies.quote,
    settlement: isInverse ? currencies.base : currencies.quote,
    isInverse,
    priceIncrement: tickSize,
    sizeIncrement,
    pricePrecision: tickSize.decimalPlaces(),
    sizePrecision: Math.max(0, cvtp),
    minQuantity: sizeIncrement,
    makerFee: fees.makerFee,
    takerFee: fees.takerFee,
    aliases: [...new Set([wire.symbol, symbol, symbol.toLowerCase()])],
    contractSize: wire.contractSize ?? ONE,
    ...(initialMargin !== undefined && initialMargin.gt(0) ? { maxLeverage: ONE.div(initialMargin) } : {}),
    tsEvent: tsInit,
    tsInit,
  };
  if (isDated) {
    const future: CryptoFuture = { ...base, kind: 'CryptoFuture', expiry: wire.lastTradingTime as number };
    return future;
  }
  const perpetual: CryptoPerpetual = { ...base, kind: 'CryptoPerpetual' };
  return perpetual;
}

/** Every tradeable contract of an `/instruments` answer (index rows, options and unknown types skipped). */
export function parseFuturesInstruments(
  instruments: readonly FuturesInstrument[],
  tsInit: number,
  fees?: { readonly makerFee: Decimal; readonly takerFee: Decimal },
): FuturesInstrumentModel[] {
  const out: FuturesInstrumentModel[] = [];
  for (const wire of instruments) {
    const parsed = parseFuturesInstrument(wire, tsInit, fees);
    if (parsed !== undefined) out.push(parsed);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Market data

/** Charts API candle → `Bar`; `tsEvent` = open time + the bar type's interval. */
export function parseFuturesCandle(candle: FuturesCandle, barType: BarType, tsInit: number): Bar {
  return {
    barType,
    open: candle.open,
    high: candle.high,
    low: candle.low,
    close: candle.close,
    volume: candle.volume,
    tsEvent: candle.time + barType.intervalMs,
    tsInit,
  };
}

export function futuresAggressorSide(side: string | undefined): AggressorSide {
  if (side === 'buy') return 'BUYER';
  if (side === 'sell') return 'SELLER';
  return 'NO_AGGRESSOR';
}

/** REST `/history` trade → `TradeTick` (trade id: `uid`, else `trade_id`). */
export function parseFuturesPublicTrade(
  trade: FuturesPublicTrade,
  instrumentId: InstrumentId,
  tsInit: number,
): TradeTick {
  return {
    instrumentId,
    price: trade.price,
    size: trade.size,
    aggressorSide: futuresAggressorSide(trade.side),
    tradeId: trade.uid ?? String(trade.trade_id ?? `${trade.time}-${trade.price.toFixed()}`),
    tsEvent: trade.time,
    tsInit,
  };
}

/** WS `trade` (or an entry of `trade_snapshot`) → `TradeTick`; the instrument id comes from `product_id`. */
export function parseFuturesWsTrade(trade: FuturesWsTrade, tsInit: number): TradeTick {
  return {
    instrumentId: futuresInstrumentId(trade.product_id),
    price: new Decimal(trade.price),
    size: new Decimal(trade.qty),
    aggressorSide: futuresAggressorSide(trade.side),
    tradeId: trade.uid,
    tsEvent: trade.time,
    tsInit,
  };
}

/** What one ticker says, split into model updates (each present only when the ticker carries it). */
export interface FuturesTickerUpdates {
  readonly markPrice?: MarkPriceUpdate;
  readonly indexPrice?: IndexPriceUpdate;
  readonly fundingRate?: FundingRateUpdate;
  readonly quote?: QuoteTick;
}

function quoteOf(
  instrumentId: InstrumentId,
  bid: Decimal | undefined,
  ask: Decimal | undefined,
  bidSize: Decimal | undefined,
  askSize: Decimal | undefined,
  tsEvent: number,
  tsInit: number,
): QuoteTick | undefined {
  if (bid === undefined || ask === undefined || bidSize === undefined || askSize === undefined) return undefined;
  return { instrumentId, bidPrice: bid, askPrice: ask, bidSize, askSize, tsEvent, tsInit };
}

/**
 * REST `/tickers` row → mark, index, funding (absolute `fundingRate` and its prediction; REST gives no
 * relative rate and no next funding time) and quote. `tsEvent` is the response's `serverTime` when known.
 */
export function parseFuturesTicker(ticker: FuturesTicker, tsEvent: number, tsInit: number): FuturesTickerUpdates {
  const instrumentId = futuresInstrumentId(ticker.symbol);
  const quote = quoteOf(instrumentId, ticker.bid, ticker.ask, ticker.bidSize, ticker.askSize, tsEvent, tsInit);
  return {
    ...(ticker.markPrice !== undefined
      ? { markPrice: { instrumentId, value: ticker.markPrice, tsEvent, tsInit } }
      : {}),
    ...(ticker.indexPrice !== undefined
      ? { indexPrice: { instrumentId, value: ticker.indexPrice, tsEvent, tsInit } }
      : {}),
    ...(ticker.fundingRate !== undefined
      ? {
          fundingRate: {
            instrumentId,
            rate: ticker.fundingRate,
            ...(ticker.fundingRatePrediction !== undefined ? { predictedRate: ticker.fundingRatePrediction } : {}),
            tsEvent,
            tsInit,
          },
        }
      : {}),
    ...(quote !== undefined ? { quote } : {}),
  };
}

/**
 * WS `ticker` → mark (`markPrice`), index (`index`), funding (`funding_rate`, `relative_funding_rate`,
 * `funding_rate_prediction`, `next_funding_rate_time`) and quote. `tsEvent` is the message `time`.
 */
export function parseFuturesWsTicker(ticker: FuturesWsTicker, tsInit: number): FuturesTickerUpdates {
  const instrumentId = futuresInstrumentId(ticker.product_id);
  const tsEvent = ticker.time ?? tsInit;
  const quote = quoteOf(instrumentId, ticker.bid, ticker.ask, ticker.bid_size, ticker.ask_size, tsEvent, tsInit);
  const funding: FundingRateUpdate | undefined =
    ticker.funding_rate !== undefined
      ? {
          instrumentId,
          rate: ticker.funding_rate,
          ...(ticker.relative_funding_rate !== undefined ? { relativeRate: ticker.relative_funding_rate } : {}),
          ...(ticker.funding_rate_prediction !== undefined ? { predictedRate: ticker.funding_rate_prediction } : {}),
          ...(ticker.next_funding_rate_time !== undefined ? { nextFundingTime: ticker.next_funding_rate_time } : {}),
          tsEvent,
          tsInit,
        }
      : undefined;
  return {
    ...(ticker.markPrice !== undefined
      ? { markPrice: { instrumentId, value: ticker.markPrice, tsEvent, tsInit } }
      : {}),
    ...(ticker.index !== undefined ? { indexPrice: { instrumentId, value: ticker.index, tsEvent, tsInit } } : {}),
    ...(funding !== undefined ? { fundingRate: funding } : {}),
    ...(quote !== undefined ? { quote } : {}),
  };
}

/** WS `book_snapshot` → the `orderBook` operator's input (zero-size levels skipped, `seq` as `sequence`). */
export function futuresWsBookSnapshotMessage(
  snapshot: FuturesWsBookSnapshot,
  instrument: { readonly id: InstrumentId; readonly pricePrecision?: number; readonly sizePrecision?: number },
  tsInit: number,
): BookMessage {
  const levels = (side: FuturesWsBookSnapshot['bids']) =>
    side.filter((l) => l.qty !== 0).map((l) => ({ price: l.price, size: l.qty }));
  return {
    kind: 'snapshot',
    instrumentId: instrument.id,
    bids: levels(snapshot.bids),
    asks: levels(snapshot.asks),
    sequence: snapshot.seq,
    ...(instrument.pricePrecision !== undefined ? { pricePrecision: instrument.pricePrecision } : {}),
    ...(instrument.sizePrecision !== undefined ? { sizePrecision: instrument.sizePrecision } : {}),
    tsEvent: snapshot.timestamp ?? tsInit,
    tsInit,
  };
}

/** WS `book` delta → the `orderBook` operator's input: one level on the side given (`buy` → bid). */
export function futuresWsBookUpdateMessage(
  update: FuturesWsBookUpdate,
  instrumentId: InstrumentId,
  tsInit: number,
): BookMessage {
  const level = [{ price: update.price, size: update.qty }];
  const isBid = update.side === 'buy';
  return {
    kind: 'update',
    instrumentId,
    bids: isBid ? level : [],
    asks: isBid ? [] : level,
    sequence: update.seq,
    tsEvent: update.timestamp ?? tsInit,
    tsInit,
  };
}

/** REST `/orderbook` → a snapshot `OrderBookDeltas` (no sequence: it cannot be stitched to the WS feed). */
export function parseFuturesOrderBook(
  book: {
    readonly bids: readonly (readonly [Decimal, Decimal])[];
    readonly asks: readonly (readonly [Decimal, Decimal])[];
  },
  instrumentId: InstrumentId,
  tsEvent: number,
  tsInit: number,
): OrderBookDeltas {
  const deltas: OrderBookDelta[] = [{ action: 'CLEAR', side: 'BID', price: ZERO, size: ZERO }];
  for (const [price, size] of book.bids) if (!size.isZero()) deltas.push({ action: 'ADD', side: 'BID', price, size });
  for (const [price, size] of book.asks) if (!size.isZero()) deltas.push({ action: 'ADD', side: 'ASK', price, size });
  return { instrumentId, deltas, isSnapshot: true, tsEvent, tsInit };
}

// ---------------------------------------------------------------------------------------------------------
// Orders, fills, positions

export function futuresOrderSide(side: string | undefined): OrderSide | undefined {
  switch (side?.toLowerCase()) {
    case 'buy':
      return 'BUY';
    case 'sell':
      return 'SELL';
    default:
      return undefined;
  }
}

/** `triggerSignal` (`mark`, `index`, `spot`, `last`, `mark_price`, ...) → model trigger type. */
export function futuresTriggerType(signal: string | undefined): TriggerType | undefined {
  if (signal === undefined) return undefined;
  const s = signal.toLowerCase();
  if (s.startsWith('mark')) return 'MARK';
  if (s.startsWith('index') || s.startsWith('spot')) return 'INDEX';
  if (s.startsWith('last')) return 'LAST';
  return undefined;
}

/**
 * Futures order type words (`lmt`, `post`, `ioc`, `mkt`, `stp`/`stop`, `take_profit`, `trailing_stop`,
 * `limit`, History's `Limit`/`IoC`/`Post`/`Market`, ...) → model type and time in force.
 */
export function futuresOrderType(
  type: string,
  hasLimitPrice: boolean,
  hasStopPrice: boolean,
): { orderType: OrderType; timeInForce: TimeInForce; postOnly: boolean } {
  switch (type.toLowerCase()) {
    case 'lmt':
    case 'limit':
      return hasStopPrice
        ? { orderType: 'STOP_LIMIT', timeInForce: 'GTC', postOnly: false }
        : { orderType: 'LIMIT', timeInForce: 'GTC', postOnly: false };
    case 'post':
      return { orderType: 'LIMIT', timeInForce: 'GTC', postOnly: true };
    case 'ioc':
      return { orderType: 'LIMIT', timeInForce: 'IOC', postOnly: false };
    case 'fok':
    case 'fillorkill':
      return { orderType: 'LIMIT', timeInForce: 'FOK', postOnly: false };
    case 'mkt':
    case 'market':
    case 'liquidation':
    case 'assignment':
    case 'unwind':
      return { orderType: 'MARKET', timeInForce: 'IOC', postOnly: false };
    case 'stp':
    case 'stop':
    case 'stop_loss':
    case 'trailing_stop':
      return { orderType: hasLimitPrice ? 'STOP_LIMIT' : 'STOP_MARKET', timeInForce: 'GTC', postOnly: false };
    case 'take_profit':
      return {
        orderType: hasLimitPrice ? 'LIMIT_IF_TOUCHED' : 'MARKET_IF_TOUCHED',
        timeInForce: 'GTC',
        postOnly: false,
      };
    default:
      return { orderType: hasLimitPrice ? 'LIMIT' : 'MARKET', timeInForce: 'GTC', postOnly: false };
  }
}

function positive(value: Decimal | null | undefined): Decimal | undefined {
  return value !== undefined && value !== null && value.gt(0) ? value : undefined;
}

/**
 * REST `/openorders` entry → `OrderStatusReport`. `status` `untouched` → ACCEPTED, `partiallyFilled` →
 * PARTIALLY_FILLED; anything else is kept in `venueStatus` and judged by the filled size.
 */
export function parseFuturesOpenOrder(order: FuturesOpenOrder, accountId: string, tsInit: number): OrderStatusReport {
  const filledQty = order.filledSize ?? ZERO;
  const quantity = filledQty.plus(order.unfilledSize ?? ZERO);
  const limitPrice = positive(order.limitPrice);
  const stopPrice = positive(order.stopPrice);
  const { orderType, timeInForce, postOnly } = futuresOrderType(
    order.orderType,
    limitPrice !== undefined,
    stopPrice !== undefined,
  );
  const triggerType = stopPrice !== undefined ? (futuresTriggerType(order.triggerSignal) ?? 'LAST') : undefined;
  const clientOrderId = order.cliOrdId ?? order.cli_ord_id ?? undefined;
  return {
    accountId,
    instrumentId: futuresInstrumentId(order.symbol),
    ...(clientOrderId ? { clientOrderId } : {}),
    venueOrderId: order.order_id,
    orderSide: futuresOrderSide(order.side) ?? 'BUY',
    orderType,
    timeInForce,
    orderStatus: order.status === 'untouched' ? 'ACCEPTED' : filledQty.gt(0) ? 'PARTIALLY_FILLED' : 'ACCEPTED',
    venueStatus: order.status,
    quantity,
    filledQty,
    ...(limitPrice !== undefined ? { price: limitPrice } : {}),
    ...(stopPrice !== undefined ? { triggerPrice: stopPrice, triggerType } : {}),
    postOnly,
    reduceOnly: order.reduceOnly ?? false,
    tsAccepted: order.receivedTime,
    tsLastUpdate: order.lastUpdateTime ?? order.receivedTime,
    tsInit,
  };
}

/** WS `open_orders` removal reasons that are refusals rather than cancellations. */
export const FUTURES_REJECT_REASONS: ReadonlySet<string> = new Set([
  'ioc_order_failed_because_it_would_not_be_executed',
  'post_order_failed_because_it_would_filled',
  'post_order_failed_because_it_would_be_filled',
  'would_execute_self',
  'would_not_reduce_position',
  'not_enough_margin',
  'market_inactive',
  'order_for_edit_not_found',
]);

/**
 * WS `open_orders` order → `OrderStatusReport` (`direction` 0 buy / 1 sell; `qty` is the remaining size,
 * `filled` the cumulative fill; prices of 0 mean "not applicable"). `isCancel`/`reason` come from the update
 * message: a removal with a fill reason is FILLED, any other removal CANCELED (or REJECTED for the
 * post-only / IOC / self-trade refusals).
 */
export function parseFuturesWsOpenOrder(
  order: FuturesWsOpenOrder,
  accountId: string,
  tsInit: number,
  update?: { readonly isCancel: boolean; readonly reason?: string },
): OrderStatusReport {
  const filledQty = order.filled;
  const quantity = order.filled.plus(order.qty);
  const limitPrice = positive(order.limit_price);
  const stopPrice = positive(order.stop_price);
  const { orderType, timeInForce, postOnly } = futuresOrderType(
    order.type,
    limitPrice !== undefined,
    stopPrice !== undefined,
  );
  const reason = update?.reason;
  let orderStatus: OrderStatus = filledQty.gt(0) ? 'PARTIALLY_FILLED' : 'ACCEPTED';
  if (update?.isCancel) {
    if (reason === 'full_fill' || (order.qty.isZero() && filledQty.gt(0) && reason !== 'cancelled_by_user')) {
      orderStatus = 'FILLED';
    } else if (reason !== undefined && FUTURES_REJECT_REASONS.has(reason)) {
      orderStatus = 'REJECTED';
    } else if (reason === 'contract_expired') {
      orderStatus = 'EXPIRED';
    } else {
      orderStatus = 'CANCELED';
    }
  }
  return {
    accountId,
    instrumentId: futuresInstrumentId(order.instrument),
    ...(order.cli_ord_id ? { clientOrderId: order.cli_ord_id } : {}),
    venueOrderId: order.order_id,
    orderSide: order.direction === 1 ? 'SELL' : 'BUY',
    orderType,
    timeInForce,
    orderStatus,
    venueStatus: reason ?? (order.qty.isZero() ? 'closed' : 'open'),
    quantity,
    filledQty,
    ...(limitPrice !== undefined ? { price: limitPrice } : {}),
    ...(stopPrice !== undefined
      ? { triggerPrice: stopPrice, triggerType: futuresTriggerType(order.triggerSignal) ?? 'LAST' }
      : {}),
    postOnly,
    reduceOnly: order.reduce_only,
    ...(orderStatus === 'CANCELED' && reason !== undefined ? { cancelReason: reason } : {}),
    tsAccepted: order.time,
    tsLastUpdate: order.last_update_time,
    tsInit,
  };
}

function historyOrderReport(
  order: FuturesHistoryOrder,
  orderStatus: OrderStatus,
  venueStatus: string,
  accountId: string,
  eventTime: number,
  tsInit: number,
  cancelReason?: string,
): OrderStatusReport | undefined {
  const side = futuresOrderSide(order.direction);
  if (order.uid === undefined || order.tradeable === undefined || side === undefined) return undefined;
  const limitPrice = positive(order.limitPrice);
  const stopPrice = positive(order.stopPrice);
  const { orderType, timeInForce, postOnly } = futuresOrderType(
    order.orderType ?? '',
    limitPrice !== undefined,
    stopPrice !== undefined,
  );
  return {
    accountId,
    instrumentId: futuresInstrumentId(order.tradeable),
    ...(order.clientId ? { clientOrderId: order.clientId } : {}),
    venueOrderId: order.uid,
    orderSide: side,
    orderType,
    timeInForce,
    orderStatus,
    venueStatus,
    quantity: order.quantity ?? ZERO,
    filledQty: order.filled ?? ZERO,
    ...(limitPrice !== undefined ? { price: limitPrice } : {}),
    ...(stopPrice !== undefined ? { triggerPrice: stopPrice, triggerType: 'LAST' as const } : {}),
    postOnly,
    reduceOnly: order.reduceOnly ?? false,
    ...(cancelReason !== undefined ? { cancelReason } : {}),
    tsAccepted: order.timestamp ?? eventTime,
    tsLastUpdate: order.lastUpdateTimestamp ?? eventTime,
    tsInit,
  };
}

function filledStatus(order: FuturesHistoryOrder): OrderStatus {
  const filled = order.filled ?? ZERO;
  if (filled.gt(0)) return order.quantity !== undefined && filled.gte(order.quantity) ? 'FILLED' : 'PARTIALLY_FILLED';
  return 'ACCEPTED';
}

/**
 * One History API order element → `OrderStatusReport` describing the order after that event:
 * `OrderPlaced` → ACCEPTED, `OrderUpdated` → by fill (`full_fill` → FILLED), `OrderCancelled` → CANCELED,
 * `OrderRejected` → REJECTED. `venueStatus` is the event name with its reason (`OrderUpdated:full_fill`).
 * `OrderNotFound`, `OrderEditRejected` and unknown events give `undefined`.
 */
export function parseFuturesHistoryOrder(
  element: FuturesHistoryOrderElement,
  accountId: string,
  tsInit: number,
): OrderStatusReport | undefined {
  const { event } = element;
  const at = element.timestamp;
  const status = (name: string, reason: string | undefined) => (reason ? `${name}:${reason}` : name);
  if (event.OrderPlaced !== undefined) {
    const { order, reason } = event.OrderPlaced;
    return historyOrderReport(order, filledStatus(order), status('OrderPlaced', reason), accountId, at, tsInit);
  }
  if (event.OrderUpdated !== undefined) {
    const { newOrder, reason } = event.OrderUpdated;
    const orderStatus = reason === 'full_fill' ? 'FILLED' : filledStatus(newOrder);
    return historyOrderReport(newOrder, orderStatus, status('OrderUpdated', reason), accountId, at, tsInit);
  }
  if (event.OrderCancelled !== undefined) {
    const { order, reason } = event.OrderCancelled;
    return historyOrderReport(order, 'CANCELED', status('OrderCancelled', reason), accountId, at, tsInit, reason);
  }
  if (event.OrderRejected !== undefined) {
    const { order, reason, orderError } = event.OrderRejected;
    const why = orderError ?? reason;
    return historyOrderReport(order, 'REJECTED', status('OrderRejected', why), accountId, at, tsInit, why);
  }
  return undefined;
}

/** Fill types Kraken counts as taking liquidity. */
function futuresLiquidity(fillType: string): LiquiditySide {
  if (fillType === 'maker') return 'MAKER';
  if (fillType === 'taker' || fillType === 'takerAfterEdit') return 'TAKER';
  return 'NO_LIQUIDITY_SIDE';
}

/**
 * REST `/fills` entry → `FillReport`. The fee currency is `fee_currency` when given, else the contract's
 * settlement currency (`settlementCurrency`, default `USD`).
 */
export function parseFuturesFill(
  fill: FuturesFill,
  accountId: string,
  tsInit: number,
  settlementCurrency = 'USD',
): FillReport {
  const clientOrderId = fill.cliOrdId ?? fill.cli_ord_id ?? undefined;
  return {
    accountId,
    instrumentId: futuresInstrumentId(fill.symbol),
    venueOrderId: fill.order_id,
    ...(clientOrderId ? { clientOrderId } : {}),
    tradeId: fill.fill_id,
    orderSide: futuresOrderSide(fill.side) ?? 'BUY',
    lastQty: fill.size,
    lastPx: fill.price,
    commission: fill.fee_paid ?? ZERO,
    commissionCurrency:
      fill.fee_currency !== undefined ? normalizeFuturesCurrency(fill.fee_currency) : settlementCurrency,
    liquiditySide: futuresLiquidity(fill.fillType),
    tsEvent: fill.fillTime,
    tsInit,
  };
}

/** WS `fills` / `fills_snapshot` entry → `FillReport` (`buy` boolean = side; negative fee = rebate). */
export function parseFuturesWsFill(
  fill: FuturesWsFill,
  accountId: string,
  tsInit: number,
  settlementCurrency = 'USD',
): FillReport {
  return {
    accountId,
    instrumentId: futuresInstrumentId(fill.instrument),
    venueOrderId: fill.order_id,
    ...(fill.cli_ord_id ? { clientOrderId: fill.cli_ord_id } : {}),
    tradeId: fill.fill_id,
    orderSide: fill.buy ? 'BUY' : 'SELL',
    lastQty: fill.qty,
    lastPx: fill.price,
    commission: fill.fee_paid ?? ZERO,
    commissionCurrency:
      fill.fee_currency !== undefined ? normalizeFuturesCurrency(fill.fee_currency) : settlementCurrency,
    liquiditySide: futuresLiquidity(fill.fill_type),
    tsEvent: fill.time,
    tsInit,
  };
}

/**
 * History API execution element → `FillReport` for the account `accountUid` (matched against the maker
 * and taker orders); `undefined` when neither side is this account's.
 */
export function parseFuturesHistoryExecution(
  element: FuturesHistoryExecutionElement,
  accountUid: string,
  accountId: string,
  tsInit: number,
  settlementCurrency = 'USD',
): FillReport | undefined {
  const execution = historyExecutionOf(element);
  if (execution === undefined) return undefined;
  const isMaker = execution.makerOrder?.accountUid === accountUid;
  const isTaker = execution.takerOrder?.accountUid === accountUid;
  if (!isMaker && !isTaker) return undefined;
  const order = isMaker ? execution.makerOrder : execution.takerOrder;
  const data = isMaker ? execution.makerOrderData : execution.takerOrderData;
  const side = futuresOrderSide(order?.direction);
  if (order?.uid === undefined || order.tradeable === undefined || side === undefined) return undefined;
  return {
    accountId,
    instrumentId: futuresInstrumentId(order.tradeable),
    venueOrderId: order.uid,
    ...(order.clientId ? { clientOrderId: order.clientId } : {}),
    tradeId: execution.uid,
    orderSide: side,
    lastQty: execution.quantity,
    lastPx: execution.price,
    commission: data?.fee ?? ZERO,
    commissionCurrency: settlementCurrency,
    liquiditySide: isMaker ? 'MAKER' : 'TAKER',
    tsEvent: execution.timestamp,
    tsInit,
  };
}

/** REST `/openpositions` entry → `PositionStatusReport` (`size` unsigned, direction from `side`). */
export function parseFuturesOpenPosition(
  position: FuturesOpenPosition,
  accountId: string,
  tsInit: number,
): PositionStatusReport {
  const quantity = position.size.abs();
  return {
    accountId,
    instrumentId: futuresInstrumentId(position.symbol),
    positionSide: quantity.isZero() ? 'FLAT' : position.side === 'short' ? 'SHORT' : 'LONG',
    quantity,
    avgPxOpen: position.price,
    ...(position.unrealizedPnl !== undefined ? { unrealizedPnl: position.unrealizedPnl } : {}),
    tsLast: position.fillTime ?? tsInit,
    tsInit,
  };
}

/** WS `open_positions` entry → `PositionStatusReport` (`balance` signed: negative = short, 0 = flat). */
export function parseFuturesWsPosition(
  position: FuturesWsPosition,
  accountId: string,
  tsEvent: number,
  tsInit: number,
): PositionStatusReport {
  const { balance } = position;
  return {
    accountId,
    instrumentId: futuresInstrumentId(position.instrument),
    positionSide: balance.isZero() ? 'FLAT' : balance.isNegative() ? 'SHORT' : 'LONG',
    quantity: balance.abs(),
    ...(position.entry_price !== undefined && !balance.isZero() ? { avgPxOpen: position.entry_price } : {}),
    ...(position.pnl !== undefined ? { unrealizedPnl: position.pnl } : {}),
    tsLast: tsEvent,
    tsInit,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Accounts

class BalanceSheet {
  private readonly balances = new Map<string, { total: Decimal; locked: Decimal }>();
  readonly margins: MarginBalance[] = [];

  add(currency: string, total: Decimal, free?: Decimal): void {
    const code = normalizeFuturesCurrency(currency);
    const locked = free === undefined ? ZERO : Decimal.max(ZERO, total.minus(free));
    const previous = this.balances.get(code);
    this.balances.set(
      code,
      previous === undefined
        ? { total, locked }
        : { total: previous.total.plus(total), locked: previous.locked.plus(locked) },
    );
  }

  list(): AccountBalance[] {
    return [...this.balances].map(([currency, { total, locked }]) => ({
      currency,
      total,
      locked,
      free: total.minus(locked),
    }));
  }
}

function marginState(sheet: BalanceSheet, accountId: string, tsEvent: number, tsInit: number): AccountState {
  return {
    accountId,
    accountType: 'MARGIN',
    baseCurrency: 'USD',
    balances: sheet.list(),
    margins: sheet.margins,
    reported: true,
    tsEvent,
    tsInit,
  };
}

const FUTURES_CONTRACT = /^(p|f)[ifv]_/i;

/**
 * `/accounts` → `AccountState` (MARGIN, base USD). Balances per currency, added up across wallets without
 * duplicates: the cash wallet (`balances`), each single-collateral margin account (its `currency` balance;
 * free = `auxiliary.af`), and the flex wallet (`quantity`, free = `available`). Margins: the flex account's
 * USD initial/maintenance margin and each margin account's `im`/`mm` in its currency. Position sizes that
 * margin accounts list among `balances` (`FI_XBTUSD_171215`) are not currencies and are skipped.
 */
export function parseFuturesAccounts(
  accounts: Readonly<Record<string, FuturesAccount>>,
  accountId: string,
  tsEvent: number,
  tsInit: number,
): AccountState {
  const sheet = new BalanceSheet();
  for (const account of Object.values(accounts)) {
    if (account.type === 'marginAccount') {
      const currency = account.currency;
      if (currency === undefined) continue;
      const total = account.balances?.[currency] ?? account.balances?.[currency.toUpperCase()] ?? ZERO;
      sheet.add(currency, total, account.auxiliary?.af);
      const im = account.marginRequirements?.im;
      const mm = account.marginRequirements?.mm;
      if (im !== undefined || mm !== undefined) {
        sheet.margins.push({
          currency: normalizeFuturesCurrency(currency),
          initial: im ?? ZERO,
          maintenance: mm ?? ZERO,
        });
      }
    } else if (account.currencies !== undefined) {
      for (const [currency, entry] of Object.entries(account.currencies)) {
        sheet.add(currency, entry.quantity ?? ZERO, entry.available);
      }
      if (account.initialMargin !== undefined || account.maintenanceMargin !== undefined) {
        sheet.margins.push({
          currency: 'USD',
          initial: account.initialMargin ?? ZERO,
          maintenance: account.maintenanceMargin ?? ZERO,
        });
      }
    } else if (account.balances !== undefined) {
      for (const [currency, total] of Object.entries(account.balances)) {
        if (!FUTURES_CONTRACT.test(currency)) sheet.add(currency, total);
      }
    }
  }
  return marginState(sheet, accountId, tsEvent, tsInit);
}

/**
 * WS `balances_snapshot` / `balances` → `AccountState` (MARGIN) from the sections the message carries:
 * `holding` (cash wallet), `futures` (single-collateral wallets: `balance`, free = `available`) and
 * `flex_futures.currencies` (`quantity`, free = `available`; margins from the flex totals). An update holds
 * only the changed sections, so its state is partial: merge it by currency.
 */
export function parseFuturesWsBalances(
  message: FuturesWsBalancesSnapshot | FuturesWsBalancesUpdate,
  accountId: string,
  tsInit: number,
): AccountState {
  const sheet = new BalanceSheet();
  for (const [currency, total] of Object.entries(message.holding ?? {})) sheet.add(currency, total);
  for (const wallet of Object.values(message.futures ?? {})) {
    if (wallet.unit === undefined || wallet.balance === undefined) continue;
    sheet.add(wallet.unit, wallet.balance, wallet.available);
    if (wallet.initial_margin !== undefined || wallet.maintenance_margin !== undefined) {
      sheet.margins.push({
        currency: normalizeFuturesCurrency(wallet.unit),
        initial: wallet.initial_margin ?? ZERO,
        maintenance: wallet.maintenance_margin ?? ZERO,
      });
    }
  }
  const flex = message.flex_futures;
  if (flex !== undefined) {
    for (const [currency, entry] of Object.entries(flex.currencies ?? {})) {
      sheet.add(currency, entry.quantity ?? ZERO, entry.available);
    }
    if (flex.initial_margin !== undefined || flex.maintenance_margin !== undefined) {
      sheet.margins.push({
        currency: 'USD',
        initial: flex.initial_margin ?? ZERO,
        maintenance: flex.maintenance_margin ?? ZERO,
      });
    }
  }
  return marginState(sheet, accountId, message.timestamp ?? tsInit, tsInit);
}
