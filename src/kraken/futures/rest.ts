/**
 * io-ts codecs for Kraken Futures REST responses (futures-wire.md §4–§9): derivatives v3 (with the
 * `result`/`serverTime` envelope), the History API v3 and the Charts API (no envelope).
 *
 * Numbers and decimal strings both decode to `Decimal`; ISO times and epoch-ms values decode to epoch ms.
 * Every status vocabulary is kept open: an unknown status decodes to its string.
 */
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import {
  FUTURES_ACTION_SUCCESS,
  futuresErrorStrings,
  type KrakenApiError,
  type KrakenDecodeError,
  krakenApiError,
} from '../../errors';
import {
  BooleanFromStringOrBoolean,
  DecimalFromStringOrNumber,
  EpochMsFromNumberOrString,
  EpochMsFromRfc3339,
  EpochMsFromRfc3339OrZero,
  NumberFromStringOrNumber,
  nullable,
  openEnum,
} from '../common/codecs';
import { decodeOrError } from '../common/decode';

const Dec = DecimalFromStringOrNumber;
const NullableDec = nullable(Dec);
const Iso = EpochMsFromRfc3339;

// ---------------------------------------------------------------------------------------------------------
// Envelope and errors

export const FuturesErrorItem = t.intersection(
  [t.type({ message: t.string }), t.partial({ code: t.number })],
  'FuturesErrorItem',
);

/** The derivatives v3 envelope: `result: "success" | "error"`, with `error` or `errors[]` on failure. */
export const FuturesEnvelope = t.partial(
  {
    result: t.string,
    serverTime: Iso,
    error: t.string,
    errors: t.array(FuturesErrorItem),
    status: t.string,
  },
  'FuturesEnvelope',
);
export type FuturesEnvelope = t.TypeOf<typeof FuturesEnvelope>;

/** The error strings of a Futures body, or undefined for a success (see `futuresErrorStrings` in errors.ts). */
export const futuresErrors = futuresErrorStrings;

/**
 * Decodes a Futures REST body: an error answer becomes a `KrakenApiError` (or `KrakenRateLimitError` for
 * `apiLimitExceeded`), a shape mismatch a `KrakenDecodeError`, otherwise the decoded body. Order-action
 * statuses (`sendStatus.status`, ...) are left to the caller: `placed` and `iocWouldNotExecute` both decode.
 */
export function decodeFuturesResponse<A>(
  codec: t.Decoder<unknown, A>,
  body: unknown,
  endpoint: string,
  httpStatus?: number,
): E.Either<KrakenApiError | KrakenDecodeError, A> {
  const errors = futuresErrors(body, httpStatus);
  if (errors !== undefined) return E.left(krakenApiError(errors, endpoint, httpStatus));
  return decodeOrError(codec, body, `Futures ${endpoint} response`);
}

const envelopeFields = { result: t.string, serverTime: Iso };

function envelope<P extends t.Props>(props: P, name: string) {
  return t.intersection([t.type(props), t.partial(envelopeFields)], name);
}

/** A bare success answer (PUT leveragepreferences, PUT pnlpreferences, ...). */
export const FuturesSuccessResponse = t.partial(envelopeFields, 'FuturesSuccessResponse');
export type FuturesSuccessResponse = t.TypeOf<typeof FuturesSuccessResponse>;

// ---------------------------------------------------------------------------------------------------------
// Public market data

export const FuturesInstrumentType = openEnum('FuturesInstrumentType', [
  'futures_inverse',
  'flexible_futures',
  'futures_vanilla',
  'options',
]);

export const FuturesMarginLevel = t.partial(
  { contracts: Dec, numNonContractUnits: Dec, initialMargin: Dec, maintenanceMargin: Dec },
  'FuturesMarginLevel',
);
export type FuturesMarginLevel = t.TypeOf<typeof FuturesMarginLevel>;

