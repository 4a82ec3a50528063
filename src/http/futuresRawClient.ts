/**
 * Kraken Futures REST (futures-wire.md §6–§9), one method per endpoint, each taking the endpoint's parameters
 * (Kraken's own names) as one object and returning a cold Observable of the decoded response body.
 *
 * Private calls carry `APIKey`, `Nonce` and `Authent`; the `postData` signed is exactly the query string (GET)
 * or form body (POST) sent, and `/derivatives` is dropped from the signed path inside `futuresSigner`. Futures
 * nonces are drawn when a call starts but calls are not serialised: Kraken accepts a nonce window
 * (`nonceBelowThreshold`), and order entry must not queue behind a slow read.
 *
 * Rate limits: the flat `maxRequestsPerSecond` bucket for every call, the `/derivatives` budget (500 per 10 s,
 * per-endpoint costs, public endpoints free) and the `/api/history` pool (100 per 10 min). Envelope-level
 * errors (`result: "error"`) throw; order statuses (`sendStatus.status: "postWouldExecute"`, ...) are data.
 * Retries: see `restCall.ts` (never for `sendorder`, `editorder`, `batchorder`).
 */
import type * as t from 'io-ts';
import { defer, map, mergeMap, type Observable } from 'rxjs';
import type { KrakenCredentials } from '../config/config';
import type { FuturesChartResolution, FuturesChartTickType } from '../kraken/common/intervals';
import type { NonceSource } from '../kraken/common/nonce';
import { futuresDerivativesCost, futuresHistoryCost } from '../kraken/common/rateLimits';
import {
  encodeFuturesForm,
  futuresBatchOrderBody,
  futuresSigner,
  type FormParams,
  type FuturesSigner,
} from '../kraken/common/signing';
import {
  futuresChartsPath,
  futuresDerivativesPath,
  futuresHistoryPath,
  futuresMarketHistoryPath,
  joinUrl,
} from '../kraken/common/urls';
import {
  FuturesAccountLogResponse,
  FuturesAccountsResponse,
  FuturesBatchOrderResponse,
  FuturesCancelAllOrdersAfterResponse,
  FuturesCancelAllOrdersResponse,
  FuturesCancelOrderResponse,
  FuturesCandlesResponse,
  FuturesEditOrderResponse,
  FuturesFillsResponse,
  FuturesHistoricalFundingRatesResponse,
  FuturesHistoryExecutionsResponse,
  FuturesHistoryOrdersResponse,
  FuturesHistoryResponse,
  FuturesHistoryTriggersResponse,
  FuturesInstrumentsResponse,
  FuturesInstrumentStatusResponse,
  FuturesLeveragePreferencesResponse,
  FuturesOpenOrdersResponse,
  FuturesOpenPositionsResponse,
  FuturesOrderBookResponse,
  FuturesOrdersStatusResponse,
  FuturesSendOrderResponse,
  FuturesSuccessResponse,
  FuturesTickerResponse,
  FuturesTickersResponse,
  type FuturesAccountLogEntry,
  type FuturesHistoryExecutionElement,
  type FuturesHistoryOrderElement,
  type FuturesHistoryTriggerElement,
} from '../kraken/futures/rest';
import { paginate } from '../operators/paginate';
import type { HttpMethod } from '../transport/http';
import {
  nonceSource,
  readFuturesAnswer,
  restCall,
  send,
  type CallKind,
  type Charge,
  type RestContext,
} from './restCall';
import type { WireList, WireNumber } from './spotRawClient';

export interface FuturesInstrumentsParams {
  contractType?: WireList;
  expired?: boolean;
}

export interface FuturesTickersParams {
  symbol?: WireList;
  contractType?: WireList;
}

export interface FuturesSymbolParams {
  symbol: string;
}

export interface FuturesPublicHistoryParams {
  symbol: string;
  /** ISO time: the 100 trades before it (default: the latest 100). */
  lastTime?: string;
}

