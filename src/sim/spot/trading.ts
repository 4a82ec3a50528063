/**
 * Spot trading shared by REST and WS v2: the engine calls behind AddOrder/add_order & co, with Kraken's per-pair
 * trading-engine rate counter (spot-wire.md §1.5) and Kraken's error strings.
 */
import type { SimContext } from '../context';
import type { AmendRequest, EngineOrder, SubmitOrderRequest } from '../engine/engine';
import { DecayingCounter, SPOT_TRADING_TIERS } from '../engine/rateCounter';
import { engineError, type Parsed } from './params';

const AMEND_AGE_COST: readonly [number, number][] = [
  [5, 3],
  [10, 2],
  [15, 1],
];
const EDIT_AGE_COST: readonly [number, number][] = [
  [5, 6],
  [10, 5],
  [15, 4],
  [45, 2],
  [90, 1],
];
const CANCEL_AGE_COST: readonly [number, number][] = [
  [5, 8],
  [10, 6],
  [15, 5],
  [45, 4],
  [90, 2],
  [300, 1],
];

function ageCost(table: readonly [number, number][], ageMs: number): number {
  const seconds = ageMs / 1000;
  for (const [limit, cost] of table) if (seconds < limit) return cost;
  return 0;
}

export interface CancelTargets {
  readonly orderIds?: readonly string[];
  readonly clOrdIds?: readonly string[];
  readonly userrefs?: readonly number[];
}

export class SpotTrading {
  private readonly counters = new Map<string, DecayingCounter>();

  constructor(private readonly ctx: SimContext) {}

  get maxRateCount(): number {
    return SPOT_TRADING_TIERS[this.ctx.tier].max;
  }

  /** Current trading counter of (account, pair). */
  rateCount(accountId: string, symbol: string): number {
    return this.counter(accountId, symbol).current();
  }

  add(accountId: string, request: SubmitOrderRequest): Parsed<EngineOrder> {
    if (!request.validateOnly && !this.charge(accountId, request.symbol, 1, 0)) {
      return { ok: false, error: 'EOrder:Rate limit exceeded' };
    }
    const result = this.ctx.engine.submitOrder(accountId, request);
    return result.ok
      ? { ok: true, value: result.order }
      : { ok: false, error: engineError(result.code, result.detail) };
  }

  amend(accountId: string, order: EngineOrder, changes: AmendRequest): Parsed<{ order: EngineOrder; amendId: string }> {
    const age = this.ctx.clock.now() - order.lastUpdate;
    if (!this.charge(accountId, order.symbol, 1, ageCost(AMEND_AGE_COST, age))) {
      return { ok: false, error: 'EOrder:Rate limit exceeded' };
    }
    const result = this.ctx.engine.amendOrder(accountId, order.id, changes);
    return result.ok
      ? { ok: true, value: { order: result.order, amendId: result.amendId } }
      : { ok: false, error: engineError(result.code, result.detail) };
  }

  edit(
    accountId: string,
    order: EngineOrder,
    changes: AmendRequest & { userref?: number },
  ): Parsed<{ order: EngineOrder; original: EngineOrder }> {
    const age = this.ctx.clock.now() - order.lastUpdate;
    if (!this.charge(accountId, order.symbol, 1, ageCost(EDIT_AGE_COST, age))) {
      return { ok: false, error: 'EOrder:Rate limit exceeded' };
    }
    const result = this.ctx.engine.replaceOrder(accountId, order.id, changes);
    return result.ok
      ? { ok: true, value: { order: result.order, original: result.original } }
      : { ok: false, error: engineError(result.code, result.detail) };
  }

  /** The open orders the identifiers designate (txids, client ids, userrefs), without duplicates. */
  targets(accountId: string, targets: CancelTargets): EngineOrder[] {
    const open = this.ctx.engine.openOrders(accountId);
    return open.filter(
      (o) =>
        (targets.orderIds ?? []).includes(o.id) ||
        (o.clOrdId !== undefined && (targets.clOrdIds ?? []).includes(o.clOrdId)) ||
        (o.userref !== undefined && (targets.userrefs ?? []).includes(o.userref)),
    );
  }

  /** Cancels the designated open orders; returns those cancelled. Batch cancels are never refused by the counter. */
  cancel(accountId: string, orders: readonly EngineOrder[], reason = 'User requested'): EngineOrder[] {
    const cancelled: EngineOrder[] = [];
    for (const order of orders) {
      this.counter(accountId, order.symbol).add(ageCost(CANCEL_AGE_COST, this.ctx.clock.now() - order.lastUpdate));
      const result = this.ctx.engine.cancelOrder(accountId, order.id, reason);
      if (result.ok) cancelled.push(result.order);
    }
    return cancelled;
  }

  /** One order's cancel, refused when the counter is full. */
  cancelOne(accountId: string, order: EngineOrder): Parsed<EngineOrder> {
    const cost = ageCost(CANCEL_AGE_COST, this.ctx.clock.now() - order.lastUpdate);
    if (!this.charge(accountId, order.symbol, 0, cost)) return { ok: false, error: 'EOrder:Rate limit exceeded' };
    const result = this.ctx.engine.cancelOrder(accountId, order.id);
    return result.ok ? { ok: true, value: result.order } : { ok: false, error: engineError(result.code) };
  }

  cancelAll(accountId: string): EngineOrder[] {
    return this.ctx.engine.cancelMatching(accountId, (o) => o.venue === 'spot');
  }

  cancelAllAfter(accountId: string, timeoutSeconds: number): { currentTime: number; triggerTime: number } {
    return this.ctx.engine.cancelAllAfter(accountId, 'spot', timeoutSeconds * 1000);
  }

  /** The fixed part is always charged; the whole cost must fit under the threshold. */
  private charge(accountId: string, symbol: string, fixed: number, variable: number): boolean {
    const counter = this.counter(accountId, symbol);
    if (counter.current() + fixed + variable > counter.max) {
      counter.add(fixed);
      return false;
    }
    counter.add(fixed + variable);
    return true;
  }

  private counter(accountId: string, symbol: string): DecayingCounter {
    const key = `${accountId}:${symbol}`;
    let counter = this.counters.get(key);
    if (!counter) {
      const tier = SPOT_TRADING_TIERS[this.ctx.tier];
      counter = new DecayingCounter(this.ctx.clock, tier.max, tier.decay);
      this.counters.set(key, counter);
    }
    return counter;
  }
}
