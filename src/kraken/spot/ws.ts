/**
 * io-ts codecs for Kraken Spot WebSocket v2 inbound frames (spot-wire.md §5–§9).
 *
 * A frame with `method` is a response (`SpotWsResponse`, a union keyed by `method`); a frame with
 * `channel` is data (`SpotWsDataMessage`, keyed by `channel`). `SpotWsMessage` dispatches between the two.
 * An unknown channel or method is a decode error; an unknown enum value inside a message is kept.
 *
 * Book and trade frames are hot paths: their levels/trades are decoded by hand-written validators, and book
 * prices/quantities stay JSON numbers (the book operator formats them with the pair's precision once).
 * Other channels decode prices to `Decimal`.
 */
import * as t from 'io-ts';
import {
  BooleanFromStringOrBoolean,
  DecimalFromStringOrNumber,
  EpochMsFromRfc3339,
  EpochMsFromRfc3339OrZero,
  NumberFromStringOrNumber,
  openEnum,
  rfc3339ToEpochMs,
} from '../common/codecs';

const Dec = DecimalFromStringOrNumber;
const Num = NumberFromStringOrNumber;

export const SpotWsMessageType = t.union([t.literal('snapshot'), t.literal('update')], 'SpotWsMessageType');
export type SpotWsMessageType = t.TypeOf<typeof SpotWsMessageType>;

// ---------------------------------------------------------------------------------------------------------
// Hot-path helpers
//
// Book and trade validators are plain functions that return the value or a `HotFailure`; io-ts contexts are
// only built when something fails, so a valid frame costs a few type checks and the output objects.

