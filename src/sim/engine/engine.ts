/**
 * The matching engine of the simulated exchange. It knows no wire protocol: protocol layers (spot REST/WS,
 * futures REST/WS) translate requests into `submitOrder`/`amendOrder`/`cancelOrder` calls, map `EngineRejection`
 * codes to their own error strings, and render `events$` into their own messages.
 *
 * Everything runs synchronously on the caller's stack and on `SimClock` timers; events are delivered
 * synchronously, in order, while the state they describe is current.
 */
import Decimal from 'decimal.js';
import { type Observable, Subject } from 'rxjs';
import {
  applyFillToPosition,
  FuturesAccount,
  notional,
  SpotAccount,
  unrealizedPnl,
  type FuturesPosition,
  type LedgerEntry,
} from './accounts';
import { MARKET_MAKER, type BookEntry, type BookLevel, type Side } from './book';
import type { SimClock, SimTimer } from './clock';
import { IdFactory } from './ids';
import {
  DEFAULT_UNDERLYING_PRICES,
  InstrumentTable,
  type SimInstrument,
  type SpotPairDef,
  type Underlying,
} from './instruments';
import { Market, World, type PublicTrade } from './market';
import { Prng } from './prng';

const ZERO = new Decimal(0);
const ONE = new Decimal(1);

export type EngineOrderType =
  'market' | 'limit' | 'stop-loss' | 'take-profit' | 'stop-loss-limit' | 'take-profit-limit';
export type TriggerReference = 'last' | 'index' | 'mark';
export type TimeInForce = 'GTC' | 'IOC' | 'GTD' | 'FOK';
/** Kraken spot's order statuses (futures layers map them to their own vocabulary). */
export type EngineOrderStatus = 'pending' | 'open' | 'closed' | 'canceled' | 'expired';

export interface EngineOrder {
  readonly id: string;
  readonly accountId: string;
  readonly symbol: string;
  readonly venue: 'spot' | 'futures';
  readonly side: Side;
  readonly type: EngineOrderType;
  /** Total quantity (base units, or contracts for inverse futures). */
  qty: Decimal;
  filled: Decimal;
  /** Sum of price × qty over fills (quote currency). */
  cost: Decimal;
  /** Sum of fees, in `feeAsset`. */
  fee: Decimal;
  /** WS v2 asset id (spot) or settlement currency (futures) the fee is charged in. */
  readonly feeAsset: string;
  limitPrice?: Decimal;
  triggerPrice?: Decimal;
  readonly triggerReference: TriggerReference;
  /** Triggered types only: whether the trigger fired. */
  triggered: boolean;
  triggeredAt?: number;
  readonly timeInForce: TimeInForce;
  readonly expireTime?: number;
  postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly feeInBase: boolean;
  readonly clOrdId?: string;
  readonly userref?: number;
  status: EngineOrderStatus;
  /** Why it closed: `User requested`, `Post only order`, `Insufficient liquidity`, ... */
  reason?: string;
  readonly openTime: number;
  closeTime?: number;
  lastUpdate: number;
  /** Ids of this order's fills, oldest first. */
  readonly tradeIds: string[];
  amended: boolean;
  /** Set on orders created by `replaceOrder`: the id they replaced. */
  readonly replaces?: string;
  /** Free slot for protocol layers (e.g. a futures `cliOrdId` echo); the engine never reads it. */
  readonly tags: Record<string, unknown>;
}

export interface EngineFill {
  /** Kraken spot style trade txid (`THVRQM-33VKH-UCI7BS`). */
  readonly id: string;
  /** A UUID for the same fill, for futures `fill_id`. */
  readonly uid: string;
  readonly orderId: string;
  readonly accountId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: EngineOrderType;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly cost: Decimal;
  readonly fee: Decimal;
  readonly feeAsset: string;
  readonly liquidity: 'maker' | 'taker';
  readonly time: number;
  /** The public trade this fill is part of. */
  readonly publicTradeId: number;
  readonly clOrdId?: string;
  readonly userref?: number;
  /** Futures: realised PnL of this fill, in the settlement currency. */
  readonly realizedPnl?: Decimal;
}

export type OrderExecType = 'pending_new' | 'new' | 'amended' | 'triggered' | 'canceled' | 'expired' | 'filled';

export type EngineEvent =
  /** An order changed state. `order` is a snapshot taken at the event. */
  | { readonly type: 'order'; readonly exec: OrderExecType; readonly order: EngineOrder; readonly time: number }
  /** A user order was (partly) filled; `order` is the snapshot after the fill. */
  | { readonly type: 'fill'; readonly fill: EngineFill; readonly order: EngineOrder; readonly time: number }
  /** A public trade printed. */
  | { readonly type: 'trade'; readonly symbol: string; readonly trade: PublicTrade; readonly time: number }
  /** The book of `symbol` changed; read it through `engine.market(symbol).book`. One per engine step. */
  | { readonly type: 'book'; readonly symbol: string; readonly time: number }
  /** A market step ran: prices moved (index, mark). */
  | { readonly type: 'tick'; readonly symbol: string; readonly time: number }
  /** End of one engine step (after its `book` events): a good moment to coalesce and send. */
  | { readonly type: 'flush'; readonly symbols: readonly string[]; readonly time: number }
  /** A spot balance changed. */
  | { readonly type: 'ledger'; readonly accountId: string; readonly entry: LedgerEntry; readonly time: number }
  /** A futures account changed (balances or a position). */
  | {
      readonly type: 'futuresAccount';
      readonly accountId: string;
      readonly symbol?: string;
      readonly position?: FuturesPosition;
      readonly time: number;
    };

export type EngineRejectCode =
  | 'UNKNOWN_INSTRUMENT'
  | 'INVALID_QTY'
  | 'ORDER_MINIMUM'
  | 'COST_MINIMUM'
  | 'TICK_SIZE'
  | 'INVALID_PRICE'
  | 'MISSING_PRICE'
  | 'INVALID_EXPIRE'
  | 'INSUFFICIENT_FUNDS'
  | 'DUPLICATE_CLIENT_ID'
  | 'UNKNOWN_ORDER'
  | 'ORDER_CLOSED'
  | 'POST_ONLY_WOULD_TAKE'
  | 'REDUCE_ONLY_WOULD_NOT_REDUCE'
  | 'MAX_POSITION'
  | 'NOT_AMENDABLE';

export interface EngineRejection {
  readonly ok: false;
  readonly code: EngineRejectCode;
  readonly detail?: string;
}

export type EngineResult<T> = ({ readonly ok: true } & T) | EngineRejection;

