/**
 * The futures layer's own state next to the engine: what Kraken Futures remembers that the matching engine
 * does not (History API event logs, the account log, mark/index candles, funding, leverage and PnL
 * preferences, the last known state of each order) and a stream of `open_orders` updates derived from the
 * engine's events. The REST, History, Charts and WS modules read it; the engine stays wire-agnostic.
 */
import Decimal from 'decimal.js';
import { Subject, type Subscription } from 'rxjs';
import type { SimContext } from '../context';
import type { FuturesPosition } from '../engine/accounts';
import { notional } from '../engine/accounts';
import type { EngineEvent, EngineFill, EngineOrder } from '../engine/engine';
import { IdFactory } from '../engine/ids';
import type { FuturesContractDef } from '../engine/instruments';
import { MAX_MINUTE_BARS, MINUTE_MS } from '../engine/market';
import { Prng } from '../engine/prng';
import {
  absoluteFundingRate,
  futuresTypeOf,
  isUntriggered,
  iso,
  nextFundingTime,
  relativeFundingRate,
  str,
} from './format';

const ZERO = new Decimal(0);
const HOUR_MS = 3_600_000;

/** One message of the WS `open_orders` feeds. */
export interface OpenOrderUpdate {
  readonly order: EngineOrder;
  readonly isCancel: boolean;
  readonly reason: string;
  /** Write the `order` object (removals by the user carry only `order_id`). */
  readonly withOrder: boolean;
  /** Only `open_orders_verbose` shows it (post-only orders rejected for crossing). */
  readonly verboseOnly: boolean;
}

/** An element of a History API log (`/api/history/v3/orders|triggers|executions`). */
export interface HistoryElement {
  /** Position in the log (for continuation tokens). */
  readonly seq: number;
  readonly uid: string;
  readonly timestamp: number;
  readonly symbol: string;
  /** For `opened`/`closed` filters of the orders log. */
  readonly kind?: 'opened' | 'closed' | 'updated';
  readonly event: Record<string, unknown>;
}

/** An entry of the account log (REST `account-log`, WS `account_log`). */
export type AccountLogEntry = Record<string, unknown> & { readonly id: number; readonly time: number };

export interface FundingRecord {
  readonly timestamp: number;
  readonly fundingRate: number;
  readonly relativeFundingRate: number;
}

interface PriceCandle {
  readonly time: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
}

/** Kraken's `orders/status` `updateReason` / `error` of an order's last change. */
export interface LastChange {
  readonly updateReason: string;
  readonly error: string | null;
  readonly rejected: boolean;
}

export class FuturesVenue {
  readonly accountId: string;
  /** The account's UUID, shown as `account` on the WS feeds and `accountUid` on the History API. */
  readonly accountUid: string;
  readonly ids: IdFactory;
  readonly orderUpdates$ = new Subject<OpenOrderUpdate>();
  readonly accountLog$ = new Subject<AccountLogEntry>();
  /** Funding was paid or received (balances changed outside the engine). */
  readonly funding$ = new Subject<void>();
  readonly ordersLog: HistoryElement[] = [];
  readonly triggersLog: HistoryElement[] = [];
  readonly executionsLog: HistoryElement[] = [];
  readonly accountLog: AccountLogEntry[] = [];
  readonly fundingHistory = new Map<string, FundingRecord[]>();
  /** `maxLeverage` per flex symbol (isolated margin); absent = cross. */
  readonly leverage = new Map<string, Decimal>();
  /** `pnlCurrency` per flex symbol; absent = USD. */
  readonly pnlCurrency = new Map<string, string>();
  readonly lastChange = new Map<string, LastChange>();
  private readonly markCandles = new Map<string, PriceCandle[]>();
  private readonly indexCandles = new Map<string, PriceCandle[]>();
  private readonly known = new Map<string, EngineOrder>();
  private readonly suppressed = new Set<string>();
  private readonly positions = new Map<string, { size: Decimal; price: Decimal }>();
  private readonly transitions = new Map<
    string,
    { old: { size: Decimal; price: Decimal }; now: { size: Decimal; price: Decimal } }
  >();
  private readonly counterparties = new Map<string, string>();
  private capture: EngineEvent[] | undefined;
  private nextSeq = 1;
  private readonly subscription: Subscription;