export interface FuturesChartsParams {
  tickType: FuturesChartTickType;
  symbol: string;
  resolution: FuturesChartResolution;
  /** Epoch seconds. */
  from?: number;
  /** Epoch seconds, inclusive. */
  to?: number;
  count?: number;
}

export type FuturesOrderTypeParam = 'lmt' | 'post' | 'ioc' | 'mkt' | 'stp' | 'take_profit' | 'trailing_stop' | 'fok';

export interface FuturesSendOrderParams {
  orderType: FuturesOrderTypeParam;
  symbol: string;
  side: 'buy' | 'sell';
  size: WireNumber;
  limitPrice?: WireNumber;
  stopPrice?: WireNumber;
  cliOrdId?: string;
  triggerSignal?: 'mark' | 'index' | 'last' | 'spot';
  reduceOnly?: boolean;
  trailingStopMaxDeviation?: WireNumber;
  trailingStopDeviationUnit?: 'PERCENT' | 'QUOTE_CURRENCY';
  limitPriceOffsetValue?: WireNumber;
  limitPriceOffsetUnit?: 'PERCENT' | 'QUOTE_CURRENCY';
  processBefore?: string;
  broker?: string;
}

export interface FuturesEditOrderParams {
  orderId?: string;
  cliOrdId?: string;
  size?: WireNumber;
  limitPrice?: WireNumber;
  stopPrice?: WireNumber;
  trailingStopMaxDeviation?: WireNumber;
  trailingStopDeviationUnit?: 'PERCENT' | 'QUOTE_CURRENCY';
  qtyMode?: 'RELATIVE' | 'ABSOLUTE';
  processBefore?: string;
}

export interface FuturesCancelOrderParams {
  /** snake_case here, unlike editorder. */
  order_id?: string;
  cliOrdId?: string;
  processBefore?: string;
}

export interface FuturesCancelAllOrdersParams {
  symbol?: string;
}

export interface FuturesCancelAllOrdersAfterParams {
  /** Seconds; 0 disarms. */
  timeout: number;
}

/** One `batchorder` instruction, in Kraken's shape (`order: 'send' | 'edit' | 'cancel'`, `order_tag`, ...). */
export type FuturesBatchInstruction = Readonly<Record<string, unknown>> & {
  readonly order: 'send' | 'edit' | 'cancel';
};

export interface FuturesBatchOrderParams {
  batchOrder: readonly FuturesBatchInstruction[];
  processBefore?: string;
}

export interface FuturesOrdersStatusParams {
  orderIds?: readonly string[];
  cliOrdIds?: readonly string[];
}

export interface FuturesFillsParams {
  /** ISO time: the 100 fills before it (cost 25 instead of 2). */
  lastFillTime?: string;
}

export interface FuturesHistoryPageParams {
  /** Epoch ms. */
  since?: number;
  /** Epoch ms. */
  before?: number;
  sort?: 'asc' | 'desc';
  continuation_token?: string;
  count?: number;
  tradeable?: string;
}

export interface FuturesHistoryOrdersParams extends FuturesHistoryPageParams {
  opened?: boolean;
  closed?: boolean;
  /** History API version: `v3` (default) or `v2` (same elements). */
  version?: 'v2' | 'v3';
}

export interface FuturesHistoryExecutionsParams extends FuturesHistoryPageParams {
  version?: 'v2' | 'v3';
}

export interface FuturesAccountLogParams {
  since?: number;
  before?: number;
  from?: number;
  to?: number;
  sort?: 'asc' | 'desc';
  info?: WireList;
  count?: number;
  conversion_details?: boolean;
  version?: 'v2' | 'v3';
}

export interface FuturesMarketExecutionsParams extends Omit<FuturesHistoryPageParams, 'tradeable'> {
  symbol: string;
}

export interface FuturesLeveragePreferencesParams {
  symbol?: string;
}