export interface SubmitOrderRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly type: EngineOrderType;
  readonly qty: Decimal;
  readonly limitPrice?: Decimal;
  readonly triggerPrice?: Decimal;
  readonly triggerReference?: TriggerReference;
  readonly timeInForce?: TimeInForce;
  /** Epoch ms; required for GTD. */
  readonly expireTime?: number;
  readonly postOnly?: boolean;
  readonly reduceOnly?: boolean;
  /** Spot: charge the fee in the base asset (`fcib`). */
  readonly feeInBase?: boolean;
  readonly clOrdId?: string;
  readonly userref?: number;
  /** Check everything, place nothing. */
  readonly validateOnly?: boolean;
  readonly tags?: Record<string, unknown>;
}

export interface AmendRequest {
  readonly qty?: Decimal;
  readonly limitPrice?: Decimal;
  readonly triggerPrice?: Decimal;
  /** Refuse a limit-price change that would take liquidity. */
  readonly postOnly?: boolean;
}

export interface EngineOptions {
  readonly seed: number;
  readonly clock: SimClock;
  readonly instruments?: InstrumentTable;
  /** USD prices of the underlyings at start. */
  readonly initialPrices?: Partial<Record<Underlying, number>>;
  /** Market step period (walk, market-maker requote, trigger checks on index/mark). Default 1000 ms. */
  readonly tickMs?: number;
  /** Synthetic taker trades per minute per instrument (Poisson). Default 12; 0 disables them. */
  readonly tradesPerMinute?: number;
  /** Market-maker levels per side. Default 30. */
  readonly bookLevels?: number;
  /** One-minute bars of history generated before the start. Default 720. */
  readonly historyMinutes?: number;
  /** Multiplies the walk's volatility. Default 1. */
  readonly volatility?: number;
}

export interface OrderFilter {
  readonly symbol?: string;
  readonly status?: readonly EngineOrderStatus[];
  readonly clOrdId?: string;
  readonly userref?: number;
}

interface Taker {
  readonly accountId: string;
  readonly orderId: string;
  readonly side: Side;
  /** Undefined for market orders. */
  readonly limit?: Decimal;
  remaining: Decimal;
  readonly ordType: 'market' | 'limit';
}

export class MatchingEngine {
  readonly clock: SimClock;
  readonly instruments: InstrumentTable;
  readonly world: World;
  readonly ids: IdFactory;
  readonly tickMs: number;
  readonly bookLevels: number;
  private readonly tradesPerMinute: number;
  private readonly markets = new Map<string, Market>();
  private readonly orders = new Map<string, EngineOrder>();
  private readonly ordersByAccount = new Map<string, EngineOrder[]>();
  private readonly fillsByAccount = new Map<string, EngineFill[]>();
  private readonly spotAccounts = new Map<string, SpotAccount>();
  private readonly futuresAccounts = new Map<string, FuturesAccount>();
  private readonly orderTimers = new Map<string, SimTimer>();
  private readonly deadMan = new Map<string, SimTimer>();
  private readonly timers: SimTimer[] = [];
  private readonly tradeTimers = new Map<string, SimTimer>();
  private readonly subject = new Subject<EngineEvent>();
  private readonly dirtyBooks = new Set<string>();
  /** Open triggered-type orders whose trigger has not fired. */
  private readonly triggerable = new Set<EngineOrder>();
  /** Symbols with any event in the current step. */
  private readonly touched = new Set<string>();
  private batchDepth = 0;
  private running = false;
  /** Markets whose synthetic activity is replaced by a replay. */
  private readonly replayed = new Set<string>();

  /** Every engine event, synchronously. */
  readonly events$: Observable<EngineEvent> = this.subject.asObservable();

  constructor(options: EngineOptions) {
    this.clock = options.clock;
    this.instruments = options.instruments ?? new InstrumentTable();
    this.world = new World(
      options.seed,
      { ...DEFAULT_UNDERLYING_PRICES, ...options.initialPrices },
      options.volatility ?? 1,
    );
    this.ids = new IdFactory(Prng.derive(options.seed, 'ids'));
    this.tickMs = options.tickMs ?? 1000;
    this.tradesPerMinute = options.tradesPerMinute ?? 12;
    this.bookLevels = options.bookLevels ?? 30;
    const now = this.clock.now();
    for (const inst of this.instruments.all()) {
      const market = new Market(inst, this.world, options.seed);
      market.backfill(now, options.historyMinutes ?? 720);
      this.markets.set(inst.symbol, market);
      this.requote(market);
    }
    this.dirtyBooks.clear();
  }

  // ---- lifecycle -------------------------------------------------------------------------------------------------

  /** Starts the market: steps every `tickMs`, synthetic trades at `tradesPerMinute`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.timers.push(this.clock.setInterval(() => this.step(), this.tickMs));
    if (this.tradesPerMinute > 0) {
      for (const market of this.markets.values()) this.scheduleSyntheticTrade(market);
    }
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers.splice(0)) t.cancel();
    for (const t of this.tradeTimers.values()) t.cancel();
    this.tradeTimers.clear();
    for (const t of this.orderTimers.values()) t.cancel();
    this.orderTimers.clear();
    for (const t of this.deadMan.values()) t.cancel();
    this.deadMan.clear();
    this.subject.complete();
  }

  /** One market step: the walk moves, market makers requote, triggers on index/mark are checked. */
  step(): void {
    this.batch(() => {
      this.world.step(this.tickMs);
      for (const market of this.markets.values()) {
        if (this.replayed.has(market.instrument.symbol)) continue;
        market.stepBasis();
        this.requote(market);
      }
      const now = this.clock.now();
      for (const market of this.markets.values()) {
        this.emit({ type: 'tick', symbol: market.instrument.symbol, time: now });
        this.checkTriggers(market);
      }
    });
  }

  /** Prints one synthetic taker trade now (tests use it to move `last` on demand). */
  syntheticTrade(symbol: string, side?: Side, qty?: Decimal): void {
    const market = this.requireMarket(symbol);
    this.batch(() => {
      const taker: Taker = {
        accountId: MARKET_MAKER,
        orderId: 'synthetic',
        side: side ?? (market.prng.chance(0.5) ? 'buy' : 'sell'),
        remaining: qty ?? market.syntheticTradeSize(),
        ordType: 'market',
      };
      this.match(market, taker, () => undefined);
      this.checkTriggers(market);
    });
  }

  /** Stops the synthetic activity of a market so that a replay (or a test) can drive it. */
  takeOverMarket(symbol: string): Market {
    this.replayed.add(symbol);
    return this.requireMarket(symbol);
  }

  /**
   * Sets a replayed market's book side to exactly these levels (synthetic liquidity only; user orders stay).
   * Replacing both sides of a moving book one side at a time can cross the new levels with the other side's stale
   * ones; use `setSyntheticBook` for that.
   */
  setSyntheticLevels(symbol: string, side: Side, levels: readonly { price: Decimal; qty: Decimal }[]): void {
    const market = this.requireMarket(symbol);
    this.batch(() => {
      this.removeSyntheticQuotes(market, side);
      for (const level of levels) this.placeQuote(market, side, level.price, level.qty);
      this.dirtyBooks.add(symbol);
    });
  }

