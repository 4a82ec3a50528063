/**
 * io-ts codecs for Kraken Spot REST responses (spot-wire.md §1–§4). Each codec decodes the `result` of
 * one endpoint; `decodeSpotResult` handles the `{error, result}` envelope. Prices, volumes and fees decode
 * to `Decimal`; Unix-second times decode to epoch ms. Unknown keys are ignored; enum-like strings are kept
 * as sent.
 */
import type Decimal from 'decimal.js';
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { type KrakenApiError, type KrakenDecodeError, krakenApiError } from '../../errors';
import {
  DecimalFromStringOrNumber,
  EpochMsFromRfc3339,
  EpochMsFromUnixSeconds,
  NumberFromStringOrNumber,
  nullable,
  openEnum,
  EpochMsFromRfc3339OrZero,
  parseDecimalText,
} from '../common/codecs';
import { decodeOrError } from '../common/decode';

const Dec = DecimalFromStringOrNumber;

// ---------------------------------------------------------------------------------------------------------
// Envelope

/** `{ error: string[], result? }` — every Spot REST response. `result` is decoded separately. */
export const SpotEnvelope = t.intersection(
  [t.type({ error: t.array(t.string) }), t.partial({ result: t.unknown })],
  'SpotEnvelope',
);
export type SpotEnvelope = t.TypeOf<typeof SpotEnvelope>;

/** Builds the codec of a whole response whose `result` is decoded by `result`. */
export function spotResponse<C extends t.Mixed>(result: C) {
  return t.intersection([t.type({ error: t.array(t.string) }), t.partial({ result })], `SpotResponse<${result.name}>`);
}

/** Error strings that make a call fail: those starting with `E` (`W…` are warnings). */
export function spotErrors(envelope: SpotEnvelope): string[] {
  return envelope.error.filter((e) => !e.startsWith('W'));
}

/**
 * Decodes a Spot REST response body: a Kraken `E…` error becomes a `KrakenApiError` (or
 * `KrakenRateLimitError`), a shape mismatch a `KrakenDecodeError`, otherwise the decoded `result`.
 */
export function decodeSpotResult<A>(
  codec: t.Decoder<unknown, A>,
  body: unknown,
  endpoint: string,
  httpStatus?: number,
): E.Either<KrakenApiError | KrakenDecodeError, A> {
  const envelope = decodeOrError(SpotEnvelope, body, `Spot ${endpoint} response`);
  if (E.isLeft(envelope)) return envelope;
  const errors = spotErrors(envelope.right);
  if (errors.length > 0) return E.left(krakenApiError(errors, endpoint, httpStatus));
  return decodeOrError(codec, envelope.right.result, `Spot ${endpoint} result`, 'result');
}

// ---------------------------------------------------------------------------------------------------------
// Public market data

export const SpotTimeResult = t.type({ unixtime: t.number, rfc1123: t.string }, 'SpotTimeResult');
export type SpotTimeResult = t.TypeOf<typeof SpotTimeResult>;

export const SpotSystemStatus = openEnum('SpotSystemStatus', ['online', 'maintenance', 'cancel_only', 'post_only']);
export const SpotSystemStatusResult = t.type(
  { status: SpotSystemStatus, timestamp: EpochMsFromRfc3339 },
  'SpotSystemStatusResult',
);
export type SpotSystemStatusResult = t.TypeOf<typeof SpotSystemStatusResult>;

export const SpotAsset = t.intersection(
  [
    t.type({ altname: t.string, decimals: t.number }),
    t.partial({
      aclass: t.string,
      display_decimals: t.number,
      collateral_value: NumberFromStringOrNumber,
      status: openEnum('SpotAssetStatus', [
        'enabled',
        'deposit_only',
        'withdrawal_only',
        'funding_temporarily_disabled',
      ]),
    }),
  ],
  'SpotAsset',
);
export type SpotAsset = t.TypeOf<typeof SpotAsset>;
export const SpotAssetsResult = t.record(t.string, SpotAsset, 'SpotAssetsResult');
export type SpotAssetsResult = t.TypeOf<typeof SpotAssetsResult>;