  constructor(private readonly ctx: SimContext) {
    this.accountId = ctx.credentials.futures.accountId;
    const prng = Prng.derive(ctx.seed, 'futures');
    this.ids = new IdFactory(prng);
    this.accountUid = this.ids.uuid();
    this.subscription = ctx.engine.events$.subscribe((event) => this.onEvent(event));
    const now = ctx.clock.now();
    const first = ctx.clock.setTimeout(
      () => {
        this.fundingTick();
        const every = ctx.clock.setInterval(() => this.fundingTick(), HOUR_MS);
        ctx.onStop(() => every.cancel());
      },
      nextFundingTime(now) - now,
    );
    ctx.onStop(() => {
      first.cancel();
      this.subscription.unsubscribe();
      this.orderUpdates$.complete();
      this.accountLog$.complete();
      this.funding$.complete();
    });
  }

  get contracts(): readonly FuturesContractDef[] {
    return this.ctx.engine.instruments.futures;
  }

  contract(symbol: string): FuturesContractDef | undefined {
    return this.ctx.engine.instruments.futuresBySymbol(symbol);
  }

  /** Runs `fn` (an engine call) and returns the engine events it caused, in order. */
  captureEvents<T>(fn: () => T): { result: T; events: EngineEvent[] } {
    const outer = this.capture;
    const events: EngineEvent[] = [];
    this.capture = events;
    try {
      return { result: fn(), events };
    } finally {
      this.capture = outer;
      if (outer) outer.push(...events);
    }
  }

  /** The last state of an order this layer saw before the current event. */
  knownOrder(id: string): EngineOrder | undefined {
    return this.known.get(id);
  }

  // ---- funding -----------------------------------------------------------------------------------------------------

  /** Relative funding rate the next payment would use (from the current premium). */
  predictedRelativeRate(symbol: string): number {
    const market = this.ctx.engine.market(symbol);
    return market ? relativeFundingRate(market.basis) : 0;
  }

  /** The rate fixed at the last hourly payment, or the prediction before the first. */
  currentFunding(symbol: string): { relative: number; absolute: number } {
    const records = this.fundingHistory.get(symbol);
    const last = records?.[records.length - 1];
    if (last) return { relative: last.relativeFundingRate, absolute: last.fundingRate };
    const contract = this.contract(symbol) as FuturesContractDef;
    const relative = this.predictedRelativeRate(symbol);
    return { relative, absolute: absoluteFundingRate(contract, relative, this.ctx.engine.markPrice(symbol)) };
  }

  private fundingTick(): void {
    const engine = this.ctx.engine;
    const now = this.ctx.clock.now();
    const account = engine.futuresAccount(this.accountId);
    let paid = false;
    for (const contract of this.contracts) {
      if (contract.lastTradingTime !== undefined) continue;
      const mark = engine.markPrice(contract.symbol);
      const relative = this.predictedRelativeRate(contract.symbol);
      const record = {
        timestamp: now,
        fundingRate: absoluteFundingRate(contract, relative, mark),
        relativeFundingRate: relative,
      };
      const list = this.fundingHistory.get(contract.symbol) ?? [];
      list.push(record);
      this.fundingHistory.set(contract.symbol, list);
      const position = account?.position(contract.symbol);
      if (!account || !position || relative === 0) continue;
      // Longs pay shorts when the rate is positive.
      const amount = notional(contract, position.size, mark)
        .mul(relative)
        .mul(position.size.isPositive() ? -1 : 1);
      const wallet = this.walletBalance(contract);
      account.settle(contract, amount);
      paid = true;
      this.appendAccountLog({
        asset: (contract.type === 'futures_inverse' ? contract.settlementCurrency : 'usd').toLowerCase(),
        info: 'funding rate change',
        margin_account: contract.marginAccount ?? 'flex',
        old_balance: wallet.toNumber(),
        new_balance: this.walletBalance(contract).toNumber(),
        old_average_entry_price: position.price.toNumber(),
        new_average_entry_price: position.price.toNumber(),
        trade_price: null,
        mark_price: mark.toNumber(),
        realized_pnl: null,
        fee: null,
        execution: null,
        collateral: contract.type === 'futures_inverse' ? contract.base : 'USD',
        contract: contract.symbol,
        funding_rate: record.fundingRate,
        realized_funding: amount.toNumber(),
      });
    }
    if (paid) this.funding$.next();
  }