export interface FuturesSetLeveragePreferencesParams {
  symbol: string;
  /** Isolated margin with this leverage cap; omitted = back to cross margin. */
  maxLeverage?: WireNumber;
}

type Api = 'derivatives' | 'history' | 'charts';

interface Request<A> {
  readonly api: Api;
  readonly httpMethod: HttpMethod;
  /** The full request path (no query): `/derivatives/api/v3/sendorder`. */
  readonly path: string;
  /** For messages and cost lookups: `sendorder`, `history/v3/orders`. */
  readonly endpoint: string;
  /** The exact query (GET) or body (POST) text. */
  readonly postData: string;
  readonly codec: t.Decoder<unknown, A>;
  readonly kind: CallKind;
  readonly auth: boolean;
  readonly cost: number;
}

function withoutVersion<P extends { version?: unknown }>(params: P): Omit<P, 'version'> {
  const { version: _version, ...rest } = params;
  return rest;
}

/** `KrakenRawHttpClient.futures`. */
export class FuturesRawClient {
  private readonly nonces: NonceSource;
  private signerFor?: { readonly apiKey: string; readonly signer: FuturesSigner };

  constructor(private readonly ctx: RestContext) {
    this.nonces = nonceSource(ctx.scheduler);
  }

  // ----- public market data -----

  instruments(params: FuturesInstrumentsParams = {}): Observable<FuturesInstrumentsResponse> {
    return this.derivatives('GET', 'instruments', params, FuturesInstrumentsResponse, { auth: false });
  }

  instrumentsStatus(params: Partial<FuturesSymbolParams> = {}): Observable<FuturesInstrumentStatusResponse> {
    const endpoint = params.symbol === undefined ? 'instruments/status' : `instruments/${params.symbol}/status`;
    return this.derivatives('GET', endpoint, {}, FuturesInstrumentStatusResponse, { auth: false });
  }

  tickers(params: FuturesTickersParams = {}): Observable<FuturesTickersResponse> {
    return this.derivatives('GET', 'tickers', params, FuturesTickersResponse, { auth: false });
  }

  /** `/tickers/{symbol}`. */
  ticker(params: FuturesSymbolParams): Observable<FuturesTickerResponse> {
    return this.derivatives('GET', `tickers/${params.symbol}`, {}, FuturesTickerResponse, { auth: false });
  }

  /** Full depth, no sequence number. */
  orderBook(params: FuturesSymbolParams): Observable<FuturesOrderBookResponse> {
    return this.derivatives('GET', 'orderbook', params, FuturesOrderBookResponse, { auth: false });
  }

  /** The 100 most recent public trades (before `lastTime`), ~7 days back at most. */
  history(params: FuturesPublicHistoryParams): Observable<FuturesHistoryResponse> {
    return this.derivatives('GET', 'history', params, FuturesHistoryResponse, { auth: false });
  }

  /** `/derivatives/api/v4/historicalfundingrates`. */
  historicalFundingRates(params: FuturesSymbolParams): Observable<FuturesHistoricalFundingRatesResponse> {
    return this.derivatives('GET', 'historicalfundingrates', params, FuturesHistoricalFundingRatesResponse, {
      auth: false,
      version: 'v4',
    });
  }

  /** Candles: `/api/charts/v1/{tickType}/{symbol}/{resolution}?from=&to=` (epoch seconds). */
  charts(params: FuturesChartsParams): Observable<FuturesCandlesResponse> {
    return defer(() => {
      const { tickType, symbol, resolution, ...query } = params;
      const path = futuresChartsPath(tickType, symbol, resolution);
      return this.call({
        api: 'charts',
        httpMethod: 'GET',
        path,
        endpoint: `charts/${tickType}`,
        postData: encodeFuturesForm(query),
        codec: FuturesCandlesResponse,
        kind: 'read',
        auth: false,
        cost: 0,
      });
    });
  }

