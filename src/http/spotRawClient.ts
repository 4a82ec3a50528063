/**
 * Kraken Spot REST, one method per endpoint (spot-wire.md §2–§4), each taking the endpoint's parameters
 * (Kraken's own names) as one object and returning a cold Observable of the decoded `result`.
 *
 * Private calls: the nonce comes from one `NonceSource` per client (per API key) and is drawn when the call
 * actually starts; calls run one at a time through a serial lane so the nonces reach Kraken in increasing
 * order; the body is form-encoded (JSON for `AddOrderBatch` and `CancelOrderBatch`) once and that exact text
 * is both signed (`API-Sign`) and sent. Rate limits: the tier's REST counter (history calls cost 2, trading
 * calls 0) and the flat `maxRequestsPerSecond` bucket. Retries: see `restCall.ts` (never for placements).
 */
import type Decimal from 'decimal.js';
import type * as t from 'io-ts';
import { defer, map, type Observable } from 'rxjs';
import type { KrakenCredentials } from '../config/config';
import type { NonceSource } from '../kraken/common/nonce';
import { spotRestCost } from '../kraken/common/rateLimits';
import { encodeSpotForm, spotJsonBody, spotSigner, type FormParams, type SpotSigner } from '../kraken/common/signing';
import { joinUrl, spotPrivatePath, spotPublicPath } from '../kraken/common/urls';
import {
  SpotAddOrderBatchResult,
  SpotAddOrderResult,
  SpotAmendOrderResult,
  SpotAssetPairsResult,
  SpotAssetsResult,
  SpotBalanceExResult,
  SpotBalanceResult,
  SpotCancelAllOrdersAfterResult,
  SpotCancelAllResult,
  SpotCancelOrderBatchResult,
  SpotCancelOrderResult,
  SpotClosedOrdersResult,
  SpotDepthResult,
  SpotEditOrderResult,
  SpotGetWebSocketsTokenResult,
  SpotOhlcResult,
  SpotOpenOrdersResult,
  SpotQueryOrdersResult,
  SpotQueryTradesResult,
  SpotSystemStatusResult,
  SpotTickerResult,
  SpotTimeResult,
  SpotTradeBalanceResult,
  SpotTradesHistoryResult,
  SpotTradesResult,
} from '../kraken/spot/rest';
import { nonceSource, readSpotAnswer, restCall, send, SerialLane, type CallKind, type RestContext } from './restCall';

/** A number on the wire: a `Decimal`, a number (written in plain notation) or decimal text (`'+1.5%'`). */
export type WireNumber = Decimal | number | string;
/** A comma list parameter: one string or several. */
export type WireList = string | readonly string[];

export interface SpotAssetsParams {
  asset?: WireList;
  aclass?: string;
}

export interface SpotAssetPairsParams {
  pair?: WireList;
  info?: 'info' | 'leverage' | 'fees' | 'margin';
  aclass_base?: 'currency' | 'tokenized_asset';
  country_code?: string;
}

export interface SpotTickerParams {
  pair?: WireList;
  asset_class?: string;
}

export interface SpotOhlcParams {
  pair: string;
  /** Minutes: 1, 5, 15, 30, 60, 240, 1440, 10080, 21600. */
  interval?: number;
  /** Unix seconds, or a previous `last`. */
  since?: number | string;
  asset_class?: string;
}

export interface SpotTradesParams {
  pair: string;
  /** Unix seconds or a previous `last` (nanosecond cursor), passed verbatim. */
  since?: number | string;
  /** 1..1000. */
  count?: number;
  asset_class?: string;
}

export interface SpotDepthParams {
  pair: string;
  /** Levels per side, 1..500. */
  count?: number;
  asset_class?: string;
}

export interface SpotBalanceParams {
  rebase_multiplier?: 'rebased' | 'base';
}

export interface SpotTradeBalanceParams {
  asset?: string;
}

export interface SpotOpenOrdersParams {
  trades?: boolean;
  userref?: number;
  cl_ord_id?: string;
  rebase_multiplier?: 'rebased' | 'base';
}

export interface SpotClosedOrdersParams {
  trades?: boolean;
  userref?: number;
  cl_ord_id?: string;
  /** Unix seconds or an order txid, exclusive. */
  start?: number | string;
  /** Unix seconds or an order txid, inclusive. */
  end?: number | string;
  ofs?: number;
  closetime?: 'open' | 'close' | 'both';
  consolidate_taker?: boolean;
  without_count?: boolean;
}