  private walletBalance(contract: FuturesContractDef): Decimal {
    const account = this.ctx.engine.futuresAccount(this.accountId);
    if (!account) return ZERO;
    if (contract.type === 'futures_inverse' && contract.marginAccount) {
      return account.marginAccounts.get(contract.marginAccount)?.balance ?? ZERO;
    }
    return account.flex.get('USD') ?? ZERO;
  }

  // ---- mark / index candles --------------------------------------------------------------------------------------

  /** One-minute candles of the mark (`mark`) or index (`spot`) price, oldest first. */
  priceCandles(kind: 'mark' | 'spot', symbol: string): readonly PriceCandle[] {
    return (kind === 'mark' ? this.markCandles : this.indexCandles).get(symbol) ?? [];
  }

  private recordPrice(map: Map<string, PriceCandle[]>, symbol: string, price: Decimal, time: number): void {
    const list = map.get(symbol) ?? [];
    map.set(symbol, list);
    const start = Math.floor(time / MINUTE_MS) * MINUTE_MS;
    const last = list[list.length - 1];
    if (!last || last.time < start) {
      list.push({ time: start, open: price, high: price, low: price, close: price });
      if (list.length > MAX_MINUTE_BARS + 1000) list.splice(0, list.length - MAX_MINUTE_BARS);
      return;
    }
    if (price.gt(last.high)) last.high = price;
    if (price.lt(last.low)) last.low = price;
    last.close = price;
  }

  // ---- engine events -----------------------------------------------------------------------------------------------

  private onEvent(event: EngineEvent): void {
    this.capture?.push(event);
    switch (event.type) {
      case 'tick': {
        if (!this.contract(event.symbol)) return;
        this.recordPrice(this.markCandles, event.symbol, this.ctx.engine.markPrice(event.symbol), event.time);
        this.recordPrice(this.indexCandles, event.symbol, this.ctx.engine.indexPrice(event.symbol), event.time);
        return;
      }
      case 'futuresAccount': {
        if (event.accountId !== this.accountId || !event.symbol || !event.position) return;
        const old = this.positions.get(event.symbol) ?? { size: ZERO, price: ZERO };
        const now = { size: event.position.size, price: event.position.price };
        this.transitions.set(event.symbol, { old, now });
        this.positions.set(event.symbol, now);
        return;
      }
      case 'fill':
        if (event.fill.accountId !== this.accountId || event.order.venue !== 'futures') return;
        this.onFill(event.fill, event.order);
        return;
      case 'order':
        if (event.order.accountId !== this.accountId || event.order.venue !== 'futures') return;
        this.onOrder(event.exec, event.order);
        return;
      default:
        return;
    }
  }

