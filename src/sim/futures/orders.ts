/**
 * Order actions of the derivatives API (`sendorder`, `editorder`, `cancelorder`, `cancelallorders`) as engine
 * calls, answered in Kraken's `sendStatus`/`editStatus`/`cancelStatus` vocabulary (futures-wire.md §5, §8.1–8.4).
 * Shared by the single endpoints and `batchorder`.
 */
import Decimal from 'decimal.js';
import type { SimContext } from '../context';
import { notional } from '../engine/accounts';
import type {
  EngineEvent,
  EngineOrder,
  EngineOrderType,
  EngineRejectCode,
  SubmitOrderRequest,
  TimeInForce,
} from '../engine/engine';
import type { FuturesContractDef } from '../engine/instruments';
import {
  FUTURES_ORDER_TYPES,
  TRIGGER_SIGNALS,
  isUntriggered,
  iso,
  num,
  v3Order,
  v3Trigger,
  type FuturesOrderTags,
  type FuturesOrderType,
} from './format';
import type { FuturesVenue } from './venue';

/** A request-level failure: the classic `{result:"error", error}` or the newer `errors[]` form with a status. */
export type ActionFailure =
  | { readonly kind: 'error'; readonly error: string }
  | { readonly kind: 'badRequest'; readonly code: number; readonly message: string; readonly status: string };

export interface ActionStatus {
  readonly kind: 'status';
  readonly status: string;
  readonly orderId?: string;
  readonly orderEvents?: unknown[];
  /** The engine accepted the order (the order-timeout fault applies only then). */
  readonly accepted?: boolean;
}

export type ActionOutcome = ActionStatus | ActionFailure;

/** Parameters as strings (form fields, or batch JSON values turned into strings). */
export type ActionParams = Readonly<Record<string, string | undefined>>;

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;
const MAX_CLI_ORD_ID = 100;

const REJECT_STATUS: Readonly<Record<EngineRejectCode, string>> = {
  UNKNOWN_INSTRUMENT: 'marketInactive',
  INVALID_QTY: 'invalidSize',
  ORDER_MINIMUM: 'invalidSize',
  COST_MINIMUM: 'invalidSize',
  TICK_SIZE: 'invalidPrice',
  INVALID_PRICE: 'invalidPrice',
  MISSING_PRICE: 'invalidPrice',
  INVALID_EXPIRE: 'invalidArgument',
  INSUFFICIENT_FUNDS: 'insufficientAvailableFunds',
  DUPLICATE_CLIENT_ID: 'clientOrderIdAlreadyExist',
  UNKNOWN_ORDER: 'notFound',
  ORDER_CLOSED: 'notFound',
  POST_ONLY_WOULD_TAKE: 'postWouldExecute',
  REDUCE_ONLY_WOULD_NOT_REDUCE: 'wouldNotReducePosition',
  MAX_POSITION: 'maxPositionViolation',
  NOT_AMENDABLE: 'orderForEditNotAStop',
};

const missing = (): ActionFailure => ({ kind: 'error', error: 'requiredArgumentMissing' });
const invalid = (): ActionFailure => ({ kind: 'error', error: 'invalidArgument' });
const status = (s: string, extra: Partial<ActionStatus> = {}): ActionStatus => ({
  kind: 'status',
  status: s,
  ...extra,
});

export class FuturesOrderDesk {
  constructor(
    private readonly ctx: SimContext,
    private readonly venue: FuturesVenue,
  ) {}

  private get accountId(): string {
    return this.venue.accountId;
  }

  // ---- sendorder ---------------------------------------------------------------------------------------------------

