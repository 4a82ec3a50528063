/**
 * The Futures half of the execution client.
 *
 * Order entry over REST (`sendorder`, `editorder`, `cancelorder`, `batchorder`, `cancelallorders`). A placement
 * is never resent: a lost answer is resolved by looking the order up by its `cliOrdId` (`/orders/status`,
 * `/openorders`, then History order events).
 *
 * Live news from the private WebSocket feeds `open_orders` and `fills` (challenge-authenticated), fed to the
 * order tracker. A market order that fills at once never shows in `open_orders`: its acceptance comes from the
 * `sendorder` answer and its fills from the `fills` feed — or, if the feed stays silent, from REST `/fills`.
 * Fill news about an order id not known yet is held while one of our placements awaits its answer (the feed
 * is often faster than the REST answer). Every snapshot after the first (a reconnect) is followed by a REST
 * reconciliation of the orders it does not explain.
 */
import Decimal from 'decimal.js';
import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import {
  catchError,
  concat,
  concatMap,
  defer,
  EMPTY,
  forkJoin,
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
  timeout,
  toArray,
} from 'rxjs';
import { KrakenDecodeError, KrakenError } from '../errors';
import { epochMsToRfc3339 } from '../kraken/common/codecs';
import { decodeOrError } from '../kraken/common/decode';
import { futuresWsChallengeSign } from '../kraken/common/signing';
import { futuresInstrumentId } from '../kraken/common/symbols';
import { futuresEditOrderParams, futuresSendOrderParams, type FuturesOrderRef } from '../kraken/futures/orderParams';
import {
  futuresOrderSide,
  futuresOrderType,
  parseFuturesAccounts,
  parseFuturesFill,
  parseFuturesHistoryOrder,
  parseFuturesOpenOrder,
  parseFuturesOpenPosition,
  parseFuturesWsBalances,
  futuresTriggerType,
} from '../kraken/futures/parsers';
import {
  FUTURES_ACCEPTED_STATUSES,
  type FuturesFill,
  type FuturesHistoryTriggerElement,
  type FuturesHistoryTriggerOrder,
  type FuturesOrderEvent,
  type FuturesSendStatus,
} from '../kraken/futures/rest';
import {
  FuturesWsBalancesSnapshot,
  FuturesWsBalancesUpdate,
  FuturesWsFill,
  FuturesWsOpenOrder,
  type FuturesWsFlexFutures,
  type FuturesWsMarginWallet,
} from '../kraken/futures/ws';
import {
  futuresChallengeAuthentication,
  futuresWsKey,
  futuresWsProtocol,
  type FuturesWsAuth,
  type FuturesWsSubscription,
} from '../kraken/futures/wsProtocol';
import { paginate } from '../operators/paginate';
import { WsSession } from '../transport/wsSession';
import type { FuturesInstrument } from '../model/instruments';
import type { InstrumentId } from '../model/identifiers';
import type { LiquiditySide, ModifyOrder, SubmitOrder } from '../model/orders';
import type {
  AccountState,
  FillReport,
  MarginBalance,
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
import { matchesInstrument } from './spotVenue';

const ZERO = new Decimal(0);
const OPEN_ORDERS: FuturesWsSubscription = { feed: 'open_orders' };
const FILLS: FuturesWsSubscription = { feed: 'fills' };
const BALANCES: FuturesWsSubscription = { feed: 'balances' };
const BATCH_MAX = 50;
/** `/fills` answers the 100 most recent fills (before `lastFillTime`). */
const FILLS_PAGE = 100;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `open_orders` removal reasons that mean Kraken refused the order rather than cancelled it. */
const REFUSALS = new Set([
  'ioc_order_failed_because_it_would_not_be_executed',
  'post_order_failed_because_it_would_filled',
  'post_order_failed_because_it_would_be_filled',
  'would_execute_self',
  'would_not_reduce_position',
]);
const FILL_REASONS = new Set(['full_fill', 'partial_fill']);

export interface FuturesLeveragePreference {
  readonly instrumentId: InstrumentId;
  /** The isolated-margin leverage cap; Kraken lists only symbols in isolated margin (the others are cross). */
  readonly maxLeverage: Decimal;
}

export class FuturesVenue {
  readonly session: WsSession<FuturesWsSubscription, FuturesWsAuth>;
  private orderSnapshots = 0;
  private fillSnapshots = 0;
  private readonly ordersReady = new ReplaySubject<void>(1);
  private readonly fillsReady = new ReplaySubject<void>(1);
  private readonly balanceSections: {
    holding?: Readonly<Record<string, Decimal>>;
    futures?: Readonly<Record<string, FuturesWsMarginWallet>>;
    flex_futures?: FuturesWsFlexFutures;
    timestamp?: number;
  } = {};
  private hasBalances = false;
  private readonly states = new Subject<AccountState>();
  /** Futures account states from the live `balances` feed (hot). */
  readonly accountStates$: Observable<AccountState> = this.states.asObservable();

  constructor(private readonly ctx: ExecContext) {
    const { config } = ctx;
    this.session = new WsSession<FuturesWsSubscription, FuturesWsAuth>({
      url: config.baseUrlWsFutures,
      protocol: futuresWsProtocol,
      ...config.wsSessionOptions(),
      authenticate: (context) => {
        const credentials = config.requireCredentials('FUTURES');
        const secret = credentials.apiSecret;
        return futuresChallengeAuthentication(credentials.apiKey, (challenge) =>
          futuresWsChallengeSign(challenge, secret.reveal()),
        )(context);
      },
      requestTimeoutMs: ctx.requestTimeoutMs,
      ackTimeoutMs: ctx.requestTimeoutMs,
    });
  }

  // --- live streams -----------------------------------------------------------------------------------------

  /** Keeps `open_orders`, `fills` and `balances` subscribed and feeds them to the tracker. Never emits. */
  live(): Observable<never> {
    return defer(() =>
      merge(
        this.session
          .subscribe(futuresWsKey(OPEN_ORDERS), OPEN_ORDERS)
          .pipe(tap((m) => applySafely(this.ctx, 'Futures open_orders', m, () => this.onOpenOrders(m)))),
        this.session
          .subscribe(futuresWsKey(FILLS), FILLS)
          .pipe(tap((m) => applySafely(this.ctx, 'Futures fills', m, () => this.onFills(m)))),
        this.session
          .subscribe(futuresWsKey(BALANCES), BALANCES)
          .pipe(tap((m) => applySafely(this.ctx, 'Futures balances', m, () => this.onBalances(m)))),
      ),
    ).pipe(ignoreElements());
  }

  /** Emits once the first `open_orders` and `fills` snapshots have been applied. */
  ready(): Observable<void> {
    return forkJoin([this.ordersReady.pipe(take(1)), this.fillsReady.pipe(take(1))]).pipe(map(() => undefined));
  }

  private onOpenOrders(message: unknown): void {
    if (!isObject(message)) return;
    if (message.feed === 'open_orders_snapshot') {
      const orders = Array.isArray(message.orders) ? message.orders : [];
      this.orderSnapshots += 1;
      const first = this.orderSnapshots === 1;
      const open = new Set<string>();
      for (const [index, raw] of orders.entries()) {
        const decoded = decodeOrError(FuturesWsOpenOrder, raw, `Futures open_orders_snapshot order ${index}`);
        if (E.isLeft(decoded)) {
          this.ctx.reportError(decoded.left);
          continue;
        }
        open.add(decoded.right.order_id);
        this.applyOpenOrder(decoded.right, { isCancel: false, snapshot: true, first });
      }
      const suspects = this.ctx.tracker
        .openOrders('FUTURES')
        .filter((o) => o.venueOrderId !== undefined && !open.has(o.venueOrderId));
      if (suspects.length > 0 && !first) {
        this.ctx.detach(this.reconcileOrders(suspects), 'Futures reconciliation after a snapshot');
      } else if (suspects.length > 0) {
        this.ctx.detach(this.reconcileOrders(suspects.filter((o) => o.ours)), 'Futures reconciliation at start');
      }
      if (first) this.ordersReady.next();
      return;
    }
    if (message.feed !== 'open_orders') return;
    const isCancel = message.is_cancel === true;
    const reason = typeof message.reason === 'string' ? message.reason : undefined;
    if (message.order !== undefined) {
      const decoded = decodeOrError(FuturesWsOpenOrder, message.order, 'Futures open_orders order');
      if (E.isLeft(decoded)) {
        this.ctx.reportError(decoded.left);
        return;
      }
      this.applyOpenOrder(decoded.right, { isCancel, reason, snapshot: false, first: false });
      return;
    }
    const orderId = typeof message.order_id === 'string' ? message.order_id : undefined;
    if (orderId === undefined) {
      this.ctx.reportError(
        new KrakenDecodeError('Futures open_orders: update without order or order_id', [], JSON.stringify(message)),
      );
      return;
    }
    const run = (): void =>
      applySafely(this.ctx, 'Futures open_orders removal', message, () => {
        const order = this.ctx.tracker.byVenueOrderId(orderId);
        if (order === undefined) return; // an order we never knew, gone: nothing to report
        for (const fact of this.removalFacts(order, reason, this.ctx.now())) this.ctx.tracker.apply(order, fact);
      });
    if (
      this.ctx.tracker.byVenueOrderId(orderId) === undefined &&
      this.ctx.tracker.hasUnidentifiedSubmissions('FUTURES')
    ) {
      this.ctx.tracker.park(orderId, run);
    } else {
      run();
    }
  }

  private applyOpenOrder(
    wire: FuturesWsOpenOrder,
    update: { isCancel: boolean; reason?: string; snapshot: boolean; first: boolean },
  ): void {
    const { tracker } = this.ctx;
    const run = (): void =>
      applySafely(this.ctx, 'Futures open_orders order', wire, () => {
        const order = this.trackedFor(wire.order_id, wire.cli_ord_id ?? undefined) ?? this.trackFromWs(wire);
        const silent = update.snapshot && update.first && !order.ours;
        const ts = wire.last_update_time;
        const facts: OrderFact[] = [];
        if (update.isCancel) {
          facts.push(...this.removalFacts(order, update.reason, ts));
        } else {
          facts.push({ kind: 'accepted', ts });
          const limit = positive(wire.limit_price);
          const stop = positive(wire.stop_price);
          if (update.reason === 'stop_order_triggered' || update.reason === 'limit_order_from_stop') {
            facts.push({ kind: 'triggered', ts });
          }
          // Only an edit (or a snapshot after a reconnect) changes what the order is; a market order's limit price
          // is Kraken's price protection, not the order's.
          const edited = update.reason !== undefined && update.reason.includes('edit');
          if (edited || (update.snapshot && !update.first)) {
            facts.push({
              kind: 'updated',
              quantity: wire.qty.plus(wire.filled),
              ...(limit !== undefined && order.type !== 'MARKET' ? { price: limit } : {}),
              ...(stop !== undefined && !order.triggered ? { triggerPrice: stop } : {}),
              ts,
            });
          }
        }
        for (const fact of facts) tracker.apply(order, fact, { silent });
      });
    const known = this.trackedFor(wire.order_id, wire.cli_ord_id ?? undefined);
    if (known === undefined && !update.snapshot && tracker.hasUnidentifiedSubmissions('FUTURES')) {
      tracker.park(wire.order_id, run);
    } else {
      run();
    }
  }

  private removalFacts(order: TrackedOrder, reason: string | undefined, ts: number): OrderFact[] {
    if (reason !== undefined && FILL_REASONS.has(reason)) {
      // The fills arrive on the `fills` feed; if they never do, the reconciliation reads them.
      if (reason === 'full_fill') this.ctx.detach(this.awaitFills(order), `Futures fills of ${order.clientOrderId}`);
      return [];
    }
    if (reason === 'contract_expired') return [{ kind: 'expired', ts }];
    if (reason !== undefined && REFUSALS.has(reason)) {
      return [{ kind: 'rejected', reason, ...(reason.startsWith('post_order') ? { dueToPostOnly: true } : {}), ts }];
    }
    return [{ kind: 'canceled', ...(reason !== undefined ? { reason } : {}), ts }];
  }

  private trackedFor(orderId: string, cliOrdId: string | undefined): TrackedOrder | undefined {
    const { tracker } = this.ctx;
    const byId = tracker.byVenueOrderId(orderId);
    if (byId !== undefined) return byId;
    if (cliOrdId === undefined) return undefined;
    const byCl = tracker.byVenueClientOrderId('FUTURES', cliOrdId);
    if (byCl === undefined || (byCl.venueOrderId !== undefined && byCl.venueOrderId !== orderId)) return undefined;
    tracker.identify(byCl, orderId);
    return byCl;
  }

  private trackFromWs(wire: FuturesWsOpenOrder): TrackedOrder {
    const limit = positive(wire.limit_price);
    const stop = positive(wire.stop_price);
    const { orderType } = futuresOrderType(wire.type, limit !== undefined, stop !== undefined);
    const cl = wire.cli_ord_id ?? undefined;
    return this.ctx.tracker.track(
      {
        clientOrderId: cl !== undefined ? this.ctx.ids.toOriginal(cl) : wire.order_id,
        ...(cl !== undefined ? { venueClientOrderId: cl } : {}),
        venueOrderId: wire.order_id,
        product: 'FUTURES',
        instrumentId: this.instrumentId(wire.instrument),
        side: wire.direction === 1 ? 'SELL' : 'BUY',
        type: orderType,
        quantity: wire.qty.plus(wire.filled),
        ...(limit !== undefined ? { price: limit } : {}),
        ...(stop !== undefined ? { triggerPrice: stop } : {}),
        filledQty: wire.filled,
        ours: false,
        ts: wire.time,
      },
      { silent: true },
    );
  }

  private onFills(message: unknown): void {
    if (!isObject(message) || (message.feed !== 'fills' && message.feed !== 'fills_snapshot')) return;
    const snapshot = message.feed === 'fills_snapshot';
    if (snapshot) this.fillSnapshots += 1;
    const first = snapshot && this.fillSnapshots === 1;
    const fills = Array.isArray(message.fills) ? message.fills : [];
    const decodedFills: FuturesWsFill[] = [];
    for (const [index, raw] of fills.entries()) {
      const decoded = decodeOrError(FuturesWsFill, raw, `Futures ${String(message.feed)} fill ${index}`);
      if (E.isLeft(decoded)) this.ctx.reportError(decoded.left);
      else decodedFills.push(decoded.right);
    }
    decodedFills.sort((a, b) => a.time - b.time);
    for (const fill of decodedFills) this.applyWsFill(fill, first);
    if (first) this.fillsReady.next();
  }

  private applyWsFill(fill: FuturesWsFill, first: boolean): void {
    const { tracker } = this.ctx;
    const run = (): void =>
      applySafely(this.ctx, 'Futures fill', fill, () => {
        let order = this.trackedFor(fill.order_id, fill.cli_ord_id ?? undefined);
        if (order === undefined) {
          if (first) {
            tracker.rememberFill(fill.fill_id); // history from before this client started
            return;
          }
          order = this.trackFromFill(fill);
        }
        const silent = first && !order.ours;
        tracker.apply(order, this.fillFact(fill, order), { silent });
      });
    if (!first && this.trackedFor(fill.order_id, fill.cli_ord_id ?? undefined) === undefined) {
      if (tracker.hasSeenFill(fill.fill_id)) return;
      if (tracker.hasUnidentifiedSubmissions('FUTURES')) {
        tracker.park(fill.order_id, run);
        return;
      }
    }
    run();
  }

  private trackFromFill(fill: FuturesWsFill): TrackedOrder {
    const cl = fill.cli_ord_id ?? undefined;
    const { orderType } = futuresOrderType(fill.order_type ?? 'mkt', false, false);
    return this.ctx.tracker.track(
      {
        clientOrderId: cl !== undefined ? this.ctx.ids.toOriginal(cl) : fill.order_id,
        ...(cl !== undefined ? { venueClientOrderId: cl } : {}),
        venueOrderId: fill.order_id,
        product: 'FUTURES',
        instrumentId: this.instrumentId(fill.instrument),
        side: fill.buy ? 'BUY' : 'SELL',
        type: orderType,
        quantity: fill.qty.plus(fill.remaining_order_qty ?? ZERO),
        ours: false,
        ts: fill.time,
      },
      { silent: true },
    );
  }

  private fillFact(fill: FuturesWsFill, order: TrackedOrder): OrderFact {
    return {
      kind: 'fill',
      tradeId: fill.fill_id,
      lastQty: fill.qty,
      lastPx: fill.price,
      commission: fill.fee_paid ?? ZERO,
      commissionCurrency: this.feeCurrency(fill.fee_currency, order.instrumentId),
      liquiditySide: liquidity(fill.fill_type),
      ts: fill.time,
    };
  }

  private feeCurrency(wire: string | undefined, instrumentId: InstrumentId): string {
    if (wire !== undefined) return wire.toUpperCase() === 'XBT' ? 'BTC' : wire.toUpperCase();
    const instrument = this.ctx.instruments.find(instrumentId);
    return instrument?.settlement ?? 'USD';
  }

  private instrumentId(symbol: string): InstrumentId {
    return this.ctx.instruments.find(symbol)?.id ?? futuresInstrumentId(symbol);
  }

  // --- balances -------------------------------------------------------------------------------------------------

  private onBalances(message: unknown): void {
    if (!isObject(message)) return;
    const snapshot = message.feed === 'balances_snapshot';
    const codec: t.Decoder<unknown, FuturesWsBalancesSnapshot | FuturesWsBalancesUpdate> = snapshot
      ? FuturesWsBalancesSnapshot
      : FuturesWsBalancesUpdate;
    const decoded = decodeOrError(codec, message, `Futures ${String(message.feed)}`);
    if (E.isLeft(decoded)) {
      this.ctx.reportError(decoded.left);
      return;
    }
    const m = decoded.right;
    const sections = this.balanceSections;
    if (m.holding !== undefined) sections.holding = { ...(snapshot ? {} : sections.holding), ...m.holding };
    if (m.futures !== undefined) sections.futures = { ...(snapshot ? {} : sections.futures), ...m.futures };
    if (m.flex_futures !== undefined) sections.flex_futures = m.flex_futures;
    if (m.timestamp !== undefined) sections.timestamp = m.timestamp;
    this.hasBalances = true;
    this.states.next(this.liveState());
  }

  get hasLiveBalances(): boolean {
    return this.hasBalances;
  }

  /** The Futures state from the feed's latest sections (each section replaced or merged as Kraken sent it). */
  liveState(): AccountState {
    const s = this.balanceSections;
    const now = this.ctx.now();
    const state = parseFuturesWsBalances(
      {
        feed: 'balances_snapshot',
        ...(s.holding ? { holding: s.holding } : {}),
        ...(s.futures ? { futures: s.futures } : {}),
        ...(s.flex_futures ? { flex_futures: s.flex_futures } : {}),
        ...(s.timestamp !== undefined ? { timestamp: s.timestamp } : {}),
      },
      this.ctx.accountId,
      now,
    );
    return { ...state, margins: [...state.margins, ...this.isolatedMargins(s.flex_futures)] };
  }

  /** Isolated (per-instrument) margins of the flex account, from `flex_futures.isolated`. */
  private isolatedMargins(flex: FuturesWsFlexFutures | undefined): MarginBalance[] {
    const out: MarginBalance[] = [];
    for (const [symbol, figures] of Object.entries(flex?.isolated ?? {})) {
      out.push({
        currency: 'USD',
        initial: figures.initial_margin ?? ZERO,
        maintenance: figures.maintenance_margin ?? ZERO,
        instrumentId: this.instrumentId(symbol),
      });
    }
    return out;
  }

  /**
   * A fresh Futures state after a change Kraken does not push (a leverage preference): a new `balances` snapshot
   * when the feed is live (it carries the per-instrument isolated margins), else `/accounts`.
   */
  refreshState(): Observable<AccountState> {
    return defer(() => {
      if (!this.hasBalances || !this.session.ready) return this.restState();
      const next$ = this.accountStates$.pipe(take(1));
      this.session.resubscribe(futuresWsKey(BALANCES), 'refresh after a leverage change');
      return next$.pipe(timeout({ first: this.ctx.requestTimeoutMs, with: () => this.restState() }));
    });
  }

  /** `/accounts` → the Futures state. */
  restState(): Observable<AccountState> {
    return this.ctx.raw.futures.accounts().pipe(
      map((body) => {
        const now = this.ctx.now();
        return parseFuturesAccounts(body.accounts, this.ctx.accountId, body.serverTime ?? now, now);
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

  /** `sendorder`; resolves into `accepted` or `rejected`. Never resends. */
  submit(order: TrackedOrder, cmd: SubmitOrder, instrument: FuturesInstrument): Observable<void> {
    return defer(() => {
      const { tracker } = this.ctx;
      const cliOrdId = order.venueClientOrderId ?? order.clientOrderId;
      return this.ctx.raw.futures.sendOrder(futuresSendOrderParams(cmd, instrument, cliOrdId)).pipe(
        mergeMap((body) => this.applySendStatus(order, cmd, body.sendStatus)),
        catchError((err: unknown) => {
          if (!isOutcomeUnknown(err)) {
            tracker.apply(order, { kind: 'rejected', reason: reasonOf(err), ts: this.ctx.now() });
            return EMPTY;
          }
          this.ctx.logger.warn(
            `Futures order ${order.clientOrderId}: placement outcome unknown (${reasonOf(err)}); looking it up`,
          );
          return this.resolvePlacement(order, err);
        }),
        tap({ finalize: () => tracker.releaseOrphans('FUTURES') }),
        ignoreElements(),
      );
    });
  }

  private applySendStatus(order: TrackedOrder, cmd: SubmitOrder, status: FuturesSendStatus): Observable<never> {
    const { tracker } = this.ctx;
    const ts = status.receivedTime ?? this.ctx.now();
    if (!FUTURES_ACCEPTED_STATUSES.has(status.status)) {
      tracker.apply(order, {
        kind: 'rejected',
        reason: status.status,
        ...(status.status === 'postWouldExecute' ? { dueToPostOnly: true } : {}),
        ts,
      });
      return EMPTY;
    }
    const orderId = status.order_id ?? orderIdOfEvents(status.orderEvents ?? []);
    if (orderId === undefined) {
      this.ctx.reportError(new KrakenDecodeError(`Futures sendorder: '${status.status}' without an order id`));
      return this.resolvePlacement(order, new KrakenDecodeError('no order id'));
    }
    tracker.identify(order, orderId);
    tracker.apply(order, { kind: 'accepted', ts });
    const immediate = cmd.type === 'MARKET' || cmd.timeInForce === 'IOC';
    const executed = (status.orderEvents ?? [])
      .filter((e) => e.type === 'EXECUTION')
      .reduce((sum, e) => sum.plus(e.amount ?? ZERO), ZERO);
    if (immediate || executed.gt(0))
      this.ctx.detach(this.awaitFills(order, immediate), `Futures fills of ${order.clientOrderId}`);
    return EMPTY;
  }

  /**
   * An order that executed (or an immediate order, which is done at once): give the `fills` feed a moment, then
   * read `/fills` for what it did not deliver; an immediate order not completely filled has had its remainder
   * cancelled by Kraken.
   */
  private awaitFills(order: TrackedOrder, immediate = false): Observable<never> {
    const { tracker, scheduler } = this.ctx;
    const streamGraceMs = this.streamGraceMs();
    const done = () => order.status === 'closed' && order.filledQty.gte(order.quantity);
    return awaitTracker(tracker, done, streamGraceMs, scheduler).pipe(
      mergeMap((met) => (met ? EMPTY : this.fetchFills([order]))),
      tap({
        complete: () => {
          if (immediate && order.status !== 'closed') {
            tracker.apply(order, {
              kind: 'canceled',
              reason: 'immediate order: the unfilled remainder was cancelled',
              ts: this.ctx.now(),
            });
          } else if (!immediate && order.status !== 'closed' && order.filledQty.gte(order.quantity)) {
            tracker.apply(order, { kind: 'filledOut', ts: this.ctx.now() });
          }
        },
      }),
      ignoreElements(),
    );
  }

  /** REST `/fills` (the latest 100) applied to these orders. */
  private fetchFills(orders: readonly TrackedOrder[]): Observable<never> {
    const byId = new Map(orders.filter((o) => o.venueOrderId !== undefined).map((o) => [o.venueOrderId as string, o]));
    return this.ctx.raw.futures.fills().pipe(
      tap((body) => {
        const fills = [...body.fills].sort((a, b) => a.fillTime - b.fillTime);
        for (const fill of fills) {
          const order = byId.get(fill.order_id);
          if (order !== undefined) this.ctx.tracker.apply(order, this.restFillFact(fill, order));
        }
      }),
      ignoreElements(),
    );
  }

  private restFillFact(fill: FuturesFill, order: TrackedOrder): OrderFact {
    return {
      kind: 'fill',
      tradeId: fill.fill_id,
      lastQty: fill.size,
      lastPx: fill.price,
      commission: fill.fee_paid ?? ZERO,
      commissionCurrency: this.feeCurrency(fill.fee_currency, order.instrumentId),
      liquiditySide: liquidity(fill.fillType),
      ts: fill.fillTime,
    };
  }

  /**
   * The `sendorder` answer was lost: look the order up by `cliOrdId` — `/orders/status` (open or closed in the
   * last seconds), `/openorders`, History order events — a few times. Never resends.
   */
  private resolvePlacement(order: TrackedOrder, cause: unknown): Observable<never> {
    const { tracker, raw } = this.ctx;
    const cliOrdId = order.venueClientOrderId ?? order.clientOrderId;
    const same = (id: string | null | undefined) =>
      id !== undefined && id !== null && id.toLowerCase() === cliOrdId.toLowerCase();
    const lookOnce = (): Observable<boolean> =>
      defer(() => {
        if (order.venueOrderId !== undefined) return of(true);
        // An order known here as another one (an earlier use of the id) is not this placement.
        const other = (id: string | undefined) => {
          const known = id === undefined ? undefined : tracker.byVenueOrderId(id);
          return known !== undefined && known !== order;
        };
        const byStatus$ = raw.futures.ordersStatus({ cliOrdIds: [cliOrdId] }).pipe(
          map((body) => body.orders.find((o) => same(o.order.cliOrdId) && !other(o.order.orderId))?.order.orderId),
          catchError(() => of(undefined)),
        );
        const byOpen$ = raw.futures
          .openOrders()
          .pipe(
            map(
              (body) => body.openOrders.find((o) => same(o.cliOrdId ?? o.cli_ord_id) && !other(o.order_id))?.order_id,
            ),
          );
        const byHistory$ = raw.futures.historyOrders({ sort: 'desc', count: 100 }).pipe(
          map((page) => {
            for (const element of page.elements) {
              const report = parseFuturesHistoryOrder(element, this.ctx.accountId, this.ctx.now());
              if (report !== undefined && same(report.clientOrderId) && !other(report.venueOrderId)) {
                return report.venueOrderId;
              }
            }
            return undefined;
          }),
        );
        return byStatus$.pipe(
          mergeMap((id) => (id !== undefined ? of(id) : byOpen$)),
          mergeMap((id) => (id !== undefined ? of(id) : byHistory$)),
          map((id) => {
            if (order.venueOrderId !== undefined) return true;
            if (id === undefined) return false;
            tracker.identify(order, id);
            return true;
          }),
        );
      });
    const what = `Futures order ${order.clientOrderId}: lookup by cliOrdId failed`;
    return lookUpRepeatedly(this.ctx, lookOnce, what).pipe(
      mergeMap((found) => {
        if (!found) {
          tracker.apply(order, {
            kind: 'rejected',
            reason: `no answer to the order placement (${reasonOf(cause)}) and no order with cliOrdId '${cliOrdId}' at Kraken: not placed`,
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

  /** `editorder` (sizes as totals: `qtyMode ABSOLUTE`); resolves into `updated` or `modifyRejected`. */
  modify(order: TrackedOrder, cmd: ModifyOrder): Observable<void> {
    return defer(() => {
      const { tracker } = this.ctx;
      // A stop needs its stop (and limit) price on every edit; once triggered it is a plain limit order.
      const params = futuresEditOrderParams(cmd, futuresRef(order), {
        ...(order.price !== undefined ? { price: order.price } : {}),
        ...(order.triggerPrice !== undefined && !order.triggered ? { triggerPrice: order.triggerPrice } : {}),
      });
      return this.ctx.raw.futures.editOrder(params).pipe(
        tap((body) => {
          const status = body.editStatus;
          const ts = status.receivedTime ?? this.ctx.now();
          if (status.status !== 'edited') {
            tracker.apply(order, { kind: 'modifyRejected', reason: status.status, ts });
            return;
          }
          const edited = (status.orderEvents ?? []).find((e) => e.type === 'EDIT')?.new;
          tracker.apply(order, {
            kind: 'updated',
            ...(cmd.quantity !== undefined
              ? { quantity: toDecimal(cmd.quantity) }
              : edited?.quantity
                ? { quantity: edited.quantity }
                : {}),
            ...(cmd.price !== undefined ? { price: toDecimal(cmd.price) } : {}),
            ...(cmd.triggerPrice !== undefined ? { triggerPrice: toDecimal(cmd.triggerPrice) } : {}),
            ts,
          });
        }),
        catchError((err: unknown) =>
          resolveModifyFailure(this.ctx, order, cmd, err, () => this.refreshOpenOrders([order]), 'edit'),
        ),
        ignoreElements(),
      );
    });
  }

  /** `cancelorder`; resolves into `canceled` or `cancelRejected` (Kraken's `notFound`, `filled`, ...). */
  cancel(order: TrackedOrder): Observable<void> {
    return defer(() => {
      const ref = futuresRef(order);
      const params = 'orderId' in ref ? { order_id: ref.orderId } : { cliOrdId: ref.cliOrdId };
      return this.ctx.raw.futures.cancelOrder(params).pipe(
        mergeMap((body) => this.applyCancelStatus(order, body.cancelStatus.status)),
        catchError((err: unknown) =>
          isOutcomeUnknown(err) ? this.settleCancels([order], reasonOf(err)) : this.cancelRefused([order], err),
        ),
        ignoreElements(),
      );
    });
  }

  private applyCancelStatus(order: TrackedOrder, status: string): Observable<never> {
    const { tracker, scheduler } = this.ctx;
    const streamGraceMs = this.streamGraceMs();
    if (status === 'cancelled') {
      return awaitTracker(tracker, () => order.status === 'closed', streamGraceMs, scheduler).pipe(
        tap(() => tracker.apply(order, { kind: 'canceled', reason: 'cancelled_by_user', ts: this.ctx.now() })),
        ignoreElements(),
      );
    }
    tracker.apply(order, { kind: 'cancelRejected', reason: status, ts: this.ctx.now() });
    return EMPTY;
  }

  private cancelRefused(orders: readonly TrackedOrder[], err: unknown): Observable<never> {
    for (const order of orders) {
      this.ctx.tracker.apply(order, { kind: 'cancelRejected', reason: reasonOf(err), ts: this.ctx.now() });
    }
    return EMPTY;
  }

  /** Waits for the stream, then reads `/openorders`: an order still open is a refused cancel. */
  private settleCancels(orders: readonly TrackedOrder[], why: string): Observable<never> {
    const { tracker, scheduler } = this.ctx;
    const streamGraceMs = this.streamGraceMs();
    return awaitTracker(tracker, () => orders.every((o) => o.status === 'closed'), streamGraceMs, scheduler).pipe(
      mergeMap((done) => (done ? EMPTY : this.reconcileOrders(orders.filter((o) => o.status !== 'closed')))),
      tap({
        complete: () => {
          for (const order of orders) {
            if (order.status !== 'closed') {
              tracker.apply(order, { kind: 'cancelRejected', reason: `order still open (${why})`, ts: this.ctx.now() });
            }
          }
        },
      }),
      ignoreElements(),
    );
  }

  /** Cancels several orders with `batchorder` cancel instructions, at most 50 per batch. */
  cancelMany(orders: readonly TrackedOrder[]): Observable<void> {
    return from(chunks(orders, BATCH_MAX)).pipe(
      concatMap((chunk) => (chunk.length === 1 ? this.cancel(chunk[0]) : this.cancelChunk(chunk))),
      ignoreElements(),
    );
  }

  private cancelChunk(chunk: readonly TrackedOrder[]): Observable<never> {
    return defer(() => {
      const instructions = chunk.map((order) => {
        const ref = futuresRef(order);
        return 'orderId' in ref
          ? { order: 'cancel' as const, order_id: ref.orderId }
          : { order: 'cancel' as const, cliOrdId: ref.cliOrdId };
      });
      return this.ctx.raw.futures.batchOrder({ batchOrder: instructions }).pipe(
        mergeMap((body) => {
          const pending: Observable<never>[] = [];
          const answered = new Set<TrackedOrder>();
          for (const entry of body.batchStatus) {
            const order = chunk.find(
              (o) =>
                (entry.order_id !== undefined && o.venueOrderId === entry.order_id) ||
                (entry.cliOrdId !== undefined &&
                  entry.cliOrdId !== null &&
                  o.venueClientOrderId?.toLowerCase() === entry.cliOrdId.toLowerCase()),
            );
            if (order === undefined) continue;
            answered.add(order);
            pending.push(this.applyCancelStatus(order, entry.status));
          }
          const unanswered = chunk.filter((o) => !answered.has(o));
          if (unanswered.length > 0) pending.push(this.settleCancels(unanswered, 'no answer in the batch'));
          return merge(...pending);
        }),
        catchError((err: unknown) =>
          isOutcomeUnknown(err) ? this.settleCancels(chunk, reasonOf(err)) : this.cancelRefused(chunk, err),
        ),
      );
    });
  }

  /** `cancelallorders` for one symbol; `targets` are the orders of it known to be open. */
  cancelAll(instrument: FuturesInstrument, targets: readonly TrackedOrder[]): Observable<void> {
    return defer(() =>
      this.ctx.raw.futures.cancelAllOrders({ symbol: instrument.rawSymbol }).pipe(
        mergeMap((body) => {
          const cancelled = new Set((body.cancelStatus.cancelledOrders ?? []).map((o) => o.order_id));
          for (const order of targets) {
            if (order.venueOrderId !== undefined && cancelled.has(order.venueOrderId)) {
              this.ctx.tracker.apply(order, { kind: 'canceled', reason: 'cancelled_by_user', ts: this.ctx.now() });
            }
          }
          return this.settleCancels(targets, 'not cancelled by cancelallorders');
        }),
        catchError((err: unknown) =>
          isOutcomeUnknown(err) ? this.settleCancels(targets, reasonOf(err)) : this.cancelRefused(targets, err),
        ),
        ignoreElements(),
      ),
    );
  }

  /** Makes sure every open Futures order is tracked (from REST when the stream is not live). */
  knownOpenOrders(): Observable<TrackedOrder[]> {
    return defer(() => {
      if (this.orderSnapshots > 0 && this.session.ready) return of(this.ctx.tracker.openOrders('FUTURES'));
      return this.ctx.raw.futures.openOrders().pipe(
        map((body) => {
          for (const wire of body.openOrders) {
            if (this.ctx.tracker.byVenueOrderId(wire.order_id) !== undefined) continue;
            const report = this.openOrderReport(wire);
            this.trackFromReport(report);
          }
          return this.ctx.tracker.openOrders('FUTURES');
        }),
      );
    });
  }

  private trackFromReport(report: OrderStatusReport): TrackedOrder {
    const order = this.ctx.tracker.track(
      {
        clientOrderId: report.clientOrderId ?? report.venueOrderId,
        product: 'FUTURES',
        instrumentId: report.instrumentId,
        side: report.orderSide,
        type: report.orderType,
        quantity: report.quantity,
        ...(report.price !== undefined ? { price: report.price } : {}),
        ...(report.triggerPrice !== undefined ? { triggerPrice: report.triggerPrice } : {}),
        filledQty: report.filledQty,
        status: 'accepted',
        ours: false,
        ts: report.tsLastUpdate,
      },
      { silent: true },
    );
    this.ctx.tracker.identify(order, report.venueOrderId);
    return order;
  }

  // --- reconciliation -----------------------------------------------------------------------------------------------

  /** Re-reads `/openorders` and applies what changed to these orders (quantity, prices). */
  private refreshOpenOrders(orders: readonly TrackedOrder[]): Observable<never> {
    return this.ctx.raw.futures.openOrders().pipe(
      tap((body) => {
        for (const order of orders) {
          const wire = body.openOrders.find((o) => o.order_id === order.venueOrderId);
          if (wire === undefined) continue;
          const report = this.openOrderReport(wire);
          this.ctx.tracker.apply(order, {
            kind: 'updated',
            quantity: report.quantity,
            ...(report.price !== undefined ? { price: report.price } : {}),
            ...(report.triggerPrice !== undefined ? { triggerPrice: report.triggerPrice } : {}),
            ts: report.tsLastUpdate,
          });
        }
      }),
      ignoreElements(),
    );
  }

  /**
   * Reads orders back: fills from `/fills`, open state from `/openorders`, and for orders no longer open the
   * History API's last event (cancelled, rejected, filled).
   */
  reconcileOrders(orders: readonly TrackedOrder[]): Observable<never> {
    return defer(() => {
      const wanted = orders.filter((o) => o.venueOrderId !== undefined);
      if (wanted.length === 0) return EMPTY;
      const { tracker, raw } = this.ctx;
      return concat(
        this.fetchFills(wanted),
        raw.futures.openOrders().pipe(
          mergeMap((body) => {
            const open = new Map(body.openOrders.map((o) => [o.order_id, o]));
            const gone: TrackedOrder[] = [];
            for (const order of wanted) {
              const wire = open.get(order.venueOrderId as string);
              if (wire !== undefined) {
                const report = this.openOrderReport(wire);
                tracker.apply(order, { kind: 'accepted', ts: report.tsLastUpdate });
                tracker.apply(order, {
                  kind: 'updated',
                  quantity: report.quantity,
                  ...(report.price !== undefined ? { price: report.price } : {}),
                  ...(report.triggerPrice !== undefined ? { triggerPrice: report.triggerPrice } : {}),
                  ts: report.tsLastUpdate,
                });
              } else if (order.filledQty.gte(order.quantity) && order.filledQty.gt(0)) {
                tracker.apply(order, { kind: 'filledOut', ts: this.ctx.now() });
              } else if (order.status !== 'closed') {
                gone.push(order);
              }
            }
            return gone.length > 0 ? this.closedFromHistory(gone) : EMPTY;
          }),
        ),
      ).pipe(ignoreElements());
    });
  }

  /** Orders no longer open: their last History event says how they ended. */
  private closedFromHistory(orders: readonly TrackedOrder[]): Observable<never> {
    const { tracker } = this.ctx;
    const ids = new Set(orders.map((o) => o.venueOrderId));
    const triggers$ = defer(() => {
      const left = orders.filter((o) => o.status !== 'closed');
      if (left.length === 0) return EMPTY;
      return this.ctx.raw.futures.historyTriggers({ sort: 'desc', count: 500 }).pipe(
        tap((page) => {
          for (const report of this.triggerReports([...page.elements].reverse())) {
            const order = left.find((o) => o.venueOrderId === report.venueOrderId);
            if (order === undefined || report.orderStatus !== 'CANCELED') continue;
            tracker.apply(order, {
              kind: 'canceled',
              ...(report.cancelReason ? { reason: report.cancelReason } : {}),
              ts: report.tsLastUpdate,
            });
          }
        }),
      );
    });
    return concat(this.closedFromOrdersHistory(ids), triggers$).pipe(ignoreElements());
  }

  private closedFromOrdersHistory(ids: ReadonlySet<string | undefined>): Observable<never> {
    const { tracker } = this.ctx;
    return this.ctx.raw.futures.historyOrders({ sort: 'desc', count: 500 }).pipe(
      tap((page) => {
        const seen = new Set<string>();
        for (const element of page.elements) {
          const report = parseFuturesHistoryOrder(element, this.ctx.accountId, this.ctx.now());
          if (report === undefined || !ids.has(report.venueOrderId) || seen.has(report.venueOrderId)) continue;
          seen.add(report.venueOrderId);
          const order = tracker.byVenueOrderId(report.venueOrderId);
          if (order === undefined) continue;
          const ts = report.tsLastUpdate;
          switch (report.orderStatus) {
            case 'CANCELED':
              tracker.apply(order, {
                kind: 'canceled',
                ...(report.cancelReason ? { reason: report.cancelReason } : {}),
                ts,
              });
              break;
            case 'REJECTED':
              tracker.apply(order, { kind: 'rejected', reason: report.cancelReason ?? report.venueStatus, ts });
              break;
            case 'EXPIRED':
              tracker.apply(order, { kind: 'expired', ts });
              break;
            case 'FILLED':
              tracker.apply(order, { kind: 'filledOut', ts });
              break;
          }
        }
      }),
      ignoreElements(),
    );
  }

  // --- reports ------------------------------------------------------------------------------------------------------

  private openOrderReport(wire: Parameters<typeof parseFuturesOpenOrder>[0]): OrderStatusReport {
    const report = parseFuturesOpenOrder(wire, this.ctx.accountId, this.ctx.now());
    return this.withIds(report);
  }

  private withIds<R extends { venueOrderId: string; clientOrderId?: string; instrumentId: InstrumentId }>(
    report: R,
  ): R {
    const tracked = this.ctx.tracker.byVenueOrderId(report.venueOrderId);
    const clientOrderId =
      tracked?.clientOrderId ??
      (report.clientOrderId !== undefined ? this.ctx.ids.toOriginal(report.clientOrderId) : undefined);
    const instrumentId = this.instrumentId(report.instrumentId.symbol);
    return { ...report, instrumentId, ...(clientOrderId !== undefined ? { clientOrderId } : {}) };
  }

  /**
   * Triggers whose last History event is a cancellation (or a placement, for one still waiting) → reports of
   * stop / if-touched orders. An activated trigger became an order (same id): the orders history has the rest of
   * it, and `activated` receives what the trigger said the order is (its type and trigger price), which the
   * orders history no longer tells.
   */
  private triggerReports(
    elements: readonly FuturesHistoryTriggerElement[],
    activated?: Map<string, TriggerShape>,
  ): OrderStatusReport[] {
    const last = new Map<string, { element: FuturesHistoryTriggerElement; cancelled?: { reason?: string } }>();
    for (const element of elements) {
      const event = element.event;
      const order = (event.OrderTriggerCancelled ?? event.OrderTriggerActivated ?? event.OrderTriggerPlaced)?.order;
      if (order?.uid === undefined) continue;
      if (event.OrderTriggerActivated !== undefined) {
        last.delete(order.uid);
        const shape = triggerShape(order);
        if (shape !== undefined) activated?.set(order.uid, shape);
      } else {
        last.set(order.uid, {
          element,
          ...(event.OrderTriggerCancelled ? { cancelled: event.OrderTriggerCancelled } : {}),
        });
      }
    }
    const reports: OrderStatusReport[] = [];
    for (const { element, cancelled } of last.values()) {
      const order = (element.event.OrderTriggerCancelled ?? element.event.OrderTriggerPlaced)?.order;
      const shape = order === undefined ? undefined : triggerShape(order);
      if (order?.uid === undefined || order.tradeable === undefined || shape === undefined) continue;
      const now = this.ctx.now();
      reports.push(
        this.withIds({
          accountId: this.ctx.accountId,
          instrumentId: futuresInstrumentId(order.tradeable),
          ...(order.clientId ? { clientOrderId: order.clientId } : {}),
          venueOrderId: order.uid,
          ...shape,
          timeInForce: 'GTC',
          orderStatus: cancelled ? 'CANCELED' : 'ACCEPTED',
          venueStatus: cancelled
            ? `OrderTriggerCancelled${cancelled.reason ? `:${cancelled.reason}` : ''}`
            : 'OrderTriggerPlaced',
          quantity: order.quantity ?? ZERO,
          filledQty: order.filled ?? ZERO,
          postOnly: false,
          reduceOnly: order.reduceOnly ?? false,
          ...(cancelled?.reason ? { cancelReason: cancelled.reason } : {}),
          tsAccepted: order.timestamp ?? element.timestamp,
          tsLastUpdate: element.timestamp,
          tsInit: now,
        }),
      );
    }
    return reports;
  }

  /** `/openorders`, then (unless `openOnly`) every History order and trigger event in the window, to the end. */
  orderStatusReports(query: ReportQuery): Observable<OrderStatusReport> {
    return defer(() => {
      const symbol =
        query.instrumentId !== undefined ? this.ctx.instruments.find(query.instrumentId)?.rawSymbol : undefined;
      const open = new Set<string>();
      // Open orders are alive in any window that does not end before they were placed.
      const open$ = this.ctx.raw.futures.openOrders().pipe(
        mergeMap((body) => from(body.openOrders)),
        map((wire) => this.openOrderReport(wire)),
        tap((report) => open.add(report.venueOrderId)),
        mergeMap((report) => (query.end === undefined || report.tsAccepted <= query.end ? of(report) : EMPTY)),
      );
      // History takes whole milliseconds, `before` exclusive: `end` is inclusive here, as everywhere in the reports.
      const window = {
        sort: 'asc' as const,
        ...(query.start !== undefined ? { since: Math.floor(query.start) } : {}),
        ...(query.end !== undefined ? { before: Math.floor(query.end) + 1 } : {}),
        ...(symbol !== undefined ? { tradeable: symbol } : {}),
      };
      // Orders, then triggers: a stop cancelled before it triggered is only in the triggers history.
      const history$ = this.ctx.raw.futures.historyOrderElements(window).pipe(
        toArray(),
        mergeMap((elements) =>
          this.ctx.raw.futures.historyTriggerElements(window).pipe(
            toArray(),
            map((triggers) => {
              const activated = new Map<string, TriggerShape>();
              const triggerReports = this.triggerReports(triggers, activated);
              const latest = new Map<string, OrderStatusReport>();
              for (const element of elements) {
                const report = parseFuturesHistoryOrder(element, this.ctx.accountId, this.ctx.now());
                if (report === undefined) continue;
                // A triggered stop shows in the orders history as the plain order it became: keep what it was.
                const shape = activated.get(report.venueOrderId);
                const { price: _price, ...rest } = report;
                void _price;
                const asPlaced = shape === undefined ? report : { ...rest, ...shape };
                latest.set(report.venueOrderId, this.withIds(asPlaced));
              }
              for (const report of triggerReports) {
                if (!latest.has(report.venueOrderId)) latest.set(report.venueOrderId, report);
              }
              return [...latest.values()].filter((r) => !open.has(r.venueOrderId));
            }),
          ),
        ),
        mergeMap((reports) => from(reports)),
      );
      return concat(open$, query.openOnly ? EMPTY : history$).pipe(
        mergeMap((report) => (matchesInstrument(report.instrumentId, query) ? of(report) : EMPTY)),
      );
    });
  }

  /**
   * `/fills`, paged backwards with `lastFillTime` until `start` (Kraken cannot filter by time: the window is
   * applied here), oldest first within each page as Kraken sends them newest first.
   *
   * `lastFillTime` answers the 100 fills strictly before it, and several fills can share a millisecond (one order
   * sweeping levels): the next page is asked from just after the oldest millisecond of this one, and the repeats
   * are dropped. A page that is 100 fills of one millisecond cannot be paged past without skipping that
   * millisecond: the paging goes on before it (older fills are not given up) and says so on `errors$`.
   */
  fillReports(query: ReportQuery): Observable<FillReport> {
    return defer(() => {
      const seen = new Set<string>();
      return paginate<FuturesFill, number>((before) =>
        this.ctx.raw.futures.fills(before !== undefined ? { lastFillTime: epochMsToRfc3339(before) } : {}).pipe(
          map((body) => {
            const fresh = body.fills.filter((f) => !seen.has(f.fill_id));
            for (const f of fresh) seen.add(f.fill_id);
            if (body.fills.length < FILLS_PAGE) return { items: fresh };
            const oldest = Math.floor(Math.min(...body.fills.map((f) => f.fillTime)));
            if (query.start !== undefined && oldest < query.start) return { items: fresh };
            let next = oldest + 1;
            if (
              body.fills.every((f) => Math.floor(f.fillTime) === oldest) ||
              (before !== undefined && next >= before)
            ) {
              this.ctx.reportError(
                new KrakenError(
                  `Futures /fills: ${FILLS_PAGE} fills at ${epochMsToRfc3339(oldest)} fill a whole page; fills of that ` +
                    'millisecond beyond them cannot be read with lastFillTime (History executions can)',
                ),
                'fillReports',
              );
              next = oldest;
            }
            return { items: fresh, next };
          }),
        ),
      ).pipe(
        mergeMap((fill) => {
          if (query.start !== undefined && fill.fillTime < query.start) return EMPTY;
          if (query.end !== undefined && fill.fillTime > query.end) return EMPTY;
          const instrument = this.ctx.instruments.find(fill.symbol);
          const report = this.withIds(
            parseFuturesFill(fill, this.ctx.accountId, this.ctx.now(), instrument?.settlement ?? 'USD'),
          );
          return matchesInstrument(report.instrumentId, query) ? of(report) : EMPTY;
        }),
      );
    });
  }

  /** `/openpositions`. */
  positionStatusReports(query: ReportQuery): Observable<PositionStatusReport> {
    return this.ctx.raw.futures.openPositions().pipe(
      mergeMap((body) => from(body.openPositions)),
      map((position) => {
        const report = parseFuturesOpenPosition(position, this.ctx.accountId, this.ctx.now());
        return { ...report, instrumentId: this.instrumentId(position.symbol) };
      }),
      mergeMap((report) => (matchesInstrument(report.instrumentId, query) ? of(report) : EMPTY)),
    );
  }

  /** `GET /leveragepreferences`: the symbols in isolated margin and their leverage caps. */
  leveragePreferences(): Observable<FuturesLeveragePreference[]> {
    return this.ctx.raw.futures.leveragePreferences().pipe(
      map((body) =>
        body.leveragePreferences.map((p) => ({
          instrumentId: this.instrumentId(p.symbol),
          maxLeverage: p.maxLeverage,
        })),
      ),
    );
  }

  close(): Promise<void> {
    this.states.complete();
    this.ordersReady.complete();
    this.fillsReady.complete();
    return this.session.close();
  }
}

// --- helpers --------------------------------------------------------------------------------------------------------

/** What a trigger order is: side, stop or if-touched (by its trigger side), its limit and trigger prices. */
type TriggerShape = Pick<OrderStatusReport, 'orderSide' | 'orderType' | 'price' | 'triggerPrice' | 'triggerType'>;

function triggerShape(order: FuturesHistoryTriggerOrder): TriggerShape | undefined {
  const side = futuresOrderSide(order.direction);
  if (side === undefined) return undefined;
  const above = (order.triggerSide ?? '').toUpperCase().includes('ABOVE');
  const stop = (side === 'BUY') === above;
  const limit = positive(order.limitPrice);
  const triggerPrice = positive(order.triggerPrice);
  return {
    orderSide: side,
    orderType: stop ? (limit ? 'STOP_LIMIT' : 'STOP_MARKET') : limit ? 'LIMIT_IF_TOUCHED' : 'MARKET_IF_TOUCHED',
    ...(limit !== undefined ? { price: limit } : {}),
    ...(triggerPrice !== undefined
      ? { triggerPrice, triggerType: futuresTriggerType(order.triggerSignal) ?? 'LAST' }
      : {}),
  };
}

function positive(value: Decimal | null | undefined): Decimal | undefined {
  return value !== undefined && value !== null && value.gt(0) ? value : undefined;
}

function liquidity(fillType: string): LiquiditySide {
  if (fillType === 'maker') return 'MAKER';
  if (fillType === 'taker' || fillType === 'takerAfterEdit') return 'TAKER';
  return 'NO_LIQUIDITY_SIDE';
}

function futuresRef(order: TrackedOrder): FuturesOrderRef {
  return order.venueOrderId !== undefined
    ? { orderId: order.venueOrderId }
    : { cliOrdId: order.venueClientOrderId ?? order.clientOrderId };
}

function orderIdOfEvents(events: readonly FuturesOrderEvent[]): string | undefined {
  for (const e of events) {
    const id = e.order?.orderId ?? e.orderTrigger?.uid ?? e.orderPriorExecution?.orderId ?? e.uid;
    if (id !== undefined) return id;
  }
  return undefined;
}

export { futuresOrderSide };
