/**
 * KrakenExecutionClient: order entry, live order/fill/account streams and reconciliation on Kraken Spot and
 * Kraken Futures, as Observables (DESIGN.md §3.3).
 */
import Decimal from 'decimal.js';
import {
  catchError,
  concat,
  defer,
  EMPTY,
  finalize,
  firstValueFrom,
  forkJoin,
  from,
  ignoreElements,
  map,
  merge,
  mergeMap,
  Observable,
  of,
  ReplaySubject,
  retry,
  Subject,
  type Subscription,
  tap,
  throwError,
  timeout,
  timer,
  toArray,
} from 'rxjs';
import { KrakenExecClientConfig, type KrakenExecClientOptions } from '../config/config';
import { KrakenApiError, KrakenConfigError, KrakenError, KrakenSubscriptionError } from '../errors';
import { KRAKEN_FUTURES_ACCOUNT_ID, KRAKEN_SPOT_ACCOUNT_ID, KrakenHttpClient } from '../http/KrakenHttpClient';
import { KrakenRawHttpClient } from '../http/KrakenRawHttpClient';
import { KrakenInstrumentProvider } from '../instruments/KrakenInstrumentProvider';
import { toDecimal } from '../model/decimal';
import type { OrderEvent } from '../model/events';
import { InstrumentId, KRAKEN, type InstrumentIdLike, type KrakenProductType } from '../model/identifiers';
import { isFuturesInstrument, type Instrument } from '../model/instruments';
import type { BatchCancelOrders, CancelAllOrders, CancelOrder, ModifyOrder, SubmitOrder } from '../model/orders';
import type {
  AccountState,
  ExecutionMassStatus,
  FillReport,
  OrderStatusReport,
  PositionStatusReport,
} from '../model/reports';
import { backoffDelayMs, isRetryableError } from '../operators/retryBackoff';
import { ClientOrderIds } from './clientOrderIds';
import { InstrumentBook, reasonOf, type ExecContext, type InstrumentSource } from './context';
import { FuturesVenue, type FuturesLeveragePreference } from './futuresVenue';
import { OrderTracker, type TrackedOrder } from './orderTracker';
import { mergeAccountStates, reportQuery, type ReportQuery, type ReportQueryOptions } from './reports';
import { SpotVenue } from './spotVenue';
import { checkModifyOrder, checkSubmitOrder } from './supportMatrix';

/** What `events$` carries: every order event, and every account update. */
export type ExecutionEvent = OrderEvent | AccountState;

/** True for an order event (vs. an account update) on `events$`. */
export function isOrderEvent(event: ExecutionEvent): event is OrderEvent {
  return 'type' in event;
}

export interface KrakenExecutionClientDeps {
  /** Instruments (default: a `KrakenInstrumentProvider` on this client's HTTP client). */
  readonly instrumentProvider?: InstrumentSource;
  /** The HTTP client (default: one for this config). Share it with other clients that use the same API keys. */
  readonly httpClient?: KrakenHttpClient | KrakenRawHttpClient;
}

/** A leverage preference after `setLeverage`: `maxLeverage` null = cross margin. */
export interface LeverageSetting {
  readonly instrumentId: InstrumentId;
  readonly maxLeverage: Decimal | null;
}

/** What a command has prepared: events to emit at once, and/or the orders it acts on and the work to do. */
interface Prepared {
  readonly events?: readonly OrderEvent[];
  /** Starts tracking (may emit `OrderSubmitted`) and returns the orders whose events the command emits. */
  readonly begin?: () => readonly TrackedOrder[];
  readonly work?: () => Observable<unknown>;
  /** An event after which the caller's stream completes (the command's outcome), when it is not the work's end. */
  readonly outcome?: (event: OrderEvent) => boolean;
  readonly after?: () => void;
}

const SUBMIT_OUTCOMES = new Set<OrderEvent['type']>(['OrderAccepted', 'OrderRejected', 'OrderDenied']);
const MODIFY_OUTCOMES = new Set<OrderEvent['type']>(['OrderUpdated', 'OrderModifyRejected']);

/**
 * Order entry, live order/fill/account events and reconciliation for Kraken Spot and Futures.
 *
 * - `events$` is hot: every order event and account update, once the client runs (`connect()`, a command, or
 *   subscribing to `events$`/`accountState$` starts the private streams; `close()` stops them).
 * - Commands (`submitOrder`, `modifyOrder`, `cancelOrder`, `batchCancelOrders`, `cancelAllOrders`) are cold:
 *   subscribing sends; they emit the command's events and complete. A refusal is an event (`OrderDenied`,
 *   `OrderRejected`, `OrderModifyRejected`, `OrderCancelRejected`) with the reason, never an error. Once sent, a
 *   command runs to its end even if the caller unsubscribes.
 * - Reports (`orderStatusReports`, `fillReports`, `positionStatusReports`, `massStatus`) are cold HTTP streams,
 *   Spot and Futures merged.
 *
 * @example
 * ```ts
 * const exec = new KrakenExecutionClient({ ...sim.config(), productTypes: ['SPOT', 'FUTURES'] });
 * await exec.connect();
 * exec.events$.subscribe((e) => console.log(e));
 * exec.submitOrder({ clientOrderId: 'o-1', instrumentId: 'BTC/USD.KRAKEN', side: 'BUY', type: 'LIMIT',
 *   quantity: '0.01', price: '50000' }).subscribe();
 * ```
 */