export const FuturesInstrument = t.intersection(
  [
    t.type({ symbol: t.string, type: FuturesInstrumentType }),
    t.partial({
      pair: t.string,
      base: t.string,
      quote: t.string,
      underlying: t.string,
      tickSize: Dec,
      contractSize: Dec,
      tradeable: t.boolean,
      impactMidSize: Dec,
      maxPositionSize: Dec,
      openingDate: Iso,
      lastTradingTime: Iso,
      marginLevels: t.array(FuturesMarginLevel),
      retailMarginLevels: t.array(FuturesMarginLevel),
      fundingRateCoefficient: Dec,
      maxRelativeFundingRate: Dec,
      isin: t.string,
      contractValueTradePrecision: NumberFromStringOrNumber,
      postOnly: t.boolean,
      feeScheduleUid: t.string,
      category: t.string,
      tags: t.array(t.string),
      tradfi: t.boolean,
      mtf: t.boolean,
      isExpired: t.boolean,
    }),
  ],
  'FuturesInstrument',
);
export type FuturesInstrument = t.TypeOf<typeof FuturesInstrument>;
export const FuturesInstrumentsResponse = envelope(
  { instruments: t.array(FuturesInstrument) },
  'FuturesInstrumentsResponse',
);
export type FuturesInstrumentsResponse = t.TypeOf<typeof FuturesInstrumentsResponse>;

export const FuturesInstrumentStatus = t.intersection(
  [
    t.type({ tradeable: t.string }),
    t.partial({
      experiencingDislocation: t.boolean,
      priceDislocationDirection: nullable(t.string),
      experiencingExtremeVolatility: t.boolean,
      extremeVolatilityInitialMarginMultiplier: Dec,
    }),
  ],
  'FuturesInstrumentStatus',
);
export const FuturesInstrumentStatusResponse = envelope(
  { instrumentStatus: t.array(FuturesInstrumentStatus) },
  'FuturesInstrumentStatusResponse',
);
export type FuturesInstrumentStatusResponse = t.TypeOf<typeof FuturesInstrumentStatusResponse>;

/** One `/tickers` row. Index rows (`in_xbtusd`, `rr_xbtusd`) carry only `symbol`, `last`, `lastTime`. */
export const FuturesTicker = t.intersection(
  [
    t.type({ symbol: t.string }),
    t.partial({
      tag: t.string,
      pair: t.string,
      markPrice: Dec,
      bid: Dec,
      bidSize: Dec,
      ask: Dec,
      askSize: Dec,
      vol24h: Dec,
      volumeQuote: Dec,
      openInterest: Dec,
      open24h: Dec,
      high24h: Dec,
      low24h: Dec,
      vwap24h: Dec,
      indexPrice: Dec,
      last: Dec,
      lastTime: Iso,
      lastSize: Dec,
      suspended: t.boolean,
      /** Absolute rate (quote per contract unit), perpetuals only. */
      fundingRate: Dec,
      fundingRatePrediction: Dec,
      postOnly: t.boolean,
      change24h: Dec,
    }),
  ],
  'FuturesTicker',
);
export type FuturesTicker = t.TypeOf<typeof FuturesTicker>;
export const FuturesTickersResponse = envelope({ tickers: t.array(FuturesTicker) }, 'FuturesTickersResponse');
export type FuturesTickersResponse = t.TypeOf<typeof FuturesTickersResponse>;
export const FuturesTickerResponse = envelope({ ticker: FuturesTicker }, 'FuturesTickerResponse');
export type FuturesTickerResponse = t.TypeOf<typeof FuturesTickerResponse>;

/** `[price, size]`. */
export const FuturesBookLevel = t.tuple([Dec, Dec], 'FuturesBookLevel');
export type FuturesBookLevel = t.TypeOf<typeof FuturesBookLevel>;
export const FuturesOrderBookResponse = envelope(
  { orderBook: t.type({ bids: t.array(FuturesBookLevel), asks: t.array(FuturesBookLevel) }) },
  'FuturesOrderBookResponse',
);
export type FuturesOrderBookResponse = t.TypeOf<typeof FuturesOrderBookResponse>;

/** One public trade from `/history`; `side` is the taker's. */
export const FuturesPublicTrade = t.intersection(
  [
    t.type({ time: Iso, price: Dec, size: Dec }),
    t.partial({
      trade_id: t.number,
      side: t.string,
      type: openEnum('FuturesTradeType', ['fill', 'liquidation', 'assignment', 'termination', 'block']),
      uid: t.string,
    }),
  ],
  'FuturesPublicTrade',
);
export type FuturesPublicTrade = t.TypeOf<typeof FuturesPublicTrade>;
export const FuturesHistoryResponse = envelope({ history: t.array(FuturesPublicTrade) }, 'FuturesHistoryResponse');
export type FuturesHistoryResponse = t.TypeOf<typeof FuturesHistoryResponse>;