  send(params: ActionParams): ActionOutcome {
    const { orderType, symbol, side, size } = params;
    if (!orderType || !symbol || !side || size === undefined || size === '') return missing();
    if (!(FUTURES_ORDER_TYPES as readonly string[]).includes(orderType)) {
      return { kind: 'badRequest', code: 11, message: 'invalid order type', status: 'BAD_REQUEST' };
    }
    const type = orderType as FuturesOrderType;
    if (side !== 'buy' && side !== 'sell') return invalid();
    const contract = this.venue.contract(symbol);
    if (!contract) return invalid();
    const trigger = type === 'stp' || type === 'take_profit';
    const needsLimit = type === 'lmt' || type === 'post' || type === 'ioc' || type === 'fok';
    if (needsLimit && !params.limitPrice) return missing();
    if (trigger && !params.stopPrice) return missing();
    for (const key of ['size', 'limitPrice', 'stopPrice'] as const) {
      const value = params[key];
      if (value !== undefined && value !== '' && !PLAIN_DECIMAL.test(value) && !/^-\d+(\.\d+)?$/.test(value)) {
        return invalid();
      }
    }
    if (params.reduceOnly !== undefined && params.reduceOnly !== 'true' && params.reduceOnly !== 'false') {
      return invalid();
    }
    let reference = undefined as SubmitOrderRequest['triggerReference'];
    if (params.triggerSignal !== undefined) {
      reference = TRIGGER_SIGNALS[params.triggerSignal];
      if (!reference) return invalid();
    }
    if (params.cliOrdId !== undefined && params.cliOrdId.length > MAX_CLI_ORD_ID) {
      return status('clientOrderIdTooLong');
    }
    if (params.processBefore !== undefined) {
      const deadline = Date.parse(params.processBefore);
      if (Number.isNaN(deadline)) return invalid();
      if (this.ctx.clock.now() > deadline) return status('wouldProcessAfterSpecifiedTime');
    }
    const qty = new Decimal(size);
    if (!qty.gt(0) || !qty.mod(contract.qtyStep).isZero()) return status('invalidSize');
    const limitPrice = params.limitPrice ? new Decimal(params.limitPrice) : undefined;
    const stopPrice = params.stopPrice ? new Decimal(params.stopPrice) : undefined;
    for (const price of [needsLimit || trigger ? limitPrice : undefined, stopPrice]) {
      if (price !== undefined && (!price.gt(0) || !price.mod(contract.tickSize).isZero()))
        return status('invalidPrice');
    }
    const reduceOnly = params.reduceOnly === 'true';
    const request = this.engineRequest(contract, type, side, qty, limitPrice, stopPrice, reference, reduceOnly, params);
    if (!reduceOnly) {
      const isolated = this.isolatedShortfall(contract, request);
      if (isolated) return status('insufficientAvailableFunds');
    }
    const { result, events } = this.venue.captureEvents(() => this.ctx.engine.submitOrder(this.accountId, request));
    if (!result.ok) return status(REJECT_STATUS[result.code]);
    const order = this.ctx.engine.order(result.order.id) ?? result.order;
    const reduced = reduceOnly && !result.order.qty.eq(qty) ? num(qty.sub(result.order.qty)) : null;
    return this.placedStatus(order, events, reduced);
  }

  private engineRequest(
    contract: FuturesContractDef,
    type: FuturesOrderType,
    side: 'buy' | 'sell',
    qty: Decimal,
    limitPrice: Decimal | undefined,
    stopPrice: Decimal | undefined,
    reference: SubmitOrderRequest['triggerReference'],
    reduceOnly: boolean,
    params: ActionParams,
  ): SubmitOrderRequest {
    let engineType: EngineOrderType = 'limit';
    let timeInForce: TimeInForce = 'GTC';
    let limit = limitPrice;
    switch (type) {
      case 'ioc':
        timeInForce = 'IOC';
        break;
      case 'fok':
        timeInForce = 'FOK';
        break;
      case 'mkt':
        // Kraken executes market orders as IOC limit orders with ~1 % price protection around the mark.
        timeInForce = 'IOC';
        limit = this.marketCollar(contract, side);
        break;
      case 'stp':
        engineType = limitPrice ? 'stop-loss-limit' : 'stop-loss';
        break;
      case 'take_profit':
        engineType = limitPrice ? 'take-profit-limit' : 'take-profit';
        break;
      default:
        break;
    }
    const tags: FuturesOrderTags = { futuresType: type, requestedQty: qty.toFixed() };
    return {
      symbol: contract.symbol,
      side,
      type: engineType,
      qty,
      limitPrice: limit,
      triggerPrice: stopPrice,
      triggerReference: reference ?? 'last',
      timeInForce,
      postOnly: type === 'post',
      reduceOnly,
      clOrdId: params.cliOrdId,
      tags: { ...tags },
    };
  }