  /**
   * Sets both sides of a replayed market's book to exactly these levels: every synthetic quote leaves first, so the
   * synthetic liquidity never trades with itself (a recorded book that moved past the previous one prints no
   * trade that the recording does not have). A level that crosses a resting user order fills it.
   */
  setSyntheticBook(
    symbol: string,
    bids: readonly { price: Decimal; qty: Decimal }[],
    asks: readonly { price: Decimal; qty: Decimal }[],
  ): void {
    const market = this.requireMarket(symbol);
    this.batch(() => {
      this.removeSyntheticQuotes(market, 'buy');
      this.removeSyntheticQuotes(market, 'sell');
      for (const level of bids) this.placeQuote(market, 'buy', level.price, level.qty);
      for (const level of asks) this.placeQuote(market, 'sell', level.price, level.qty);
      this.dirtyBooks.add(symbol);
    });
  }

  private removeSyntheticQuotes(market: Market, side: Side): void {
    const book = market.book;
    for (const level of [...book.levelsOf(side)]) {
      for (const entry of level.entries.filter((e) => e.accountId === MARKET_MAKER)) {
        book.remove(side, level.price, entry.orderId, this.clock.now());
      }
    }
  }

  /** Prints a trade taken from a replay at this price and size, without touching the book. */
  printTrade(symbol: string, price: Decimal, qty: Decimal, side: Side, ordType: 'market' | 'limit'): void {
    const market = this.requireMarket(symbol);
    this.batch(() => {
      const trade: PublicTrade = {
        id: market.nextTradeId(),
        uid: this.ids.uuid(false),
        price,
        qty,
        side,
        ordType,
        time: this.clock.now(),
        makerOrderId: 'replay',
        takerOrderId: 'replay',
      };
      market.recordTrade(trade);
      this.emit({ type: 'trade', symbol, trade, time: trade.time });
      this.checkTriggers(market);
    });
  }

  // ---- accounts --------------------------------------------------------------------------------------------------

  createSpotAccount(id: string, balances: Readonly<Record<string, Decimal.Value>>): SpotAccount {
    const account = new SpotAccount(id, balances);
    this.spotAccounts.set(id, account);
    return account;
  }

  createFuturesAccount(id: string, initial: ConstructorParameters<typeof FuturesAccount>[1]): FuturesAccount {
    const account = new FuturesAccount(id, initial);
    this.futuresAccounts.set(id, account);
    return account;
  }

  spotAccount(id: string): SpotAccount | undefined {
    return this.spotAccounts.get(id);
  }

  futuresAccount(id: string): FuturesAccount | undefined {
    return this.futuresAccounts.get(id);
  }

  /** Amounts reserved by the account's open spot orders, per asset (WS v2 ids). */
  spotHolds(accountId: string): Map<string, Decimal> {
    const holds = new Map<string, Decimal>();
    for (const order of this.openOrders(accountId)) {
      if (order.venue !== 'spot') continue;
      const pair = this.instruments.get(order.symbol) as SpotPairDef;
      const [asset, amount] = this.spotHoldOf(order, pair);
      holds.set(asset, (holds.get(asset) ?? ZERO).add(amount));
    }
    return holds;
  }

  /** Spot balance minus holds. */
  spotAvailable(accountId: string, asset: string): Decimal {
    const account = this.spotAccounts.get(accountId);
    if (!account) return ZERO;
    return account.balance(asset).sub(this.spotHolds(accountId).get(asset) ?? ZERO);
  }

  /** Margin figures of a futures account at current marks; see `FuturesMarginSummary`. */
  futuresMargin(accountId: string): FuturesMarginSummary {
    const account = this.futuresAccounts.get(accountId);
    const summary: FuturesMarginSummary = {
      inverse: new Map(),
      flex: {
        balanceUsd: ZERO,
        pnl: ZERO,
        initialMargin: ZERO,
        initialMarginWithOrders: ZERO,
        maintenanceMargin: ZERO,
        marginEquity: ZERO,
        availableMargin: ZERO,
      },
    };
    if (!account) return summary;
    for (const [name, m] of account.marginAccounts) {
      summary.inverse.set(name, {
        currency: m.currency,
        balance: m.balance,
        pnl: ZERO,
        initialMargin: ZERO,
        initialMarginWithOrders: ZERO,
        maintenanceMargin: ZERO,
        portfolioValue: m.balance,
        availableFunds: m.balance,
      });
    }
    let flexUsd = ZERO;
    for (const [currency, qty] of account.flex) flexUsd = flexUsd.add(qty.mul(this.usdPrice(currency)));
    summary.flex.balanceUsd = flexUsd;
    for (const contract of this.instruments.futures) {
      const position = account.position(contract.symbol);
      const mark = this.markPrice(contract.symbol);
      const orders = this.openOrders(accountId).filter((o) => o.symbol === contract.symbol && !o.reduceOnly);
      const orderIm = orders.reduce(
        (sum, o) =>
          sum.add(
            notional(contract, o.qty.sub(o.filled), o.limitPrice ?? o.triggerPrice ?? mark).mul(contract.initialMargin),
          ),
        ZERO,
      );
      const pnl = position ? unrealizedPnl(contract, position, mark) : ZERO;
      const im = position ? notional(contract, position.size, mark).mul(contract.initialMargin) : ZERO;
      const mm = position ? notional(contract, position.size, mark).mul(contract.maintenanceMargin) : ZERO;
      const target =
        contract.type === 'futures_inverse' && contract.marginAccount
          ? summary.inverse.get(contract.marginAccount)
          : summary.flex;
      if (!target) continue;
      target.pnl = target.pnl.add(pnl);
      target.initialMargin = target.initialMargin.add(im);
      target.initialMarginWithOrders = target.initialMarginWithOrders.add(im).add(orderIm);
      target.maintenanceMargin = target.maintenanceMargin.add(mm);
    }
    for (const m of summary.inverse.values()) {
      m.portfolioValue = m.balance.add(m.pnl);
      m.availableFunds = m.portfolioValue.sub(m.initialMarginWithOrders);
    }
    summary.flex.marginEquity = flexUsd.add(summary.flex.pnl);
    summary.flex.availableMargin = summary.flex.marginEquity.sub(summary.flex.initialMarginWithOrders);
    return summary;
  }

  // ---- market data -----------------------------------------------------------------------------------------------

  market(symbol: string): Market | undefined {
    return this.markets.get(symbol);
  }

  allMarkets(): readonly Market[] {
    return [...this.markets.values()];
  }

  /** Index price of an instrument, rounded to its tick. */
  indexPrice(symbol: string): Decimal {
    const market = this.requireMarket(symbol);
    return market.roundToTick(market.indexPrice());
  }

  /** Mark price: the fair price (index plus basis), rounded to the tick. */
  markPrice(symbol: string): Decimal {
    const market = this.requireMarket(symbol);
    return market.roundToTick(market.fairPrice());
  }