export const FuturesFundingRate = t.intersection(
  [t.type({ timestamp: Iso, fundingRate: Dec }), t.partial({ relativeFundingRate: Dec })],
  'FuturesFundingRate',
);
export type FuturesFundingRate = t.TypeOf<typeof FuturesFundingRate>;
export const FuturesHistoricalFundingRatesResponse = envelope(
  { rates: t.array(FuturesFundingRate) },
  'FuturesHistoricalFundingRatesResponse',
);
export type FuturesHistoricalFundingRatesResponse = t.TypeOf<typeof FuturesHistoricalFundingRatesResponse>;

/** Charts API candle: `time` is the open time in epoch ms; OHLC and volume are strings or numbers. */
export const FuturesCandle = t.type(
  { time: EpochMsFromNumberOrString, open: Dec, high: Dec, low: Dec, close: Dec, volume: Dec },
  'FuturesCandle',
);
export type FuturesCandle = t.TypeOf<typeof FuturesCandle>;
export const FuturesCandlesResponse = t.intersection(
  [t.type({ candles: t.array(FuturesCandle) }), t.partial({ more_candles: t.boolean })],
  'FuturesCandlesResponse',
);
export type FuturesCandlesResponse = t.TypeOf<typeof FuturesCandlesResponse>;

// ---------------------------------------------------------------------------------------------------------
// Order actions

/** `sendStatus.status` vocabulary (§5.1); open: any other string decodes too. */
export const FuturesSendStatusValue = openEnum('FuturesSendStatusValue', [
  'placed',
  'partiallyFilled',
  'filled',
  'cancelled',
  'edited',
  'marketSuspended',
  'marketInactive',
  'invalidPrice',
  'invalidSize',
  'tooManySmallOrders',
  'insufficientAvailableFunds',
  'wouldCauseLiquidation',
  'clientOrderIdAlreadyExist',
  'clientOrderIdTooBig',
  'maxPositionViolation',
  'outsidePriceCollar',
  'wouldIncreasePriceDislocation',
  'notFound',
  'orderForEditNotAStop',
  'orderForEditNotFound',
  'postWouldExecute',
  'iocWouldNotExecute',
  'selfFill',
  'wouldNotReducePosition',
  'marketIsPostOnly',
  'tooManyOrders',
  'fixedLeverageTooHigh',
  'clientOrderIdInvalid',
  'cannotEditTriggerPriceOfTrailingStop',
  'cannotEditLimitPriceOfTrailingStop',
  'wouldProcessAfterSpecifiedTime',
]);
export const FuturesEditStatusValue = openEnum('FuturesEditStatusValue', [
  'edited',
  'invalidSize',
  'invalidPrice',
  'insufficientAvailableFunds',
  'selfFill',
  'tooManySmallOrders',
  'outsidePriceCollar',
  'postWouldExecute',
  'wouldNotReducePosition',
  'orderForEditNotFound',
  'orderForEditNotAStop',
]);
export const FuturesCancelStatusValue = openEnum('FuturesCancelStatusValue', [
  'cancelled',
  'filled',
  'notFound',
  'noOrdersToCancel',
]);

/** Statuses that mean Kraken took the instruction (§5.1); everything else is a refusal. */
export const FUTURES_ACCEPTED_STATUSES: ReadonlySet<string> = FUTURES_ACTION_SUCCESS;

/** The `Order` inside order events. Every field optional (batch EDIT events carry `{}`). */
export const FuturesEventOrder = t.partial(
  {
    orderId: t.string,
    cliOrdId: nullable(t.string),
    type: t.string,
    symbol: t.string,
    side: t.string,
    quantity: Dec,
    filled: Dec,
    limitPrice: NullableDec,
    stopPrice: NullableDec,
    reduceOnly: t.boolean,
    timestamp: Iso,
    lastUpdateTimestamp: Iso,
  },
  'FuturesEventOrder',
);
export type FuturesEventOrder = t.TypeOf<typeof FuturesEventOrder>;

export const FuturesEventTrigger = t.partial(
  {
    uid: t.string,
    clientId: nullable(t.string),
    type: t.string,
    symbol: t.string,
    side: t.string,
    quantity: Dec,
    limitPrice: NullableDec,
    triggerPrice: Dec,
    triggerSide: t.string,
    triggerSignal: t.string,
    reduceOnly: t.boolean,
    timestamp: Iso,
    lastUpdateTimestamp: Iso,
    startTime: nullable(Iso),
  },
  'FuturesEventTrigger',
);
export type FuturesEventTrigger = t.TypeOf<typeof FuturesEventTrigger>;