export class KrakenExecutionClient {
  readonly config: KrakenExecClientConfig;
  /** The account id on every event, report and state of this client. */
  readonly accountId: string;
  /** Every order event and account update (hot; subscribing starts the private streams). */
  readonly events$: Observable<ExecutionEvent>;
  /**
   * Spot and Futures balances merged into one state, each currency once (replays the latest). The merge rule is
   * {@link mergeAccountStates}: a currency held in both wallets shows its amounts added up — a portfolio view, not
   * what one product can spend; for that read {@link walletStates$}.
   */
  readonly accountState$: Observable<AccountState>;
  /**
   * Each product type's wallet on its own, as Kraken keeps them apart: the Spot wallet (`KRAKEN-SPOT`, CASH) and
   * the Futures wallets (`KRAKEN-FUTURES`, MARGIN, with the margins). A Spot order spends from the first, a Futures
   * order's collateral is in the second. Replays the latest of each, then every change.
   */
  readonly walletStates$: Observable<AccountState>;
  /** Errors the streams survived: malformed messages, failed reconciliations, dropped subscriptions (hot). */
  readonly errors$: Observable<Error>;

  private readonly raw: KrakenRawHttpClient;
  private readonly provider: InstrumentSource;
  private readonly ownProvider?: KrakenInstrumentProvider;
  private readonly tracker: OrderTracker;
  private readonly ids = new ClientOrderIds();
  private readonly instruments: InstrumentBook;
  private readonly ctx: ExecContext;
  private readonly spot?: SpotVenue;
  private readonly futures?: FuturesVenue;
  private readonly events = new Subject<ExecutionEvent>();
  private readonly errors = new Subject<Error>();
  private readonly accountStates = new ReplaySubject<AccountState>(1);
  private readonly detached = new Set<Subscription>();
  private readonly accountParts = new Map<KrakenProductType, AccountState>();
  private readonly walletUpdates = new Subject<AccountState>();
  private readonly walletKeys = new Map<KrakenProductType, string>();
  private readonly expectedParts = new Set<KrakenProductType>();
  private live?: Subscription;
  private lastAccountKey?: string;
  /** The error a private stream gave up on (connect() reports it). */
  private fatal?: Error;
  private closed = false;

  constructor(config: KrakenExecClientOptions | KrakenExecClientConfig = {}, deps: KrakenExecutionClientDeps = {}) {
    this.config = KrakenExecClientConfig.from(config);
    const cfg = this.config;
    const spotOn = cfg.has('SPOT');
    const futuresOn = cfg.has('FUTURES');
    this.accountId = spotOn && futuresOn ? 'KRAKEN-SPOT-FUTURES' : spotOn ? 'KRAKEN-SPOT' : 'KRAKEN-FUTURES';
    const http = deps.httpClient;
    this.raw =
      http instanceof KrakenRawHttpClient
        ? http
        : http instanceof KrakenHttpClient
          ? http.raw
          : new KrakenRawHttpClient(cfg);
    if (deps.instrumentProvider) {
      this.provider = deps.instrumentProvider;
    } else {
      const domain = http instanceof KrakenHttpClient ? http : new KrakenHttpClient(cfg, { raw: this.raw });
      this.ownProvider = new KrakenInstrumentProvider(cfg, { http: domain });
      this.provider = this.ownProvider;
    }
    this.instruments = new InstrumentBook(this.provider);
    this.tracker = new OrderTracker(this.accountId, cfg.scheduler);
    const requestTimeoutMs = cfg.httpTimeoutSecs * 1000;
    this.ctx = {
      config: cfg,
      raw: this.raw,
      tracker: this.tracker,
      ids: this.ids,
      instruments: this.instruments,
      accountId: this.accountId,
      scheduler: cfg.scheduler,
      logger: cfg.logger,
      requestTimeoutMs,
      streamGraceMs: Math.min(2_000, requestTimeoutMs),
      reportError: (error, context) => this.reportError(error, context),
      detach: (work, what) => this.detach(work, what),
      now: () => cfg.scheduler.now(),
    };
    if (spotOn) this.spot = new SpotVenue(this.ctx);
    if (futuresOn) this.futures = new FuturesVenue(this.ctx);

    this.tracker.changes$.subscribe(({ order, event }) => {
      this.events.next(event);
      if (order.product === 'SPOT' && this.spot?.hasLiveBalances && HOLD_EVENTS.has(event.type)) {
        this.setAccountPart('SPOT', this.spot.liveState());
      }
    });
    this.events$ = new Observable<ExecutionEvent>((subscriber) => {
      const inner = this.events.subscribe(subscriber);
      this.start();
      return inner;
    });
    this.accountState$ = new Observable<AccountState>((subscriber) => {
      const inner = this.accountStates.subscribe(subscriber);
      this.start();
      return inner;
    });
    this.walletStates$ = new Observable<AccountState>((subscriber) => {
      for (const [product, state] of this.accountParts) subscriber.next(walletState(product, state));
      const inner = this.walletUpdates.subscribe(subscriber);
      this.start();
      return inner;
    });
    this.errors$ = this.errors.asObservable();
  }