export interface SpotQueryOrdersParams {
  /** Up to 50 order ids. */
  txid: WireList;
  trades?: boolean;
  userref?: number;
  consolidate_taker?: boolean;
}

export interface SpotTradesHistoryParams {
  type?: 'all' | 'any position' | 'closed position' | 'closing position' | 'no position';
  trades?: boolean;
  start?: number | string;
  end?: number | string;
  ofs?: number;
  without_count?: boolean;
  consolidate_taker?: boolean;
  ledgers?: boolean;
}

export interface SpotQueryTradesParams {
  txid: WireList;
  trades?: boolean;
}

export type SpotOrderTypeParam =
  | 'market'
  | 'limit'
  | 'iceberg'
  | 'stop-loss'
  | 'take-profit'
  | 'stop-loss-limit'
  | 'take-profit-limit'
  | 'trailing-stop'
  | 'trailing-stop-limit'
  | 'settle-position';

/** The fields of one order, shared by `AddOrder` and the entries of `AddOrderBatch` (without `pair`). */
export interface SpotOrderFields {
  type: 'buy' | 'sell';
  ordertype: SpotOrderTypeParam;
  volume: WireNumber;
  displayvol?: WireNumber;
  /** Limit price, or the trigger price of triggered types. */
  price?: WireNumber;
  /** Limit price of `stop-loss-limit`, `take-profit-limit`, `trailing-stop-limit`. */
  price2?: WireNumber;
  trigger?: 'last' | 'index';
  leverage?: string;
  reduce_only?: boolean;
  stptype?: 'cancel-newest' | 'cancel-oldest' | 'cancel-both';
  /** Comma list: `post`, `fcib`, `fciq`, `nompp`, `viqc`. */
  oflags?: string;
  timeinforce?: 'GTC' | 'IOC' | 'GTD' | 'FOK';
  starttm?: number | string;
  expiretm?: number | string;
  userref?: number;
  cl_ord_id?: string;
}

export interface SpotAddOrderParams extends SpotOrderFields {
  pair: string;
  'close[ordertype]'?: string;
  'close[price]'?: WireNumber;
  'close[price2]'?: WireNumber;
  /** RFC 3339, now+2 s … now+60 s. */
  deadline?: string;
  validate?: boolean;
  asset_class?: string;
  broker?: string;
}

export interface SpotBatchOrder extends SpotOrderFields {
  close?: { ordertype: string; price?: WireNumber; price2?: WireNumber };
}

export interface SpotAddOrderBatchParams {
  pair: string;
  /** 2–15 orders. */
  orders: readonly SpotBatchOrder[];
  deadline?: string;
  validate?: boolean;
  asset_class?: string;
}

export interface SpotAmendOrderParams {
  txid?: string;
  cl_ord_id?: string;
  order_qty?: WireNumber;
  display_qty?: WireNumber;
  limit_price?: WireNumber;
  trigger_price?: WireNumber;
  post_only?: boolean;
  deadline?: string;
  pair?: string;
}

export interface SpotEditOrderParams {
  pair: string;
  /** Order id, or a userref matching exactly one order. */
  txid: string | number;
  volume?: WireNumber;
  displayvol?: WireNumber;
  price?: WireNumber;
  price2?: WireNumber;
  oflags?: string;
  userref?: number;
  deadline?: string;
  cancel_response?: boolean;
  validate?: boolean;
  asset_class?: string;
}

export interface SpotCancelOrderParams {
  /** An order id, or an integer userref (cancels every open order with it). */
  txid?: string | number;
  cl_ord_id?: string;
}

export interface SpotCancelAllOrdersAfterParams {
  /** Seconds (< 86400); 0 disarms. */
  timeout: number;
}

export interface SpotCancelOrderBatchParams {
  /** Order ids and/or userrefs; at most 50 ids in total with `cl_ord_ids`. */
  orders?: readonly (string | number)[];
  cl_ord_ids?: readonly string[];
}

type Encoding = 'form' | 'json';

/** `KrakenRawHttpClient.spot`. */
export class SpotRawClient {
  private readonly nonces: NonceSource;
  private readonly lane = new SerialLane();
  private signerFor?: { readonly apiKey: string; readonly signer: SpotSigner };