/** One `orderEvents[]` element: `PLACE`, `CANCEL`, `EDIT`, `REJECT`, `EXECUTION` (others kept). */
export const FuturesOrderEvent = t.intersection(
  [
    t.type({ type: openEnum('FuturesOrderEventType', ['PLACE', 'CANCEL', 'EDIT', 'REJECT', 'EXECUTION']) }),
    t.partial({
      order: FuturesEventOrder,
      orderTrigger: FuturesEventTrigger,
      reducedQuantity: NullableDec,
      uid: t.string,
      old: FuturesEventOrder,
      new: FuturesEventOrder,
      reason: t.string,
      executionId: t.string,
      price: Dec,
      amount: Dec,
      orderPriorEdit: nullable(FuturesEventOrder),
      orderPriorExecution: FuturesEventOrder,
      takerReducedQuantity: NullableDec,
    }),
  ],
  'FuturesOrderEvent',
);
export type FuturesOrderEvent = t.TypeOf<typeof FuturesOrderEvent>;

export const FuturesSendStatus = t.intersection(
  [
    t.type({ status: FuturesSendStatusValue }),
    t.partial({
      order_id: t.string,
      cliOrdId: nullable(t.string),
      cli_ord_id: nullable(t.string),
      receivedTime: Iso,
      orderEvents: t.array(FuturesOrderEvent),
    }),
  ],
  'FuturesSendStatus',
);
export type FuturesSendStatus = t.TypeOf<typeof FuturesSendStatus>;
export const FuturesSendOrderResponse = envelope({ sendStatus: FuturesSendStatus }, 'FuturesSendOrderResponse');
export type FuturesSendOrderResponse = t.TypeOf<typeof FuturesSendOrderResponse>;

export const FuturesEditStatus = t.intersection(
  [
    t.type({ status: FuturesEditStatusValue }),
    t.partial({
      orderId: t.string,
      cliOrdId: nullable(t.string),
      receivedTime: Iso,
      orderEvents: t.array(FuturesOrderEvent),
    }),
  ],
  'FuturesEditStatus',
);
export type FuturesEditStatus = t.TypeOf<typeof FuturesEditStatus>;
export const FuturesEditOrderResponse = envelope({ editStatus: FuturesEditStatus }, 'FuturesEditOrderResponse');
export type FuturesEditOrderResponse = t.TypeOf<typeof FuturesEditOrderResponse>;

export const FuturesCancelStatus = t.intersection(
  [
    t.type({ status: FuturesCancelStatusValue }),
    t.partial({
      order_id: t.string,
      cliOrdId: nullable(t.string),
      receivedTime: Iso,
      orderEvents: t.array(FuturesOrderEvent),
      /** cancelallorders: the symbol or `all`. */
      cancelOnly: t.string,
      cancelledOrders: t.array(t.partial({ order_id: t.string, cliOrdId: nullable(t.string) })),
    }),
  ],
  'FuturesCancelStatus',
);
export type FuturesCancelStatus = t.TypeOf<typeof FuturesCancelStatus>;
export const FuturesCancelOrderResponse = envelope({ cancelStatus: FuturesCancelStatus }, 'FuturesCancelOrderResponse');
export type FuturesCancelOrderResponse = t.TypeOf<typeof FuturesCancelOrderResponse>;
export const FuturesCancelAllOrdersResponse = envelope(
  { cancelStatus: FuturesCancelStatus },
  'FuturesCancelAllOrdersResponse',
);
export type FuturesCancelAllOrdersResponse = t.TypeOf<typeof FuturesCancelAllOrdersResponse>;

/** Dead man's switch; `triggerTime` `"0"` (→ 0) when disarmed. */
export const FuturesCancelAllOrdersAfterResponse = envelope(
  { status: t.type({ currentTime: EpochMsFromRfc3339OrZero, triggerTime: EpochMsFromRfc3339OrZero }) },
  'FuturesCancelAllOrdersAfterResponse',
);
export type FuturesCancelAllOrdersAfterResponse = t.TypeOf<typeof FuturesCancelAllOrdersAfterResponse>;