  /** Instruments known to this client (loaded on first need). */
  get instrumentSource(): InstrumentSource {
    return this.provider;
  }

  // --- lifecycle ------------------------------------------------------------------------------------------------

  /**
   * Opens the private sockets, confirms the credentials (a WebSocket token for Spot, a challenge for Futures)
   * and resolves once the first order snapshots are in. Rejects with the reason when a product type cannot
   * connect within `httpTimeoutSecs × 3`.
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new KrakenError('KrakenExecutionClient: closed'));
    if (this.fatal !== undefined) return Promise.reject(this.fatal);
    const waits: Observable<unknown>[] = [this.instruments.ensureLoaded()];
    if (this.spot) waits.push(this.spot.ready());
    if (this.futures) waits.push(this.futures.ready());
    // A failure the private streams will not recover from (bad credentials, no permission, refused feed) fails
    // connect at once; anything else (a malformed message, a dropped socket) the streams survive.
    const failures = this.errors.pipe(
      mergeMap((err) =>
        err instanceof KrakenConfigError ||
        err instanceof KrakenSubscriptionError ||
        (err instanceof KrakenApiError && !err.retryable) ||
        isTerminal(err)
          ? throwError(() => err)
          : EMPTY,
      ),
    );
    const ready$ = merge(
      failures,
      defer(() => {
        this.start(); // after `failures` listens, so that an immediate failure is seen
        return forkJoin(waits);
      }),
    ).pipe(
      timeout({
        first: this.config.httpTimeoutSecs * 3000,
        with: () => throwError(() => new KrakenError('connect: timed out waiting for the private streams')),
      }),
      map(() => undefined),
    );
    return firstValueFrom(ready$);
  }

  /** Stops the streams and closes the sockets; commands in flight are abandoned. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.live?.unsubscribe();
    for (const sub of [...this.detached]) sub.unsubscribe();
    this.detached.clear();
    await Promise.all([this.spot?.close(), this.futures?.close()]);
    this.ownProvider?.close();
    this.tracker.complete();
    this.events.complete();
    this.accountStates.complete();
    this.walletUpdates.complete();
    this.errors.complete();
  }

  /**
   * Teaches the client caller ids used in an earlier run, so that ids Kraken would refuse (mapped to UUIDs
   * when sent) read back as the caller's own in events and reports — also for orders already seen under their
   * UUID (any time: before or after `connect()`).
   */
  registerClientOrderIds(...clientOrderIds: readonly string[]): void {
    for (const { original, venue } of this.ids.register(...clientOrderIds)) this.adopt(original, venue);
  }

  // --- commands -------------------------------------------------------------------------------------------------

  /** Submits an order: emits `OrderSubmitted` then `OrderAccepted` or `OrderRejected` (or just `OrderDenied`). */
  submitOrder(cmd: SubmitOrder): Observable<OrderEvent> {
    return this.command(
      defer(() => this.withInstrument(cmd.instrumentId)).pipe(
        map((instrument): Prepared => {
          const product = instrument.productType;
          const refusal = this.productRefusal(product) ?? checkSubmitOrder(cmd, product);
          if (refusal !== undefined) return { events: [this.denied(cmd, instrument.id, refusal)] };
          const existing = this.tracker.byClientOrderId(cmd.clientOrderId);
          if (existing !== undefined && existing.status !== 'closed') {
            return {
              events: [
                this.denied(
                  cmd,
                  instrument.id,
                  `clientOrderId '${cmd.clientOrderId}' is already used by an open order`,
                ),
              ],
            };
          }
          let order: TrackedOrder;
          return {
            begin: () => {
              order = this.tracker.track({
                clientOrderId: cmd.clientOrderId,
                venueClientOrderId: this.ids.toVenue(cmd.clientOrderId),
                product,
                instrumentId: instrument.id,
                side: cmd.side,
                type: cmd.type,
                quantity: toDecimal(cmd.quantity),
                ...(cmd.price !== undefined ? { price: toDecimal(cmd.price) } : {}),
                ...(cmd.triggerPrice !== undefined ? { triggerPrice: toDecimal(cmd.triggerPrice) } : {}),
                ours: true,
                ts: this.now(),
              });
              return [order];
            },
            work: () =>
              instrument.kind === 'CurrencyPair'
                ? (this.spot as SpotVenue).submit(order, cmd, instrument)
                : (this.futures as FuturesVenue).submit(order, cmd, instrument),
            outcome: (event) => SUBMIT_OUTCOMES.has(event.type),
          };
        }),
        catchError((err: unknown) =>
          of<Prepared>({ events: [this.denied(cmd, instrumentIdOf(cmd.instrumentId), reasonOf(err))] }),
        ),
      ),
    );
  }

