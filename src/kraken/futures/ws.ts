/**
 * io-ts codecs for Kraken Futures WebSocket v1 inbound frames (futures-wire.md §12).
 *
 * A frame with `event` is a control message (`FuturesWsEvent`, keyed by `event`; Kraken's stray trailing
 * space in `"subscribed "` is tolerated); otherwise it is a feed message (`FuturesWsFeedMessage`, keyed by
 * `feed`). `FuturesWsMessage` dispatches between the two; an unknown feed or event is a decode error.
 *
 * Book and trade messages are hot paths: prices and quantities stay JSON numbers there. Private feeds and
 * tickers decode prices to `Decimal`; times are epoch ms.
 */
import * as t from 'io-ts';
import {
  DecimalFromStringOrNumber,
  EpochMsFromNumberOrString,
  NumberFromStringOrNumber,
  nullable,
  openEnum,
} from '../common/codecs';
import { FuturesAccountLogEntry } from './rest';

const Dec = DecimalFromStringOrNumber;
const Ms = EpochMsFromNumberOrString;

function fieldFailure<A>(c: t.Context, key: string, value: unknown, expected: string): t.Validation<A> {
  return t.failure<A>(value, t.appendContext(c, key, t.unknown, value), expected);
}

function finite(u: unknown): u is number {
  return typeof u === 'number' && u === u && u !== Infinity && u !== -Infinity;
}

// ---------------------------------------------------------------------------------------------------------
// Control messages

const productIds = t.array(t.string);

export const FuturesWsInfo = t.intersection(
  [t.type({ event: t.literal('info') }), t.partial({ version: t.number })],
  'FuturesWsInfo',
);
export const FuturesWsSubscriptionEventName = t.union(
  [
    t.literal('subscribed'),
    t.literal('unsubscribed'),
    t.literal('subscribed_failed'),
    t.literal('unsubscribed_failed'),
  ],
  'FuturesWsSubscriptionEventName',
);
function subscriptionEvent<E extends string>(event: E) {
  return t.intersection(
    [
      t.type({ event: t.literal(event) }),
      t.partial({
        feed: t.string,
        product_ids: productIds,
        message: t.string,
        /** Private acks echo these (never logged: see `inputExcerpt`). */
        api_key: t.string,
        original_challenge: t.string,
        signed_challenge: t.string,
      }),
    ],
    `FuturesWs_${event}`,
  );
}
export const FuturesWsSubscribed = subscriptionEvent('subscribed');
export const FuturesWsUnsubscribed = subscriptionEvent('unsubscribed');
export const FuturesWsSubscribedFailed = subscriptionEvent('subscribed_failed');
export const FuturesWsUnsubscribedFailed = subscriptionEvent('unsubscribed_failed');
export const FuturesWsError = t.intersection(
  [t.type({ event: t.literal('error') }), t.partial({ message: t.string })],
  'FuturesWsError',
);
export const FuturesWsAlert = t.intersection(
  [t.type({ event: t.literal('alert') }), t.partial({ message: t.string })],
  'FuturesWsAlert',
);
/** The challenge answer: `message` is the UUID to sign. */
export const FuturesWsChallenge = t.type({ event: t.literal('challenge'), message: t.string }, 'FuturesWsChallenge');

export const FuturesWsEvent = t.union(
  [
    FuturesWsInfo,
    FuturesWsSubscribed,
    FuturesWsUnsubscribed,
    FuturesWsSubscribedFailed,
    FuturesWsUnsubscribedFailed,
    FuturesWsError,
    FuturesWsAlert,
    FuturesWsChallenge,
  ],
  'FuturesWsEvent',
);
export type FuturesWsEvent = t.TypeOf<typeof FuturesWsEvent>;

// ---------------------------------------------------------------------------------------------------------
// Public feeds

export const FuturesWsHeartbeat = t.type({ feed: t.literal('heartbeat'), time: Ms }, 'FuturesWsHeartbeat');
export type FuturesWsHeartbeat = t.TypeOf<typeof FuturesWsHeartbeat>;

