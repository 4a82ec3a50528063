/**
 * The Spot half of the execution client.
 *
 * Order entry goes over the authenticated WebSocket v2 (`add_order`, `amend_order`, `cancel_order`,
 * `batch_cancel`, `cancel_all`) when that socket is up, and over REST otherwise. Placements are never resent: a
 * placement whose answer is lost (time-out, dropped socket, gateway error) is resolved by looking the order up
 * by its client order id — and usually sooner, because the `executions` stream reports the order (with that id)
 * before the answer would have come.
 *
 * The live `executions` channel (with `snap_orders` and `snap_trades`) feeds the order tracker; every snapshot
 * after the first (a reconnect, or a resubscription after a `sequence` gap) is followed by a REST
 * reconciliation of the orders it does not explain, so a fill that happened while the socket was down is
 * reported exactly once. `balances` keeps the Spot account state.
 */
import Decimal from 'decimal.js';
import * as E from 'fp-ts/Either';
import {
  catchError,
  concat,
  concatMap,
  defer,
  EMPTY,
  from,
  ignoreElements,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  ReplaySubject,
  Subject,
  take,
  tap,
  toArray,
} from 'rxjs';
import { KrakenApiError, KrakenDecodeError } from '../errors';
import { decodeOrError } from '../kraken/common/decode';
import { modelSymbolFromKrakenWs, normalizeCurrency } from '../kraken/common/symbols';
import {
  spotRestAddOrderParams,
  spotRestAmendOrderParams,
  spotWsAddOrderParams,
  spotWsAmendOrderParams,
  type SpotOrderRef,
} from '../kraken/spot/orderParams';
import {
  parseSpotBalanceEx,
  parseSpotFill,
  parseSpotOrder,
  spotOrderSide,
  spotOrderType,
} from '../kraken/spot/parsers';
import type { SpotOrder, SpotTrade } from '../kraken/spot/rest';
import { SpotWsBalance, SpotWsExecution } from '../kraken/spot/ws';
import {
  matchSpotWsResponse,
  spotTokenAuthentication,
  spotWsKey,
  spotWsProtocol,
  spotWsRequest,
  type SpotWsAuth,
  type SpotWsResponse,
  type SpotWsSubscription,
} from '../kraken/spot/wsProtocol';
import { paginate } from '../operators/paginate';
import { WsSession } from '../transport/wsSession';
import { InstrumentId, KRAKEN } from '../model/identifiers';
import type { CurrencyPair } from '../model/instruments';
import type { ModifyOrder, SubmitOrder } from '../model/orders';
import type {
  AccountBalance,
  AccountState,
  FillReport,
  OrderStatusReport,
  PositionStatusReport,
} from '../model/reports';
import { toDecimal } from '../model/decimal';
import { awaitTracker } from './await';
import {
  applySafely,
  resolveModifyFailure,
  chunks,
  isOutcomeUnknown,
  lookUpRepeatedly,
  reasonOf,
  type ExecContext,
} from './context';
import type { OrderFact, TrackedOrder } from './orderTracker';
import type { ReportQuery } from './reports';

const ZERO = new Decimal(0);
const EXECUTIONS: SpotWsSubscription = { channel: 'executions', params: { snap_orders: true, snap_trades: true } };
const BALANCES: SpotWsSubscription = { channel: 'balances' };
/** Kraken's page size for `ClosedOrders` and `TradesHistory`. */
const PAGE = 50;
const BATCH_CANCEL_MAX = 50;
/**
 * An order found by `cl_ord_id` that Kraken opened this long before we sent ours is an earlier use of the id (the
 * margin covers clocks that disagree, ours against Kraken's).
 */