  /** USD value of one unit of a currency (`USD`, `XBT`/`BTC`, `ETH`, case-insensitive). */
  usdPrice(currency: string): Decimal {
    const c = currency.toUpperCase();
    const u: Underlying | undefined =
      c === 'BTC' || c === 'XBT' ? 'XBT' : c === 'ETH' ? 'ETH' : c === 'USD' ? 'USD' : undefined;
    return u ? new Decimal(this.world.price(u)) : ONE;
  }

  // ---- orders ----------------------------------------------------------------------------------------------------

  order(id: string): EngineOrder | undefined {
    return this.orders.get(id);
  }

  /** An account's orders, oldest first, optionally filtered. */
  accountOrders(accountId: string, filter: OrderFilter = {}): EngineOrder[] {
    return (this.ordersByAccount.get(accountId) ?? []).filter(
      (o) =>
        (filter.symbol === undefined || o.symbol === filter.symbol) &&
        (filter.status === undefined || filter.status.includes(o.status)) &&
        (filter.clOrdId === undefined || o.clOrdId === filter.clOrdId) &&
        (filter.userref === undefined || o.userref === filter.userref),
    );
  }

  openOrders(accountId: string): EngineOrder[] {
    return this.accountOrders(accountId, { status: ['pending', 'open'] });
  }

  /** The open order with this client id, or the most recent one with it. */
  findByClientId(accountId: string, clOrdId: string): EngineOrder | undefined {
    const all = this.accountOrders(accountId, { clOrdId });
    return all.find((o) => o.status === 'open' || o.status === 'pending') ?? all[all.length - 1];
  }

  /** An account's fills, oldest first. */
  accountFills(accountId: string): readonly EngineFill[] {
    return this.fillsByAccount.get(accountId) ?? [];
  }

  submitOrder(accountId: string, request: SubmitOrderRequest): EngineResult<{ order: EngineOrder }> {
    const inst = this.instruments.get(request.symbol);
    const market = this.markets.get(request.symbol);
    if (!inst || !market) return reject('UNKNOWN_INSTRUMENT');
    const invalid = this.validate(accountId, inst, market, request);
    if (invalid) return invalid;
    const now = this.clock.now();
    const triggeredType = request.type !== 'market' && request.type !== 'limit';
    let qty = request.qty;
    if (request.reduceOnly && inst.venue === 'futures') {
      const position = this.futuresAccounts.get(accountId)?.position(inst.symbol);
      if (!position || position.size.isPositive() === (request.side === 'buy')) {
        return reject('REDUCE_ONLY_WOULD_NOT_REDUCE');
      }
      qty = Decimal.min(qty, position.size.abs());
    }
    const order: EngineOrder = {
      id: inst.venue === 'spot' ? this.ids.orderId() : this.ids.uuid(),
      accountId,
      symbol: inst.symbol,
      venue: inst.venue,
      side: request.side,
      type: request.type,
      qty,
      filled: ZERO,
      cost: ZERO,
      fee: ZERO,
      feeAsset:
        inst.venue === 'spot'
          ? request.feeInBase
            ? inst.base.wsId
            : inst.quote.wsId
          : inst.type === 'futures_inverse'
            ? inst.settlementCurrency
            : 'usd',
      limitPrice: request.limitPrice,
      triggerPrice: triggeredType ? request.triggerPrice : undefined,
      triggerReference: request.triggerReference ?? 'last',
      triggered: false,
      timeInForce: request.timeInForce ?? 'GTC',
      expireTime: request.expireTime,
      postOnly: request.postOnly ?? false,
      reduceOnly: request.reduceOnly ?? false,
      feeInBase: request.feeInBase ?? false,
      clOrdId: request.clOrdId,
      userref: request.userref,
      status: 'pending',
      openTime: now,
      lastUpdate: now,
      tradeIds: [],
      amended: false,
      tags: { ...request.tags },
    };
    const funds = this.checkFunds(accountId, inst, market, order);
    if (funds) return funds;
    if (request.validateOnly) return { ok: true, order };
    this.batch(() => {
      this.register(order);
      this.emitOrder('pending_new', order);
      order.status = 'open';
      this.emitOrder('new', order);
      if (order.timeInForce === 'GTD' && order.expireTime !== undefined) this.scheduleExpiry(order);
      if (triggeredType) {
        this.triggerable.add(order);
        this.checkTriggers(market);
      } else this.activate(order, market);
    });
    return { ok: true, order: snapshot(order) };
  }

  amendOrder(
    accountId: string,
    orderId: string,
    changes: AmendRequest,
  ): EngineResult<{ order: EngineOrder; amendId: string }> {
    const order = this.orders.get(orderId);
    if (!order || order.accountId !== accountId) return reject('UNKNOWN_ORDER');
    if (order.status !== 'open') return reject('ORDER_CLOSED');
    const inst = this.instruments.get(order.symbol) as SimInstrument;
    const market = this.requireMarket(order.symbol);
    if (changes.limitPrice !== undefined) {
      if (order.limitPrice === undefined) return reject('NOT_AMENDABLE', 'limit_price');
      if (!changes.limitPrice.gt(0)) return reject('INVALID_PRICE');
      if (!isMultiple(changes.limitPrice, inst.tickSize)) return reject('TICK_SIZE');
    }
    if (changes.triggerPrice !== undefined) {
      if (order.triggerPrice === undefined || order.triggered) return reject('NOT_AMENDABLE', 'trigger_price');
      if (!changes.triggerPrice.gt(0)) return reject('INVALID_PRICE');
      if (!isMultiple(changes.triggerPrice, inst.tickSize)) return reject('TICK_SIZE');
    }
    if (changes.qty !== undefined) {
      if (!changes.qty.gt(0) || !isMultiple(changes.qty, inst.qtyStep)) return reject('INVALID_QTY');
      if (changes.qty.lt(inst.minQty)) return reject('ORDER_MINIMUM');
    }
    const resting = this.isResting(order);
    const newLimit = changes.limitPrice ?? order.limitPrice;
    const crosses = resting && newLimit !== undefined && this.wouldTake(market, order.side, newLimit, accountId);
    if (crosses && (changes.postOnly || order.postOnly) && changes.limitPrice !== undefined) {
      return reject('POST_ONLY_WOULD_TAKE');
    }
    // Funds: check the amended order as if new, net of its own current hold.
    const trial = {
      ...order,
      qty: changes.qty ?? order.qty,
      limitPrice: newLimit,
      triggerPrice: changes.triggerPrice ?? order.triggerPrice,
    };
    const funds = this.checkFunds(accountId, inst, market, trial, order);
    if (funds) return funds;
    const amendId = this.ids.tradeId();
    this.batch(() => {
      const now = this.clock.now();
      if (changes.qty !== undefined && changes.qty.lte(order.filled)) {
        this.closeOrder(order, 'canceled', 'User requested');
        return;
      }
      const priceChanged = changes.limitPrice !== undefined && !changes.limitPrice.eq(order.limitPrice ?? ZERO);
      const qtyUp = changes.qty !== undefined && changes.qty.gt(order.qty);
      if (resting && (priceChanged || qtyUp)) this.unrest(order);
      if (changes.qty !== undefined) order.qty = changes.qty;
      if (changes.limitPrice !== undefined) order.limitPrice = changes.limitPrice;
      if (changes.triggerPrice !== undefined) order.triggerPrice = changes.triggerPrice;
      if (changes.postOnly !== undefined) order.postOnly = changes.postOnly;
      order.amended = true;
      order.lastUpdate = now;
      if (resting && !(priceChanged || qtyUp)) {
        // Quantity down: keeps queue priority.
        const entry = market.book.find(order.side, order.limitPrice as Decimal, order.id);
        if (entry) entry.qty = order.qty.sub(order.filled);
        this.dirtyBooks.add(order.symbol);
      }
      this.emitOrder('amended', order);
      if (resting && (priceChanged || qtyUp)) this.activate(order, market);
      if (order.triggerPrice !== undefined && !order.triggered) this.checkTriggers(market);
    });
    return { ok: true, order: snapshot(order), amendId };
  }