  /** Amends an open order: emits `OrderUpdated` or `OrderModifyRejected`. */
  modifyOrder(cmd: ModifyOrder): Observable<OrderEvent> {
    return this.command(
      this.resolveOrder(cmd).pipe(
        map(({ order, instrument, refusal }): Prepared => {
          const reason = refusal ?? checkModifyOrder(cmd, instrument.productType) ?? closedRefusal(order, 'modify');
          if (reason !== undefined || order === undefined) {
            return {
              events: [this.refusal('OrderModifyRejected', cmd, instrument.id, order, reason ?? 'unknown order')],
            };
          }
          return {
            begin: () => [order],
            work: () =>
              order.product === 'SPOT'
                ? (this.spot as SpotVenue).modify(order, cmd)
                : (this.futures as FuturesVenue).modify(order, cmd),
            outcome: (event) => MODIFY_OUTCOMES.has(event.type),
          };
        }),
        catchError((err: unknown) =>
          of<Prepared>({
            events: [
              this.refusal('OrderModifyRejected', cmd, instrumentIdOf(cmd.instrumentId), undefined, reasonOf(err)),
            ],
          }),
        ),
      ),
    );
  }

  /** Cancels an order: emits `OrderCanceled` or `OrderCancelRejected` (with Kraken's reason). */
  cancelOrder(cmd: CancelOrder): Observable<OrderEvent> {
    return this.batchCancelOrders([cmd]);
  }

  /** Cancels several orders, in batches of at most 50 per request: one event per order. */
  batchCancelOrders(cmds: readonly CancelOrder[] | BatchCancelOrders): Observable<OrderEvent> {
    const list = Array.isArray(cmds) ? (cmds as readonly CancelOrder[]) : (cmds as BatchCancelOrders).cancels;
    return this.command(
      from(list).pipe(
        mergeMap(
          (cmd) =>
            this.resolveOrder(cmd, { transient: true }).pipe(
              map((resolved) => ({ cmd, ...resolved })),
              catchError((err: unknown) =>
                of({ cmd, order: undefined, instrument: undefined, refusal: reasonOf(err) }),
              ),
            ),
          4,
        ),
        toArray(),
        map((resolved): Prepared => {
          const events: OrderEvent[] = [];
          const byProduct = new Map<KrakenProductType, TrackedOrder[]>();
          for (const { cmd, order, instrument, refusal } of resolved) {
            const reason = refusal ?? closedRefusal(order, 'cancel');
            if (reason !== undefined || order === undefined) {
              events.push(
                this.refusal(
                  'OrderCancelRejected',
                  cmd,
                  instrument?.id ?? instrumentIdOf(cmd.instrumentId),
                  order,
                  reason ?? 'unknown order',
                ),
              );
              continue;
            }
            const orders = byProduct.get(order.product) ?? [];
            if (!orders.includes(order)) orders.push(order);
            byProduct.set(order.product, orders);
          }
          const targets = [...byProduct.values()].flat();
          return {
            events,
            begin: () => targets,
            work: () =>
              merge(
                ...[...byProduct].map(([product, orders]) =>
                  product === 'SPOT'
                    ? (this.spot as SpotVenue).cancelMany(orders)
                    : (this.futures as FuturesVenue).cancelMany(orders),
                ),
              ),
            after: () => {
              for (const order of targets)
                if (!order.ours && order.status !== 'closed' && order.quantity.isZero()) this.tracker.forget(order);
            },
          };
        }),
      ),
    );
  }

  /**
   * Cancels every open order — Spot: of every symbol when no instrument is given; Futures: of `instrumentId`
   * (required). Optionally only one `side`. Emits one event per cancelled (or refused) order.
   */
  cancelAllOrders(cmd: CancelAllOrders = {}): Observable<OrderEvent> {
    return this.command(
      defer(() => {
        if (cmd.instrumentId === undefined) {
          if (!this.spot) {
            throw new KrakenConfigError(
              'instrumentId',
              'cancelAllOrders on Kraken Futures needs an instrumentId (cancelallorders per symbol)',
            );
          }
          if (this.futures)
            this.config.logger.info('cancelAllOrders without instrumentId: Spot only (Futures needs an instrumentId)');
          const spot = this.spot;
          return spot.knownOpenOrders().pipe(
            map((open): Prepared => {
              const targets = open.filter((o) => cmd.side === undefined || o.side === cmd.side);
              return {
                begin: () => targets,
                work: () => (cmd.side === undefined ? spot.cancelAll(targets) : spot.cancelMany(targets)),
              };
            }),
          );
        }
        return this.withInstrument(cmd.instrumentId).pipe(
          mergeMap((instrument) => {
            const refusal = this.productRefusal(instrument.productType);
            if (refusal !== undefined) throw new KrakenConfigError('instrumentId', refusal);
            const venue = isFuturesInstrument(instrument) ? (this.futures as FuturesVenue) : (this.spot as SpotVenue);
            return venue.knownOpenOrders().pipe(
              map((open): Prepared => {
                const targets = open.filter(
                  (o) => o.instrumentId.equals(instrument.id) && (cmd.side === undefined || o.side === cmd.side),
                );
                return {
                  begin: () => targets,
                  work: () =>
                    isFuturesInstrument(instrument) && cmd.side === undefined
                      ? (this.futures as FuturesVenue).cancelAll(instrument, targets)
                      : venue.cancelMany(targets),
                };
              }),
            );
          }),
        );
      }),
    );
  }