/** `[volume, percentFee]`: a fee tier; the fee is in percent (0.26 = 0.26 %). */
export const SpotFeeTier = t.tuple([NumberFromStringOrNumber, Dec], 'SpotFeeTier');
export type SpotFeeTier = t.TypeOf<typeof SpotFeeTier>;

export const SpotPairStatus = openEnum('SpotPairStatus', [
  'online',
  'cancel_only',
  'post_only',
  'limit_only',
  'reduce_only',
]);

export const SpotAssetPair = t.intersection(
  [
    t.type({
      altname: t.string,
      base: t.string,
      quote: t.string,
      pair_decimals: t.number,
      lot_decimals: t.number,
    }),
    t.partial({
      wsname: t.string,
      aclass_base: t.string,
      aclass_quote: t.string,
      lot: t.string,
      cost_decimals: t.number,
      lot_multiplier: t.number,
      leverage_buy: t.array(t.number),
      leverage_sell: t.array(t.number),
      fees: t.array(SpotFeeTier),
      fees_maker: t.array(SpotFeeTier),
      fee_volume_currency: t.string,
      margin_call: t.number,
      margin_stop: t.number,
      ordermin: Dec,
      costmin: Dec,
      tick_size: Dec,
      status: SpotPairStatus,
      long_position_limit: t.number,
      short_position_limit: t.number,
    }),
  ],
  'SpotAssetPair',
);
export type SpotAssetPair = t.TypeOf<typeof SpotAssetPair>;
export const SpotAssetPairsResult = t.record(t.string, SpotAssetPair, 'SpotAssetPairsResult');
export type SpotAssetPairsResult = t.TypeOf<typeof SpotAssetPairsResult>;

const Dec2 = t.tuple([Dec, Dec]);
export const SpotTickerEntry = t.intersection(
  [
    t.type({ a: t.tuple([Dec, Dec, Dec]), b: t.tuple([Dec, Dec, Dec]), c: t.tuple([Dec, Dec]) }),
    t.partial({
      v: Dec2,
      p: Dec2,
      t: t.tuple([NumberFromStringOrNumber, NumberFromStringOrNumber]),
      l: Dec2,
      h: Dec2,
      o: Dec,
    }),
  ],
  'SpotTickerEntry',
);
export type SpotTickerEntry = t.TypeOf<typeof SpotTickerEntry>;
export const SpotTickerResult = t.record(t.string, SpotTickerEntry, 'SpotTickerResult');
export type SpotTickerResult = t.TypeOf<typeof SpotTickerResult>;

/** Builds an array-row codec that decodes `[a, b, ...]` into a named object and encodes it back. */
/** Where a row failed: the element index and what was expected there. */
class RowError {
  constructor(
    readonly index: number,
    readonly expected: string,
  ) {}
}

function rowCodec<A>(
  name: string,
  minLength: number,
  decodeRow: (row: readonly unknown[]) => A | RowError,
  encodeRow: (a: A) => unknown[],
): t.Type<A, unknown[], unknown> {
  return new t.Type<A, unknown[], unknown>(
    name,
    (u): u is A => typeof u === 'object' && u !== null && !Array.isArray(u),
    (u, c) => {
      if (!Array.isArray(u) || u.length < minLength) {
        return t.failure(u, c, `an array of at least ${minLength} elements (${name})`);
      }
      const out = decodeRow(u);
      if (out instanceof RowError) {
        const value: unknown = u[out.index];
        return t.failure(value, t.appendContext(c, String(out.index), t.unknown, value), out.expected);
      }
      return t.success(out);
    },
    encodeRow,
  );
}

function rowDecimal(value: unknown): Decimal | undefined {
  if (typeof value === 'string') return parseDecimalText(value);
  if (typeof value === 'number' && Number.isFinite(value)) return parseDecimalText(String(value));
  return undefined;
}