  /**
   * Cancel-and-replace (Kraken's `EditOrder`): the old order is cancelled (its fills stay on it) and a new order
   * with a new id carries the remaining quantity and the new parameters.
   */
  replaceOrder(
    accountId: string,
    orderId: string,
    changes: AmendRequest & { userref?: number; tags?: Record<string, unknown> },
  ): EngineResult<{ order: EngineOrder; original: EngineOrder }> {
    const old = this.orders.get(orderId);
    if (!old || old.accountId !== accountId) return reject('UNKNOWN_ORDER');
    if (old.status !== 'open') return reject('ORDER_CLOSED');
    if (old.triggerPrice !== undefined && old.triggered) return reject('NOT_AMENDABLE');
    const newTotal = changes.qty ?? old.qty;
    if (newTotal.lte(old.filled)) return reject('INVALID_QTY');
    const request: SubmitOrderRequest = {
      symbol: old.symbol,
      side: old.side,
      type: old.type,
      qty: newTotal.sub(old.filled),
      limitPrice: changes.limitPrice ?? old.limitPrice,
      triggerPrice: changes.triggerPrice ?? old.triggerPrice,
      triggerReference: old.triggerReference,
      timeInForce: old.timeInForce,
      expireTime: old.expireTime,
      postOnly: changes.postOnly ?? old.postOnly,
      reduceOnly: old.reduceOnly,
      feeInBase: old.feeInBase,
      userref: changes.userref ?? old.userref,
      tags: { ...old.tags, ...changes.tags, replaces: old.id },
    };
    const inst = this.instruments.get(old.symbol) as SimInstrument;
    const market = this.requireMarket(old.symbol);
    const invalid = this.validate(accountId, inst, market, request, old);
    if (invalid) return invalid;
    const trial: EngineOrder = {
      ...old,
      qty: request.qty,
      filled: ZERO,
      limitPrice: request.limitPrice,
      triggerPrice: request.triggerPrice,
    };
    const funds = this.checkFunds(accountId, inst, market, trial, old);
    if (funds) return funds;
    const result = this.batch(() => {
      this.closeOrder(old, 'canceled', 'Order replaced');
      return this.submitOrder(accountId, request);
    });
    if (!result.ok) return result;
    return { ok: true, order: result.order, original: snapshot(old) };
  }

  cancelOrder(accountId: string, orderId: string, reason = 'User requested'): EngineResult<{ order: EngineOrder }> {
    const order = this.orders.get(orderId);
    if (!order || order.accountId !== accountId) return reject('UNKNOWN_ORDER');
    if (order.status !== 'open' && order.status !== 'pending') return reject('ORDER_CLOSED');
    this.batch(() => this.closeOrder(order, 'canceled', reason));
    return { ok: true, order: snapshot(order) };
  }

  /** Cancels every open order of the account that matches; returns the cancelled orders. */
  cancelMatching(
    accountId: string,
    predicate: (order: EngineOrder) => boolean = () => true,
    reason = 'User requested',
  ): EngineOrder[] {
    const targets = this.openOrders(accountId).filter(predicate);
    this.batch(() => {
      for (const order of targets) this.closeOrder(order, 'canceled', reason);
    });
    return targets.map(snapshot);
  }

  /**
   * Dead man's switch: cancels all the account's orders of `venue` after `timeoutMs` unless called again;
   * 0 disarms. Returns the current and trigger times (epoch ms).
   */
  cancelAllAfter(
    accountId: string,
    venue: 'spot' | 'futures',
    timeoutMs: number,
    reason = 'CancelAllOrdersAfter Timeout',
  ): { currentTime: number; triggerTime: number } {
    const key = `${venue}:${accountId}`;
    this.deadMan.get(key)?.cancel();
    this.deadMan.delete(key);
    const now = this.clock.now();
    if (timeoutMs <= 0) return { currentTime: now, triggerTime: 0 };
    this.deadMan.set(
      key,
      this.clock.setTimeout(() => {
        this.deadMan.delete(key);
        this.cancelMatching(accountId, (o) => o.venue === venue, reason);
      }, timeoutMs),
    );
    return { currentTime: now, triggerTime: now + timeoutMs };
  }

  // ---- internals: validation and funds ---------------------------------------------------------------------------

  private validate(
    accountId: string,
    inst: SimInstrument,
    market: Market,
    request: SubmitOrderRequest,
    replacing?: EngineOrder,
  ): EngineRejection | undefined {
    if (!request.qty.gt(0) || !isMultiple(request.qty, inst.qtyStep)) return reject('INVALID_QTY');
    if (request.qty.lt(inst.minQty) && !(replacing && request.qty.gt(0))) return reject('ORDER_MINIMUM');
    const needsLimit = request.type === 'limit' || request.type.endsWith('-limit');
    const needsTrigger = request.type !== 'market' && request.type !== 'limit';
    if (needsLimit && request.limitPrice === undefined) return reject('MISSING_PRICE', 'price');
    if (needsTrigger && request.triggerPrice === undefined) return reject('MISSING_PRICE', 'trigger');
    for (const price of [
      needsLimit ? request.limitPrice : undefined,
      needsTrigger ? request.triggerPrice : undefined,
    ]) {
      if (price === undefined) continue;
      if (!price.gt(0)) return reject('INVALID_PRICE');
      if (!isMultiple(price, inst.tickSize)) return reject('TICK_SIZE');
    }
    if (inst.venue === 'spot') {
      const refPrice = request.limitPrice ?? request.triggerPrice ?? market.lastPrice();
      if (refPrice.mul(request.qty).lt(inst.costMin)) return reject('COST_MINIMUM');
    } else {
      const position = this.futuresAccounts.get(accountId)?.position(inst.symbol)?.size ?? ZERO;
      const signed = request.side === 'buy' ? request.qty : request.qty.neg();
      if (!request.reduceOnly && position.add(signed).abs().gt(inst.maxPositionSize)) return reject('MAX_POSITION');
    }
    if ((request.timeInForce ?? 'GTC') === 'GTD') {
      if (request.expireTime === undefined || request.expireTime <= this.clock.now()) return reject('INVALID_EXPIRE');
    }
    if (request.clOrdId !== undefined) {
      const clash = this.openOrders(accountId).some((o) => o.clOrdId === request.clOrdId && o !== replacing);
      if (clash) return reject('DUPLICATE_CLIENT_ID');
    }
    if (request.postOnly && request.type !== 'limit') return reject('INVALID_PRICE', 'post_only');
    return undefined;
  }