  // --- reports --------------------------------------------------------------------------------------------------

  /** Open orders and (unless `openOnly`) closed orders within start/end, Spot and Futures merged. */
  orderStatusReports(options: ReportQueryOptions = {}): Observable<OrderStatusReport> {
    return this.report(options, (venue, q) => venue.orderStatusReports(q));
  }

  /** Fills within start/end, Spot (`TradesHistory`) and Futures (`/fills`) merged. */
  fillReports(options: ReportQueryOptions = {}): Observable<FillReport> {
    return this.report(options, (venue, q) => venue.fillReports(q));
  }

  /** Futures open positions; Spot balances as LONG positions when `useSpotPositionReports` is on. */
  positionStatusReports(options: Pick<ReportQueryOptions, 'instrumentId'> = {}): Observable<PositionStatusReport> {
    return this.report(options, (venue, q) => venue.positionStatusReports(q));
  }

  /** Orders, fills and positions in one answer (orders and fills of the last `lookbackMins`, or all). */
  massStatus(options: { lookbackMins?: number } = {}): Observable<ExecutionMassStatus> {
    return defer(() => {
      const { lookbackMins } = options;
      if (lookbackMins !== undefined && !(Number.isFinite(lookbackMins) && lookbackMins > 0)) {
        throw new KrakenConfigError(
          'lookbackMins',
          `expected a positive number of minutes, got ${String(lookbackMins)}`,
        );
      }
      const window = lookbackMins !== undefined ? { start: this.now() - lookbackMins * 60_000 } : {};
      return forkJoin({
        orderReports: this.orderStatusReports(window).pipe(toArray()),
        fillReports: this.fillReports(window).pipe(toArray()),
        positionReports: this.positionStatusReports().pipe(toArray()),
      }).pipe(
        map(({ orderReports, fillReports, positionReports }) => ({
          clientId: KRAKEN,
          accountId: this.accountId,
          venue: KRAKEN,
          orderReports: withAveragePrices(orderReports, fillReports),
          fillReports: withClientOrderIds(fillReports, orderReports),
          positionReports,
          tsInit: this.now(),
        })),
      );
    });
  }

  // --- leverage -------------------------------------------------------------------------------------------------

  /** Futures symbols in isolated margin and their leverage caps (the others trade on cross margin). */
  leveragePreferences(): Observable<FuturesLeveragePreference[]> {
    return defer(() => this.requireFutures().leveragePreferences());
  }

  /**
   * Sets the leverage cap of a Futures instrument (isolated margin), or `null` to return it to cross margin;
   * refreshes the account state so its margins reflect the change. Emits the new setting.
   */
  setLeverage(instrumentId: InstrumentIdLike, maxLeverage: Decimal.Value | null): Observable<LeverageSetting> {
    return defer(() => {
      const futures = this.requireFutures();
      if (maxLeverage !== null && !new Decimal(maxLeverage).gt(0)) {
        throw new KrakenConfigError(
          'maxLeverage',
          `expected a positive number or null (cross margin), got ${String(maxLeverage)}`,
        );
      }
      return this.withInstrument(instrumentId).pipe(
        mergeMap((instrument) => {
          if (!isFuturesInstrument(instrument)) {
            throw new KrakenConfigError(
              'instrumentId',
              `leverage applies to Futures instruments, got '${instrument.id.toString()}'`,
            );
          }
          const level = maxLeverage === null ? null : new Decimal(maxLeverage);
          return this.raw.futures
            .setLeveragePreferences({ symbol: instrument.rawSymbol, ...(level !== null ? { maxLeverage: level } : {}) })
            .pipe(
              mergeMap(() =>
                futures.refreshState().pipe(
                  tap((state) => this.setAccountPart('FUTURES', state)),
                  catchError((err: unknown) => {
                    this.reportError(err, 'account refresh after setLeverage');
                    return EMPTY;
                  }),
                ),
              ),
              ignoreElements(),
              (done$: Observable<never>) =>
                concat(done$, of<LeverageSetting>({ instrumentId: instrument.id, maxLeverage: level })),
            );
        }),
      );
    });
  }

  toString(): string {
    return `KrakenExecutionClient(${this.config.productTypes.join(', ')}, ${this.accountId})`;
  }

  // --- machinery ------------------------------------------------------------------------------------------------

  /** Starts the private streams and the account state (once; until `close()`). */
  private start(): void {
    if (this.live || this.closed) return;
    const streams: Observable<never>[] = [];
    if (this.spot)
      streams.push(this.keepAlive(this.spot.live(), 'Spot private streams'), this.watch(this.spot.session.errors$));
    if (this.futures) {
      streams.push(
        this.keepAlive(this.futures.live(), 'Futures private streams'),
        this.watch(this.futures.session.errors$),
      );
    }
    streams.push(this.accountPipeline());
    this.live = merge(...streams).subscribe({ error: (err: unknown) => this.reportError(err, 'private streams') });
    this.live.add(
      this.instruments.ensureLoaded().subscribe({ error: (err: unknown) => this.reportError(err, 'instruments') }),
    );
  }