  private onOrder(exec: string, order: EngineOrder): void {
    const previous = this.known.get(order.id);
    this.known.set(order.id, order);
    switch (exec) {
      case 'new': {
        if (order.postOnly && order.limitPrice && this.wouldTake(order)) {
          // The engine cancels it right away; only the verbose feed hears of it.
          this.suppressed.add(order.id);
          return;
        }
        this.setChange(order, 'NEW_USER_ORDER', null);
        this.emitUpdate(order, false, 'new_placed_order_by_user', true);
        if (isUntriggered(order)) {
          this.log(this.triggersLog, order, 'opened', { OrderTriggerPlaced: { order: this.historyTrigger(order) } });
        } else {
          this.log(this.ordersLog, order, 'opened', {
            OrderPlaced: { order: this.historyOrder(order), reason: 'new_user_order', reducedQuantity: '' },
          });
        }
        return;
      }
      case 'triggered': {
        this.setChange(order, order.limitPrice ? 'LIMIT_FROM_STOP' : 'STOP_ORDER_TRIGGERED', null);
        this.emitUpdate(order, false, order.limitPrice ? 'limit_order_from_stop' : 'stop_order_triggered', true);
        this.log(this.triggersLog, order, 'closed', {
          OrderTriggerActivated: { order: this.historyTrigger(previous ?? order) },
        });
        this.log(this.ordersLog, order, 'opened', {
          OrderPlaced: { order: this.historyOrder(order), reason: 'stop_order_triggered', reducedQuantity: '' },
        });
        return;
      }
      case 'amended': {
        this.setChange(order, 'EDITED_BY_USER', null);
        this.emitUpdate(order, false, 'edited_by_user', true);
        const log = isUntriggered(order) ? this.triggersLog : this.ordersLog;
        log.push(
          this.element(order, 'updated', {
            OrderUpdated: {
              oldOrder: previous ? this.historyOrder(previous) : null,
              newOrder: this.historyOrder(order),
              reason: 'edited_by_user',
              reducedQuantity: '',
            },
          }),
        );
        return;
      }
      case 'filled': {
        this.setChange(order, 'FULL_FILL', null);
        this.emitUpdate(order, true, 'full_fill', true);
        return;
      }
      case 'canceled':
      case 'expired': {
        const { reason, updateReason, error, withOrder } = cancelReason(order, exec);
        const suppressed = this.suppressed.delete(order.id);
        this.setChange(order, updateReason, error, error !== null && order.filled.isZero());
        if (suppressed) {
          this.orderUpdates$.next({ order, isCancel: true, reason, withOrder: true, verboseOnly: true });
        } else {
          this.emitUpdate(order, true, reason, withOrder);
        }
        if (isUntriggered(order)) {
          this.log(this.triggersLog, order, 'closed', {
            OrderTriggerCancelled: { order: this.historyTrigger(order), reason },
          });
        } else if (error !== null && order.filled.isZero()) {
          this.log(this.ordersLog, order, 'closed', {
            OrderRejected: { order: this.historyOrder(order), orderError: error, reason },
          });
        } else {
          this.log(this.ordersLog, order, 'closed', { OrderCancelled: { order: this.historyOrder(order), reason } });
        }
        return;
      }
      default:
        return;
    }
  }

  private onFill(fill: EngineFill, order: EngineOrder): void {
    const before = this.known.get(order.id) ?? order;
    this.known.set(order.id, order);
    const complete = order.status === 'closed';
    if (!complete) {
      this.setChange(order, 'PARTIAL_FILL', null);
      this.emitUpdate(order, false, 'partial_fill', true);
    }
    this.log(this.ordersLog, order, complete ? 'closed' : 'updated', {
      OrderUpdated: {
        oldOrder: this.historyOrder(before),
        newOrder: this.historyOrder(order),
        reason: complete ? 'full_fill' : 'partial_fill',
        reducedQuantity: '',
      },
    });
    this.logExecution(fill, order);
    const contract = this.contract(fill.symbol) as FuturesContractDef;
    const transition = this.transitions.get(fill.symbol);
    const mark = this.ctx.engine.markPrice(fill.symbol);
    this.appendAccountLog({
      asset: fill.symbol.toLowerCase(),
      info: 'futures trade',
      margin_account: contract.marginAccount ?? 'flex',
      old_balance: transition ? transition.old.size.toNumber() : 0,
      new_balance: transition ? transition.now.size.toNumber() : 0,
      old_average_entry_price: transition && !transition.old.size.isZero() ? transition.old.price.toNumber() : null,
      new_average_entry_price: transition && !transition.now.size.isZero() ? transition.now.price.toNumber() : null,
      trade_price: fill.price.toNumber(),
      mark_price: mark.toNumber(),
      realized_pnl: fill.realizedPnl ? fill.realizedPnl.toNumber() : null,
      fee: fill.fee.toNumber(),
      execution: fill.uid,
      collateral: contract.type === 'futures_inverse' ? contract.base : 'USD',
      contract: fill.symbol,
      funding_rate: null,
      realized_funding: null,
    });
  }