  /** Funds (spot) or margin (futures) for `order`; `replacing` is an order whose own reservation is released. */
  private checkFunds(
    accountId: string,
    inst: SimInstrument,
    market: Market,
    order: EngineOrder,
    replacing?: EngineOrder,
  ): EngineRejection | undefined {
    if (inst.venue === 'spot') {
      const account = this.spotAccounts.get(accountId);
      if (!account) return reject('INSUFFICIENT_FUNDS');
      const [asset, needed] =
        order.type === 'market' && order.side === 'buy'
          ? [
              inst.quote.wsId,
              this.estimateMarketBuyCost(market, order.qty.sub(order.filled)).mul(ONE.add(inst.takerFee)),
            ]
          : this.spotHoldOf(order, inst);
      let available = this.spotAvailable(accountId, asset);
      if (replacing && replacing.status === 'open') {
        const [heldAsset, held] = this.spotHoldOf(replacing, inst);
        if (heldAsset === asset) available = available.add(held);
      }
      return needed.gt(available) ? reject('INSUFFICIENT_FUNDS') : undefined;
    }
    if (order.reduceOnly) return undefined;
    const margin = this.futuresMargin(accountId);
    const price = order.limitPrice ?? order.triggerPrice ?? this.markPrice(inst.symbol);
    let needed = notional(inst, order.qty.sub(order.filled), price).mul(inst.initialMargin);
    if (replacing)
      needed = needed.sub(
        notional(inst, replacing.qty.sub(replacing.filled), replacing.limitPrice ?? price).mul(inst.initialMargin),
      );
    // An order that reduces the position needs no new margin for the reducing part.
    const position = this.futuresAccounts.get(accountId)?.position(inst.symbol);
    if (position && position.size.isPositive() !== (order.side === 'buy')) {
      needed = needed.sub(notional(inst, Decimal.min(position.size.abs(), order.qty), price).mul(inst.initialMargin));
    }
    const available =
      inst.type === 'futures_inverse' && inst.marginAccount
        ? (margin.inverse.get(inst.marginAccount)?.availableFunds ?? ZERO)
        : margin.flex.availableMargin;
    return needed.gt(available) ? reject('INSUFFICIENT_FUNDS') : undefined;
  }

  /** What an open spot order reserves: [asset, amount]. */
  private spotHoldOf(order: EngineOrder, pair: SpotPairDef): [string, Decimal] {
    const remaining = order.qty.sub(order.filled);
    if (order.side === 'sell') return [pair.base.wsId, remaining];
    const market = this.requireMarket(pair.symbol);
    const price = order.limitPrice ?? order.triggerPrice ?? market.lastPrice();
    return [pair.quote.wsId, remaining.mul(price).mul(ONE.add(pair.takerFee))];
  }

  private estimateMarketBuyCost(market: Market, qty: Decimal): Decimal {
    let remaining = qty;
    let cost = ZERO;
    for (const level of market.book.view('sell')) {
      const take = Decimal.min(remaining, level.qty);
      cost = cost.add(take.mul(level.price));
      remaining = remaining.sub(take);
      if (remaining.isZero()) return cost;
    }
    return cost.add(remaining.mul(market.lastPrice()));
  }

  // ---- internals: matching ---------------------------------------------------------------------------------------

  /** Brings a live, untriggered-or-triggered order to the book: take what crosses, rest or cancel the rest. */
  private activate(order: EngineOrder, market: Market): void {
    const isLimit = order.type === 'limit' || order.type.endsWith('-limit');
    if (order.postOnly && order.limitPrice && this.wouldTake(market, order.side, order.limitPrice, order.accountId)) {
      this.closeOrder(order, 'canceled', 'Post only order');
      return;
    }
    if (order.timeInForce === 'FOK') {
      const available = this.liquidityFor(market, order.side, isLimit ? order.limitPrice : undefined, order.accountId);
      if (available.lt(order.qty.sub(order.filled))) {
        this.closeOrder(order, 'canceled', 'Fill or kill');
        return;
      }
    }
    const taker: Taker = {
      accountId: order.accountId,
      orderId: order.id,
      side: order.side,
      limit: isLimit ? order.limitPrice : undefined,
      remaining: order.qty.sub(order.filled),
      ordType: isLimit ? 'limit' : 'market',
    };
    const { selfTrade } = this.match(market, taker, (price, qty, tradeId) =>
      this.applyFill(order, price, qty, 'taker', tradeId),
    );
    if (order.status !== 'open') return;
    if (selfTrade) {
      this.closeOrder(order, 'canceled', 'Self trade prevention');
      return;
    }
    if (!isLimit) {
      this.closeOrder(order, 'canceled', 'Insufficient liquidity');
      return;
    }
    if (order.timeInForce === 'IOC') {
      this.closeOrder(order, 'canceled', 'Immediate or cancel');
      return;
    }
    market.book.add(order.side, order.limitPrice as Decimal, {
      orderId: order.id,
      accountId: order.accountId,
      qty: order.qty.sub(order.filled),
      time: this.clock.now(),
    });
    this.dirtyBooks.add(order.symbol);
  }

  private wouldTake(market: Market, side: Side, limit: Decimal, accountId: string): boolean {
    const opposite = market.book.best(side === 'buy' ? 'sell' : 'buy');
    if (!opposite) return false;
    void accountId;
    return side === 'buy' ? opposite.price.lte(limit) : opposite.price.gte(limit);
  }

  private liquidityFor(market: Market, side: Side, limit: Decimal | undefined, accountId: string): Decimal {
    let total = ZERO;
    for (const level of market.book.levelsOf(side === 'buy' ? 'sell' : 'buy')) {
      if (limit && (side === 'buy' ? level.price.gt(limit) : level.price.lt(limit))) break;
      for (const e of level.entries) if (e.accountId !== accountId) total = total.add(e.qty);
    }
    return total;
  }