  /** Resubscribes a live stream after a failure, with backoff; a configuration error is final. */
  private keepAlive(stream: Observable<never>, what: string): Observable<never> {
    return stream.pipe(
      retry({
        delay: (err: unknown, attempt: number) => {
          this.reportError(err, what);
          if (err instanceof KrakenConfigError || !isRetryableError(err) || isTerminal(err)) {
            this.fatal ??= err instanceof Error ? err : new KrakenError(String(err));
            return throwError(() => err);
          }
          const delay = backoffDelayMs(attempt, {
            initialDelayMs: this.config.retryDelayInitialMs,
            maxDelayMs: this.config.retryDelayMaxMs,
          });
          return timer(delay, this.config.scheduler);
        },
        resetOnSuccess: true,
      }),
      catchError(() => EMPTY),
    );
  }

  private watch(errors$: Observable<Error>): Observable<never> {
    return errors$.pipe(
      tap((err) => this.reportError(err)),
      ignoreElements(),
    );
  }

  /** REST states first, then the live feeds' states, merged per product and published. */
  private accountPipeline(): Observable<never> {
    const initial: Observable<unknown>[] = [];
    const liveParts: Observable<unknown>[] = [];
    const venues: [KrakenProductType, SpotVenue | FuturesVenue | undefined][] = [
      ['SPOT', this.spot],
      ['FUTURES', this.futures],
    ];
    for (const [product, venue] of venues) {
      if (!venue || this.config.credentials(product) === undefined) continue;
      this.expectedParts.add(product);
      initial.push(
        venue.restState().pipe(
          tap((state) => {
            if (!venue.hasLiveBalances) this.setAccountPart(product, state);
          }),
          catchError((err: unknown) => {
            this.reportError(err, `${product} account state`);
            this.expectedParts.delete(product); // publish without it rather than never
            this.publishAccount();
            return EMPTY;
          }),
        ),
      );
      liveParts.push(venue.accountStates$.pipe(tap((state) => this.setAccountPart(product, state))));
    }
    return merge(...initial, ...liveParts).pipe(ignoreElements());
  }

  private setAccountPart(product: KrakenProductType, state: AccountState): void {
    if (this.closed) return;
    this.accountParts.set(product, state);
    const key = accountKey(state);
    if (this.walletKeys.get(product) !== key) {
      this.walletKeys.set(product, key);
      this.walletUpdates.next(walletState(product, state));
    }
    this.publishAccount();
  }

  /** Publishes the merged state once every configured product has a part (and then on every change). */
  private publishAccount(): void {
    if (this.closed || this.accountParts.size === 0) return;
    for (const product of this.expectedParts) if (!this.accountParts.has(product)) return;
    const merged = mergeAccountStates(this.accountId, [...this.accountParts.values()], this.now());
    const key = accountKey(merged);
    if (key === this.lastAccountKey) return; // nothing changed: no update
    this.lastAccountKey = key;
    this.accountStates.next(merged);
    this.events.next(merged);
  }

  private report<T>(
    options: ReportQueryOptions,
    each: (venue: SpotVenue | FuturesVenue, query: ReportQuery) => Observable<T>,
  ): Observable<T> {
    return defer(() => {
      const query = reportQuery(options);
      const venues = [this.spot, this.futures].filter((v): v is SpotVenue | FuturesVenue => v !== undefined);
      const product = query.instrumentId !== undefined ? productOf(query.instrumentId) : undefined;
      const chosen = venues.filter((v) => product === undefined || (product === 'SPOT') === v instanceof SpotVenue);
      return this.instruments.ensureLoaded().pipe(mergeMap(() => merge(...chosen.map((venue) => each(venue, query)))));
    });
  }

  /**
   * Runs a prepared command: emits its immediate events, then the events of its orders until its work ends (or
   * its outcome arrives). The work belongs to the client: unsubscribing does not stop it.
   */
  private command(prepare$: Observable<Prepared>): Observable<OrderEvent> {
    return new Observable<OrderEvent>((subscriber) => {
      if (this.closed) {
        subscriber.error(new KrakenError('KrakenExecutionClient: closed'));
        return undefined;
      }
      let changes: Subscription | undefined;
      const preparation = prepare$.subscribe({
        next: (prepared) => {
          for (const event of prepared.events ?? []) {
            this.events.next(event);
            subscriber.next(event);
          }
          if (!prepared.begin || !prepared.work) {
            subscriber.complete();
            return;
          }
          this.start();
          const targets = new Set<TrackedOrder>();
          const early: { order: TrackedOrder; event: OrderEvent }[] = [];
          let collecting = true;
          changes = this.tracker.changes$.subscribe((change) => {
            if (collecting) {
              early.push(change);
              return;
            }
            if (!targets.has(change.order)) return;
            subscriber.next(change.event);
            if (prepared.outcome?.(change.event)) subscriber.complete();
          });
          for (const order of prepared.begin()) targets.add(order);
          collecting = false;
          for (const change of early) {
            if (!targets.has(change.order)) continue;
            subscriber.next(change.event);
            if (prepared.outcome?.(change.event)) subscriber.complete();
          }
          if (targets.size === 0) {
            subscriber.complete();
            return;
          }
          const work = prepared.work;
          this.detach(
            defer(work).pipe(
              finalize(() => {
                prepared.after?.();
                subscriber.complete();
              }),
            ),
            'command',
          );
        },
        error: (err: unknown) => subscriber.error(err),
      });
      return () => {
        preparation.unsubscribe();
        changes?.unsubscribe();
      };
    });
  }