function numberValue(u: unknown): number | undefined {
  if (typeof u === 'number') return u === u && u !== Infinity && u !== -Infinity ? u : undefined;
  if (typeof u === 'string' && u.length > 0) {
    const n = +u;
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Where a hot-path check failed: the path below the value checked, the offending value, what was expected. */
class HotFailure {
  constructor(
    readonly path: readonly string[],
    readonly value: unknown,
    readonly expected: string,
  ) {}

  at(...prefix: string[]): HotFailure {
    return new HotFailure([...prefix, ...this.path], this.value, this.expected);
  }
}

function hotFailure(value: unknown, expected: string, ...path: string[]): HotFailure {
  return new HotFailure(path, value, expected);
}

function toValidation<A>(c: t.Context, failure: HotFailure): t.Validation<A> {
  let context = c;
  for (const key of failure.path) context = t.appendContext(context, key, t.unknown, undefined);
  return t.failure<A>(failure.value, context, failure.expected);
}

/** An io-ts codec around a hot-path check (decode only; encoding is the identity). */
function hotType<A>(name: string, is: (u: unknown) => u is A, check: (u: unknown) => A | HotFailure) {
  return new t.Type<A, unknown, unknown>(
    name,
    is,
    (u, c) => {
      const result = check(u);
      return result instanceof HotFailure ? toValidation<A>(c, result) : t.success(result);
    },
    (a) => a,
  );
}

/** One aggregated book level; `price`/`qty` are the JSON numbers as parsed (format with the pair's precision). */
export interface SpotWsBookLevel {
  readonly price: number;
  readonly qty: number;
}

function checkBookLevels(u: unknown): readonly SpotWsBookLevel[] | HotFailure {
  if (!Array.isArray(u)) return hotFailure(u, 'an array of {price, qty} levels');
  let out: SpotWsBookLevel[] | undefined;
  for (let i = 0; i < u.length; i++) {
    const level = u[i] as { price?: unknown; qty?: unknown } | null;
    if (typeof level !== 'object' || level === null) return hotFailure(level, 'a {price, qty} level', String(i));
    const { price, qty } = level;
    // `x - x === 0` holds for finite numbers only: `1e400` parses to Infinity, which no price or size can be.
    if (typeof price === 'number' && typeof qty === 'number' && price - price === 0 && qty >= 0 && qty - qty === 0) {
      if (out !== undefined) out.push(level as SpotWsBookLevel);
      continue;
    }
    const p = numberValue(price);
    if (p === undefined) return hotFailure(price, 'a number', String(i), 'price');
    const q = numberValue(qty);
    if (q === undefined || q < 0) return hotFailure(qty, 'a number ≥ 0', String(i), 'qty');
    out ??= (u as SpotWsBookLevel[]).slice(0, i);
    out.push({ price: p, qty: q });
  }
  return out ?? (u as SpotWsBookLevel[]);
}

/**
 * `[{price, qty}, ...]`, validated in one tight loop. Returns the input array itself when every level is
 * already `{price: number, qty: number}` (no copy on the hot path); numeric strings (from a pre-quoting
 * parser) are converted to numbers.
 */
export const SpotWsBookLevels = hotType(
  'SpotWsBookLevels',
  (u): u is readonly SpotWsBookLevel[] =>
    Array.isArray(u) && u.every((l) => typeof l?.price === 'number' && typeof l?.qty === 'number'),
  checkBookLevels,
);

// ---------------------------------------------------------------------------------------------------------
// Data channels

export const SpotWsHeartbeat = t.type({ channel: t.literal('heartbeat') }, 'SpotWsHeartbeat');
export type SpotWsHeartbeat = t.TypeOf<typeof SpotWsHeartbeat>;

export const SpotWsSystemStatus = openEnum('SpotWsSystemStatus', ['online', 'maintenance', 'cancel_only', 'post_only']);

export const SpotWsStatusData = t.intersection(
  [
    t.type({ system: SpotWsSystemStatus }),
    t.partial({
      api_version: t.string,
      /** u64: beyond JS safe integers, kept lossy (debug only). */
      connection_id: t.number,
      version: t.string,
    }),
  ],
  'SpotWsStatusData',
);
export type SpotWsStatusData = t.TypeOf<typeof SpotWsStatusData>;
export const SpotWsStatusMessage = t.type(
  { channel: t.literal('status'), type: SpotWsMessageType, data: t.array(SpotWsStatusData) },
  'SpotWsStatusMessage',
);
export type SpotWsStatusMessage = t.TypeOf<typeof SpotWsStatusMessage>;

export const SpotWsTicker = t.intersection(
  [
    t.type({ symbol: t.string }),
    t.partial({
      bid: Dec,
      bid_qty: Dec,
      ask: Dec,
      ask_qty: Dec,
      last: Dec,
      volume: Dec,
      vwap: Dec,
      low: Dec,
      high: Dec,
      change: Dec,
      change_pct: Dec,
      timestamp: EpochMsFromRfc3339,
    }),
  ],
  'SpotWsTicker',
);
export type SpotWsTicker = t.TypeOf<typeof SpotWsTicker>;
export const SpotWsTickerMessage = t.type(
  { channel: t.literal('ticker'), type: SpotWsMessageType, data: t.array(SpotWsTicker) },
  'SpotWsTickerMessage',
);
export type SpotWsTickerMessage = t.TypeOf<typeof SpotWsTickerMessage>;

/** One book payload (`data[0]`): levels as JSON numbers, CRC32 `checksum`, `timestamp` in epoch ms. */
export interface SpotWsBookData {
  readonly symbol: string;
  readonly bids: readonly SpotWsBookLevel[];
  readonly asks: readonly SpotWsBookLevel[];
  readonly checksum: number;
  readonly timestamp?: number;
}

function checkBookData(u: unknown): SpotWsBookData | HotFailure {
  if (typeof u !== 'object' || u === null) return hotFailure(u, 'a book payload object');
  const data = u as Record<string, unknown>;
  const { symbol, checksum, timestamp } = data;
  if (typeof symbol !== 'string') return hotFailure(symbol, 'a string', 'symbol');
  if (typeof checksum !== 'number') return hotFailure(checksum, 'a number', 'checksum');
  const bids = checkBookLevels(data.bids);
  if (bids instanceof HotFailure) return bids.at('bids');
  const asks = checkBookLevels(data.asks);
  if (asks instanceof HotFailure) return asks.at('asks');
  if (timestamp === undefined) return { symbol, bids, asks, checksum };
  const ms = typeof timestamp === 'string' ? rfc3339ToEpochMs(timestamp) : undefined;
  if (ms === undefined) return hotFailure(timestamp, 'an RFC 3339 timestamp', 'timestamp');
  return { symbol, bids, asks, checksum, timestamp: ms };
}

export const SpotWsBookData = hotType(
  'SpotWsBookData',
  (u): u is SpotWsBookData => typeof u === 'object' && u !== null && 'checksum' in u && 'bids' in u,
  checkBookData,
);

/**
 * A `{channel, type, data: [...]}` frame validated by hand (book and trade are hot paths). Allocates only the
 * decoded `data` array and its items.
 */
function dataFrame<Ch extends string, D>(channel: Ch, checkItem: (u: unknown) => D | HotFailure, name: string) {
  type Frame = { readonly channel: Ch; readonly type: SpotWsMessageType; readonly data: readonly D[] };
  return hotType<Frame>(
    name,
    (u): u is Frame =>
      typeof u === 'object' && u !== null && (u as { channel?: unknown }).channel === channel && 'data' in u,
    (u) => {
      if (typeof u !== 'object' || u === null) return hotFailure(u, `a ${channel} frame`);
      const frame = u as { channel?: unknown; type?: unknown; data?: unknown };
      if (frame.channel !== channel) return hotFailure(frame.channel, `"${channel}"`, 'channel');
      const type = frame.type;
      if (type !== 'update' && type !== 'snapshot') return hotFailure(type, '"snapshot" | "update"', 'type');
      const data = frame.data;
      if (!Array.isArray(data)) return hotFailure(data, 'an array', 'data');
      const out: D[] = new Array<D>(data.length);
      for (let i = 0; i < data.length; i++) {
        const item = checkItem(data[i]);
        if (item instanceof HotFailure) return item.at('data', String(i));
        out[i] = item;
      }
      return { channel, type, data: out };
    },
  );
}

export const SpotWsBookMessage = dataFrame('book', checkBookData, 'SpotWsBookMessage');
export type SpotWsBookMessage = t.TypeOf<typeof SpotWsBookMessage>;

/** One public trade; `price`/`qty` as JSON numbers, `side` is the taker's (`buy`/`sell`). */
export interface SpotWsTrade {
  readonly symbol: string;
  readonly side: string;
  readonly price: number;
  readonly qty: number;
  readonly ord_type?: string;
  readonly trade_id: number;
  /** Epoch ms. */
  readonly timestamp: number;
}

function checkTrade(u: unknown): SpotWsTrade | HotFailure {
  if (typeof u !== 'object' || u === null) return hotFailure(u, 'a trade object');
  const r = u as Record<string, unknown>;
  const { symbol, side, ord_type: ordType } = r;
  if (typeof symbol !== 'string') return hotFailure(symbol, 'a string', 'symbol');
  if (typeof side !== 'string') return hotFailure(side, 'a string', 'side');
  const price = numberValue(r.price);
  if (price === undefined) return hotFailure(r.price, 'a number', 'price');
  const qty = numberValue(r.qty);
  if (qty === undefined) return hotFailure(r.qty, 'a number', 'qty');
  const tradeId = numberValue(r.trade_id);
  // The sequence of the book's trades: a fraction would read as a hole to fill.
  if (tradeId === undefined || !Number.isSafeInteger(tradeId)) return hotFailure(r.trade_id, 'an integer', 'trade_id');
  const timestamp = typeof r.timestamp === 'string' ? rfc3339ToEpochMs(r.timestamp) : undefined;
  if (timestamp === undefined) return hotFailure(r.timestamp, 'an RFC 3339 timestamp', 'timestamp');
  // Object literals, not `{ ...trade, ord_type }`: the spread copy costs ~1 µs per trade on V8 11 (bench: trades).
  if (ordType === undefined) return { symbol, side, price, qty, trade_id: tradeId, timestamp };
  if (typeof ordType !== 'string') return hotFailure(ordType, 'a string', 'ord_type');
  return { symbol, side, price, qty, ord_type: ordType, trade_id: tradeId, timestamp };
}

export const SpotWsTrade = hotType(
  'SpotWsTrade',
  (u): u is SpotWsTrade => typeof u === 'object' && u !== null && 'trade_id' in u,
  checkTrade,
);

export const SpotWsTradeMessage = dataFrame('trade', checkTrade, 'SpotWsTradeMessage');
export type SpotWsTradeMessage = t.TypeOf<typeof SpotWsTradeMessage>;

/** One candle: the current candle is re-sent in full on every trade; `interval_begin` is its key. */
export const SpotWsOhlc = t.intersection(
  [
    t.type({
      symbol: t.string,
      open: Dec,
      high: Dec,
      low: Dec,
      close: Dec,
      volume: Dec,
      interval_begin: EpochMsFromRfc3339,
      interval: t.number,
    }),
    t.partial({ trades: t.number, vwap: Dec, timestamp: EpochMsFromRfc3339 }),
  ],
  'SpotWsOhlc',
);
export type SpotWsOhlc = t.TypeOf<typeof SpotWsOhlc>;
export const SpotWsOhlcMessage = t.intersection(
  [
    t.type({ channel: t.literal('ohlc'), type: SpotWsMessageType, data: t.array(SpotWsOhlc) }),
    t.partial({ timestamp: EpochMsFromRfc3339 }),
  ],
  'SpotWsOhlcMessage',
);
export type SpotWsOhlcMessage = t.TypeOf<typeof SpotWsOhlcMessage>;

export const SpotWsInstrumentAsset = t.intersection(
  [
    t.type({ id: t.string, precision: t.number }),
    t.partial({
      status: t.string,
      precision_display: t.number,
      borrowable: t.boolean,
      collateral_value: Dec,
      margin_rate: Dec,
      multiplier: Dec,
    }),
  ],
  'SpotWsInstrumentAsset',
);
export type SpotWsInstrumentAsset = t.TypeOf<typeof SpotWsInstrumentAsset>;

export const SpotWsInstrumentPair = t.intersection(
  [
    t.type({
      symbol: t.string,
      base: t.string,
      quote: t.string,
      price_precision: t.number,
      qty_precision: t.number,
    }),
    t.partial({
      status: t.string,
      price_increment: Dec,
      qty_increment: Dec,
      qty_min: Dec,
      cost_precision: t.number,
      cost_min: Dec,
      marginable: t.boolean,
      has_index: t.boolean,
      margin_initial: Dec,
      position_limit_long: t.number,
      position_limit_short: t.number,
      tick_size: Dec,
    }),
  ],
  'SpotWsInstrumentPair',
);
export type SpotWsInstrumentPair = t.TypeOf<typeof SpotWsInstrumentPair>;

export const SpotWsInstrumentMessage = t.type(
  {
    channel: t.literal('instrument'),
    type: SpotWsMessageType,
    data: t.type({ assets: t.array(SpotWsInstrumentAsset), pairs: t.array(SpotWsInstrumentPair) }),
  },
  'SpotWsInstrumentMessage',
);
export type SpotWsInstrumentMessage = t.TypeOf<typeof SpotWsInstrumentMessage>;

export const SpotWsLevel3Order = t.intersection(
  [
    t.type({ order_id: t.string, limit_price: Num, order_qty: Num }),
    t.partial({ timestamp: EpochMsFromRfc3339, event: openEnum('SpotWsLevel3Event', ['add', 'modify', 'delete']) }),
  ],
  'SpotWsLevel3Order',
);
export type SpotWsLevel3Order = t.TypeOf<typeof SpotWsLevel3Order>;
export const SpotWsLevel3Data = t.intersection(
  [
    t.type({
      symbol: t.string,
      checksum: t.number,
      bids: t.array(SpotWsLevel3Order),
      asks: t.array(SpotWsLevel3Order),
    }),
    t.partial({ timestamp: EpochMsFromRfc3339 }),
  ],
  'SpotWsLevel3Data',
);
export type SpotWsLevel3Data = t.TypeOf<typeof SpotWsLevel3Data>;
export const SpotWsLevel3Message = t.type(
  { channel: t.literal('level3'), type: SpotWsMessageType, data: t.array(SpotWsLevel3Data) },
  'SpotWsLevel3Message',
);
export type SpotWsLevel3Message = t.TypeOf<typeof SpotWsLevel3Message>;

export const SpotWsExecType = openEnum('SpotWsExecType', [
  'pending_new',
  'new',
  'trade',
  'filled',
  'iceberg_refill',
  'canceled',
  'expired',
  'amended',
  'restated',
  'status',
]);
export const SpotWsOrderStatus = openEnum('SpotWsOrderStatus', [
  'pending_new',
  'new',
  'partially_filled',
  'filled',
  'canceled',
  'expired',
]);

export const SpotWsFee = t.type({ asset: t.string, qty: Dec }, 'SpotWsFee');
export type SpotWsFee = t.TypeOf<typeof SpotWsFee>;

export const SpotWsTriggers = t.partial(
  {
    reference: t.string,
    price: Dec,
    price_type: t.string,
    actual_price: Dec,
    peak_price: Dec,
    last_price: Dec,
    status: t.string,
    timestamp: EpochMsFromRfc3339,
  },
  'SpotWsTriggers',
);

/** One execution report. Every field but `exec_type` is optional: later events are sparse (merge by `order_id`). */
export const SpotWsExecution = t.intersection(
  [
    t.type({ exec_type: SpotWsExecType }),
    t.partial({
      order_id: t.string,
      cl_ord_id: t.string,
      order_userref: t.number,
      symbol: t.string,
      side: openEnum('SpotWsSide', ['buy', 'sell']),
      order_type: t.string,
      order_qty: Dec,
      cash_order_qty: Dec,
      display_qty: Dec,
      display_qty_remain: Dec,
      limit_price: Dec,
      limit_price_type: t.string,
      stop_price: Dec,
      time_in_force: t.string,
      effective_time: EpochMsFromRfc3339,
      expire_time: EpochMsFromRfc3339,
      post_only: BooleanFromStringOrBoolean,
      reduce_only: BooleanFromStringOrBoolean,
      margin: BooleanFromStringOrBoolean,
      margin_borrow: BooleanFromStringOrBoolean,
      no_mpp: BooleanFromStringOrBoolean,
      fee_ccy_pref: t.string,
      order_status: SpotWsOrderStatus,
      exec_id: t.string,
      trade_id: t.number,
      last_qty: Dec,
      last_price: Dec,
      cost: Dec,
      cum_qty: Dec,
      cum_cost: Dec,
      avg_price: Dec,
      fees: t.array(SpotWsFee),
      fee_usd_equiv: Dec,
      liquidity_ind: openEnum('SpotWsLiquidity', ['m', 't']),
      timestamp: EpochMsFromRfc3339,
      reason: t.string,
      cancel_reason: t.string,
      amended: t.boolean,
      liquidated: t.boolean,
      position_status: t.string,
      triggers: SpotWsTriggers,
      contingent: t.UnknownRecord,
      ord_ref_id: t.string,
      sender_sub_id: t.string,
      ext_ord_id: t.string,
      ext_exec_id: t.string,
      user: t.string,
    }),
  ],
  'SpotWsExecution',
);
export type SpotWsExecution = t.TypeOf<typeof SpotWsExecution>;

export const SpotWsExecutionsMessage = t.intersection(
  [
    t.type({ channel: t.literal('executions'), type: SpotWsMessageType, data: t.array(SpotWsExecution) }),
    t.partial({ sequence: t.number }),
  ],
  'SpotWsExecutionsMessage',
);
export type SpotWsExecutionsMessage = t.TypeOf<typeof SpotWsExecutionsMessage>;

export const SpotWsWallet = t.intersection(
  [t.type({ balance: Dec }), t.partial({ type: t.string, id: t.string })],
  'SpotWsWallet',
);

/**
 * One `balances` entry: a snapshot entry (`asset`, `balance`, `wallets`) or an update ledger entry
 * (`asset`, `amount`, `balance`, `fee`, `ledger_id`, ...). `asset` uses v2 codes (`BTC`).
 */
export const SpotWsBalance = t.intersection(
  [
    t.type({ asset: t.string }),
    t.partial({
      asset_class: t.string,
      balance: Dec,
      wallets: t.array(SpotWsWallet),
      ledger_id: t.string,
      ref_id: t.string,
      timestamp: EpochMsFromRfc3339,
      type: t.string,
      subtype: t.string,
      category: t.string,
      wallet_type: t.string,
      wallet_id: t.string,
      amount: Dec,
      fee: Dec,
      user: t.string,
    }),
  ],
  'SpotWsBalance',
);
export type SpotWsBalance = t.TypeOf<typeof SpotWsBalance>;

export const SpotWsBalancesMessage = t.intersection(
  [
    t.type({ channel: t.literal('balances'), type: SpotWsMessageType, data: t.array(SpotWsBalance) }),
    t.partial({ sequence: t.number }),
  ],
  'SpotWsBalancesMessage',
);
export type SpotWsBalancesMessage = t.TypeOf<typeof SpotWsBalancesMessage>;

export const SPOT_WS_CHANNELS = [
  'heartbeat',
  'status',
  'ticker',
  'book',
  'trade',
  'ohlc',
  'instrument',
  'level3',
  'executions',
  'balances',
] as const;
export type SpotWsChannel = (typeof SPOT_WS_CHANNELS)[number];

/** Every data frame (`SpotWsMessage` dispatches on `channel` with one map lookup). */
export const SpotWsDataMessage = t.union(
  [
    SpotWsBookMessage,
    SpotWsTradeMessage,
    SpotWsTickerMessage,
    SpotWsHeartbeat,
    SpotWsOhlcMessage,
    SpotWsExecutionsMessage,
    SpotWsBalancesMessage,
    SpotWsStatusMessage,
    SpotWsInstrumentMessage,
    SpotWsLevel3Message,
  ],
  'SpotWsDataMessage',
);
export type SpotWsDataMessage = t.TypeOf<typeof SpotWsDataMessage>;

// ---------------------------------------------------------------------------------------------------------
// Method responses

const responseFields = {
  req_id: t.number,
  /** `success !== true` means the request failed (Kraken's `error` says why). */
  success: t.boolean,
  /** A string (not an array as in REST). */
  error: t.string,
  time_in: EpochMsFromRfc3339,
  time_out: EpochMsFromRfc3339,
  warnings: t.array(t.string),
  /** Failure acks may carry the refused symbol at top level. */
  symbol: t.string,
};

function response<M extends string, R extends t.Mixed>(method: M, result: R, name: string) {
  return t.intersection([t.type({ method: t.literal(method) }), t.partial({ ...responseFields, result })], name);
}

export const SpotWsSubscribeResult = t.intersection(
  [
    t.type({ channel: t.string }),
    t.partial({
      symbol: t.string,
      snapshot: t.boolean,
      depth: t.number,
      interval: t.number,
      event_trigger: t.string,
      maxratecount: t.number,
      snap_orders: t.boolean,
      snap_trades: t.boolean,
      ratecounter: t.boolean,
      warnings: t.array(t.string),
    }),
  ],
  'SpotWsSubscribeResult',
);
export type SpotWsSubscribeResult = t.TypeOf<typeof SpotWsSubscribeResult>;

const orderIds = {
  order_id: t.string,
  cl_ord_id: t.string,
  order_userref: t.number,
  warnings: t.array(t.string),
};

export const SpotWsAddOrderResult = t.partial(orderIds, 'SpotWsAddOrderResult');
export type SpotWsAddOrderResult = t.TypeOf<typeof SpotWsAddOrderResult>;
export const SpotWsAmendOrderResult = t.partial({ ...orderIds, amend_id: t.string }, 'SpotWsAmendOrderResult');
export type SpotWsAmendOrderResult = t.TypeOf<typeof SpotWsAmendOrderResult>;
export const SpotWsEditOrderResult = t.partial({ ...orderIds, original_order_id: t.string }, 'SpotWsEditOrderResult');
export type SpotWsEditOrderResult = t.TypeOf<typeof SpotWsEditOrderResult>;
export const SpotWsCancelOrderResult = t.partial(orderIds, 'SpotWsCancelOrderResult');
export type SpotWsCancelOrderResult = t.TypeOf<typeof SpotWsCancelOrderResult>;
export const SpotWsCountResult = t.intersection(
  [t.type({ count: t.number }), t.partial({ warnings: t.array(t.string) })],
  'SpotWsCountResult',
);
export type SpotWsCountResult = t.TypeOf<typeof SpotWsCountResult>;
export const SpotWsCancelAfterResult = t.type(
  { currentTime: EpochMsFromRfc3339OrZero, triggerTime: EpochMsFromRfc3339OrZero },
  'SpotWsCancelAfterResult',
);
export type SpotWsCancelAfterResult = t.TypeOf<typeof SpotWsCancelAfterResult>;

export const SpotWsSubscribeResponse = response('subscribe', SpotWsSubscribeResult, 'SpotWsSubscribeResponse');
export type SpotWsSubscribeResponse = t.TypeOf<typeof SpotWsSubscribeResponse>;
export const SpotWsUnsubscribeResponse = response('unsubscribe', SpotWsSubscribeResult, 'SpotWsUnsubscribeResponse');
export type SpotWsUnsubscribeResponse = t.TypeOf<typeof SpotWsUnsubscribeResponse>;
export const SpotWsPong = t.intersection(
  [t.type({ method: t.literal('pong') }), t.partial({ ...responseFields, result: t.unknown })],
  'SpotWsPong',
);
export type SpotWsPong = t.TypeOf<typeof SpotWsPong>;
export const SpotWsAddOrderResponse = response('add_order', SpotWsAddOrderResult, 'SpotWsAddOrderResponse');
export type SpotWsAddOrderResponse = t.TypeOf<typeof SpotWsAddOrderResponse>;
export const SpotWsAmendOrderResponse = response('amend_order', SpotWsAmendOrderResult, 'SpotWsAmendOrderResponse');
export type SpotWsAmendOrderResponse = t.TypeOf<typeof SpotWsAmendOrderResponse>;
export const SpotWsEditOrderResponse = response('edit_order', SpotWsEditOrderResult, 'SpotWsEditOrderResponse');
export type SpotWsEditOrderResponse = t.TypeOf<typeof SpotWsEditOrderResponse>;
export const SpotWsCancelOrderResponse = response('cancel_order', SpotWsCancelOrderResult, 'SpotWsCancelOrderResponse');
export type SpotWsCancelOrderResponse = t.TypeOf<typeof SpotWsCancelOrderResponse>;
export const SpotWsCancelAllResponse = response('cancel_all', SpotWsCountResult, 'SpotWsCancelAllResponse');
export type SpotWsCancelAllResponse = t.TypeOf<typeof SpotWsCancelAllResponse>;
export const SpotWsCancelAllOrdersAfterResponse = response(
  'cancel_all_orders_after',
  SpotWsCancelAfterResult,
  'SpotWsCancelAllOrdersAfterResponse',
);
export type SpotWsCancelAllOrdersAfterResponse = t.TypeOf<typeof SpotWsCancelAllOrdersAfterResponse>;
/** `batch_add`: `result` is an array, in request order. */
export const SpotWsBatchAddResponse = response('batch_add', t.array(SpotWsAddOrderResult), 'SpotWsBatchAddResponse');
export type SpotWsBatchAddResponse = t.TypeOf<typeof SpotWsBatchAddResponse>;
export const SpotWsBatchCancelResponse = response('batch_cancel', SpotWsCountResult, 'SpotWsBatchCancelResponse');
export type SpotWsBatchCancelResponse = t.TypeOf<typeof SpotWsBatchCancelResponse>;

export const SPOT_WS_METHODS = [
  'subscribe',
  'unsubscribe',
  'pong',
  'add_order',
  'amend_order',
  'edit_order',
  'cancel_order',
  'cancel_all',
  'cancel_all_orders_after',
  'batch_add',
  'batch_cancel',
] as const;
export type SpotWsMethod = (typeof SPOT_WS_METHODS)[number];

/** Every response frame, dispatched on `method`. */
export const SpotWsResponse = t.union(
  [
    SpotWsSubscribeResponse,
    SpotWsUnsubscribeResponse,
    SpotWsPong,
    SpotWsAddOrderResponse,
    SpotWsAmendOrderResponse,
    SpotWsEditOrderResponse,
    SpotWsCancelOrderResponse,
    SpotWsCancelAllResponse,
    SpotWsCancelAllOrdersAfterResponse,
    SpotWsBatchAddResponse,
    SpotWsBatchCancelResponse,
  ],
  'SpotWsResponse',
);
export type SpotWsResponse = t.TypeOf<typeof SpotWsResponse>;

export type SpotWsInbound = SpotWsDataMessage | SpotWsResponse;

const channelCodecs: ReadonlyMap<string, t.Decoder<unknown, SpotWsDataMessage>> = new Map<
  SpotWsChannel,
  t.Decoder<unknown, SpotWsDataMessage>
>([
  ['book', SpotWsBookMessage],
  ['trade', SpotWsTradeMessage],
  ['ticker', SpotWsTickerMessage],
  ['heartbeat', SpotWsHeartbeat],
  ['ohlc', SpotWsOhlcMessage],
  ['executions', SpotWsExecutionsMessage],
  ['balances', SpotWsBalancesMessage],
  ['status', SpotWsStatusMessage],
  ['instrument', SpotWsInstrumentMessage],
  ['level3', SpotWsLevel3Message],
]);
const methodSet: ReadonlySet<string> = new Set(SPOT_WS_METHODS);

/**
 * Any inbound Spot WS v2 frame: `method` → `SpotWsResponse`, `channel` → `SpotWsDataMessage`. An unknown
 * channel or method fails at path `channel` / `method`.
 */
export const SpotWsMessage = new t.Type<SpotWsInbound, unknown, unknown>(
  'SpotWsMessage',
  (u): u is SpotWsInbound => SpotWsDataMessage.is(u) || SpotWsResponse.is(u),
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, 'a JSON object frame');
    const frame = u as { method?: unknown; channel?: unknown };
    if (frame.method !== undefined) {
      if (typeof frame.method !== 'string' || !methodSet.has(frame.method)) {
        return t.failure(
          frame.method,
          t.appendContext(c, 'method', t.string, frame.method),
          `a known method (${SPOT_WS_METHODS.join('|')})`,
        );
      }
      return SpotWsResponse.validate(u, t.appendContext(c, '', SpotWsResponse, u));
    }
    const codec = typeof frame.channel === 'string' ? channelCodecs.get(frame.channel) : undefined;
    if (codec === undefined) {
      return t.failure(
        frame.channel,
        t.appendContext(c, 'channel', t.string, frame.channel),
        `a known channel (${SPOT_WS_CHANNELS.join('|')})`,
      );
    }
    // book/trade report their own paths; the io-ts combinators below need a hand-over entry to skip their indices
    if (frame.channel === 'book' || frame.channel === 'trade') return codec.validate(u, c);
    return codec.validate(u, t.appendContext(c, '', codec as t.Decoder<unknown, unknown>, u));
  },
  (a) => a,
);

/** True for a response frame (vs a data frame). */
export function isSpotWsResponse(message: SpotWsInbound): message is SpotWsResponse {
  return 'method' in message;
}