  /** Public market executions from the History API (complete history; cursor paging). */
  marketExecutions(params: FuturesMarketExecutionsParams): Observable<FuturesHistoryExecutionsResponse> {
    return defer(() => {
      const { symbol, ...query } = params;
      const path = futuresMarketHistoryPath(symbol, 'executions');
      return this.call({
        api: 'history',
        httpMethod: 'GET',
        path,
        endpoint: 'history/market/executions',
        postData: encodeFuturesForm(query as FormParams),
        codec: FuturesHistoryExecutionsResponse,
        kind: 'read',
        auth: false,
        cost: 0,
      });
    });
  }

  // ----- private trading (POST, form body) -----

  /** Never retried. A refusal is data: `sendStatus.status` other than `placed`. */
  sendOrder(params: FuturesSendOrderParams): Observable<FuturesSendOrderResponse> {
    return this.derivatives('POST', 'sendorder', params, FuturesSendOrderResponse, { kind: 'placement' });
  }

  /** Never retried. */
  editOrder(params: FuturesEditOrderParams): Observable<FuturesEditOrderResponse> {
    return this.derivatives('POST', 'editorder', params, FuturesEditOrderResponse, { kind: 'placement' });
  }

  /** Retried on retryable failures; a retry after a lost success answers `cancelStatus.status: "notFound"`. */
  cancelOrder(params: FuturesCancelOrderParams): Observable<FuturesCancelOrderResponse> {
    return this.derivatives('POST', 'cancelorder', params, FuturesCancelOrderResponse, { kind: 'cancel' });
  }

  cancelAllOrders(params: FuturesCancelAllOrdersParams = {}): Observable<FuturesCancelAllOrdersResponse> {
    return this.derivatives('POST', 'cancelallorders', params, FuturesCancelAllOrdersResponse, { kind: 'cancel' });
  }

  cancelAllOrdersAfter(params: FuturesCancelAllOrdersAfterParams): Observable<FuturesCancelAllOrdersAfterResponse> {
    return this.derivatives('POST', 'cancelallordersafter', params, FuturesCancelAllOrdersAfterResponse, {
      kind: 'cancel',
    });
  }

  /**
   * `json={"batchOrder":[...]}` form body (numbers as bare JSON numbers). Never retried: it may hold sends.
   * Results come back in no particular order: match by `order_tag`, `order_id` or `cliOrdId`.
   */
  batchOrder(params: FuturesBatchOrderParams): Observable<FuturesBatchOrderResponse> {
    return defer(() => {
      const postData = futuresBatchOrderBody(params.batchOrder, {
        ...(params.processBefore !== undefined ? { processBefore: params.processBefore } : {}),
      });
      return this.call({
        api: 'derivatives',
        httpMethod: 'POST',
        path: futuresDerivativesPath('batchorder'),
        endpoint: 'batchorder',
        postData,
        codec: FuturesBatchOrderResponse,
        kind: 'placement',
        auth: true,
        cost: futuresDerivativesCost('batchorder', params.batchOrder.length),
      });
    });
  }

  // ----- private account data -----

  /** Orders open, or closed within the last ~5 s. */
  ordersStatus(params: FuturesOrdersStatusParams): Observable<FuturesOrdersStatusResponse> {
    return this.derivatives('POST', 'orders/status', params, FuturesOrdersStatusResponse, {});
  }

  openOrders(): Observable<FuturesOpenOrdersResponse> {
    return this.derivatives('GET', 'openorders', {}, FuturesOpenOrdersResponse, {});
  }

  /** The 100 most recent fills (before `lastFillTime`). */
  fills(params: FuturesFillsParams = {}): Observable<FuturesFillsResponse> {
    return this.derivatives('GET', 'fills', params, FuturesFillsResponse, {});
  }

  openPositions(): Observable<FuturesOpenPositionsResponse> {
    return this.derivatives('GET', 'openpositions', {}, FuturesOpenPositionsResponse, {});
  }