  private detach(work: Observable<unknown>, what: string): void {
    if (this.closed) return;
    let subscription: Subscription | undefined;
    let done = false;
    subscription = work.subscribe({
      error: (err: unknown) => {
        done = true;
        this.reportError(err, what);
        if (subscription) this.detached.delete(subscription);
      },
      complete: () => {
        done = true;
        if (subscription) this.detached.delete(subscription);
      },
    });
    if (!done) this.detached.add(subscription);
    else subscription = undefined;
  }

  private withInstrument(id: InstrumentIdLike): Observable<Instrument> {
    return defer(() => this.instruments.require(id));
  }

  /** Finds the order a modify/cancel addresses: tracked, or open at Kraken, or (cancel) a stand-in to send. */
  private resolveOrder(
    cmd: { clientOrderId: string; venueOrderId?: string; instrumentId: InstrumentIdLike },
    options: { transient?: boolean } = {},
  ): Observable<{ order?: TrackedOrder; instrument: Instrument; refusal?: string }> {
    return this.withInstrument(cmd.instrumentId).pipe(
      mergeMap((instrument) => {
        const product = instrument.productType;
        const refusal = this.productRefusal(product);
        if (refusal !== undefined) return of({ instrument, refusal });
        const find = () =>
          (cmd.venueOrderId !== undefined ? this.tracker.byVenueOrderId(cmd.venueOrderId) : undefined) ??
          this.tracker.byClientOrderId(cmd.clientOrderId) ??
          this.adopt(cmd.clientOrderId, this.ids.toVenue(cmd.clientOrderId), product);
        const known = find();
        if (known !== undefined) return of({ order: known, instrument });
        const venue = product === 'SPOT' ? (this.spot as SpotVenue) : (this.futures as FuturesVenue);
        return venue.knownOpenOrders().pipe(
          catchError((err: unknown) => {
            this.reportError(err, 'open orders lookup');
            return of([]);
          }),
          map(() => {
            const found = find();
            if (found !== undefined) return { order: found, instrument };
            if (!options.transient) {
              return {
                instrument,
                refusal: `unknown order: no open order with client order id '${cmd.clientOrderId}'`,
              };
            }
            // Not known here: send the cancel anyway, so Kraken says what it makes of it.
            const order = this.tracker.track(
              {
                clientOrderId: cmd.clientOrderId,
                venueClientOrderId: this.ids.toVenue(cmd.clientOrderId),
                ...(cmd.venueOrderId !== undefined ? { venueOrderId: cmd.venueOrderId } : {}),
                product,
                instrumentId: instrument.id,
                side: 'BUY',
                type: 'LIMIT',
                quantity: new Decimal(0),
                status: 'accepted',
                ours: false,
                ts: this.now(),
              },
              { silent: true },
            );
            return { order, instrument };
          }),
        );
      }),
    );
  }

  /**
   * An order tracked under the UUID a long caller id maps to (an order of an earlier run): it takes the caller's
   * id back. Returns it, if there is one.
   */
  private adopt(original: string, venue: string, product?: KrakenProductType): TrackedOrder | undefined {
    if (venue === original) return undefined;
    let found: TrackedOrder | undefined;
    for (const p of product !== undefined ? [product] : (['SPOT', 'FUTURES'] as const)) {
      const order = this.tracker.byVenueClientOrderId(p, venue);
      if (order === undefined) continue;
      if (order.clientOrderId.toLowerCase() === venue.toLowerCase()) this.tracker.relabel(order, original);
      if (order.clientOrderId === original) found ??= order;
    }
    return found;
  }

  private productRefusal(product: KrakenProductType): string | undefined {
    if (!this.config.has(product)) {
      return `${product} is not among this client's productTypes (${this.config.productTypes.join(', ')})`;
    }
    if (this.config.credentials(product) === undefined) {
      try {
        this.config.requireCredentials(product);
      } catch (err) {
        return reasonOf(err);
      }
    }
    return undefined;
  }

  private requireFutures(): FuturesVenue {
    if (!this.futures) throw new KrakenConfigError('productTypes', 'leverage needs FUTURES among the productTypes');
    return this.futures;
  }

  private denied(cmd: SubmitOrder, instrumentId: InstrumentId, reason: string): OrderEvent {
    const now = this.now();
    return {
      type: 'OrderDenied',
      clientOrderId: String(cmd.clientOrderId),
      instrumentId,
      accountId: this.accountId,
      reason,
      tsEvent: now,
      tsInit: now,
    };
  }