const PLACEMENT_CLOCK_SKEW_MS = 5 * 60_000;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class SpotVenue {
  readonly session: WsSession<SpotWsSubscription, SpotWsAuth>;
  private snapshots = 0;
  private lastSequence: number | undefined;
  private readonly fetching = new Set<string>();
  private readonly firstSnapshot = new ReplaySubject<void>(1);
  /** WS `balances` totals by normalised currency, once the snapshot has arrived. */
  private wsTotals: Map<string, Decimal> | undefined;
  private wsBalancesTs = 0;
  private readonly states = new Subject<AccountState>();
  /** Spot account states from the live `balances` channel (hot). */
  readonly accountStates$: Observable<AccountState> = this.states.asObservable();

  constructor(private readonly ctx: ExecContext) {
    const { config } = ctx;
    this.session = new WsSession<SpotWsSubscription, SpotWsAuth>({
      url: config.baseUrlWsSpotAuth,
      protocol: spotWsProtocol,
      ...config.wsSessionOptions(),
      authenticate: spotTokenAuthentication(() => ctx.raw.spot.getWebSocketsToken().pipe(map((r) => r.token))),
      requestTimeoutMs: ctx.requestTimeoutMs,
      ackTimeoutMs: ctx.requestTimeoutMs,
    });
  }

  // --- live streams -----------------------------------------------------------------------------------------

  /** Keeps `executions` and `balances` subscribed and feeds them to the tracker. Never emits. */
  live(): Observable<never> {
    return defer(() =>
      merge(
        this.session
          .subscribe(spotWsKey(EXECUTIONS), EXECUTIONS)
          .pipe(tap((frame) => applySafely(this.ctx, 'Spot executions', frame, () => this.onExecutions(frame)))),
        this.session
          .subscribe(spotWsKey(BALANCES), BALANCES)
          .pipe(tap((frame) => applySafely(this.ctx, 'Spot balances', frame, () => this.onBalances(frame)))),
      ),
    ).pipe(ignoreElements());
  }

  /** Emits once the first `executions` snapshot has been applied. */
  ready(): Observable<void> {
    return this.firstSnapshot.pipe(take(1));
  }

  private onExecutions(frame: unknown): void {
    if (!isObject(frame) || !Array.isArray(frame.data) || (frame.type !== 'snapshot' && frame.type !== 'update')) {
      this.ctx.reportError(
        new KrakenDecodeError('Spot executions: malformed message', [], JSON.stringify(frame)?.slice(0, 200)),
      );
      return;
    }
    const sequence = typeof frame.sequence === 'number' ? frame.sequence : undefined;
    const entries: SpotWsExecution[] = [];
    for (const [index, raw] of frame.data.entries()) {
      const decoded = decodeOrError(SpotWsExecution, raw, `Spot executions entry ${index}`);
      if (E.isLeft(decoded)) this.ctx.reportError(decoded.left);
      else entries.push(decoded.right);
    }
    if (frame.type === 'snapshot') {
      this.snapshots += 1;
      this.lastSequence = sequence;
      this.applySnapshot(entries, this.snapshots === 1);
      if (this.snapshots === 1) this.firstSnapshot.next();
      return;
    }
    if (sequence !== undefined && this.lastSequence !== undefined && sequence > this.lastSequence + 1) {
      const key = spotWsKey(EXECUTIONS);
      this.ctx.logger.warn(`Spot executions: sequence gap (${this.lastSequence} → ${sequence}); resubscribing`);
      this.session.resubscribe(key, `executions sequence gap ${this.lastSequence} → ${sequence}`);
    }
    if (sequence !== undefined) this.lastSequence = sequence;
    for (const entry of entries) this.applyExecution(entry, { snapshot: false, first: false });
  }

  private applySnapshot(entries: readonly SpotWsExecution[], first: boolean): void {
    const open = new Map<string, Decimal | undefined>();
    for (const entry of entries) {
      if (entry.exec_type !== 'trade' && entry.order_id !== undefined) open.set(entry.order_id, entry.cum_qty);
    }
    // Fills first (oldest first), then order states, so that a fill is never reported after its order closed.
    const trades = entries
      .filter((e) => e.exec_type === 'trade')
      .sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
    for (const entry of trades) this.applyExecution(entry, { snapshot: true, first });
    for (const entry of entries) if (entry.exec_type !== 'trade') this.applyExecution(entry, { snapshot: true, first });
    // Orders the snapshot does not explain (closed while we were away, or missing fills) are asked for by REST.
    const suspects = [...this.ctx.tracker.openOrders('SPOT')].filter((order) => {
      if (order.venueOrderId === undefined) return false;
      if (!open.has(order.venueOrderId)) return true;
      const cum = open.get(order.venueOrderId);
      return cum !== undefined && cum.gt(order.filledQty);
    });
    if (suspects.length > 0) this.ctx.detach(this.reconcileOrders(suspects), 'Spot reconciliation after a snapshot');
  }

  private applyExecution(entry: SpotWsExecution, options: { snapshot: boolean; first: boolean }): void {
    applySafely(this.ctx, 'Spot executions entry', entry, () => this.applyExecutionEntry(entry, options));
  }

  private applyExecutionEntry(entry: SpotWsExecution, options: { snapshot: boolean; first: boolean }): void {
    const orderId = entry.order_id;
    if (orderId === undefined) return;
    const { tracker } = this.ctx;
    let order = tracker.byVenueOrderId(orderId);
    if (order === undefined && entry.cl_ord_id !== undefined) {
      order = tracker.byVenueClientOrderId('SPOT', entry.cl_ord_id);
      if (order !== undefined && order.venueOrderId === undefined) tracker.identify(order, orderId);
      else if (order !== undefined && order.venueOrderId !== orderId) order = undefined;
    }
    if (order === undefined) {
      if (options.first && entry.exec_type === 'trade' && entry.exec_id !== undefined) {
        tracker.rememberFill(entry.exec_id); // history from before this client started
        return;
      }
      order = this.trackFromExecution(entry);
      if (order === undefined) {
        this.fetchOrder(orderId, () => this.applyExecution(entry, options));
        return;
      }
    }
    const silent = options.snapshot && options.first && !order.ours;
    for (const fact of this.factsOf(entry, order)) tracker.apply(order, fact, { silent });
  }

  /** Starts tracking an order first seen on the stream (placed elsewhere, or before this client started). */
  private trackFromExecution(entry: SpotWsExecution): TrackedOrder | undefined {
    const { symbol, side, order_type: type, order_id: orderId } = entry;
    const quantity = entry.order_qty;
    if (symbol === undefined || side === undefined || type === undefined || quantity === undefined) return undefined;
    if (orderId === undefined) return undefined;
    const instrument = this.ctx.instruments.find(symbol);
    const limit = entry.limit_price !== undefined && entry.limit_price.gt(0) ? entry.limit_price : undefined;
    const trigger = entry.triggers?.price ?? (entry.stop_price?.gt(0) ? entry.stop_price : undefined);
    return this.ctx.tracker.track(
      {
        clientOrderId: entry.cl_ord_id !== undefined ? this.ctx.ids.toOriginal(entry.cl_ord_id) : orderId,
        ...(entry.cl_ord_id !== undefined ? { venueClientOrderId: entry.cl_ord_id } : {}),
        venueOrderId: orderId,
        product: 'SPOT',
        instrumentId: instrument?.id ?? InstrumentId.of(modelSymbolFromKrakenWs(symbol), KRAKEN),
        side: spotOrderSide(side) ?? 'BUY',
        type: spotOrderType(type, limit !== undefined),
        quantity,
        ...(limit !== undefined ? { price: limit } : {}),
        ...(trigger !== undefined ? { triggerPrice: trigger } : {}),
        ...(entry.cum_qty !== undefined && entry.exec_type !== 'trade' ? { filledQty: entry.cum_qty } : {}),
        ours: false,
        ts: entry.timestamp ?? this.ctx.now(),
      },
      { silent: true },
    );
  }

  /** An unknown order id with too little on the stream to track it: read it by REST, then replay. */
  private fetchOrder(orderId: string, replay: () => void): void {
    this.ctx.tracker.park(orderId, replay);
    if (this.fetching.has(orderId)) return;
    this.fetching.add(orderId);
    const work = this.ctx.raw.spot.queryOrders({ txid: orderId }).pipe(
      tap((result) => {
        const order = result[orderId];
        if (order !== undefined) this.trackFromRest(orderId, order);
      }),
      catchError((err: unknown) => {
        this.ctx.reportError(err, `Spot: cannot read order ${orderId} seen on the executions stream`);
        return EMPTY;
      }),
      tap({ finalize: () => this.fetching.delete(orderId) }),
    );
    this.ctx.detach(work, `Spot order lookup ${orderId}`);
  }

  private trackFromRest(txid: string, order: SpotOrder): TrackedOrder | undefined {
    const report = this.orderReport(txid, order);
    if (report === undefined) return undefined;
    const clOrdId = order.cl_ord_id ?? undefined;
    const tracked = this.ctx.tracker.track(
      {
        clientOrderId: report.clientOrderId ?? txid,
        ...(clOrdId ? { venueClientOrderId: clOrdId } : {}),
        product: 'SPOT',
        instrumentId: report.instrumentId,
        side: report.orderSide,
        type: report.orderType,
        quantity: report.quantity,
        ...(report.price !== undefined ? { price: report.price } : {}),
        ...(report.triggerPrice !== undefined ? { triggerPrice: report.triggerPrice } : {}),
        status: 'accepted',
        ours: false,
        ts: report.tsLastUpdate,
      },
      { silent: true },
    );
    this.ctx.tracker.identify(tracked, txid);
    return tracked;
  }

  private factsOf(entry: SpotWsExecution, order: TrackedOrder): OrderFact[] {
    const ts = entry.timestamp ?? this.ctx.now();
    const facts: OrderFact[] = [];
    const triggered = entry.triggers?.status === 'triggered';
    switch (entry.exec_type) {
      case 'pending_new':
        break;
      case 'new':
        facts.push({ kind: 'accepted', ts });
        break;
      case 'trade': {
        const fill = this.fillFact(entry, order, ts);
        if (fill) facts.push(fill);
        if (entry.order_status === 'filled') facts.push({ kind: 'filledOut', ts });
        break;
      }
      case 'filled':
        facts.push({ kind: 'filledOut', ts });
        break;
      case 'canceled': {
        const reason = entry.reason ?? entry.cancel_reason;
        facts.push({ kind: 'canceled', ...(reason ? { reason } : {}), ts });
        break;
      }
      case 'expired':
        facts.push({ kind: 'expired', ts });
        break;
      case 'amended':
      case 'restated':
        facts.push({
          kind: 'updated',
          ...(entry.order_qty !== undefined ? { quantity: entry.order_qty } : {}),
          ...(entry.limit_price !== undefined && entry.limit_price.gt(0) ? { price: entry.limit_price } : {}),
          ...(entry.triggers?.price !== undefined ? { triggerPrice: entry.triggers.price } : {}),
          ts,
        });
        break;
      case 'status':
      case 'iceberg_refill':
        break;
      default:
        // Snapshot entries and unknown exec types: judge by the order status.
        switch (entry.order_status) {
          case 'new':
          case 'partially_filled':
            facts.push({ kind: 'accepted', ts });
            break;
          case 'filled':
            facts.push({ kind: 'filledOut', ts });
            break;
          case 'canceled':
            facts.push({ kind: 'canceled', ...(entry.reason ? { reason: entry.reason } : {}), ts });
            break;
          case 'expired':
            facts.push({ kind: 'expired', ts });
            break;
        }
    }
    if (triggered) facts.unshift({ kind: 'triggered', ts });
    return facts;
  }

  private fillFact(entry: SpotWsExecution, order: TrackedOrder, ts: number): OrderFact | undefined {
    const { exec_id: tradeId, last_qty: lastQty, last_price: lastPx } = entry;
    if (tradeId === undefined || lastQty === undefined || lastPx === undefined) {
      this.ctx.reportError(
        new KrakenDecodeError('Spot executions: trade without exec_id/last_qty/last_price', [], JSON.stringify(entry)),
      );
      return undefined;
    }
    const fees = entry.fees ?? [];
    const instrument = this.ctx.instruments.find(order.instrumentId);
    return {
      kind: 'fill',
      tradeId,
      lastQty,
      lastPx,
      commission: fees.reduce((sum, fee) => sum.plus(fee.qty), ZERO),
      commissionCurrency: fees[0] !== undefined ? normalizeCurrency(fees[0].asset) : (instrument?.quote ?? ''),
      liquiditySide:
        entry.liquidity_ind === 'm' ? 'MAKER' : entry.liquidity_ind === 't' ? 'TAKER' : 'NO_LIQUIDITY_SIDE',
      ts,
    };
  }

  // --- balances -------------------------------------------------------------------------------------------------

  private onBalances(frame: unknown): void {
    if (!isObject(frame) || !Array.isArray(frame.data) || (frame.type !== 'snapshot' && frame.type !== 'update')) {
      this.ctx.reportError(
        new KrakenDecodeError('Spot balances: malformed message', [], JSON.stringify(frame)?.slice(0, 200)),
      );
      return;
    }
    if (frame.type === 'snapshot' || this.wsTotals === undefined) this.wsTotals = new Map();
    let ts = this.ctx.now();
    for (const [index, raw] of frame.data.entries()) {
      const decoded = decodeOrError(SpotWsBalance, raw, `Spot balances entry ${index}`);
      if (E.isLeft(decoded)) {
        this.ctx.reportError(decoded.left);
        continue;
      }
      const entry = decoded.right;
      if (entry.balance === undefined) continue;
      if (entry.wallet_type !== undefined && entry.wallet_type !== 'spot') continue;
      const currency = normalizeCurrency(entry.asset);
      const spotWallet = entry.wallets?.filter((w) => w.type === undefined || w.type === 'spot');
      const total =
        spotWallet !== undefined && spotWallet.length > 0
          ? spotWallet.reduce((sum, w) => sum.plus(w.balance), ZERO)
          : entry.balance;
      this.wsTotals.set(currency, total);
      if (entry.timestamp !== undefined) ts = entry.timestamp;
    }
    this.wsBalancesTs = ts;
    this.states.next(this.liveState());
  }

  /** The Spot state from the stream's totals, with amounts held by open orders computed from the tracker. */
  liveState(): AccountState {
    const holds = this.holds();
    const balances: AccountBalance[] = [];
    for (const [currency, total] of this.wsTotals ?? new Map<string, Decimal>()) {
      const locked = Decimal.min(total, holds.get(currency) ?? ZERO);
      balances.push({ currency, total, locked, free: total.minus(locked) });
    }
    const now = this.ctx.now();
    return {
      accountId: this.ctx.accountId,
      accountType: 'CASH',
      balances,
      margins: [],
      reported: false,
      tsEvent: this.wsBalancesTs || now,
      tsInit: now,
    };
  }

  /** True once the `balances` snapshot arrived. */
  get hasLiveBalances(): boolean {
    return this.wsTotals !== undefined;
  }

  private holds(): Map<string, Decimal> {
    const holds = new Map<string, Decimal>();
    const add = (currency: string, amount: Decimal) => holds.set(currency, (holds.get(currency) ?? ZERO).plus(amount));
    for (const order of this.ctx.tracker.openOrders('SPOT')) {
      const instrument = this.ctx.instruments.find(order.instrumentId);
      if (instrument === undefined) continue;
      const remaining = Decimal.max(ZERO, order.quantity.minus(order.filledQty));
      if (order.side === 'SELL') add(instrument.base, remaining);
      else add(instrument.quote, remaining.times(order.price ?? order.triggerPrice ?? ZERO));
    }
    return holds;
  }

  /** `BalanceEx` → the Spot state (Kraken's own totals and holds). */
  restState(): Observable<AccountState> {
    return this.ctx.raw.spot.balanceEx().pipe(
      map((result) => {
        const now = this.ctx.now();
        return parseSpotBalanceEx(result, this.ctx.accountId, now, now);
      }),
    );
  }

  // --- order entry ------------------------------------------------------------------------------------------------

  /**
   * How long to wait for the private stream to report what a command's answer said: none while the socket is
   * down (the REST answer and a REST read-back are all there is).
   */
  private streamGraceMs(): number {
    return this.session.ready ? this.ctx.streamGraceMs : 0;
  }

  /** Places the order; resolves into `accepted` or `rejected` on the tracker. Never resends. */
  submit(order: TrackedOrder, cmd: SubmitOrder, pair: CurrencyPair): Observable<void> {
    return defer(() => {
      const { tracker } = this.ctx;
      const clOrdId = order.venueClientOrderId ?? order.clientOrderId;
      const viaWs = this.session.ready;
      const placed = (orderId: string | undefined): void => {
        if (orderId === undefined || orderId === '')
          throw new KrakenDecodeError('Spot add_order: no order id in the answer');
        tracker.identify(order, orderId);
        tracker.apply(order, { kind: 'accepted', ts: this.ctx.now() });
      };
      const placement$: Observable<unknown> = viaWs
        ? this.session
            .request(
              spotWsRequest('add_order', spotWsAddOrderParams(cmd, pair, clOrdId)),
              matchSpotWsResponse('add_order'),
              { timeoutMs: this.ctx.requestTimeoutMs },
            )
            .pipe(
              tap((response) => {
                if (response.success) placed(resultField(response, 'order_id'));
                else tracker.apply(order, { kind: 'rejected', reason: wsReason(response), ts: this.ctx.now() });
              }),
            )
        : this.ctx.raw.spot
            .addOrder(spotRestAddOrderParams(cmd, pair, clOrdId))
            .pipe(tap((result) => placed(result.txid?.[0])));
      return placement$.pipe(
        catchError((err: unknown) => {
          if (!isOutcomeUnknown(err)) {
            tracker.apply(order, { kind: 'rejected', reason: reasonOf(err), ts: this.ctx.now() });
            return EMPTY;
          }
          this.ctx.logger.warn(
            `Spot order ${order.clientOrderId}: placement outcome unknown (${reasonOf(err)}); looking it up`,
          );
          return this.resolvePlacement(order, err);
        }),
        ignoreElements(),
      );
    });
  }

  /**
   * The answer to a placement was lost: find the order by its client order id (open, then closed orders), a few
   * times, since a just-placed order may show with a delay. Found → accepted (and its fills and state read);
   * not found → rejected, saying so. The order is never sent again.
   */
  private resolvePlacement(order: TrackedOrder, cause: unknown): Observable<never> {
    const { tracker, raw } = this.ctx;
    const clOrdId = order.venueClientOrderId ?? order.clientOrderId;
    const lookOnce = (): Observable<boolean> =>
      defer(() => {
        if (order.venueOrderId !== undefined) return of(true);
        // A `cl_ord_id` is unique among open orders only: a closed order may carry it from an earlier use. Only an
        // order that can be this one counts — not one known as another order, same side, opened after it was sent.
        const candidates = (orders: Readonly<Record<string, SpotOrder>>) =>
          Object.fromEntries(Object.entries(orders).filter(([txid, o]) => this.couldBePlacement(order, txid, o)));
        return raw.spot.openOrders({ cl_ord_id: clOrdId }).pipe(
          mergeMap((open) => {
            const found = newest(candidates(open.open));
            if (found !== undefined) return of(found);
            return raw.spot
              .closedOrders({ cl_ord_id: clOrdId })
              .pipe(map((closed) => newest(candidates(closed.closed))));
          }),
          map((found) => {
            if (order.venueOrderId !== undefined) return true;
            if (found === undefined) return false;
            tracker.identify(order, found[0]);
            return true;
          }),
        );
      });
    const what = `Spot order ${order.clientOrderId}: lookup by client order id failed`;
    return lookUpRepeatedly(this.ctx, lookOnce, what).pipe(
      mergeMap((found) => {
        if (!found) {
          tracker.apply(order, {
            kind: 'rejected',
            reason: `no answer to the order placement (${reasonOf(cause)}) and no order with client order id '${clOrdId}' at Kraken: not placed`,
            ts: this.ctx.now(),
          });
          return EMPTY;
        }
        tracker.apply(order, { kind: 'accepted', ts: this.ctx.now() });
        return this.reconcileOrders([order]);
      }),
      ignoreElements(),
    );
  }

  /** Whether an order Kraken lists under our `cl_ord_id` can be the placement whose answer was lost. */
  private couldBePlacement(order: TrackedOrder, txid: string, found: SpotOrder): boolean {
    const known = this.ctx.tracker.byVenueOrderId(txid);
    if (known !== undefined && known !== order) return false;
    if (spotOrderSide(found.descr.type) !== order.side) return false;
    return found.opentm >= order.tsTracked - PLACEMENT_CLOCK_SKEW_MS;
  }

  /** Amends the order in place; resolves into `updated` or `modifyRejected`. */
  modify(order: TrackedOrder, cmd: ModifyOrder): Observable<void> {
    return defer(() => {
      const { tracker } = this.ctx;
      const ref = orderRef(order);
      const viaWs = this.session.ready;
      const updated = (): void =>
        void tracker.apply(order, {
          kind: 'updated',
          ...(cmd.quantity !== undefined ? { quantity: toDecimal(cmd.quantity) } : {}),
          ...(cmd.price !== undefined ? { price: toDecimal(cmd.price) } : {}),
          ...(cmd.triggerPrice !== undefined ? { triggerPrice: toDecimal(cmd.triggerPrice) } : {}),
          ts: this.ctx.now(),
        });
      const request$: Observable<unknown> = viaWs
        ? this.session
            .request(
              spotWsRequest('amend_order', spotWsAmendOrderParams(cmd, ref)),
              matchSpotWsResponse('amend_order'),
              {
                timeoutMs: this.ctx.requestTimeoutMs,
              },
            )
            .pipe(
              tap((response) => {
                if (response.success) updated();
                else tracker.apply(order, { kind: 'modifyRejected', reason: wsReason(response), ts: this.ctx.now() });
              }),
            )
        : this.ctx.raw.spot.amendOrder(spotRestAmendOrderParams(cmd, ref)).pipe(tap(() => updated()));
      return request$.pipe(
        catchError((err: unknown) =>
          resolveModifyFailure(this.ctx, order, cmd, err, () => this.reconcileOrders([order]), 'amendment'),
        ),
        ignoreElements(),
      );
    });
  }

  /** Cancels one order; resolves into `canceled` or `cancelRejected`. */
  cancel(order: TrackedOrder): Observable<void> {
    return defer(() => {
      const { tracker } = this.ctx;
      if (!this.session.ready) return this.cancelRest(order);
      const params =
        order.venueOrderId !== undefined ? { order_id: [order.venueOrderId] } : { cl_ord_id: [clOrdIdOf(order)] };
      return this.session
        .request(spotWsRequest('cancel_order', params), matchSpotWsResponse('cancel_order'), {
          timeoutMs: this.ctx.requestTimeoutMs,
        })
        .pipe(
          mergeMap((response) => {
            if (!response.success) {
              tracker.apply(order, { kind: 'cancelRejected', reason: wsReason(response), ts: this.ctx.now() });
              return EMPTY;
            }
            return this.confirmCanceled([order]);
          }),
          catchError((err: unknown) =>
            isOutcomeUnknown(err) ? this.cancelRest(order) : this.cancelRefused([order], err),
          ),
          ignoreElements(),
        );
    });
  }

  private cancelRest(order: TrackedOrder): Observable<never> {
    const params = order.venueOrderId !== undefined ? { txid: order.venueOrderId } : { cl_ord_id: clOrdIdOf(order) };
    return this.ctx.raw.spot.cancelOrder(params).pipe(
      mergeMap(() => this.confirmCanceled([order])),
      catchError((err: unknown) => {
        // A retry that finds the order gone may mean the first attempt cancelled it: read the order back.
        if (err instanceof KrakenApiError && err.cause !== undefined) return this.settleCancels([order], reasonOf(err));
        if (isOutcomeUnknown(err)) return this.settleCancels([order], reasonOf(err));
        return this.cancelRefused([order], err);
      }),
      ignoreElements(),
    );
  }

  private cancelRefused(orders: readonly TrackedOrder[], err: unknown): Observable<never> {
    for (const order of orders) {
      this.ctx.tracker.apply(order, { kind: 'cancelRejected', reason: reasonOf(err), ts: this.ctx.now() });
    }
    return EMPTY;
  }

  /** Kraken said the orders are cancelled: wait a moment for the stream's account of it, then record it. */
  private confirmCanceled(orders: readonly TrackedOrder[]): Observable<never> {
    const { tracker, scheduler } = this.ctx;
    const streamGraceMs = this.streamGraceMs();
    return awaitTracker(tracker, () => orders.every((o) => o.status === 'closed'), streamGraceMs, scheduler).pipe(
      tap(() => {
        for (const order of orders)
          tracker.apply(order, { kind: 'canceled', reason: 'User requested', ts: this.ctx.now() });
      }),
      ignoreElements(),
    );
  }

  /**
   * The answer did not say which orders were cancelled (or was lost): wait for the stream, then read the rest
   * back by REST; an order still open is a refused cancel.
   */
  private settleCancels(orders: readonly TrackedOrder[], why: string): Observable<never> {
    const { tracker, scheduler } = this.ctx;
    const streamGraceMs = this.streamGraceMs();
    return awaitTracker(tracker, () => orders.every((o) => o.status === 'closed'), streamGraceMs, scheduler).pipe(
      mergeMap(() => {
        const open = orders.filter((o) => o.status !== 'closed' && o.venueOrderId !== undefined);
        return open.length > 0 ? this.reconcileOrders(open) : EMPTY;
      }),
      tap({
        complete: () => {
          for (const order of orders) {
            if (order.status !== 'closed') {
              tracker.apply(order, { kind: 'cancelRejected', reason: `order still open (${why})`, ts: this.ctx.now() });
            } else if (order.closeKind === 'filled') {
              tracker.apply(order, {
                kind: 'cancelRejected',
                reason: 'order filled before it could be cancelled',
                ts: this.ctx.now(),
              });
            }
          }
        },
      }),
      ignoreElements(),
    );
  }

  /** Cancels several orders in batches of at most 50 (`batch_cancel`, or `CancelOrderBatch` over REST). */
  cancelMany(orders: readonly TrackedOrder[]): Observable<void> {
    return from(chunks(orders, BATCH_CANCEL_MAX)).pipe(
      concatMap((chunk) => (chunk.length === 1 ? this.cancel(chunk[0]) : this.cancelChunk(chunk))),
      ignoreElements(),
    );
  }

  private cancelChunk(chunk: readonly TrackedOrder[]): Observable<never> {
    return defer(() => {
      const ids = chunk.filter((o) => o.venueOrderId !== undefined).map((o) => o.venueOrderId as string);
      const clIds = chunk.filter((o) => o.venueOrderId === undefined).map(clOrdIdOf);
      const request$: Observable<boolean> = this.session.ready
        ? this.session
            .request(
              spotWsRequest('batch_cancel', { orders: ids, ...(clIds.length > 0 ? { cl_ord_id: clIds } : {}) }),
              matchSpotWsResponse('batch_cancel'),
              { timeoutMs: this.ctx.requestTimeoutMs },
            )
            .pipe(
              map((response) => {
                if (!response.success) throw new KrakenApiError([wsReason(response)], 'batch_cancel');
                return true;
              }),
            )
        : this.ctx.raw.spot
            .cancelOrderBatch({ orders: ids, ...(clIds.length > 0 ? { cl_ord_ids: clIds } : {}) })
            .pipe(map(() => true));
      return request$.pipe(
        mergeMap(() => this.settleCancels(chunk, 'not cancelled by the batch')),
        catchError((err: unknown) =>
          isOutcomeUnknown(err) ? this.settleCancels(chunk, reasonOf(err)) : this.cancelRefused(chunk, err),
        ),
      );
    });
  }

  /** `cancel_all` (or `CancelAll`): every open Spot order; `targets` are those known to be open. */
  cancelAll(targets: readonly TrackedOrder[]): Observable<void> {
    return defer(() => {
      const request$: Observable<unknown> = this.session.ready
        ? this.session
            .request(spotWsRequest('cancel_all'), matchSpotWsResponse('cancel_all'), {
              timeoutMs: this.ctx.requestTimeoutMs,
            })
            .pipe(
              tap((response) => {
                if (!response.success) throw new KrakenApiError([wsReason(response)], 'cancel_all');
              }),
            )
        : this.ctx.raw.spot.cancelAll();
      return request$.pipe(
        mergeMap(() => this.settleCancels(targets, 'not cancelled by cancel_all')),
        catchError((err: unknown) =>
          isOutcomeUnknown(err) ? this.settleCancels(targets, reasonOf(err)) : this.cancelRefused(targets, err),
        ),
        ignoreElements(),
      );
    });
  }

  /** Makes sure every open Spot order is tracked (from REST when the stream is not live). */
  knownOpenOrders(): Observable<TrackedOrder[]> {
    return defer(() => {
      if (this.snapshots > 0 && this.session.ready) return of(this.ctx.tracker.openOrders('SPOT'));
      return this.ctx.raw.spot.openOrders().pipe(
        map((result) => {
          for (const [txid, order] of Object.entries(result.open)) {
            if (this.ctx.tracker.byVenueOrderId(txid) === undefined) this.trackFromRest(txid, order);
          }
          return this.ctx.tracker.openOrders('SPOT');
        }),
      );
    });
  }

  // --- reconciliation -----------------------------------------------------------------------------------------------

  /**
   * Reads orders back by REST (`QueryOrders` with trades, then `QueryTrades` for fills not seen yet) and applies
   * what happened: fills first, oldest first, then the order's state.
   */
  reconcileOrders(orders: readonly TrackedOrder[]): Observable<never> {
    const { raw, tracker } = this.ctx;
    const ids = [...new Set(orders.map((o) => o.venueOrderId).filter((id): id is string => id !== undefined))];
    return from(chunks(ids, 50)).pipe(
      concatMap((batch) => raw.spot.queryOrders({ txid: batch, trades: true })),
      concatMap((result) => {
        const entries = Object.entries(result);
        const missing = entries.flatMap(([, o]) => (o.trades ?? []).filter((t) => !tracker.hasSeenFill(t)));
        const trades$ = from(chunks([...new Set(missing)], 20)).pipe(
          concatMap((batch) => raw.spot.queryTrades({ txid: batch })),
          mergeMap((trades) => from(Object.entries(trades))),
          toArray(),
        );
        return trades$.pipe(
          tap((trades) => {
            trades.sort(([, a], [, b]) => a.time - b.time);
            for (const [txid, trade] of trades) this.applyRestTrade(txid, trade);
            for (const [txid, order] of entries) this.applyRestOrder(txid, order);
          }),
        );
      }),
      ignoreElements(),
    );
  }

  private applyRestTrade(txid: string, trade: SpotTrade): void {
    const order = this.ctx.tracker.byVenueOrderId(trade.ordertxid);
    if (order === undefined) return;
    const instrument = this.ctx.instruments.find(order.instrumentId);
    this.ctx.tracker.apply(order, {
      kind: 'fill',
      tradeId: txid,
      lastQty: trade.vol,
      lastPx: trade.price,
      commission: trade.fee ?? ZERO,
      commissionCurrency: instrument?.quote ?? '',
      liquiditySide: trade.maker === true ? 'MAKER' : trade.maker === false ? 'TAKER' : 'NO_LIQUIDITY_SIDE',
      ts: trade.time,
    });
  }

  private applyRestOrder(txid: string, order: SpotOrder): void {
    const tracked = this.ctx.tracker.byVenueOrderId(txid);
    const report = this.orderReport(txid, order);
    if (tracked === undefined || report === undefined) return;
    const ts = report.tsLastUpdate;
    const { tracker } = this.ctx;
    switch (order.status) {
      case 'open':
      case 'pending':
        tracker.apply(tracked, { kind: 'accepted', ts });
        tracker.apply(tracked, {
          kind: 'updated',
          quantity: report.quantity,
          ...(report.price !== undefined ? { price: report.price } : {}),
          ...(report.triggerPrice !== undefined ? { triggerPrice: report.triggerPrice } : {}),
          ts,
        });
        if ((order.misc ?? '').split(',').includes('stopped') || (order.misc ?? '').includes('touched')) {
          tracker.apply(tracked, { kind: 'triggered', ts });
        }
        break;
      case 'closed':
        tracker.apply(tracked, { kind: 'filledOut', ts });
        break;
      case 'canceled':
        tracker.apply(tracked, { kind: 'canceled', ...(order.reason ? { reason: order.reason } : {}), ts });
        break;
      case 'expired':
        tracker.apply(tracked, { kind: 'expired', ts });
        break;
    }
  }

  // --- reports ------------------------------------------------------------------------------------------------------

  private orderReport(txid: string, order: SpotOrder): OrderStatusReport | undefined {
    const instrument = this.ctx.instruments.find(order.descr.pair);
    if (instrument === undefined) {
      this.ctx.reportError(new KrakenDecodeError(`Spot order ${txid}: unknown pair '${order.descr.pair}'`));
      return undefined;
    }
    const report = parseSpotOrder(txid, order, instrument.id, this.ctx.accountId, this.ctx.now());
    const tracked = this.ctx.tracker.byVenueOrderId(txid);
    const clientOrderId =
      tracked?.clientOrderId ?? (order.cl_ord_id ? this.ctx.ids.toOriginal(order.cl_ord_id) : undefined);
    return clientOrderId !== undefined ? { ...report, clientOrderId } : report;
  }

  /** Open orders, then (unless `openOnly`) closed orders page by page (`ofs`) to the end, within start/end. */
  orderStatusReports(query: ReportQuery): Observable<OrderStatusReport> {
    return defer(() => {
      const wanted = (report: OrderStatusReport) => matchesInstrument(report.instrumentId, query);
      const open$ = this.ctx.raw.spot.openOrders().pipe(
        mergeMap((result) => from(Object.entries(result.open))),
        map(([txid, order]) => this.orderReport(txid, order)),
        mapDefined(),
      );
      const seen = new Set<string>();
      const closed$ = paginate<[string, SpotOrder], number>((ofs = 0) =>
        this.ctx.raw.spot
          .closedOrders({
            ofs,
            ...(query.start !== undefined ? { start: Math.floor(query.start / 1000) - 1 } : {}),
            ...(query.end !== undefined ? { end: Math.ceil(query.end / 1000) } : {}),
          })
          .pipe(
            map((result) => {
              const items = Object.entries(result.closed);
              const next = ofs + items.length;
              const more =
                items.length > 0 && (result.count === undefined ? items.length >= PAGE : next < result.count);
              return { items, ...(more ? { next } : {}) };
            }),
          ),
      ).pipe(
        mergeMap(([txid, order]) => {
          if (seen.has(txid)) return EMPTY;
          seen.add(txid);
          const report = this.orderReport(txid, order);
          if (report === undefined) return EMPTY;
          const closedAt = order.closetm ?? report.tsLastUpdate;
          const inRange = (t: number) =>
            (query.start === undefined || t >= query.start) && (query.end === undefined || t <= query.end);
          return inRange(report.tsAccepted) || inRange(closedAt) ? of(report) : EMPTY;
        }),
      );
      const openInRange = (report: OrderStatusReport) => query.end === undefined || report.tsAccepted <= query.end;
      return concat(
        open$.pipe(mapFilter((r) => wanted(r) && openInRange(r))),
        query.openOnly ? EMPTY : closed$.pipe(mapFilter(wanted)),
      );
    });
  }

  /** `TradesHistory` page by page, time-bounded by start/end, newest first as Kraken pages them. */
  fillReports(query: ReportQuery): Observable<FillReport> {
    return defer(() => {
      let fixedEnd: string | undefined;
      const seen = new Set<string>();
      return paginate<[string, SpotTrade], number>((ofs = 0) =>
        this.ctx.raw.spot
          .tradesHistory({
            ofs,
            ...(query.start !== undefined ? { start: Math.floor(query.start / 1000) - 1 } : {}),
            ...(fixedEnd !== undefined
              ? { end: fixedEnd }
              : query.end !== undefined
                ? { end: Math.ceil(query.end / 1000) }
                : {}),
          })
          .pipe(
            map((result) => {
              const items = Object.entries(result.trades);
              // Pin the end to the newest trade of the first page, so new fills cannot shift the offsets.
              if (ofs === 0 && query.end === undefined && items.length > 0) fixedEnd = items[0][0];
              const next = ofs + items.length;
              const more =
                items.length > 0 && (result.count === undefined ? items.length >= PAGE : next < result.count);
              return { items, ...(more ? { next } : {}) };
            }),
          ),
      ).pipe(
        mergeMap(([txid, trade]) => {
          if (seen.has(txid)) return EMPTY;
          seen.add(txid);
          if (query.start !== undefined && trade.time < query.start) return EMPTY;
          if (query.end !== undefined && trade.time > query.end) return EMPTY;
          const instrument = this.ctx.instruments.find(trade.pair);
          if (instrument === undefined) {
            this.ctx.reportError(new KrakenDecodeError(`Spot trade ${txid}: unknown pair '${trade.pair}'`));
            return EMPTY;
          }
          if (!matchesInstrument(instrument.id, query)) return EMPTY;
          const tracked = this.ctx.tracker.byVenueOrderId(trade.ordertxid);
          return of(parseSpotFill(txid, trade, instrument, this.ctx.accountId, this.ctx.now(), tracked?.clientOrderId));
        }),
      );
    });
  }

  /** Wallet balances as LONG positions against `spotPositionsQuoteCurrency` (only with `useSpotPositionReports`). */
  positionStatusReports(query: ReportQuery): Observable<PositionStatusReport> {
    return defer(() => {
      if (!this.ctx.config.useSpotPositionReports) return EMPTY;
      const quote = this.ctx.config.spotPositionsQuoteCurrency;
      return this.restState().pipe(
        mergeMap((state) => from(state.balances)),
        mergeMap((balance) => {
          if (balance.currency === quote || balance.total.lte(0)) return EMPTY;
          const instrument = this.ctx.instruments.find(`${balance.currency}/${quote}`);
          if (instrument === undefined || instrument.kind !== 'CurrencyPair') return EMPTY;
          if (!matchesInstrument(instrument.id, query)) return EMPTY;
          const now = this.ctx.now();
          return of<PositionStatusReport>({
            accountId: this.ctx.accountId,
            instrumentId: instrument.id,
            positionSide: 'LONG',
            quantity: balance.total,
            tsLast: now,
            tsInit: now,
          });
        }),
      );
    });
  }

  close(): Promise<void> {
    this.states.complete();
    this.firstSnapshot.complete();
    return this.session.close();
  }
}