/** One `batchStatus[]` entry — in no particular order: match by `order_tag`, `order_id` or `cliOrdId`. */
export const FuturesBatchStatus = t.intersection(
  [
    t.type({ status: FuturesSendStatusValue }),
    t.partial({
      order_tag: t.string,
      order_id: t.string,
      cliOrdId: nullable(t.string),
      dateTimeReceived: Iso,
      orderEvents: t.array(FuturesOrderEvent),
    }),
  ],
  'FuturesBatchStatus',
);
export type FuturesBatchStatus = t.TypeOf<typeof FuturesBatchStatus>;
export const FuturesBatchOrderResponse = envelope(
  { batchStatus: t.array(FuturesBatchStatus) },
  'FuturesBatchOrderResponse',
);
export type FuturesBatchOrderResponse = t.TypeOf<typeof FuturesBatchOrderResponse>;

/** `/orders/status` (orders open or closed within the last ~5 s). */
export const FuturesOrderStatusEntry = t.intersection(
  [
    t.type({
      order: t.partial({
        type: t.string,
        orderId: t.string,
        cliOrdId: nullable(t.string),
        symbol: t.string,
        side: t.string,
        quantity: Dec,
        filled: Dec,
        limitPrice: NullableDec,
        reduceOnly: t.boolean,
        timestamp: Iso,
        lastUpdateTimestamp: Iso,
        priceTriggerOptions: nullable(t.partial({ triggerPrice: Dec, triggerSide: t.string, triggerSignal: t.string })),
        triggerTime: nullable(t.union([Iso, t.number])),
      }),
      status: openEnum('FuturesOrderStatusValue', [
        'ENTERED_BOOK',
        'FULLY_EXECUTED',
        'REJECTED',
        'CANCELLED',
        'TRIGGER_PLACED',
        'TRIGGER_ACTIVATION_FAILURE',
      ]),
    }),
    t.partial({ updateReason: t.string, error: nullable(t.string) }),
  ],
  'FuturesOrderStatusEntry',
);
export type FuturesOrderStatusEntry = t.TypeOf<typeof FuturesOrderStatusEntry>;
export const FuturesOrdersStatusResponse = envelope(
  { orders: t.array(FuturesOrderStatusEntry) },
  'FuturesOrdersStatusResponse',
);
export type FuturesOrdersStatusResponse = t.TypeOf<typeof FuturesOrdersStatusResponse>;

// ---------------------------------------------------------------------------------------------------------
// Private account data

export const FuturesOpenOrder = t.intersection(
  [
    t.type({
      order_id: t.string,
      symbol: t.string,
      side: t.string,
      orderType: openEnum('FuturesOpenOrderType', ['lmt', 'stop', 'stp', 'take_profit', 'stop_loss']),
      receivedTime: Iso,
      status: openEnum('FuturesOpenOrderStatus', ['untouched', 'partiallyFilled']),
    }),
    t.partial({
      limitPrice: Dec,
      stopPrice: Dec,
      unfilledSize: Dec,
      filledSize: Dec,
      reduceOnly: t.boolean,
      triggerSignal: t.string,
      lastUpdateTime: Iso,
      cliOrdId: nullable(t.string),
      cli_ord_id: nullable(t.string),
    }),
  ],
  'FuturesOpenOrder',
);
export type FuturesOpenOrder = t.TypeOf<typeof FuturesOpenOrder>;
export const FuturesOpenOrdersResponse = envelope(
  { openOrders: t.array(FuturesOpenOrder) },
  'FuturesOpenOrdersResponse',
);
export type FuturesOpenOrdersResponse = t.TypeOf<typeof FuturesOpenOrdersResponse>;

export const FuturesFillType = openEnum('FuturesFillType', [
  'maker',
  'taker',
  'liquidation',
  'partialLiquidation',
  'assignor',
  'assignee',
  'takerAfterEdit',
  'unwindBankrupt',
  'unwindCounterparty',
]);

export const FuturesFill = t.intersection(
  [
    t.type({
      fill_id: t.string,
      symbol: t.string,
      side: t.string,
      order_id: t.string,
      size: Dec,
      price: Dec,
      fillTime: Iso,
      fillType: FuturesFillType,
    }),
    t.partial({
      cli_ord_id: nullable(t.string),
      cliOrdId: nullable(t.string),
      fee_paid: Dec,
      fee_currency: t.string,
    }),
  ],
  'FuturesFill',
);
export type FuturesFill = t.TypeOf<typeof FuturesFill>;
export const FuturesFillsResponse = envelope({ fills: t.array(FuturesFill) }, 'FuturesFillsResponse');
export type FuturesFillsResponse = t.TypeOf<typeof FuturesFillsResponse>;