/** Full ticker (~1/s). `funding_*` only on perpetuals; `next_funding_rate_time` is an absolute epoch ms. */
export const FuturesWsTicker = t.intersection(
  [
    t.type({ feed: t.literal('ticker'), product_id: t.string }),
    t.partial({
      time: Ms,
      funding_rate: Dec,
      funding_rate_prediction: Dec,
      relative_funding_rate: Dec,
      relative_funding_rate_prediction: Dec,
      next_funding_rate_time: Ms,
      leverage: t.string,
      premium: Dec,
      bid: Dec,
      ask: Dec,
      bid_size: Dec,
      ask_size: Dec,
      volume: Dec,
      dtm: t.number,
      index: Dec,
      last: Dec,
      change: Dec,
      suspended: t.boolean,
      tag: t.string,
      pair: t.string,
      openInterest: Dec,
      markPrice: Dec,
      maturityTime: Ms,
      post_only: t.boolean,
      volumeQuote: Dec,
      open: Dec,
      high: Dec,
      low: Dec,
    }),
  ],
  'FuturesWsTicker',
);
export type FuturesWsTicker = t.TypeOf<typeof FuturesWsTicker>;

export const FuturesWsTickerLite = t.intersection(
  [
    t.type({ feed: t.literal('ticker_lite'), product_id: t.string }),
    t.partial({
      bid: Dec,
      ask: Dec,
      change: Dec,
      premium: Dec,
      volume: Dec,
      tag: t.string,
      pair: t.string,
      dtm: t.number,
      maturityTime: Ms,
      volumeQuote: Dec,
    }),
  ],
  'FuturesWsTickerLite',
);
export type FuturesWsTickerLite = t.TypeOf<typeof FuturesWsTickerLite>;

/** A book level as JSON numbers; `qty` is the new absolute size (0 = delete / skip in snapshots). */
export interface FuturesWsBookLevel {
  readonly price: number;
  readonly qty: number;
}

/** `[{price, qty}]` validated in one loop; returns the input array when it is already well-typed. */
export const FuturesWsBookLevels = new t.Type<readonly FuturesWsBookLevel[], readonly FuturesWsBookLevel[], unknown>(
  'FuturesWsBookLevels',
  (u): u is readonly FuturesWsBookLevel[] => Array.isArray(u) && u.every((l) => finite(l?.price) && finite(l?.qty)),
  (u, c) => {
    if (!Array.isArray(u)) return t.failure(u, c, 'an array of {price, qty} levels');
    for (let i = 0; i < u.length; i++) {
      const level = u[i] as { price?: unknown; qty?: unknown } | null;
      if (typeof level !== 'object' || level === null) {
        return fieldFailure(c, String(i), level, 'a {price, qty} level');
      }
      if (!finite(level.price)) {
        const ctx = t.appendContext(c, String(i), t.unknown, level);
        return fieldFailure(ctx, 'price', level.price, 'a number');
      }
      if (!finite(level.qty) || level.qty < 0) {
        const ctx = t.appendContext(c, String(i), t.unknown, level);
        return fieldFailure(ctx, 'qty', level.qty, 'a number ≥ 0');
      }
    }
    return t.success(u as FuturesWsBookLevel[]);
  },
  (levels) => levels,
);

export const FuturesWsBookSnapshot = t.intersection(
  [
    t.type({
      feed: t.literal('book_snapshot'),
      product_id: t.string,
      seq: t.number,
      bids: FuturesWsBookLevels,
      asks: FuturesWsBookLevels,
    }),
    t.partial({ timestamp: Ms, tickSize: nullable(t.unknown) }),
  ],
  'FuturesWsBookSnapshot',
);
export type FuturesWsBookSnapshot = t.TypeOf<typeof FuturesWsBookSnapshot>;

/** One book delta: one level per message, `seq` per product (a gap means resubscribe). */
export interface FuturesWsBookUpdate {
  readonly feed: 'book';
  readonly product_id: string;
  /** `buy` → bid, `sell` → ask. */
  readonly side: 'buy' | 'sell';
  readonly seq: number;
  readonly price: number;
  readonly qty: number;
  readonly timestamp?: number;
}

