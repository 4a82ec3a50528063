/**
 * The execution client's memory of orders, and the one place order events are made.
 *
 * Every source of news about an order — a command's answer, the live stream (Spot `executions`, Futures
 * `open_orders`/`fills`), a reconciliation after a reconnect or a timeout — is turned into a fact and applied
 * here. The tracker decides whether the fact is news: it emits `OrderAccepted` once, a fill once per trade id,
 * one terminal event per order, an `OrderUpdated` only when something changed. So a fact may arrive from
 * several sources, in any order, and the events still come out exactly once.
 */
import Decimal from 'decimal.js';
import { Subject, type Observable, type SchedulerLike } from 'rxjs';
import type { InstrumentId, KrakenProductType } from '../model/identifiers';
import type { OrderEvent } from '../model/events';
import type { LiquiditySide, OrderSide, OrderType } from '../model/orders';

const ZERO = new Decimal(0);

export type TrackedStatus = 'submitted' | 'accepted' | 'closed';
export type CloseKind = 'canceled' | 'expired' | 'rejected' | 'filled';

/** What is known of an order. Mutable: only the tracker changes it. */
export interface TrackedOrder {
  /**
   * The caller's id (or, for an order placed elsewhere without one, Kraken's order id; or, for an order of an
   * earlier run whose id was mapped, the id sent to Kraken until the caller's id is known again).
   */
  clientOrderId: string;
  /** The id sent to Kraken (`cl_ord_id` / `cliOrdId`), when one was. */
  readonly venueClientOrderId?: string;
  venueOrderId?: string;
  readonly product: KrakenProductType;
  instrumentId: InstrumentId;
  side: OrderSide;
  type: OrderType;
  quantity: Decimal;
  price?: Decimal;
  triggerPrice?: Decimal;
  filledQty: Decimal;
  status: TrackedStatus;
  closeKind?: CloseKind;
  triggered: boolean;
  /** Submitted through this client (vs. found on the stream or in a report). */
  readonly ours: boolean;
  /** Sum of price × quantity of the fills seen. */
  filledCost: Decimal;
  /** When tracking began (for our submissions: when the order was sent), on the client's clock. */
  readonly tsTracked: number;
  tsLast: number;
}

export interface OrderInit {
  readonly clientOrderId: string;
  readonly venueClientOrderId?: string;
  readonly venueOrderId?: string;
  readonly product: KrakenProductType;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  readonly price?: Decimal;
  readonly triggerPrice?: Decimal;
  readonly filledQty?: Decimal;
  readonly status?: TrackedStatus;
  readonly triggered?: boolean;
  readonly ours: boolean;
  readonly ts: number;
}

export interface FillFact {
  readonly kind: 'fill';
  readonly tradeId: string;
  readonly lastQty: Decimal;
  readonly lastPx: Decimal;
  readonly commission: Decimal;
  readonly commissionCurrency: string;
  readonly liquiditySide: LiquiditySide;
  readonly ts: number;
}

export type OrderFact =
  | { readonly kind: 'accepted'; readonly ts: number }
  | { readonly kind: 'rejected'; readonly reason: string; readonly dueToPostOnly?: boolean; readonly ts: number }
  | {
      readonly kind: 'updated';
      readonly quantity?: Decimal;
      readonly price?: Decimal;
      readonly triggerPrice?: Decimal;
      readonly ts: number;
    }
  | { readonly kind: 'triggered'; readonly ts: number }
  | { readonly kind: 'canceled'; readonly reason?: string; readonly ts: number }
  | { readonly kind: 'expired'; readonly ts: number }
  | FillFact
  /** The order is known to be completely filled (its fills are applied separately). */
  | { readonly kind: 'filledOut'; readonly ts: number }
  | { readonly kind: 'modifyRejected'; readonly reason: string; readonly ts: number }
  | { readonly kind: 'cancelRejected'; readonly reason: string; readonly ts: number };

export interface TrackedEvent {
  readonly order: TrackedOrder;
  readonly event: OrderEvent;
}

const MAX_REMEMBERED_FILLS = 200_000;
const MAX_CLOSED_ORDERS = 20_000;