export const FuturesOpenPosition = t.intersection(
  [
    t.type({
      side: openEnum('FuturesPositionSide', ['long', 'short']),
      symbol: t.string,
      price: Dec,
      size: Dec,
    }),
    t.partial({
      fillTime: Iso,
      unrealizedPnl: Dec,
      unrealizedFunding: Dec,
      pnlCurrency: t.string,
      maxFixedLeverage: Dec,
    }),
  ],
  'FuturesOpenPosition',
);
export type FuturesOpenPosition = t.TypeOf<typeof FuturesOpenPosition>;
export const FuturesOpenPositionsResponse = envelope(
  { openPositions: t.array(FuturesOpenPosition) },
  'FuturesOpenPositionsResponse',
);
export type FuturesOpenPositionsResponse = t.TypeOf<typeof FuturesOpenPositionsResponse>;

const DecRecord = t.record(t.string, Dec);

export const FuturesFlexCurrency = t.partial(
  { quantity: Dec, value: Dec, collateral: Dec, collateralValue: Dec, available: Dec },
  'FuturesFlexCurrency',
);
export type FuturesFlexCurrency = t.TypeOf<typeof FuturesFlexCurrency>;

/**
 * One `/accounts` entry: `cashAccount` (`balances`), `marginAccount` (`currency`, `balances`, `auxiliary`,
 * `marginRequirements`, `triggerEstimates`) or `multiCollateralMarginAccount` (`currencies` and USD totals).
 * One loose codec so that a new account type decodes too.
 */
export const FuturesAccount = t.intersection(
  [
    t.type({
      type: openEnum('FuturesAccountType', ['cashAccount', 'marginAccount', 'multiCollateralMarginAccount']),
    }),
    t.partial({
      currency: t.string,
      balances: DecRecord,
      auxiliary: DecRecord,
      marginRequirements: DecRecord,
      triggerEstimates: DecRecord,
      currencies: t.record(t.string, FuturesFlexCurrency),
      balanceValue: Dec,
      portfolioValue: Dec,
      collateralValue: Dec,
      initialMargin: Dec,
      initialMarginWithOrders: Dec,
      maintenanceMargin: Dec,
      pnl: Dec,
      unrealizedFunding: Dec,
      totalUnrealized: Dec,
      totalUnrealizedAsMargin: Dec,
      marginEquity: Dec,
      availableMargin: Dec,
    }),
  ],
  'FuturesAccount',
);
export type FuturesAccount = t.TypeOf<typeof FuturesAccount>;
export const FuturesAccountsResponse = envelope(
  { accounts: t.record(t.string, FuturesAccount) },
  'FuturesAccountsResponse',
);
export type FuturesAccountsResponse = t.TypeOf<typeof FuturesAccountsResponse>;

export const FuturesLeveragePreference = t.type({ symbol: t.string, maxLeverage: Dec }, 'FuturesLeveragePreference');
export type FuturesLeveragePreference = t.TypeOf<typeof FuturesLeveragePreference>;
export const FuturesLeveragePreferencesResponse = envelope(
  { leveragePreferences: t.array(FuturesLeveragePreference) },
  'FuturesLeveragePreferencesResponse',
);
export type FuturesLeveragePreferencesResponse = t.TypeOf<typeof FuturesLeveragePreferencesResponse>;

export const FuturesPnlPreferencesResponse = envelope(
  { preferences: t.array(t.type({ symbol: t.string, pnlCurrency: t.string })) },
  'FuturesPnlPreferencesResponse',
);
export type FuturesPnlPreferencesResponse = t.TypeOf<typeof FuturesPnlPreferencesResponse>;

// ---------------------------------------------------------------------------------------------------------
// History API v3 (no envelope; cursor paging with `continuationToken`)