export const FuturesWsBookUpdate = new t.Type<FuturesWsBookUpdate, unknown, unknown>(
  'FuturesWsBookUpdate',
  (u): u is FuturesWsBookUpdate => typeof u === 'object' && u !== null && (u as { feed?: unknown }).feed === 'book',
  (u, c) => {
    if (typeof u !== 'object' || u === null) return t.failure(u, c, 'a book message');
    const m = u as Record<string, unknown>;
    if (m.feed !== 'book') return fieldFailure(c, 'feed', m.feed, '"book"');
    if (typeof m.product_id !== 'string') return fieldFailure(c, 'product_id', m.product_id, 'a string');
    // The side decides which half of the book the level goes to: anything but `buy`/`sell` cannot be applied.
    if (m.side !== 'buy' && m.side !== 'sell') return fieldFailure(c, 'side', m.side, '"buy" | "sell"');
    if (!Number.isSafeInteger(m.seq)) return fieldFailure(c, 'seq', m.seq, 'an integer');
    if (!finite(m.price)) return fieldFailure(c, 'price', m.price, 'a number');
    if (!finite(m.qty) || m.qty < 0) return fieldFailure(c, 'qty', m.qty, 'a number ≥ 0');
    if (m.timestamp !== undefined && !finite(m.timestamp)) {
      return fieldFailure(c, 'timestamp', m.timestamp, 'epoch milliseconds');
    }
    return t.success(u as unknown as FuturesWsBookUpdate);
  },
  (a) => a,
);

/** One public trade; `side` is the taker's. */
export interface FuturesWsTrade {
  readonly feed: 'trade';
  readonly product_id: string;
  readonly uid: string;
  readonly side: string;
  /** `fill`, `liquidation`, `termination`, `block`, `partialLiquidation`, ... (kept as sent). */
  readonly type?: string;
  readonly seq: number;
  /** Epoch ms. */
  readonly time: number;
  readonly qty: number;
  readonly price: number;
}

export const FuturesWsTrade = new t.Type<FuturesWsTrade, unknown, unknown>(
  'FuturesWsTrade',
  (u): u is FuturesWsTrade => typeof u === 'object' && u !== null && (u as { feed?: unknown }).feed === 'trade',
  (u, c) => {
    if (typeof u !== 'object' || u === null) return t.failure(u, c, 'a trade message');
    const m = u as Record<string, unknown>;
    if (m.feed !== 'trade') return fieldFailure(c, 'feed', m.feed, '"trade"');
    if (typeof m.product_id !== 'string') return fieldFailure(c, 'product_id', m.product_id, 'a string');
    if (typeof m.uid !== 'string') return fieldFailure(c, 'uid', m.uid, 'a string');
    if (typeof m.side !== 'string') return fieldFailure(c, 'side', m.side, 'a string');
    if (m.type !== undefined && typeof m.type !== 'string') return fieldFailure(c, 'type', m.type, 'a string');
    if (!Number.isSafeInteger(m.seq)) return fieldFailure(c, 'seq', m.seq, 'an integer');
    if (!finite(m.time)) return fieldFailure(c, 'time', m.time, 'epoch milliseconds');
    if (!finite(m.qty)) return fieldFailure(c, 'qty', m.qty, 'a number');
    if (!finite(m.price)) return fieldFailure(c, 'price', m.price, 'a number');
    return t.success(u as unknown as FuturesWsTrade);
  },
  (a) => a,
);

export const FuturesWsTradeSnapshot = t.type(
  { feed: t.literal('trade_snapshot'), product_id: t.string, trades: t.array(FuturesWsTrade) },
  'FuturesWsTradeSnapshot',
);
export type FuturesWsTradeSnapshot = t.TypeOf<typeof FuturesWsTradeSnapshot>;

// ---------------------------------------------------------------------------------------------------------
// Private feeds

/** An open order on the WS feed: `direction` 0 buy / 1 sell, `qty` remaining, `filled` cumulative. */
export const FuturesWsOpenOrder = t.intersection(
  [
    t.type({
      instrument: t.string,
      time: Ms,
      last_update_time: Ms,
      qty: Dec,
      filled: Dec,
      type: openEnum('FuturesWsOrderType', ['limit', 'stop', 'take_profit', 'trailing_stop']),
      order_id: t.string,
      direction: t.number,
      reduce_only: t.boolean,
    }),
    t.partial({
      limit_price: Dec,
      stop_price: Dec,
      triggerSignal: t.string,
      cli_ord_id: nullable(t.string),
      trailing_stop_options: t.partial({ max_deviation: Dec, unit: t.string }),
    }),
  ],
  'FuturesWsOpenOrder',
);
export type FuturesWsOpenOrder = t.TypeOf<typeof FuturesWsOpenOrder>;