  private wouldTake(order: EngineOrder): boolean {
    const book = this.ctx.engine.market(order.symbol)?.book;
    const best = book?.best(order.side === 'buy' ? 'sell' : 'buy');
    if (!best || !order.limitPrice) return false;
    return order.side === 'buy' ? best.price.lte(order.limitPrice) : best.price.gte(order.limitPrice);
  }

  private emitUpdate(order: EngineOrder, isCancel: boolean, reason: string, withOrder: boolean): void {
    this.orderUpdates$.next({ order, isCancel, reason, withOrder, verboseOnly: false });
  }

  private setChange(order: EngineOrder, updateReason: string, error: string | null, rejected = false): void {
    this.lastChange.set(order.id, { updateReason, error, rejected });
  }

  // ---- History API records -----------------------------------------------------------------------------------------

  private element(order: EngineOrder, kind: HistoryElement['kind'], event: Record<string, unknown>): HistoryElement {
    return {
      seq: this.nextSeq++,
      uid: this.ids.uuid(),
      timestamp: this.ctx.clock.now(),
      symbol: order.symbol,
      kind,
      event,
    };
  }

  private log(
    target: HistoryElement[],
    order: EngineOrder,
    kind: HistoryElement['kind'],
    event: Record<string, unknown>,
  ): void {
    target.push(this.element(order, kind, event));
  }

  /** A History API order (quantities as strings, times in ms). */
  historyOrder(order: EngineOrder, withAccount = true): Record<string, unknown> {
    const type = futuresTypeOf(order);
    return {
      uid: order.id,
      ...(withAccount ? { accountUid: this.accountUid } : {}),
      tradeable: order.symbol,
      direction: order.side === 'buy' ? 'Buy' : 'Sell',
      quantity: str(order.qty),
      filled: str(order.filled),
      timestamp: order.openTime,
      limitPrice: order.limitPrice ? str(order.limitPrice) : null,
      orderType: HISTORY_ORDER_TYPES[type],
      clientId: order.clOrdId ?? '',
      reduceOnly: order.reduceOnly,
      lastUpdateTimestamp: order.lastUpdate,
      spotData: null,
    };
  }

  private historyTrigger(order: EngineOrder): Record<string, unknown> {
    return {
      ...this.historyOrder(order),
      triggerPrice: str(order.triggerPrice),
      triggerSide: order.type.startsWith('stop-loss') === (order.side === 'buy') ? 'TRIGGER_ABOVE' : 'TRIGGER_BELOW',
      triggerSignal: `${order.triggerReference === 'index' ? 'SPOT' : order.triggerReference.toUpperCase()}_PRICE`,
    };
  }

  private logExecution(fill: EngineFill, order: EngineOrder): void {
    const trade = this.ctx.engine.market(fill.symbol)?.trades.find((t) => t.id === fill.publicTradeId);
    const mine = this.historyOrder(order);
    const otherSide = fill.side === 'buy' ? 'Sell' : 'Buy';
    const otherId = trade ? (fill.liquidity === 'maker' ? trade.takerOrderId : trade.makerOrderId) : 'unknown';
    const otherUid = this.publicOrderUid(otherId);
    const other = {
      uid: otherUid,
      tradeable: fill.symbol,
      direction: otherSide,
      quantity: str(fill.qty),
      filled: str(fill.qty),
      timestamp: fill.time,
      limitPrice: str(fill.price),
      orderType: fill.liquidity === 'maker' ? (trade?.ordType === 'market' ? 'Market' : 'Limit') : 'Limit',
      clientId: '',
      reduceOnly: false,
      lastUpdateTimestamp: fill.time,
    };
    const position = this.transitions.get(fill.symbol)?.now.size ?? ZERO;
    const contract = this.contract(fill.symbol) as FuturesContractDef;
    const usdValue =
      contract.type === 'futures_inverse' ? fill.qty.mul(contract.contractSize) : fill.qty.mul(fill.price);
    const myData = { fee: str(fill.fee), positionSize: str(position) };
    const execution = {
      uid: fill.uid,
      makerOrder: fill.liquidity === 'maker' ? mine : other,
      takerOrder: fill.liquidity === 'taker' ? mine : other,
      timestamp: fill.time,
      quantity: str(fill.qty),
      price: str(fill.price),
      markPrice: str(this.ctx.engine.markPrice(fill.symbol)),
      limitFilled: order.status === 'closed',
      usdValue: str(usdValue),
      ...(fill.liquidity === 'maker' ? { makerOrderData: myData } : { takerOrderData: myData }),
    };
    this.executionsLog.push({
      seq: this.nextSeq++,
      uid: this.ids.uuid(),
      timestamp: fill.time,
      symbol: fill.symbol,
      event: { execution: { execution, takerReducedQuantity: '' } },
    });
  }