/** An order as the History API writes it: decimal strings, epoch-ms times, `direction` `Buy|Sell`. */
export const FuturesHistoryOrder = t.partial(
  {
    uid: t.string,
    accountUid: t.string,
    tradeable: t.string,
    direction: openEnum('FuturesHistoryDirection', ['Buy', 'Sell', 'Unknown']),
    quantity: Dec,
    filled: Dec,
    timestamp: EpochMsFromNumberOrString,
    limitPrice: NullableDec,
    stopPrice: NullableDec,
    orderType: openEnum('FuturesHistoryOrderType', [
      'Limit',
      'IoC',
      'Post',
      'Market',
      'Liquidation',
      'Assignment',
      'Unwind',
      'Unknown',
    ]),
    clientId: nullable(t.string),
    reduceOnly: BooleanFromStringOrBoolean,
    lastUpdateTimestamp: EpochMsFromNumberOrString,
    regulatoryExternalUid: nullable(t.string),
  },
  'FuturesHistoryOrder',
);
export type FuturesHistoryOrder = t.TypeOf<typeof FuturesHistoryOrder>;

/** `reducedQuantity` and friends: a decimal string, or `""` for none. */
const OptionalDecText = t.union([Dec, t.literal(''), t.null], 'OptionalDecText');

/** The `event` object of an order element: exactly one of these keys (an unknown key decodes too). */
export const FuturesHistoryOrderEvent = t.partial(
  {
    OrderPlaced: t.intersection([
      t.type({ order: FuturesHistoryOrder }),
      t.partial({ reason: t.string, reducedQuantity: OptionalDecText }),
    ]),
    OrderUpdated: t.intersection([
      t.type({ oldOrder: FuturesHistoryOrder, newOrder: FuturesHistoryOrder }),
      t.partial({ reason: t.string, reducedQuantity: OptionalDecText }),
    ]),
    OrderRejected: t.intersection([
      t.type({ order: FuturesHistoryOrder }),
      t.partial({ orderError: t.string, reason: t.string }),
    ]),
    OrderCancelled: t.intersection([t.type({ order: FuturesHistoryOrder }), t.partial({ reason: t.string })]),
    OrderNotFound: t.partial({ accountUid: t.string, orderId: t.string }),
    OrderEditRejected: t.partial({
      oldOrder: FuturesHistoryOrder,
      attemptedOrder: FuturesHistoryOrder,
      orderError: t.string,
    }),
  },
  'FuturesHistoryOrderEvent',
);
export type FuturesHistoryOrderEvent = t.TypeOf<typeof FuturesHistoryOrderEvent>;

export const FuturesHistoryOrderElement = t.type(
  { uid: t.string, timestamp: EpochMsFromNumberOrString, event: FuturesHistoryOrderEvent },
  'FuturesHistoryOrderElement',
);
export type FuturesHistoryOrderElement = t.TypeOf<typeof FuturesHistoryOrderElement>;

const historyPage = {
  accountUid: t.string,
  len: t.number,
  serverTime: Iso,
  /** Absent on the last page. Pass back as `continuation_token` with the same `sort`. */
  continuationToken: t.string,
};

export const FuturesHistoryOrdersResponse = t.intersection(
  [t.type({ elements: t.array(FuturesHistoryOrderElement) }), t.partial(historyPage)],
  'FuturesHistoryOrdersResponse',
);
export type FuturesHistoryOrdersResponse = t.TypeOf<typeof FuturesHistoryOrdersResponse>;

/** A trigger (stop / take-profit) as the History API writes it: the order fields plus its trigger. */
export const FuturesHistoryTriggerOrder = t.intersection(
  [
    FuturesHistoryOrder,
    t.partial({ triggerPrice: NullableDec, triggerSide: t.string, triggerSignal: t.string, startTime: t.unknown }),
  ],
  'FuturesHistoryTriggerOrder',
);
export type FuturesHistoryTriggerOrder = t.TypeOf<typeof FuturesHistoryTriggerOrder>;

/** The `event` of a `/api/history/v3/triggers` element: placed, activated (it became an order) or cancelled. */
export const FuturesHistoryTriggerEvent = t.partial(
  {
    OrderTriggerPlaced: t.type({ order: FuturesHistoryTriggerOrder }),
    OrderTriggerActivated: t.type({ order: FuturesHistoryTriggerOrder }),
    OrderTriggerCancelled: t.intersection([
      t.type({ order: FuturesHistoryTriggerOrder }),
      t.partial({ reason: t.string }),
    ]),
  },
  'FuturesHistoryTriggerEvent',
);
export type FuturesHistoryTriggerEvent = t.TypeOf<typeof FuturesHistoryTriggerEvent>;