  accounts(): Observable<FuturesAccountsResponse> {
    return this.derivatives('GET', 'accounts', {}, FuturesAccountsResponse, {});
  }

  leveragePreferences(params: FuturesLeveragePreferencesParams = {}): Observable<FuturesLeveragePreferencesResponse> {
    return this.derivatives('GET', 'leveragepreferences', params, FuturesLeveragePreferencesResponse, {});
  }

  /** `PUT /leveragepreferences` (parameters in the query): `maxLeverage` = isolated margin, omitted = cross. */
  setLeveragePreferences(params: FuturesSetLeveragePreferencesParams): Observable<FuturesSuccessResponse> {
    return this.derivatives('PUT', 'leveragepreferences', params, FuturesSuccessResponse, {});
  }

  // ----- History API (GET, query string, signed with the full /api/history path) -----

  /** One page of order events; pass `continuationToken` back as `continuation_token` with the same `sort`. */
  historyOrders(params: FuturesHistoryOrdersParams = {}): Observable<FuturesHistoryOrdersResponse> {
    return this.historyCall('orders', params, FuturesHistoryOrdersResponse);
  }

  /** One page of trigger (stop / take-profit) events: placed, activated, cancelled. */
  historyTriggers(
    params: FuturesHistoryPageParams & { version?: 'v2' | 'v3' } = {},
  ): Observable<FuturesHistoryTriggersResponse> {
    return this.historyCall('triggers', params, FuturesHistoryTriggersResponse);
  }

  /** Every trigger event from `historyTriggers`, following continuation tokens to the end. */
  historyTriggerElements(
    params: Omit<FuturesHistoryPageParams, 'continuation_token'> & { version?: 'v2' | 'v3' } = {},
  ): Observable<FuturesHistoryTriggerElement> {
    return paginate<FuturesHistoryTriggerElement, string>((token) =>
      this.historyTriggers({ ...params, ...(token !== undefined ? { continuation_token: token } : {}) }).pipe(
        map((page) => ({ items: page.elements, next: nextToken(page.continuationToken, token, page.elements.length) })),
      ),
    );
  }

  /** One page of own executions. */
  historyExecutions(params: FuturesHistoryExecutionsParams = {}): Observable<FuturesHistoryExecutionsResponse> {
    return this.historyCall('executions', params, FuturesHistoryExecutionsResponse);
  }

  accountLog(params: FuturesAccountLogParams = {}): Observable<FuturesAccountLogResponse> {
    return this.historyCall('account-log', params, FuturesAccountLogResponse, params.count);
  }

  /** Every order event from `historyOrders`, following continuation tokens to the end. */
  historyOrderElements(
    params: Omit<FuturesHistoryOrdersParams, 'continuation_token'> = {},
  ): Observable<FuturesHistoryOrderElement> {
    return paginate<FuturesHistoryOrderElement, string>((token) =>
      this.historyOrders({ ...params, ...(token !== undefined ? { continuation_token: token } : {}) }).pipe(
        map((page) => ({ items: page.elements, next: nextToken(page.continuationToken, token, page.elements.length) })),
      ),
    );
  }

  /** Every execution element from `historyExecutions`, following continuation tokens to the end. */
  historyExecutionElements(
    params: Omit<FuturesHistoryExecutionsParams, 'continuation_token'> = {},
  ): Observable<FuturesHistoryExecutionElement> {
    return paginate<FuturesHistoryExecutionElement, string>((token) =>
      this.historyExecutions({ ...params, ...(token !== undefined ? { continuation_token: token } : {}) }).pipe(
        map((page) => ({ items: page.elements, next: nextToken(page.continuationToken, token, page.elements.length) })),
      ),
    );
  }

  /** Account-log entries, one page (`count`, default 500). */
  accountLogEntries(params: FuturesAccountLogParams = {}): Observable<FuturesAccountLogEntry> {
    return this.accountLog(params).pipe(mergeMap((page) => page.logs));
  }