  constructor(private readonly ctx: RestContext) {
    this.nonces = nonceSource(ctx.scheduler);
  }

  /** Calls waiting for the private-call lane (for diagnostics). */
  get privateQueueLength(): number {
    return this.lane.queueLength;
  }

  // ----- public market data (GET /0/public/<Method>) -----

  time(): Observable<SpotTimeResult> {
    return this.publicCall('Time', {}, SpotTimeResult);
  }

  systemStatus(): Observable<SpotSystemStatusResult> {
    return this.publicCall('SystemStatus', {}, SpotSystemStatusResult);
  }

  assets(params: SpotAssetsParams = {}): Observable<SpotAssetsResult> {
    return this.publicCall('Assets', params, SpotAssetsResult);
  }

  assetPairs(params: SpotAssetPairsParams = {}): Observable<SpotAssetPairsResult> {
    return this.publicCall('AssetPairs', params, SpotAssetPairsResult);
  }

  ticker(params: SpotTickerParams = {}): Observable<SpotTickerResult> {
    return this.publicCall('Ticker', params, SpotTickerResult);
  }

  /** Rows per pair key plus `last`; the last row is the still-open candle. */
  ohlc(params: SpotOhlcParams): Observable<SpotOhlcResult> {
    return this.publicCall('OHLC', params, SpotOhlcResult);
  }

  trades(params: SpotTradesParams): Observable<SpotTradesResult> {
    return this.publicCall('Trades', params, SpotTradesResult);
  }

  depth(params: SpotDepthParams): Observable<SpotDepthResult> {
    return this.publicCall('Depth', params, SpotDepthResult);
  }

  // ----- private account data (POST /0/private/<Method>) -----

  balance(params: SpotBalanceParams = {}): Observable<SpotBalanceResult> {
    return this.privateCall('Balance', params, SpotBalanceResult, 'read');
  }

  balanceEx(): Observable<SpotBalanceExResult> {
    return this.privateCall('BalanceEx', {}, SpotBalanceExResult, 'read');
  }

  tradeBalance(params: SpotTradeBalanceParams = {}): Observable<SpotTradeBalanceResult> {
    return this.privateCall('TradeBalance', params, SpotTradeBalanceResult, 'read');
  }

  openOrders(params: SpotOpenOrdersParams = {}): Observable<SpotOpenOrdersResult> {
    return this.privateCall('OpenOrders', params, SpotOpenOrdersResult, 'read');
  }

  /** 50 per page, newest first; page with `ofs`. */
  closedOrders(params: SpotClosedOrdersParams = {}): Observable<SpotClosedOrdersResult> {
    return this.privateCall('ClosedOrders', params, SpotClosedOrdersResult, 'read');
  }

  queryOrders(params: SpotQueryOrdersParams): Observable<SpotQueryOrdersResult> {
    return this.privateCall('QueryOrders', params, SpotQueryOrdersResult, 'read');
  }

  /** 50 per page, newest first; page with `ofs`. Costs 2 on the REST counter. */
  tradesHistory(params: SpotTradesHistoryParams = {}): Observable<SpotTradesHistoryResult> {
    return this.privateCall('TradesHistory', params, SpotTradesHistoryResult, 'read');
  }

  queryTrades(params: SpotQueryTradesParams): Observable<SpotQueryTradesResult> {
    return this.privateCall('QueryTrades', params, SpotQueryTradesResult, 'read');
  }

  getWebSocketsToken(): Observable<SpotGetWebSocketsTokenResult> {
    return this.privateCall('GetWebSocketsToken', {}, SpotGetWebSocketsTokenResult, 'read');
  }

  // ----- private trading -----

  /** Never retried: after a timeout or 5xx, look the order up by `cl_ord_id` before sending again. */
  addOrder(params: SpotAddOrderParams): Observable<SpotAddOrderResult> {
    return this.privateCall('AddOrder', params, SpotAddOrderResult, 'placement');
  }

  /** Sent as JSON. Never retried. */
  addOrderBatch(params: SpotAddOrderBatchParams): Observable<SpotAddOrderBatchResult> {
    return this.privateCall('AddOrderBatch', params, SpotAddOrderBatchResult, 'placement', 'json');
  }