export class OrderTracker {
  private readonly orders = new Set<TrackedOrder>();
  private readonly byVenueId = new Map<string, TrackedOrder>();
  private readonly byVenueClientId = new Map<string, TrackedOrder>();
  private readonly byClientId = new Map<string, TrackedOrder>();
  private readonly fillIds = new Set<string>();
  private readonly fillOrder: string[] = [];
  private readonly closedOrder: TrackedOrder[] = [];
  private readonly orphans = new Map<string, (() => void)[]>();
  private readonly changes = new Subject<TrackedEvent>();
  /** Every event with the order it belongs to (hot). */
  readonly changes$: Observable<TrackedEvent> = this.changes.asObservable();

  constructor(
    private readonly accountId: string,
    private readonly scheduler: SchedulerLike,
  ) {}

  // --- lookups ------------------------------------------------------------------------------------------------

  byVenueOrderId(venueOrderId: string): TrackedOrder | undefined {
    return this.byVenueId.get(venueOrderId);
  }

  /** By the id sent to Kraken (`cl_ord_id` / `cliOrdId`); Futures echoes ids in any case. */
  byVenueClientOrderId(product: KrakenProductType, venueClientOrderId: string): TrackedOrder | undefined {
    return (
      this.byVenueClientId.get(`${product}:${venueClientOrderId}`) ??
      this.byVenueClientId.get(`${product}:${venueClientOrderId.toLowerCase()}`)
    );
  }

  /** The latest order with this caller id. */
  byClientOrderId(clientOrderId: string): TrackedOrder | undefined {
    return this.byClientId.get(clientOrderId);
  }

  /** Orders not yet closed, optionally of one product and instrument. */
  openOrders(product?: KrakenProductType, instrumentId?: InstrumentId): TrackedOrder[] {
    return [...this.orders].filter(
      (o) =>
        o.status !== 'closed' &&
        (product === undefined || o.product === product) &&
        (instrumentId === undefined || o.instrumentId.equals(instrumentId)),
    );
  }

  /** True while one of our submissions of `product` has no Kraken order id yet. */
  hasUnidentifiedSubmissions(product: KrakenProductType): boolean {
    for (const o of this.orders) {
      if (o.ours && o.product === product && o.status === 'submitted' && o.venueOrderId === undefined) return true;
    }
    return false;
  }

  hasSeenFill(tradeId: string): boolean {
    return this.fillIds.has(tradeId);
  }

  // --- changes --------------------------------------------------------------------------------------------------

  /** Starts tracking an order. Emits `OrderSubmitted` for our own submissions (unless `silent`). */
  track(init: OrderInit, options: { silent?: boolean } = {}): TrackedOrder {
    const order: TrackedOrder = {
      clientOrderId: init.clientOrderId,
      ...(init.venueClientOrderId !== undefined ? { venueClientOrderId: init.venueClientOrderId } : {}),
      product: init.product,
      instrumentId: init.instrumentId,
      side: init.side,
      type: init.type,
      quantity: init.quantity,
      ...(init.price !== undefined ? { price: init.price } : {}),
      ...(init.triggerPrice !== undefined ? { triggerPrice: init.triggerPrice } : {}),
      filledQty: init.filledQty ?? ZERO,
      filledCost: ZERO,
      status: init.status ?? 'submitted',
      triggered: init.triggered ?? false,
      ours: init.ours,
      tsTracked: init.ts,
      tsLast: init.ts,
    };
    this.orders.add(order);
    this.byClientId.set(order.clientOrderId, order);
    if (order.venueClientOrderId !== undefined) {
      this.byVenueClientId.set(`${order.product}:${order.venueClientOrderId}`, order);
      this.byVenueClientId.set(`${order.product}:${order.venueClientOrderId.toLowerCase()}`, order);
    }
    if (init.venueOrderId !== undefined) this.identify(order, init.venueOrderId);
    if (order.status === 'closed') this.rememberClosed(order);
    if (init.ours && order.status === 'submitted' && !options.silent) {
      this.emit(order, { type: 'OrderSubmitted', ...this.base(order, init.ts) });
    }
    return order;
  }

  /** Records Kraken's order id; runs whatever was parked waiting for it. */
  identify(order: TrackedOrder, venueOrderId: string): void {
    if (order.venueOrderId === undefined) order.venueOrderId = venueOrderId;
    this.byVenueId.set(venueOrderId, order);
    const parked = this.orphans.get(venueOrderId);
    if (parked) {
      this.orphans.delete(venueOrderId);
      for (const run of parked) run();
    }
  }

  /**
   * Holds news about an unknown order id while one of our submissions is still unidentified: it may be that
   * order, reported by the stream before the placement's answer came back.
   */
  park(venueOrderId: string, run: () => void): void {
    const list = this.orphans.get(venueOrderId);
    if (list) list.push(run);
    else this.orphans.set(venueOrderId, [run]);
  }