function openOrdersSnapshot<F extends string>(feed: F) {
  return t.intersection(
    [t.type({ feed: t.literal(feed), orders: t.array(FuturesWsOpenOrder) }), t.partial({ account: t.string })],
    `FuturesWs_${feed}`,
  );
}
/** `is_cancel: false` → upsert `order`; `is_cancel: true` → remove (`order` absent on cancels, present on fills). */
function openOrdersUpdate<F extends string>(feed: F) {
  return t.intersection(
    [
      t.type({ feed: t.literal(feed), is_cancel: t.boolean }),
      t.partial({ order: FuturesWsOpenOrder, order_id: t.string, reason: t.string, account: t.string }),
    ],
    `FuturesWs_${feed}`,
  );
}
export const FuturesWsOpenOrdersSnapshot = openOrdersSnapshot('open_orders_snapshot');
export type FuturesWsOpenOrdersSnapshot = t.TypeOf<typeof FuturesWsOpenOrdersSnapshot>;
export const FuturesWsOpenOrdersUpdate = openOrdersUpdate('open_orders');
export type FuturesWsOpenOrdersUpdate = t.TypeOf<typeof FuturesWsOpenOrdersUpdate>;
export const FuturesWsOpenOrdersVerboseSnapshot = openOrdersSnapshot('open_orders_verbose_snapshot');
export type FuturesWsOpenOrdersVerboseSnapshot = t.TypeOf<typeof FuturesWsOpenOrdersVerboseSnapshot>;
export const FuturesWsOpenOrdersVerboseUpdate = openOrdersUpdate('open_orders_verbose');
export type FuturesWsOpenOrdersVerboseUpdate = t.TypeOf<typeof FuturesWsOpenOrdersVerboseUpdate>;

export const FuturesWsFill = t.intersection(
  [
    t.type({
      instrument: t.string,
      time: Ms,
      price: Dec,
      buy: t.boolean,
      qty: Dec,
      order_id: t.string,
      fill_id: t.string,
      fill_type: t.string,
    }),
    t.partial({
      seq: t.number,
      remaining_order_qty: Dec,
      cli_ord_id: nullable(t.string),
      fee_paid: Dec,
      fee_currency: t.string,
      taker_order_type: t.string,
      order_type: t.string,
    }),
  ],
  'FuturesWsFill',
);
export type FuturesWsFill = t.TypeOf<typeof FuturesWsFill>;

function fillsMessage<F extends string>(feed: F) {
  return t.intersection(
    [
      t.type({ feed: t.literal(feed), fills: t.array(FuturesWsFill) }),
      t.partial({ account: t.string, username: t.string }),
    ],
    `FuturesWs_${feed}`,
  );
}
export const FuturesWsFillsSnapshot = fillsMessage('fills_snapshot');
export type FuturesWsFillsSnapshot = t.TypeOf<typeof FuturesWsFillsSnapshot>;
export const FuturesWsFillsUpdate = fillsMessage('fills');
export type FuturesWsFillsUpdate = t.TypeOf<typeof FuturesWsFillsUpdate>;

/** A position on the WS feed: `balance` is signed (negative = short). */
export const FuturesWsPosition = t.intersection(
  [
    t.type({ instrument: t.string, balance: Dec }),
    t.partial({
      pnl: Dec,
      entry_price: Dec,
      mark_price: Dec,
      index_price: Dec,
      liquidation_threshold: Dec,
      effective_leverage: Dec,
      return_on_equity: Dec,
      unrealized_funding: Dec,
      initial_margin: Dec,
      initial_margin_with_orders: Dec,
      maintenance_margin: Dec,
      pnl_currency: t.string,
    }),
  ],
  'FuturesWsPosition',
);
export type FuturesWsPosition = t.TypeOf<typeof FuturesWsPosition>;

export const FuturesWsOpenPositions = t.intersection(
  [
    t.type({ feed: t.literal('open_positions'), positions: t.array(FuturesWsPosition) }),
    t.partial({ account: t.string, seq: t.number, timestamp: Ms }),
  ],
  'FuturesWsOpenPositions',
);
export type FuturesWsOpenPositions = t.TypeOf<typeof FuturesWsOpenPositions>;

const DecRecord = t.record(t.string, Dec);

export const FuturesWsMarginWallet = t.partial(
  {
    name: t.string,
    pair: t.string,
    unit: t.string,
    portfolio_value: Dec,
    balance: Dec,
    maintenance_margin: Dec,
    initial_margin: Dec,
    available: Dec,
    unrealized_funding: Dec,
    pnl: Dec,
  },
  'FuturesWsMarginWallet',
);
export type FuturesWsMarginWallet = t.TypeOf<typeof FuturesWsMarginWallet>;