  /** Never retried. */
  amendOrder(params: SpotAmendOrderParams): Observable<SpotAmendOrderResult> {
    return this.privateCall('AmendOrder', params, SpotAmendOrderResult, 'placement');
  }

  /** Never retried. */
  editOrder(params: SpotEditOrderParams): Observable<SpotEditOrderResult> {
    return this.privateCall('EditOrder', params, SpotEditOrderResult, 'placement');
  }

  /**
   * Retried on retryable failures; an `EOrder:Unknown order` from a retry carries the previous attempt's
   * error as `cause` (the first attempt may have cancelled the order).
   */
  cancelOrder(params: SpotCancelOrderParams): Observable<SpotCancelOrderResult> {
    return this.privateCall('CancelOrder', params, SpotCancelOrderResult, 'cancel');
  }

  cancelAll(): Observable<SpotCancelAllResult> {
    return this.privateCall('CancelAll', {}, SpotCancelAllResult, 'cancel');
  }

  cancelAllOrdersAfter(params: SpotCancelAllOrdersAfterParams): Observable<SpotCancelAllOrdersAfterResult> {
    return this.privateCall('CancelAllOrdersAfter', params, SpotCancelAllOrdersAfterResult, 'cancel');
  }

  /** Sent as JSON. */
  cancelOrderBatch(params: SpotCancelOrderBatchParams): Observable<SpotCancelOrderBatchResult> {
    return this.privateCall('CancelOrderBatch', params, SpotCancelOrderBatchResult, 'cancel', 'json');
  }

  toString(): string {
    return `SpotRawClient(${this.ctx.config.baseUrlHttpSpot})`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** `util.inspect` shows the summary, never the internals (signers, API keys, proxy agent). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ----- machinery -----

  private publicCall<A>(method: string, params: object, codec: t.Decoder<unknown, A>): Observable<A> {
    const { ctx } = this;
    return defer(() => {
      const query = encodeSpotForm(params as FormParams);
      const url = joinUrl(ctx.config.baseUrlHttpSpot, spotPublicPath(method)) + (query ? `?${query}` : '');
      return restCall(ctx, {
        venue: 'Spot',
        endpoint: method,
        kind: 'read',
        charges: [{ bucket: ctx.limits.spotFlat, cost: 1 }],
        attempt: () => send(ctx, 'GET', url, {}).pipe(map((response) => readSpotAnswer(ctx, method, response, codec))),
      });
    });
  }

  private privateCall<A>(
    method: string,
    params: object,
    codec: t.Decoder<unknown, A>,
    kind: CallKind,
    encoding: Encoding = 'form',
  ): Observable<A> {
    const { ctx } = this;
    return defer(() => {
      const credentials = ctx.config.requireCredentials('SPOT');
      const signer = this.signer(credentials);
      const path = spotPrivatePath(method);
      const url = joinUrl(ctx.config.baseUrlHttpSpot, path);
      const contentType = encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded; charset=utf-8';
      const signedRequest = defer(() => {
        // Drawn here, inside the lane: the call that starts first carries the smaller nonce.
        const nonce = this.nonces.next();
        const body =
          encoding === 'json'
            ? spotJsonBody(nonce, params as Record<string, unknown>)
            : encodeSpotForm({ nonce, ...(params as FormParams) });
        const headers = {
          'API-Key': credentials.apiKey,
          'API-Sign': signer.sign(path, nonce, body),
          'Content-Type': contentType,
        };
        return send(ctx, 'POST', url, headers, body);
      });
      return restCall(ctx, {
        venue: 'Spot',
        endpoint: method,
        kind,
        charges: [
          { bucket: ctx.limits.spotCounter, cost: spotRestCost(method) },
          { bucket: ctx.limits.spotFlat, cost: 1 },
        ],
        attempt: () =>
          this.lane.run(signedRequest).pipe(map((response) => readSpotAnswer(ctx, method, response, codec))),
      });
    });
  }

  /** The signer for the configured key, built (and the secret validated) on first use. */
  private signer(credentials: KrakenCredentials): SpotSigner {
    if (this.signerFor?.apiKey !== credentials.apiKey) {
      this.signerFor = { apiKey: credentials.apiKey, signer: spotSigner(credentials.apiSecret.reveal(), 'apiSecret') };
    }
    return this.signerFor.signer;
  }
}