  private marketCollar(contract: FuturesContractDef, side: 'buy' | 'sell'): Decimal {
    const mark = this.ctx.engine.markPrice(contract.symbol);
    const raw = mark.mul(side === 'buy' ? 1.01 : 0.99);
    const ticks = raw.div(contract.tickSize)[side === 'buy' ? 'ceil' : 'floor']();
    return Decimal.max(contract.tickSize, ticks.mul(contract.tickSize));
  }

  /** An isolated-margin symbol (leverage preference) needs notional / maxLeverage of available margin. */
  private isolatedShortfall(contract: FuturesContractDef, request: SubmitOrderRequest): boolean {
    const maxLeverage = this.venue.leverage.get(contract.symbol);
    if (!maxLeverage) return false;
    const price = request.limitPrice ?? request.triggerPrice ?? this.ctx.engine.markPrice(contract.symbol);
    const needed = notional(contract, request.qty, price).div(maxLeverage);
    return needed.gt(this.ctx.engine.futuresMargin(this.accountId).flex.availableMargin);
  }

  /** `sendStatus` of an accepted order: executions, then the resting order (or the REJECT of a failed post/IOC). */
  private placedStatus(order: EngineOrder, events: readonly EngineEvent[], reduced: number | null): ActionStatus {
    const orderEvents: unknown[] = [];
    let running: EngineOrder | undefined;
    for (const event of events) {
      if (
        event.type === 'order' &&
        event.order.id === order.id &&
        (event.exec === 'new' || event.exec === 'triggered')
      ) {
        running = event.order;
      } else if (event.type === 'fill' && event.fill.orderId === order.id) {
        const prior = running ?? { ...event.order, filled: event.order.filled.sub(event.fill.qty) };
        orderEvents.push({
          type: 'EXECUTION',
          executionId: event.fill.uid,
          price: num(event.fill.price),
          amount: num(event.fill.qty),
          orderPriorEdit: null,
          orderPriorExecution: v3Order(prior),
          takerReducedQuantity: null,
        });
        running = event.order;
      }
    }
    const accepted = { orderId: order.id, accepted: true };
    if (order.status === 'canceled' && order.filled.isZero()) {
      const reason = order.reason;
      const rejection =
        reason === 'Post only order'
          ? (['postWouldExecute', 'POST_WOULD_EXECUTE'] as const)
          : reason === 'Self trade prevention'
            ? (['selfFill', 'WOULD_EXECUTE_SELF'] as const)
            : (['iocWouldNotExecute', 'IOC_WOULD_NOT_EXECUTE'] as const);
      return status(rejection[0], {
        ...accepted,
        orderEvents: [{ type: 'REJECT', uid: order.id, order: v3Order(order), reason: rejection[1] }],
      });
    }
    if (order.status === 'open') {
      orderEvents.push(
        isUntriggered(order)
          ? { type: 'PLACE', orderTrigger: v3Trigger(order) }
          : { type: 'PLACE', order: v3Order(order), reducedQuantity: reduced },
      );
    }
    return status('placed', { ...accepted, orderEvents });
  }

  // ---- editorder ---------------------------------------------------------------------------------------------------