  /**
   * Matches `taker` against the opposite side, best price first, FIFO within a level. Calls `onTakerFill` per
   * match for a user taker; makers that are user orders are filled here. Stops on a self-trade (cancel-newest).
   */
  private match(
    market: Market,
    taker: Taker,
    onTakerFill: (price: Decimal, qty: Decimal, tradeId: number) => void,
  ): { selfTrade: boolean } {
    const makerSide: Side = taker.side === 'buy' ? 'sell' : 'buy';
    const levels = market.book.levelsOf(makerSide);
    let selfTrade = false;
    outer: while (taker.remaining.gt(0) && levels.length > 0) {
      const level = levels[0];
      if (taker.limit && (taker.side === 'buy' ? level.price.gt(taker.limit) : level.price.lt(taker.limit))) break;
      while (level.entries.length > 0 && taker.remaining.gt(0)) {
        const entry = level.entries[0];
        if (entry.accountId === taker.accountId && entry.accountId !== MARKET_MAKER) {
          selfTrade = true;
          break outer;
        }
        const qty = Decimal.min(entry.qty, taker.remaining);
        entry.qty = entry.qty.sub(qty);
        taker.remaining = taker.remaining.sub(qty);
        if (entry.qty.isZero()) level.entries.shift();
        level.updated = this.clock.now();
        this.dirtyBooks.add(market.instrument.symbol);
        const trade: PublicTrade = {
          id: market.nextTradeId(),
          uid: this.ids.uuid(false),
          price: level.price,
          qty,
          side: taker.side,
          ordType: taker.ordType,
          time: this.clock.now(),
          makerOrderId: entry.orderId,
          takerOrderId: taker.orderId,
        };
        market.recordTrade(trade);
        this.emit({ type: 'trade', symbol: market.instrument.symbol, trade, time: trade.time });
        if (entry.accountId !== MARKET_MAKER) {
          const makerOrder = this.orders.get(entry.orderId);
          if (makerOrder) this.applyFill(makerOrder, level.price, qty, 'maker', trade.id);
        }
        if (taker.accountId !== MARKET_MAKER) onTakerFill(level.price, qty, trade.id);
      }
      if (level.entries.length === 0) levels.shift();
    }
    return { selfTrade };
  }

  private applyFill(
    order: EngineOrder,
    price: Decimal,
    qty: Decimal,
    liquidity: 'maker' | 'taker',
    tradeId: number,
  ): void {
    const inst = this.instruments.get(order.symbol) as SimInstrument;
    const now = this.clock.now();
    const rate = liquidity === 'maker' ? inst.makerFee : inst.takerFee;
    const cost = price.mul(qty);
    const fillId = this.ids.tradeId();
    let fee: Decimal;
    let realized: Decimal | undefined;
    if (inst.venue === 'spot') {
      const account = this.spotAccounts.get(order.accountId) as SpotAccount;
      const base = inst.base.wsId;
      const quote = inst.quote.wsId;
      fee = order.feeInBase ? qty.mul(rate) : cost.mul(rate);
      const feeBase = order.feeInBase ? fee : ZERO;
      const feeQuote = order.feeInBase ? ZERO : fee;
      const sign = order.side === 'buy' ? 1 : -1;
      const entries = [
        account.apply({
          id: this.ids.ledgerId(),
          refId: fillId,
          time: now,
          type: 'trade',
          asset: base,
          amount: qty.mul(sign),
          fee: feeBase,
        }),
        account.apply({
          id: this.ids.ledgerId(),
          refId: fillId,
          time: now,
          type: 'trade',
          asset: quote,
          amount: cost.mul(-sign),
          fee: feeQuote,
        }),
      ];
      for (const entry of entries) this.emit({ type: 'ledger', accountId: order.accountId, entry, time: now });
    } else {
      const account = this.futuresAccounts.get(order.accountId) as FuturesAccount;
      fee = notional(inst, qty, price).mul(rate);
      const position =
        account.positions.get(inst.symbol) ??
        ({
          symbol: inst.symbol,
          size: ZERO,
          price,
          fillTime: now,
          realizedPnl: ZERO,
          unrealizedFunding: ZERO,
        } as FuturesPosition);
      account.positions.set(inst.symbol, position);
      realized = applyFillToPosition(inst, position, order.side === 'buy' ? qty : qty.neg(), price, now);
      account.settle(inst, realized.sub(fee));
      this.emit({
        type: 'futuresAccount',
        accountId: order.accountId,
        symbol: inst.symbol,
        position: { ...position },
        time: now,
      });
    }
    order.filled = order.filled.add(qty);
    order.cost = order.cost.add(cost);
    order.fee = order.fee.add(fee);
    order.tradeIds.push(fillId);
    order.lastUpdate = now;
    const fill: EngineFill = {
      id: fillId,
      uid: this.ids.uuid(),
      orderId: order.id,
      accountId: order.accountId,
      symbol: order.symbol,
      side: order.side,
      orderType: order.type,
      price,
      qty,
      cost,
      fee,
      feeAsset: order.feeAsset,
      liquidity,
      time: now,
      publicTradeId: tradeId,
      clOrdId: order.clOrdId,
      userref: order.userref,
      realizedPnl: realized,
    };
    const list = this.fillsByAccount.get(order.accountId) ?? [];
    list.push(fill);
    this.fillsByAccount.set(order.accountId, list);
    const complete = order.filled.gte(order.qty);
    if (complete) {
      order.status = 'closed';
      order.closeTime = now;
      this.orderTimers.get(order.id)?.cancel();
      this.orderTimers.delete(order.id);
    }
    this.emit({ type: 'fill', fill, order: snapshot(order), time: now });
    if (complete) this.emitOrder('filled', order);
  }

  private closeOrder(order: EngineOrder, status: 'canceled' | 'expired', reason?: string): void {
    if (order.status !== 'open' && order.status !== 'pending') return;
    this.unrest(order);
    this.triggerable.delete(order);
    const now = this.clock.now();
    order.status = status;
    order.reason = reason;
    order.closeTime = now;
    order.lastUpdate = now;
    this.orderTimers.get(order.id)?.cancel();
    this.orderTimers.delete(order.id);
    this.emitOrder(status, order);
  }

  private isResting(order: EngineOrder): boolean {
    if (order.limitPrice === undefined) return false;
    return this.markets.get(order.symbol)?.book.find(order.side, order.limitPrice, order.id) !== undefined;
  }

  private unrest(order: EngineOrder): void {
    if (order.limitPrice === undefined) return;
    const market = this.requireMarket(order.symbol);
    if (market.book.remove(order.side, order.limitPrice, order.id, this.clock.now())) this.dirtyBooks.add(order.symbol);
  }

  private checkTriggers(market: Market): void {
    for (let round = 0; round < 50; round++) {
      const due = [...this.triggerable].filter(
        (o) => o.symbol === market.instrument.symbol && o.status === 'open' && this.triggerHit(o, market),
      );
      if (due.length === 0) return;
      for (const order of due) {
        if (order.status !== 'open') continue;
        order.triggered = true;
        this.triggerable.delete(order);
        order.triggeredAt = this.clock.now();
        order.lastUpdate = order.triggeredAt;
        this.emitOrder('triggered', order);
        this.activate(order, market);
      }
    }
  }