function rowSecondsMs(value: unknown): number | undefined {
  const decoded = EpochMsFromUnixSeconds.decode(value);
  return E.isRight(decoded) ? decoded.right : undefined;
}

/** One OHLC row: `[time, open, high, low, close, vwap, volume, count]` (VWAP before volume). */
export interface SpotOhlcRow {
  /** Interval start, epoch ms. */
  readonly time: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly vwap: Decimal;
  readonly volume: Decimal;
  readonly count: number;
}

export const SpotOhlcRow = rowCodec<SpotOhlcRow>(
  'SpotOhlcRow',
  8,
  (row) => {
    const time = rowSecondsMs(row[0]);
    if (time === undefined) return new RowError(0, 'Unix seconds');
    const values: Decimal[] = [];
    for (let i = 1; i <= 6; i++) {
      const value = rowDecimal(row[i]);
      if (value === undefined) return new RowError(i, 'a decimal string or number');
      values.push(value);
    }
    const count = typeof row[7] === 'number' ? row[7] : Number(row[7]);
    if (!Number.isFinite(count)) return new RowError(7, 'an integer count');
    const [open, high, low, close, vwap, volume] = values;
    return { time, open, high, low, close, vwap, volume, count };
  },
  (r) => [
    r.time / 1000,
    r.open.toFixed(),
    r.high.toFixed(),
    r.low.toFixed(),
    r.close.toFixed(),
    r.vwap.toFixed(),
    r.volume.toFixed(),
    r.count,
  ],
);

/** One public trade: `[price, volume, time, side, orderType, misc, trade_id]`. */
export interface SpotTradeRow {
  readonly price: Decimal;
  readonly volume: Decimal;
  /** Epoch ms (fraction keeps the sub-ms digits a double can hold). */
  readonly time: number;
  /** `b` buy taker, `s` sell taker (kept as sent). */
  readonly side: string;
  /** `m` market, `l` limit. */
  readonly orderType: string;
  readonly misc: string;
  /** Absent on old rows. */
  readonly tradeId?: number;
}

export const SpotTradeRow = rowCodec<SpotTradeRow>(
  'SpotTradeRow',
  6,
  (row) => {
    const price = rowDecimal(row[0]);
    if (price === undefined) return new RowError(0, 'a decimal price');
    const volume = rowDecimal(row[1]);
    if (volume === undefined) return new RowError(1, 'a decimal volume');
    const time = rowSecondsMs(row[2]);
    if (time === undefined) return new RowError(2, 'Unix seconds');
    if (typeof row[3] !== 'string') return new RowError(3, 'a side string');
    if (typeof row[4] !== 'string') return new RowError(4, 'an order type string');
    if (typeof row[5] !== 'string') return new RowError(5, 'a misc string');
    const base = { price, volume, time, side: row[3], orderType: row[4], misc: row[5] };
    if (row.length < 7 || row[6] === null) return base;
    const tradeId = Number(row[6]);
    if (!Number.isFinite(tradeId)) return new RowError(6, 'an integer trade id');
    return { ...base, tradeId };
  },
  (r) => [
    r.price.toFixed(),
    r.volume.toFixed(),
    r.time / 1000,
    r.side,
    r.orderType,
    r.misc,
    ...(r.tradeId !== undefined ? [r.tradeId] : []),
  ],
);

/** One Depth level: `[price, volume, timestamp]`. */
export interface SpotDepthLevel {
  readonly price: Decimal;
  readonly volume: Decimal;
  /** Epoch ms. */
  readonly timestamp: number;
}

export const SpotDepthLevel = rowCodec<SpotDepthLevel>(
  'SpotDepthLevel',
  3,
  (row) => {
    const price = rowDecimal(row[0]);
    if (price === undefined) return new RowError(0, 'a decimal price');
    const volume = rowDecimal(row[1]);
    if (volume === undefined) return new RowError(1, 'a decimal volume');
    const timestamp = rowSecondsMs(row[2]);
    if (timestamp === undefined) return new RowError(2, 'Unix seconds');
    return { price, volume, timestamp };
  },
  (r) => [r.price.toFixed(), r.volume.toFixed(), r.timestamp / 1000],
);