export const FuturesHistoryTriggerElement = t.type(
  { uid: t.string, timestamp: EpochMsFromNumberOrString, event: FuturesHistoryTriggerEvent },
  'FuturesHistoryTriggerElement',
);
export type FuturesHistoryTriggerElement = t.TypeOf<typeof FuturesHistoryTriggerElement>;

export const FuturesHistoryTriggersResponse = t.intersection(
  [t.type({ elements: t.array(FuturesHistoryTriggerElement) }), t.partial(historyPage)],
  'FuturesHistoryTriggersResponse',
);
export type FuturesHistoryTriggersResponse = t.TypeOf<typeof FuturesHistoryTriggersResponse>;

export const FuturesHistoryOrderData = t.partial({ fee: Dec, positionSize: Dec }, 'FuturesHistoryOrderData');

export const FuturesHistoryExecution = t.intersection(
  [
    t.type({ uid: t.string, timestamp: EpochMsFromNumberOrString, quantity: Dec, price: Dec }),
    t.partial({
      makerOrder: FuturesHistoryOrder,
      takerOrder: FuturesHistoryOrder,
      markPrice: Dec,
      limitFilled: t.boolean,
      usdValue: Dec,
      makerOrderData: FuturesHistoryOrderData,
      takerOrderData: FuturesHistoryOrderData,
    }),
  ],
  'FuturesHistoryExecution',
);
export type FuturesHistoryExecution = t.TypeOf<typeof FuturesHistoryExecution>;

const ExecutionEventBody = t.intersection([
  t.type({ execution: FuturesHistoryExecution }),
  t.partial({ takerReducedQuantity: OptionalDecText }),
]);

/** The key is `execution` for own executions and `Execution` on the public market feed: accept both. */
export const FuturesHistoryExecutionEvent = t.partial(
  { execution: ExecutionEventBody, Execution: ExecutionEventBody },
  'FuturesHistoryExecutionEvent',
);
export type FuturesHistoryExecutionEvent = t.TypeOf<typeof FuturesHistoryExecutionEvent>;

export const FuturesHistoryExecutionElement = t.type(
  { uid: t.string, timestamp: EpochMsFromNumberOrString, event: FuturesHistoryExecutionEvent },
  'FuturesHistoryExecutionElement',
);
export type FuturesHistoryExecutionElement = t.TypeOf<typeof FuturesHistoryExecutionElement>;

export const FuturesHistoryExecutionsResponse = t.intersection(
  [t.type({ elements: t.array(FuturesHistoryExecutionElement) }), t.partial(historyPage)],
  'FuturesHistoryExecutionsResponse',
);
export type FuturesHistoryExecutionsResponse = t.TypeOf<typeof FuturesHistoryExecutionsResponse>;

/** The execution of an element, whichever spelling of the key Kraken used. */
export function historyExecutionOf(element: FuturesHistoryExecutionElement): FuturesHistoryExecution | undefined {
  return (element.event.execution ?? element.event.Execution)?.execution;
}

/** One account-log entry (REST `account-log` and WS `account_log`). */
export const FuturesAccountLogEntry = t.intersection(
  [
    t.type({ id: t.number, date: Iso, info: t.string }),
    t.partial({
      asset: t.string,
      booking_uid: t.string,
      margin_account: t.string,
      old_balance: NullableDec,
      new_balance: NullableDec,
      old_average_entry_price: NullableDec,
      new_average_entry_price: NullableDec,
      trade_price: NullableDec,
      mark_price: NullableDec,
      realized_pnl: NullableDec,
      fee: NullableDec,
      execution: nullable(t.string),
      collateral: nullable(t.string),
      contract: nullable(t.string),
      funding_rate: NullableDec,
      realized_funding: NullableDec,
      conversion_spread_percentage: NullableDec,
      liquidation_fee: NullableDec,
    }),
  ],
  'FuturesAccountLogEntry',
);
export type FuturesAccountLogEntry = t.TypeOf<typeof FuturesAccountLogEntry>;
export const FuturesAccountLogResponse = t.intersection(
  [t.type({ logs: t.array(FuturesAccountLogEntry) }), t.partial({ accountUid: t.string })],
  'FuturesAccountLogResponse',
);
export type FuturesAccountLogResponse = t.TypeOf<typeof FuturesAccountLogResponse>;