  private refusal(
    type: 'OrderModifyRejected' | 'OrderCancelRejected',
    cmd: { clientOrderId: string; venueOrderId?: string },
    instrumentId: InstrumentId,
    order: TrackedOrder | undefined,
    reason: string,
  ): OrderEvent {
    const now = this.now();
    const venueOrderId = order?.venueOrderId ?? cmd.venueOrderId;
    return {
      type,
      clientOrderId: order?.clientOrderId ?? String(cmd.clientOrderId),
      ...(venueOrderId !== undefined ? { venueOrderId } : {}),
      instrumentId,
      accountId: this.accountId,
      reason,
      tsEvent: now,
      tsInit: now,
    };
  }

  private reportError(error: unknown, context?: string): void {
    const err = error instanceof Error ? error : new KrakenError(String(error));
    this.config.logger.warn(`${context ? `${context}: ` : ''}${err.message}`);
    if (!this.closed) this.errors.next(err);
  }

  private now(): number {
    return this.config.scheduler.now();
  }
}

/** Order events that change what open Spot orders hold. */
const HOLD_EVENTS = new Set<OrderEvent['type']>([
  'OrderAccepted',
  'OrderCanceled',
  'OrderExpired',
  'OrderFilled',
  'OrderUpdated',
  'OrderRejected',
]);

/** A product's part of the account as its own wallet: the account id names the product (`KRAKEN-SPOT`, ...). */
function walletState(product: KrakenProductType, state: AccountState): AccountState {
  return { ...state, accountId: product === 'SPOT' ? KRAKEN_SPOT_ACCOUNT_ID : KRAKEN_FUTURES_ACCOUNT_ID };
}

/** The figures of a state, for telling a change from a repeat. */
function accountKey(state: AccountState): string {
  const balances = state.balances.map((b) => `${b.currency}:${b.total.toFixed()}:${b.locked.toFixed()}`).join(',');
  const margins = state.margins
    .map((m) => `${m.currency}:${m.instrumentId?.toString() ?? ''}:${m.initial.toFixed()}:${m.maintenance.toFixed()}`)
    .join(',');
  return `${state.accountType}|${balances}|${margins}`;
}

/**
 * Fills that came without a client order id (Spot `TradesHistory` has none) take their order's, when the order
 * reports of the same answer know it.
 */
function withClientOrderIds(fills: readonly FillReport[], orders: readonly OrderStatusReport[]): FillReport[] {
  const byVenueId = new Map<string, string>();
  for (const order of orders)
    if (order.clientOrderId !== undefined) byVenueId.set(order.venueOrderId, order.clientOrderId);
  return fills.map((fill) => {
    if (fill.clientOrderId !== undefined) return fill;
    const clientOrderId = byVenueId.get(fill.venueOrderId);
    return clientOrderId === undefined ? fill : { ...fill, clientOrderId };
  });
}

/**
 * Orders that came without an average fill price (Kraken Futures order history has none) take the one of their
 * fills in the same answer — only when those fills add up to the order's whole filled quantity.
 */
function withAveragePrices(orders: readonly OrderStatusReport[], fills: readonly FillReport[]): OrderStatusReport[] {
  const byOrder = new Map<string, { qty: Decimal; cost: Decimal }>();
  for (const fill of fills) {
    const sum = byOrder.get(fill.venueOrderId) ?? { qty: new Decimal(0), cost: new Decimal(0) };
    byOrder.set(fill.venueOrderId, {
      qty: sum.qty.plus(fill.lastQty),
      cost: sum.cost.plus(fill.lastQty.times(fill.lastPx)),
    });
  }
  return orders.map((order) => {
    if (order.avgPx !== undefined || order.filledQty.isZero()) return order;
    const sum = byOrder.get(order.venueOrderId);
    if (sum === undefined || !sum.qty.eq(order.filledQty)) return order;
    return { ...order, avgPx: sum.cost.div(sum.qty) };
  });
}

function closedRefusal(order: TrackedOrder | undefined, what: 'modify' | 'cancel'): string | undefined {
  if (order === undefined || order.status !== 'closed') return undefined;
  return `cannot ${what}: the order is already closed (${order.closeKind ?? 'closed'})`;
}

function instrumentIdOf(id: InstrumentIdLike): InstrumentId {
  try {
    return InstrumentId.from(id);
  } catch {
    return InstrumentId.of(typeof id === 'string' && id.length > 0 ? id : 'UNKNOWN', KRAKEN);
  }
}

/** Spot symbols contain `/`; Futures symbols carry a two-letter prefix (`PF_`, `FI_`, ...). */
function productOf(id: InstrumentId): KrakenProductType {
  return /^(PI|PF|FI|FF|FV|OF|OI)_/i.test(id.symbol) ? 'FUTURES' : 'SPOT';
}

function isTerminal(err: unknown): boolean {
  return err instanceof KrakenError && /refused the connection|gave nothing/.test(err.message);
}