  private triggerHit(order: EngineOrder, market: Market): boolean {
    const trigger = order.triggerPrice as Decimal;
    const reference =
      order.triggerReference === 'last'
        ? market.lastPrice()
        : order.triggerReference === 'index'
          ? market.roundToTick(market.indexPrice())
          : market.roundToTick(market.fairPrice());
    const stop = order.type.startsWith('stop-loss');
    // Stops trigger on adverse moves (buy: price rises to the trigger), take-profits on favourable ones.
    const rising = order.side === 'buy' ? stop : !stop;
    return rising ? reference.gte(trigger) : reference.lte(trigger);
  }

  private scheduleExpiry(order: EngineOrder): void {
    const delay = (order.expireTime as number) - this.clock.now();
    this.orderTimers.set(
      order.id,
      this.clock.setTimeout(() => {
        this.orderTimers.delete(order.id);
        this.batch(() => this.closeOrder(order, 'expired'));
      }, delay),
    );
  }

  /** One pending synthetic-trade timer per market (replaced each time, so a long run holds no spent timers). */
  private scheduleSyntheticTrade(market: Market): void {
    const delay = market.prng.exponential(60_000 / this.tradesPerMinute);
    const symbol = market.instrument.symbol;
    this.tradeTimers.set(
      symbol,
      this.clock.setTimeout(() => {
        this.tradeTimers.delete(symbol);
        if (!this.running) return;
        if (!this.replayed.has(symbol)) this.syntheticTrade(symbol);
        this.scheduleSyntheticTrade(market);
      }, delay),
    );
  }

  // ---- internals: market makers ----------------------------------------------------------------------------------

  private requote(market: Market): void {
    const book = market.book;
    const mine = (side: Side) => {
      const map = new Map<string, { price: Decimal; entry: BookEntry; level: BookLevel }>();
      for (const level of book.levelsOf(side)) {
        for (const entry of level.entries)
          if (entry.accountId === MARKET_MAKER) map.set(level.key, { price: level.price, entry, level });
      }
      return map;
    };
    const existing = { buy: mine('buy'), sell: mine('sell') };
    const desired = market.desiredLadder(this.bookLevels, (side, key) => existing[side].get(key)?.entry.qty);
    const now = this.clock.now();
    const symbol = market.instrument.symbol;
    for (const side of ['buy', 'sell'] as const) {
      for (const [key, { price, entry }] of existing[side]) {
        if (!desired[side].has(key)) {
          book.remove(side, price, entry.orderId, now);
          this.dirtyBooks.add(symbol);
        }
      }
    }
    for (const side of ['buy', 'sell'] as const) {
      for (const [key, { price, qty }] of desired[side]) {
        const held = existing[side].get(key);
        if (!held) this.placeQuote(market, side, price, qty);
        else if (held.entry.qty !== qty && !held.entry.qty.eq(qty)) {
          held.entry.qty = qty;
          held.level.updated = now;
          this.dirtyBooks.add(symbol);
        }
      }
    }
  }

  /** Places a market-maker quote; if it crosses resting user orders it trades with them first. */
  private placeQuote(market: Market, side: Side, price: Decimal, qty: Decimal): void {
    const taker: Taker = {
      accountId: MARKET_MAKER,
      orderId: 'mm',
      side,
      limit: price,
      remaining: qty,
      ordType: 'limit',
    };
    this.match(market, taker, () => undefined);
    if (taker.remaining.gt(0)) {
      market.book.add(side, price, {
        orderId: `mm:${side}:${price.toFixed(market.instrument.priceDecimals)}`,
        accountId: MARKET_MAKER,
        qty: taker.remaining,
        time: this.clock.now(),
      });
    }
    this.dirtyBooks.add(market.instrument.symbol);
    this.checkTriggersLater.add(market);
  }

  private readonly checkTriggersLater = new Set<Market>();

  // ---- internals: bookkeeping ------------------------------------------------------------------------------------

  private register(order: EngineOrder): void {
    this.orders.set(order.id, order);
    const list = this.ordersByAccount.get(order.accountId) ?? [];
    list.push(order);
    this.ordersByAccount.set(order.accountId, list);
  }

  private requireMarket(symbol: string): Market {
    const market = this.markets.get(symbol);
    if (!market) throw new Error(`no market ${symbol}`);
    return market;
  }

  private emitOrder(exec: OrderExecType, order: EngineOrder): void {
    this.emit({ type: 'order', exec, order: snapshot(order), time: this.clock.now() });
  }

  private emit(event: EngineEvent): void {
    if ('symbol' in event && event.symbol !== undefined) this.touched.add(event.symbol);
    else if (event.type === 'order' || event.type === 'fill') this.touched.add(event.order.symbol);
    this.subject.next(event);
  }

  /** Runs `fn`; when the outermost batch ends, one `book` event per changed book is emitted. */
  private batch<T>(fn: () => T): T {
    this.batchDepth++;
    try {
      return fn();
    } finally {
      this.batchDepth--;
      if (this.batchDepth === 0) {
        const pending = [...this.checkTriggersLater];
        this.checkTriggersLater.clear();
        if (pending.length > 0) {
          this.batchDepth++;
          try {
            for (const market of pending) this.checkTriggers(market);
          } finally {
            this.batchDepth--;
          }
        }
        const now = this.clock.now();
        const dirty = [...this.dirtyBooks];
        this.dirtyBooks.clear();
        for (const symbol of dirty) this.emit({ type: 'book', symbol, time: now });
        this.emit({ type: 'flush', symbols: [...this.touched], time: now });
        this.touched.clear();
      }
    }
  }
}

export interface InverseMarginSummary {
  readonly currency: string;
  readonly balance: Decimal;
  pnl: Decimal;
  initialMargin: Decimal;
  initialMarginWithOrders: Decimal;
  maintenanceMargin: Decimal;
  /** balance + unrealised PnL */
  portfolioValue: Decimal;
  /** portfolio value − initial margin (with orders) */
  availableFunds: Decimal;
}

export interface FlexMarginSummary {
  /** USD value of the flex wallet's currencies. */
  balanceUsd: Decimal;
  pnl: Decimal;
  initialMargin: Decimal;
  initialMarginWithOrders: Decimal;
  maintenanceMargin: Decimal;
  marginEquity: Decimal;
  availableMargin: Decimal;
}

export interface FuturesMarginSummary {
  /** By margin account name (`fi_xbtusd`), in the settlement coin. */
  readonly inverse: Map<string, InverseMarginSummary>;
  /** The flex account, in USD. */
  readonly flex: FlexMarginSummary;
}

function reject(code: EngineRejectCode, detail?: string): EngineRejection {
  return detail === undefined ? { ok: false, code } : { ok: false, code, detail };
}

function isMultiple(value: Decimal, step: Decimal): boolean {
  return value.mod(step).isZero();
}

function snapshot(order: EngineOrder): EngineOrder {
  return { ...order, tradeIds: [...order.tradeIds], tags: { ...order.tags } };
}