// --- helpers --------------------------------------------------------------------------------------------------------

function resultField(response: SpotWsResponse, field: string): string | undefined {
  const result = response.result;
  if (!isObject(result)) return undefined;
  const value = result[field];
  return typeof value === 'string' ? value : undefined;
}

function wsReason(response: SpotWsResponse): string {
  return response.error ?? `${response.method} refused`;
}

function clOrdIdOf(order: TrackedOrder): string {
  return order.venueClientOrderId ?? order.clientOrderId;
}

function orderRef(order: TrackedOrder): SpotOrderRef {
  return order.venueOrderId !== undefined ? { orderId: order.venueOrderId } : { clOrdId: clOrdIdOf(order) };
}

/** The most recently opened order of a result map, as `[txid, order]`. */
function newest(orders: Readonly<Record<string, SpotOrder>>): [string, SpotOrder] | undefined {
  let best: [string, SpotOrder] | undefined;
  for (const entry of Object.entries(orders)) if (best === undefined || entry[1].opentm > best[1].opentm) best = entry;
  return best;
}

export function matchesInstrument(id: InstrumentId, query: ReportQuery): boolean {
  return query.instrumentId === undefined || id.equals(query.instrumentId);
}

function mapDefined<T>() {
  return (source: Observable<T | undefined>): Observable<T> =>
    source.pipe(mergeMap((value) => (value === undefined ? EMPTY : of(value))));
}

function mapFilter<T>(keep: (value: T) => boolean) {
  return (source: Observable<T>): Observable<T> => source.pipe(mergeMap((value) => (keep(value) ? of(value) : EMPTY)));
}