export const SpotDepthEntry = t.type(
  { asks: t.array(SpotDepthLevel), bids: t.array(SpotDepthLevel) },
  'SpotDepthEntry',
);
export type SpotDepthEntry = t.TypeOf<typeof SpotDepthEntry>;
export const SpotDepthResult = t.record(t.string, SpotDepthEntry, 'SpotDepthResult');
export type SpotDepthResult = t.TypeOf<typeof SpotDepthResult>;

/** A result object that mixes pair keys with a `last` cursor (`OHLC`, `Trades`), split into both parts. */
export interface SpotPairSeries<R, L> {
  /** Pass back verbatim as `since` to page forward. */
  readonly last: L;
  /** Rows per pair key (normally exactly one key, the pair asked for). */
  readonly pairs: Readonly<Record<string, readonly R[]>>;
}

function pairSeries<R, L>(name: string, row: t.Type<R, unknown, unknown>, last: t.Type<L, unknown, unknown>) {
  const rows = t.array(row);
  return new t.Type<SpotPairSeries<R, L>, Record<string, unknown>, unknown>(
    name,
    (u): u is SpotPairSeries<R, L> => typeof u === 'object' && u !== null && 'pairs' in u && 'last' in u,
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `an object (${name})`);
      const record = u as Record<string, unknown>;
      const errors: t.Errors = [];
      const lastResult = last.validate(record.last, t.appendContext(c, 'last', last, record.last));
      if (E.isLeft(lastResult)) errors.push(...lastResult.left);
      const pairs: Record<string, readonly R[]> = {};
      for (const key of Object.keys(record)) {
        if (key === 'last') continue;
        const result = rows.validate(record[key], t.appendContext(c, key, rows, record[key]));
        if (E.isLeft(result)) errors.push(...result.left);
        else pairs[key] = result.right;
      }
      if (errors.length > 0 || E.isLeft(lastResult)) return t.failures(errors);
      return t.success({ last: lastResult.right, pairs });
    },
    (a) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(a.pairs)) out[key] = rows.encode([...value]);
      out.last = last.encode(a.last);
      return out;
    },
  );
}

/** `OHLC` result; `last` is Unix seconds (an integer), passed back as `since`. */
export const SpotOhlcResult = pairSeries('SpotOhlcResult', SpotOhlcRow, NumberFromStringOrNumber);
export type SpotOhlcResult = t.TypeOf<typeof SpotOhlcResult>;

/** `Trades` result; `last` is an opaque nanosecond cursor string, passed back verbatim as `since`. */
export const SpotTradesResult = pairSeries(
  'SpotTradesResult',
  SpotTradeRow,
  new t.Type<string, string, unknown>(
    'SpotTradesCursor',
    (u): u is string => typeof u === 'string',
    (u, c) => (typeof u === 'string' ? t.success(u) : typeof u === 'number' ? t.success(String(u)) : t.failure(u, c)),
    (s) => s,
  ),
);
export type SpotTradesResult = t.TypeOf<typeof SpotTradesResult>;

// ---------------------------------------------------------------------------------------------------------
// Private account data

/** `Balance`: asset code (legacy, maybe suffixed: `XXBT`, `USD.M`) → total. */
export const SpotBalanceResult = t.record(t.string, Dec, 'SpotBalanceResult');
export type SpotBalanceResult = t.TypeOf<typeof SpotBalanceResult>;

export const SpotBalanceExEntry = t.intersection(
  [t.type({ balance: Dec }), t.partial({ hold_trade: Dec, credit: Dec, credit_used: Dec })],
  'SpotBalanceExEntry',
);
export type SpotBalanceExEntry = t.TypeOf<typeof SpotBalanceExEntry>;
export const SpotBalanceExResult = t.record(t.string, SpotBalanceExEntry, 'SpotBalanceExResult');
export type SpotBalanceExResult = t.TypeOf<typeof SpotBalanceExResult>;