export const FuturesWsFlexCurrency = t.partial(
  {
    quantity: Dec,
    value: Dec,
    collateral_value: Dec,
    available: Dec,
    haircut: Dec,
    conversion_spread: Dec,
  },
  'FuturesWsFlexCurrency',
);
export type FuturesWsFlexCurrency = t.TypeOf<typeof FuturesWsFlexCurrency>;

export const FuturesWsFlexFutures = t.partial(
  {
    currencies: t.record(t.string, FuturesWsFlexCurrency),
    balance_value: Dec,
    portfolio_value: Dec,
    collateral_value: Dec,
    initial_margin: Dec,
    initial_margin_without_orders: Dec,
    maintenance_margin: Dec,
    pnl: Dec,
    unrealized_funding: Dec,
    total_unrealized: Dec,
    total_unrealized_as_margin: Dec,
    margin_equity: Dec,
    available_margin: Dec,
    isolated: t.record(t.string, DecRecord),
    cross: DecRecord,
  },
  'FuturesWsFlexFutures',
);
export type FuturesWsFlexFutures = t.TypeOf<typeof FuturesWsFlexFutures>;

function balancesMessage<F extends string>(feed: F) {
  return t.intersection(
    [
      t.type({ feed: t.literal(feed) }),
      t.partial({
        account: t.string,
        holding: DecRecord,
        futures: t.record(t.string, FuturesWsMarginWallet),
        flex_futures: FuturesWsFlexFutures,
        timestamp: Ms,
        seq: t.number,
      }),
    ],
    `FuturesWs_${feed}`,
  );
}
/** Snapshot: `holding` (cash wallet), `futures` (single-collateral wallets), `flex_futures`; updates carry changed sections only. */
export const FuturesWsBalancesSnapshot = balancesMessage('balances_snapshot');
export type FuturesWsBalancesSnapshot = t.TypeOf<typeof FuturesWsBalancesSnapshot>;
export const FuturesWsBalancesUpdate = balancesMessage('balances');
export type FuturesWsBalancesUpdate = t.TypeOf<typeof FuturesWsBalancesUpdate>;

export const FuturesWsAccountLogSnapshot = t.type(
  { feed: t.literal('account_log_snapshot'), logs: t.array(FuturesAccountLogEntry) },
  'FuturesWsAccountLogSnapshot',
);
export type FuturesWsAccountLogSnapshot = t.TypeOf<typeof FuturesWsAccountLogSnapshot>;
export const FuturesWsAccountLogUpdate = t.type(
  { feed: t.literal('account_log'), new_entry: FuturesAccountLogEntry },
  'FuturesWsAccountLogUpdate',
);
export type FuturesWsAccountLogUpdate = t.TypeOf<typeof FuturesWsAccountLogUpdate>;

export const FuturesWsNotifications = t.type(
  {
    feed: t.literal('notifications_auth'),
    notifications: t.array(
      t.intersection([
        t.type({ id: t.number, type: t.string }),
        t.partial({
          priority: t.string,
          note: t.string,
          effective_time: Ms,
          expected_downtime_minutes: NumberFromStringOrNumber,
        }),
      ]),
    ),
  },
  'FuturesWsNotifications',
);
export type FuturesWsNotifications = t.TypeOf<typeof FuturesWsNotifications>;

export const FUTURES_WS_FEEDS = [
  'heartbeat',
  'ticker',
  'ticker_lite',
  'book_snapshot',
  'book',
  'trade_snapshot',
  'trade',
  'open_orders_snapshot',
  'open_orders',
  'open_orders_verbose_snapshot',
  'open_orders_verbose',
  'fills_snapshot',
  'fills',
  'open_positions',
  'balances_snapshot',
  'balances',
  'account_log_snapshot',
  'account_log',
  'notifications_auth',
] as const;
export type FuturesWsFeed = (typeof FUTURES_WS_FEEDS)[number];