  /** Runs parked news once no submission of `product` is waiting for its id (the orders were someone else's). */
  releaseOrphans(product: KrakenProductType): void {
    if (this.hasUnidentifiedSubmissions(product) || this.orphans.size === 0) return;
    const all = [...this.orphans.values()];
    this.orphans.clear();
    for (const list of all) for (const run of list) run();
  }

  /** Applies a fact; emits the event(s) it means, unless `silent` (state is updated either way). */
  apply(order: TrackedOrder, fact: OrderFact, options: { silent?: boolean } = {}): OrderEvent[] {
    const out: OrderEvent[] = [];
    const emit = (event: OrderEvent): void => {
      if (options.silent) return;
      out.push(event);
      this.emit(order, event);
    };
    const ensureAccepted = (ts: number): void => {
      if (order.status !== 'submitted' || order.venueOrderId === undefined) return;
      order.status = 'accepted';
      emit({ type: 'OrderAccepted', ...this.base(order, ts), venueOrderId: order.venueOrderId });
    };
    order.tsLast = Math.max(order.tsLast, fact.ts);
    switch (fact.kind) {
      case 'accepted':
        ensureAccepted(fact.ts);
        break;
      case 'rejected':
        if (order.status === 'submitted') {
          this.close(order, 'rejected');
          emit({
            type: 'OrderRejected',
            ...this.base(order, fact.ts),
            reason: fact.reason,
            ...(fact.dueToPostOnly ? { dueToPostOnly: true } : {}),
          });
        } else if (order.status === 'accepted') {
          this.close(order, 'canceled');
          emit({ type: 'OrderCanceled', ...this.base(order, fact.ts), reason: fact.reason });
        }
        break;
      case 'updated': {
        if (order.status === 'closed') break;
        const quantity = fact.quantity ?? order.quantity;
        const price = fact.price ?? order.price;
        const triggerPrice = fact.triggerPrice ?? order.triggerPrice;
        const changed =
          !quantity.eq(order.quantity) ||
          !sameDecimal(price, order.price) ||
          !sameDecimal(triggerPrice, order.triggerPrice);
        if (!changed) break;
        ensureAccepted(fact.ts);
        order.quantity = quantity;
        if (price !== undefined) order.price = price;
        if (triggerPrice !== undefined) order.triggerPrice = triggerPrice;
        emit({
          type: 'OrderUpdated',
          ...this.base(order, fact.ts),
          quantity,
          ...(price !== undefined ? { price } : {}),
          ...(triggerPrice !== undefined ? { triggerPrice } : {}),
        });
        if (order.filledQty.gte(order.quantity) && order.filledQty.gt(0)) this.close(order, 'filled');
        break;
      }
      case 'triggered':
        if (order.triggered || order.status === 'closed') break;
        ensureAccepted(fact.ts);
        order.triggered = true;
        emit({ type: 'OrderTriggered', ...this.base(order, fact.ts) });
        break;
      case 'canceled':
        if (order.status === 'closed') break;
        ensureAccepted(fact.ts);
        this.close(order, 'canceled');
        emit({ type: 'OrderCanceled', ...this.base(order, fact.ts), ...(fact.reason ? { reason: fact.reason } : {}) });
        break;
      case 'expired':
        if (order.status === 'closed') break;
        ensureAccepted(fact.ts);
        this.close(order, 'expired');
        emit({ type: 'OrderExpired', ...this.base(order, fact.ts) });
        break;
      case 'fill': {
        if (this.fillIds.has(fact.tradeId)) break;
        this.rememberFill(fact.tradeId);
        ensureAccepted(fact.ts);
        order.filledQty = order.filledQty.plus(fact.lastQty);
        order.filledCost = order.filledCost.plus(fact.lastQty.times(fact.lastPx));
        if (order.status !== 'closed' && order.filledQty.gte(order.quantity)) this.close(order, 'filled');
        emit({
          type: 'OrderFilled',
          ...this.base(order, fact.ts),
          venueOrderId: order.venueOrderId ?? '',
          tradeId: fact.tradeId,
          orderSide: order.side,
          orderType: order.type,
          lastQty: fact.lastQty,
          lastPx: fact.lastPx,
          commission: fact.commission,
          commissionCurrency: fact.commissionCurrency,
          liquiditySide: fact.liquiditySide,
        });
        break;
      }
      case 'filledOut':
        if (order.status === 'closed') break;
        ensureAccepted(fact.ts);
        this.close(order, 'filled');
        break;
      case 'modifyRejected':
        emit({ type: 'OrderModifyRejected', ...this.base(order, fact.ts), reason: fact.reason });
        break;
      case 'cancelRejected':
        emit({ type: 'OrderCancelRejected', ...this.base(order, fact.ts), reason: fact.reason });
        break;
    }
    return out;
  }