export const SpotTradeBalanceResult = t.partial(
  { eb: Dec, tb: Dec, m: Dec, n: Dec, c: Dec, v: Dec, e: Dec, mf: Dec, ml: Dec, uv: Dec },
  'SpotTradeBalanceResult',
);
export type SpotTradeBalanceResult = t.TypeOf<typeof SpotTradeBalanceResult>;

export const SpotOrderStatus = openEnum('SpotOrderStatus', ['pending', 'open', 'closed', 'canceled', 'expired']);
export const SpotOrderSide = openEnum('SpotOrderSide', ['buy', 'sell']);
export const SpotOrderType = openEnum('SpotOrderType', [
  'market',
  'limit',
  'iceberg',
  'stop-loss',
  'take-profit',
  'stop-loss-limit',
  'take-profit-limit',
  'trailing-stop',
  'trailing-stop-limit',
  'settle-position',
]);

export const SpotOrderDescription = t.intersection(
  [
    t.type({ pair: t.string, type: SpotOrderSide, ordertype: SpotOrderType }),
    t.partial({ price: Dec, price2: Dec, leverage: t.string, order: t.string, close: t.string }),
  ],
  'SpotOrderDescription',
);
export type SpotOrderDescription = t.TypeOf<typeof SpotOrderDescription>;

/** The order object shared by `OpenOrders`, `ClosedOrders` and `QueryOrders` (§3.4). Times are epoch ms (0 = unset). */
export const SpotOrder = t.intersection(
  [
    t.type({ status: SpotOrderStatus, opentm: EpochMsFromUnixSeconds, descr: SpotOrderDescription, vol: Dec }),
    t.partial({
      refid: nullable(t.string),
      userref: nullable(t.number),
      cl_ord_id: nullable(t.string),
      reason: nullable(t.string),
      closetm: EpochMsFromUnixSeconds,
      starttm: EpochMsFromUnixSeconds,
      expiretm: EpochMsFromUnixSeconds,
      vol_exec: Dec,
      cost: Dec,
      fee: Dec,
      price: Dec,
      stopprice: Dec,
      limitprice: Dec,
      trigger: openEnum('SpotTrigger', ['last', 'index']),
      margin: t.boolean,
      misc: t.string,
      oflags: t.string,
      trades: t.array(t.string),
      sender_sub_id: nullable(t.string),
    }),
  ],
  'SpotOrder',
);
export type SpotOrder = t.TypeOf<typeof SpotOrder>;

export const SpotOpenOrdersResult = t.type({ open: t.record(t.string, SpotOrder) }, 'SpotOpenOrdersResult');
export type SpotOpenOrdersResult = t.TypeOf<typeof SpotOpenOrdersResult>;

export const SpotClosedOrdersResult = t.intersection(
  [t.type({ closed: t.record(t.string, SpotOrder) }), t.partial({ count: t.number })],
  'SpotClosedOrdersResult',
);
export type SpotClosedOrdersResult = t.TypeOf<typeof SpotClosedOrdersResult>;

/** `QueryOrders`: a flat map txid → order. */
export const SpotQueryOrdersResult = t.record(t.string, SpotOrder, 'SpotQueryOrdersResult');
export type SpotQueryOrdersResult = t.TypeOf<typeof SpotQueryOrdersResult>;

/** One `TradesHistory` / `QueryTrades` entry (a fill). `pair` is the pair key. */
export const SpotTrade = t.intersection(
  [
    t.type({
      ordertxid: t.string,
      pair: t.string,
      time: EpochMsFromUnixSeconds,
      type: SpotOrderSide,
      price: Dec,
      vol: Dec,
    }),
    t.partial({
      postxid: t.string,
      ordertype: t.string,
      cost: Dec,
      fee: Dec,
      margin: Dec,
      leverage: t.string,
      misc: t.string,
      ledgers: t.array(t.string),
      trade_id: t.number,
      maker: t.boolean,
      posstatus: t.string,
      cprice: Dec,
      ccost: Dec,
      cfee: Dec,
      cvol: Dec,
      cmargin: Dec,
      net: Dec,
      trades: t.array(t.string),
    }),
  ],
  'SpotTrade',
);
export type SpotTrade = t.TypeOf<typeof SpotTrade>;