  edit(params: ActionParams & { order_id?: string }): ActionOutcome {
    const id = params.orderId ?? params.order_id;
    if (!id && !params.cliOrdId) return missing();
    for (const key of ['size', 'limitPrice', 'stopPrice'] as const) {
      const value = params[key];
      if (value !== undefined && !PLAIN_DECIMAL.test(value)) return invalid();
    }
    if (params.qtyMode !== undefined && params.qtyMode !== 'RELATIVE' && params.qtyMode !== 'ABSOLUTE') {
      return invalid();
    }
    const order = this.findOpen(id, params.cliOrdId);
    const echo = { orderId: order?.id ?? id };
    if (!order) return status('orderForEditNotFound', { ...echo, orderEvents: [] });
    if (params.stopPrice !== undefined && order.triggerPrice === undefined) {
      return status('orderForEditNotAStop', { ...echo, orderEvents: [] });
    }
    if (params.processBefore !== undefined && this.ctx.clock.now() > Date.parse(params.processBefore)) {
      return status('wouldProcessAfterSpecifiedTime', { ...echo, orderEvents: [] });
    }
    let qty: Decimal | undefined;
    if (params.size !== undefined) {
      const size = new Decimal(params.size);
      qty = params.qtyMode === 'ABSOLUTE' ? size : order.filled.add(size);
      if (!size.gt(0) || qty.lte(order.filled)) return status('invalidSize', { ...echo, orderEvents: [] });
    }
    const old = { ...order };
    const { result, events } = this.venue.captureEvents(() =>
      this.ctx.engine.amendOrder(this.accountId, order.id, {
        qty,
        limitPrice: params.limitPrice !== undefined ? new Decimal(params.limitPrice) : undefined,
        triggerPrice: params.stopPrice !== undefined ? new Decimal(params.stopPrice) : undefined,
      }),
    );
    if (!result.ok) {
      const code = result.code === 'UNKNOWN_ORDER' || result.code === 'ORDER_CLOSED' ? 'orderForEditNotFound' : '';
      return status(code || REJECT_STATUS[result.code], { ...echo, orderEvents: [] });
    }
    const updated = this.ctx.engine.order(order.id) ?? result.order;
    const render = isUntriggered(old) ? v3Trigger : v3Order;
    const orderEvents: unknown[] = [
      { type: 'EDIT', old: render(old), new: render(result.order), reducedQuantity: null },
    ];
    let running: EngineOrder = result.order;
    for (const event of events) {
      if (event.type === 'fill' && event.fill.orderId === order.id) {
        orderEvents.push({
          type: 'EXECUTION',
          executionId: event.fill.uid,
          price: num(event.fill.price),
          amount: num(event.fill.qty),
          orderPriorEdit: v3Order(old),
          orderPriorExecution: v3Order(running),
          takerReducedQuantity: null,
        });
        running = event.order;
      }
    }
    void updated;
    return status('edited', { ...echo, orderEvents });
  }

  // ---- cancelorder / cancelallorders -------------------------------------------------------------------------------

  cancel(params: ActionParams): ActionOutcome {
    const id = params.order_id ?? params.orderId;
    if (!id && !params.cliOrdId) return missing();
    const order = id
      ? this.ctx.engine.order(id)
      : this.ctx.engine.findByClientId(this.accountId, params.cliOrdId as string);
    const echo = { orderId: order?.id ?? id };
    if (!order || order.accountId !== this.accountId || order.venue !== 'futures') return status('notFound', echo);
    if (order.status === 'closed') return status('filled', echo);
    if (order.status !== 'open' && order.status !== 'pending') return status('notFound', echo);
    const result = this.ctx.engine.cancelOrder(this.accountId, order.id);
    if (!result.ok) return status('notFound', echo);
    return status('cancelled', { ...echo, orderEvents: [cancelEvent(result.order)] });
  }

  /** `cancelallorders`: the cancelled orders (possibly none). */
  cancelAll(symbol: string | undefined): EngineOrder[] {
    const contract = symbol ? this.venue.contract(symbol) : undefined;
    if (symbol && !contract) return [];
    return this.ctx.engine.cancelMatching(
      this.accountId,
      (o) => o.venue === 'futures' && (!contract || o.symbol === contract.symbol),
    );
  }

  private findOpen(id: string | undefined, cliOrdId: string | undefined): EngineOrder | undefined {
    const order = id ? this.ctx.engine.order(id) : this.ctx.engine.findByClientId(this.accountId, cliOrdId as string);
    if (!order || order.accountId !== this.accountId || order.venue !== 'futures') return undefined;
    return order.status === 'open' ? order : undefined;
  }
}

/** `CANCEL` order event. */
export function cancelEvent(order: EngineOrder): Record<string, unknown> {
  return isUntriggered(order)
    ? { type: 'CANCEL', uid: order.id, orderTrigger: v3Trigger(order) }
    : { type: 'CANCEL', uid: order.id, order: v3Order(order) };
}

/** The JSON of an order-action status (`sendStatus`, `editStatus`, `cancelStatus`). */
export function renderStatus(
  outcome: ActionStatus,
  idKey: 'order_id' | 'orderId',
  receivedTime: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    status: outcome.status,
    ...(outcome.orderId !== undefined ? { [idKey]: outcome.orderId } : {}),
    receivedTime: iso(receivedTime),
    ...extra,
    ...(outcome.orderEvents !== undefined ? { orderEvents: outcome.orderEvents } : {}),
  };
}