  /** Marks a fill as seen without an event (fills that happened before this client started). */
  rememberFill(tradeId: string): void {
    if (this.fillIds.has(tradeId)) return;
    this.fillIds.add(tradeId);
    this.fillOrder.push(tradeId);
    if (this.fillOrder.length > MAX_REMEMBERED_FILLS) {
      const dropped = this.fillOrder.splice(0, this.fillOrder.length - MAX_REMEMBERED_FILLS);
      for (const id of dropped) this.fillIds.delete(id);
    }
  }

  /** An event that is not about state (a locally refused command), emitted for an order as it is. */
  emitFor(order: TrackedOrder, event: OrderEvent): void {
    this.emit(order, event);
  }

  /**
   * Gives an order known by the id sent to Kraken (a UUID mapped from a longer caller id, seen after a restart)
   * the caller's id back; its later events carry it.
   */
  relabel(order: TrackedOrder, clientOrderId: string): void {
    if (order.clientOrderId === clientOrderId) return;
    if (this.byClientId.get(order.clientOrderId) === order) this.byClientId.delete(order.clientOrderId);
    order.clientOrderId = clientOrderId;
    this.byClientId.set(clientOrderId, order);
  }

  /** Stops tracking an order that turned out not to exist (a cancel of an unknown order). */
  forget(order: TrackedOrder): void {
    if (order.status !== 'closed') {
      order.status = 'closed';
      order.closeKind = 'canceled';
    }
    this.orders.delete(order);
    if (order.venueOrderId !== undefined && this.byVenueId.get(order.venueOrderId) === order) {
      this.byVenueId.delete(order.venueOrderId);
    }
    if (this.byClientId.get(order.clientOrderId) === order) this.byClientId.delete(order.clientOrderId);
    if (order.venueClientOrderId !== undefined) {
      for (const key of [
        `${order.product}:${order.venueClientOrderId}`,
        `${order.product}:${order.venueClientOrderId.toLowerCase()}`,
      ]) {
        if (this.byVenueClientId.get(key) === order) this.byVenueClientId.delete(key);
      }
    }
  }

  complete(): void {
    this.changes.complete();
  }

  // --- internals ------------------------------------------------------------------------------------------------

  private close(order: TrackedOrder, kind: CloseKind): void {
    order.status = 'closed';
    order.closeKind = kind;
    this.rememberClosed(order);
  }

  private rememberClosed(order: TrackedOrder): void {
    this.closedOrder.push(order);
    if (this.closedOrder.length <= MAX_CLOSED_ORDERS) return;
    for (const old of this.closedOrder.splice(0, this.closedOrder.length - MAX_CLOSED_ORDERS)) {
      this.orders.delete(old);
      if (old.venueOrderId !== undefined && this.byVenueId.get(old.venueOrderId) === old) {
        this.byVenueId.delete(old.venueOrderId);
      }
      if (this.byClientId.get(old.clientOrderId) === old) this.byClientId.delete(old.clientOrderId);
      if (old.venueClientOrderId !== undefined) {
        for (const key of [
          `${old.product}:${old.venueClientOrderId}`,
          `${old.product}:${old.venueClientOrderId.toLowerCase()}`,
        ]) {
          if (this.byVenueClientId.get(key) === old) this.byVenueClientId.delete(key);
        }
      }
    }
  }

  private base(order: TrackedOrder, ts: number) {
    return {
      clientOrderId: order.clientOrderId,
      ...(order.venueOrderId !== undefined ? { venueOrderId: order.venueOrderId } : {}),
      instrumentId: order.instrumentId,
      accountId: this.accountId,
      tsEvent: ts,
      tsInit: this.scheduler.now(),
    };
  }

  private emit(order: TrackedOrder, event: OrderEvent): void {
    this.changes.next({ order, event });
  }
}

function sameDecimal(a: Decimal | undefined, b: Decimal | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.eq(b);
}