  /** A UUID for an engine order id (synthetic liquidity has non-UUID ids such as `mm:sell:60000.0`). */
  publicOrderUid(engineOrderId: string): string {
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(engineOrderId)) return engineOrderId;
    let uid = this.counterparties.get(engineOrderId);
    if (!uid) {
      uid = this.ids.uuid();
      this.counterparties.set(engineOrderId, uid);
    }
    return uid;
  }

  private appendAccountLog(fields: Record<string, unknown>): void {
    const now = this.ctx.clock.now();
    const entry: AccountLogEntry = {
      id: this.accountLog.length + 1,
      time: now,
      date: iso(now),
      booking_uid: this.ids.uuid(),
      conversion_spread_percentage: null,
      liquidation_fee: null,
      ...fields,
    } as AccountLogEntry;
    this.accountLog.push(entry);
    this.accountLog$.next(entry);
  }

  /** A position of the account as `FuturesPosition`, or undefined when flat. */
  position(symbol: string): FuturesPosition | undefined {
    return this.ctx.engine.futuresAccount(this.accountId)?.position(symbol);
  }
}

const HISTORY_ORDER_TYPES: Readonly<Record<string, string>> = {
  lmt: 'Limit',
  post: 'Post',
  ioc: 'IoC',
  fok: 'IoC',
  mkt: 'Market',
  stp: 'Limit',
  take_profit: 'Limit',
};

/** WS reason, orders/status reason and error of a cancelled order. */
function cancelReason(
  order: EngineOrder,
  exec: string,
): { reason: string; updateReason: string; error: string | null; withOrder: boolean } {
  if (exec === 'expired') {
    return { reason: 'cancelled_by_admin', updateReason: 'EXPIRED', error: null, withOrder: false };
  }
  switch (order.reason) {
    case 'Post only order':
      return {
        reason: 'post_order_failed_because_it_would_filled',
        updateReason: 'POST_WOULD_EXECUTE_REASON',
        error: 'POST_WOULD_EXECUTE',
        withOrder: true,
      };
    case 'Immediate or cancel':
    case 'Insufficient liquidity':
    case 'Fill or kill':
      return {
        reason: 'ioc_order_failed_because_it_would_not_be_executed',
        updateReason: 'IOC_WOULD_NOT_EXECUTE_REASON',
        error: order.filled.isZero() ? 'IOC_WOULD_NOT_EXECUTE' : null,
        withOrder: true,
      };
    case 'Self trade prevention':
      return {
        reason: 'would_execute_self',
        updateReason: 'WOULD_EXECUTE_SELF_REASON',
        error: order.filled.isZero() ? 'WOULD_EXECUTE_SELF' : null,
        withOrder: true,
      };
    case 'CancelAllOrdersAfter Timeout':
      return { reason: 'dead_man_switch', updateReason: 'DEAD_MAN_SWITCH', error: null, withOrder: false };
    default:
      return { reason: 'cancelled_by_user', updateReason: 'CANCELLED_BY_USER', error: null, withOrder: false };
  }
}