export const SpotTradesHistoryResult = t.intersection(
  [t.type({ trades: t.record(t.string, SpotTrade) }), t.partial({ count: t.number })],
  'SpotTradesHistoryResult',
);
export type SpotTradesHistoryResult = t.TypeOf<typeof SpotTradesHistoryResult>;

export const SpotQueryTradesResult = t.record(t.string, SpotTrade, 'SpotQueryTradesResult');
export type SpotQueryTradesResult = t.TypeOf<typeof SpotQueryTradesResult>;

// ---------------------------------------------------------------------------------------------------------
// Private trading

const OrderDescr = t.partial({ order: t.string, close: t.string });

/** `AddOrder`: `txid` is an array; absent with `validate=true`. */
export const SpotAddOrderResult = t.intersection(
  [t.type({ descr: OrderDescr }), t.partial({ txid: t.array(t.string) })],
  'SpotAddOrderResult',
);
export type SpotAddOrderResult = t.TypeOf<typeof SpotAddOrderResult>;

/** One `AddOrderBatch` entry: a string `txid`, or `error` when that order was refused. */
export const SpotAddOrderBatchEntry = t.partial(
  { txid: t.string, descr: OrderDescr, error: t.string, close: OrderDescr },
  'SpotAddOrderBatchEntry',
);
export type SpotAddOrderBatchEntry = t.TypeOf<typeof SpotAddOrderBatchEntry>;
export const SpotAddOrderBatchResult = t.type({ orders: t.array(SpotAddOrderBatchEntry) }, 'SpotAddOrderBatchResult');
export type SpotAddOrderBatchResult = t.TypeOf<typeof SpotAddOrderBatchResult>;

export const SpotAmendOrderResult = t.type({ amend_id: t.string }, 'SpotAmendOrderResult');
export type SpotAmendOrderResult = t.TypeOf<typeof SpotAmendOrderResult>;

export const SpotEditOrderResult = t.partial(
  {
    status: openEnum('SpotEditStatus', ['ok', 'err']),
    txid: t.string,
    originaltxid: t.string,
    volume: Dec,
    price: Dec,
    price2: Dec,
    orders_cancelled: t.number,
    descr: OrderDescr,
    newuserref: nullable(t.union([t.number, t.string])),
    olduserref: nullable(t.union([t.number, t.string])),
    error_message: t.string,
  },
  'SpotEditOrderResult',
);
export type SpotEditOrderResult = t.TypeOf<typeof SpotEditOrderResult>;

export const SpotCancelOrderResult = t.intersection(
  [t.type({ count: t.number }), t.partial({ pending: t.boolean })],
  'SpotCancelOrderResult',
);
export type SpotCancelOrderResult = t.TypeOf<typeof SpotCancelOrderResult>;

export const SpotCancelAllResult = t.type({ count: t.number }, 'SpotCancelAllResult');
export type SpotCancelAllResult = t.TypeOf<typeof SpotCancelAllResult>;

export const SpotCancelAllOrdersAfterResult = t.type(
  { currentTime: EpochMsFromRfc3339OrZero, triggerTime: EpochMsFromRfc3339OrZero },
  'SpotCancelAllOrdersAfterResult',
);
export type SpotCancelAllOrdersAfterResult = t.TypeOf<typeof SpotCancelAllOrdersAfterResult>;

export const SpotCancelOrderBatchResult = t.type({ count: t.number }, 'SpotCancelOrderBatchResult');
export type SpotCancelOrderBatchResult = t.TypeOf<typeof SpotCancelOrderBatchResult>;

export const SpotGetWebSocketsTokenResult = t.type(
  { token: t.string, expires: t.number },
  'SpotGetWebSocketsTokenResult',
);
export type SpotGetWebSocketsTokenResult = t.TypeOf<typeof SpotGetWebSocketsTokenResult>;