export const FuturesWsFeedMessage = t.union(
  [
    FuturesWsBookUpdate,
    FuturesWsTrade,
    FuturesWsTicker,
    FuturesWsHeartbeat,
    FuturesWsTickerLite,
    FuturesWsBookSnapshot,
    FuturesWsTradeSnapshot,
    FuturesWsOpenOrdersSnapshot,
    FuturesWsOpenOrdersUpdate,
    FuturesWsOpenOrdersVerboseSnapshot,
    FuturesWsOpenOrdersVerboseUpdate,
    FuturesWsFillsSnapshot,
    FuturesWsFillsUpdate,
    FuturesWsOpenPositions,
    FuturesWsBalancesSnapshot,
    FuturesWsBalancesUpdate,
    FuturesWsAccountLogSnapshot,
    FuturesWsAccountLogUpdate,
    FuturesWsNotifications,
  ],
  'FuturesWsFeedMessage',
);
export type FuturesWsFeedMessage = t.TypeOf<typeof FuturesWsFeedMessage>;

export type FuturesWsInbound = FuturesWsEvent | FuturesWsFeedMessage;

const feedCodecs: ReadonlyMap<string, t.Decoder<unknown, FuturesWsFeedMessage>> = new Map<
  FuturesWsFeed,
  t.Decoder<unknown, FuturesWsFeedMessage>
>([
  ['book', FuturesWsBookUpdate],
  ['trade', FuturesWsTrade],
  ['ticker', FuturesWsTicker],
  ['heartbeat', FuturesWsHeartbeat],
  ['ticker_lite', FuturesWsTickerLite],
  ['book_snapshot', FuturesWsBookSnapshot],
  ['trade_snapshot', FuturesWsTradeSnapshot],
  ['open_orders_snapshot', FuturesWsOpenOrdersSnapshot],
  ['open_orders', FuturesWsOpenOrdersUpdate],
  ['open_orders_verbose_snapshot', FuturesWsOpenOrdersVerboseSnapshot],
  ['open_orders_verbose', FuturesWsOpenOrdersVerboseUpdate],
  ['fills_snapshot', FuturesWsFillsSnapshot],
  ['fills', FuturesWsFillsUpdate],
  ['open_positions', FuturesWsOpenPositions],
  ['balances_snapshot', FuturesWsBalancesSnapshot],
  ['balances', FuturesWsBalancesUpdate],
  ['account_log_snapshot', FuturesWsAccountLogSnapshot],
  ['account_log', FuturesWsAccountLogUpdate],
  ['notifications_auth', FuturesWsNotifications],
]);

export const FUTURES_WS_EVENTS = [
  'info',
  'subscribed',
  'unsubscribed',
  'subscribed_failed',
  'unsubscribed_failed',
  'error',
  'alert',
  'challenge',
] as const;
const eventSet: ReadonlySet<string> = new Set(FUTURES_WS_EVENTS);

/**
 * Any inbound Futures WS frame: `event` → `FuturesWsEvent` (event name trimmed), otherwise `feed` →
 * `FuturesWsFeedMessage`. An unknown event or feed fails at path `event` / `feed`.
 */
export const FuturesWsMessage = new t.Type<FuturesWsInbound, unknown, unknown>(
  'FuturesWsMessage',
  (u): u is FuturesWsInbound => FuturesWsEvent.is(u) || FuturesWsFeedMessage.is(u),
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, 'a JSON object frame');
    const frame = u as { event?: unknown; feed?: unknown };
    if (frame.event !== undefined) {
      const event = typeof frame.event === 'string' ? frame.event.trim() : undefined;
      if (event === undefined || !eventSet.has(event)) {
        return fieldFailure(c, 'event', frame.event, `a known event (${FUTURES_WS_EVENTS.join('|')})`);
      }
      const input = event === frame.event ? u : { ...u, event };
      return FuturesWsEvent.validate(input, t.appendContext(c, '', FuturesWsEvent, input));
    }
    const codec = typeof frame.feed === 'string' ? feedCodecs.get(frame.feed) : undefined;
    if (codec === undefined) {
      return fieldFailure(c, 'feed', frame.feed, `a known feed (${FUTURES_WS_FEEDS.join('|')})`);
    }
    // book/trade deltas report their own paths; the io-ts combinators need a hand-over entry to skip their indices
    if (frame.feed === 'book' || frame.feed === 'trade') return codec.validate(u, c);
    return codec.validate(u, t.appendContext(c, '', codec as t.Decoder<unknown, unknown>, u));
  },
  (a) => a,
);

/** True for a control message (vs a feed message). */
export function isFuturesWsEvent(message: FuturesWsInbound): message is FuturesWsEvent {
  return 'event' in message;
}