  toString(): string {
    return `FuturesRawClient(${this.ctx.config.baseUrlHttpFutures})`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** `util.inspect` shows the summary, never the internals (signers, API keys, proxy agent). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ----- machinery -----

  private derivatives<A>(
    httpMethod: HttpMethod,
    endpoint: string,
    params: object,
    codec: t.Decoder<unknown, A>,
    options: { auth?: boolean; kind?: CallKind; version?: 'v3' | 'v4' },
  ): Observable<A> {
    return defer(() => {
      const auth = options.auth ?? true;
      const form = params as FormParams;
      return this.call({
        api: 'derivatives',
        httpMethod,
        path: futuresDerivativesPath(endpoint, options.version),
        endpoint,
        postData: encodeFuturesForm(form),
        codec,
        kind: options.kind ?? 'read',
        auth,
        cost: auth
          ? futuresDerivativesCost(endpoint, {
              method: httpMethod,
              lastFillTime: form.lastFillTime !== undefined,
            })
          : 0,
      });
    });
  }

  private historyCall<A>(
    endpoint: string,
    params: { version?: 'v2' | 'v3' },
    codec: t.Decoder<unknown, A>,
    count?: number,
  ): Observable<A> {
    return defer(() => {
      const path = futuresHistoryPath(endpoint, params.version ?? 'v3');
      return this.call({
        api: 'history',
        httpMethod: 'GET',
        path,
        endpoint: `history/${params.version ?? 'v3'}/${endpoint}`,
        postData: encodeFuturesForm(withoutVersion(params) as FormParams),
        codec,
        kind: 'read',
        auth: true,
        cost: futuresHistoryCost(endpoint, count),
      });
    });
  }

  private call<A>(request: Request<A>): Observable<A> {
    const { ctx } = this;
    const credentials = request.auth ? ctx.config.requireCredentials('FUTURES') : undefined;
    const signer = credentials ? this.signer(credentials) : undefined;
    const hasBody = request.httpMethod === 'POST';
    const url =
      joinUrl(ctx.config.baseUrlHttpFutures, request.path) +
      (!hasBody && request.postData !== '' ? `?${request.postData}` : '');
    const bucket = request.api === 'history' ? ctx.limits.futuresHistory : ctx.limits.futuresDerivatives;
    const charges: Charge[] = [
      { bucket: ctx.limits.futuresFlat, cost: 1 },
      { bucket, cost: request.cost },
    ];
    const attempt = () =>
      defer(() => {
        const headers: Record<string, string> = {};
        if (hasBody) headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=utf-8';
        if (credentials && signer) {
          const nonce = this.nonces.next();
          headers.APIKey = credentials.apiKey;
          headers.Nonce = nonce;
          headers.Authent = signer.authent(request.path, request.postData, nonce);
        }
        return send(ctx, request.httpMethod, url, headers, hasBody ? request.postData : undefined);
      }).pipe(map((response) => readFuturesAnswer(request.endpoint, response, request.codec)));
    return restCall(ctx, {
      venue: 'Futures',
      endpoint: request.endpoint,
      kind: request.kind,
      charges,
      attempt,
    });
  }

  private signer(credentials: KrakenCredentials): FuturesSigner {
    if (this.signerFor?.apiKey !== credentials.apiKey) {
      const option = this.ctx.config.productTypes.length === 1 ? 'apiSecret' : 'futuresApiSecret';
      this.signerFor = { apiKey: credentials.apiKey, signer: futuresSigner(credentials.apiSecret.reveal(), option) };
    }
    return this.signerFor.signer;
  }
}

/** The next cursor, or undefined at the end (no token, the same token again, or an empty page). */
function nextToken(token: string | undefined, previous: string | undefined, items: number): string | undefined {
  if (token === undefined || token === '' || token === previous || items === 0) return undefined;
  return token;
}
