/**
 * Kraken Futures derivatives REST API (`/derivatives/api/v3/*`, futures-wire.md §4, §6, §8, §10.1): public market
 * data, authenticated account and order endpoints, the `{result, serverTime}` envelope and the 500-per-10-s
 * cost budget on the simulator's clock.
 */
import Decimal from 'decimal.js';
import type { SimContext } from '../context';
import { notional, unrealizedPnl, type FuturesPosition } from '../engine/accounts';
import type { EngineOrder } from '../engine/engine';
import type { FuturesContractDef } from '../engine/instruments';
import { futuresInstrumentRow } from '../engine/instruments';
import { DecayingCounter } from '../engine/rateCounter';
import { HANG, type SimHttpRequest, type SimHttpResponse } from '../server';
import { FUTURES_DERIVATIVES_BUDGET, futuresDerivativesCost } from '../../kraken/common/rateLimits';
import { plainNumber } from '../../kraken/common/signing';
import { all, first, paramsOf, type FuturesRestAuth } from './auth';
import {
  absoluteFundingRate,
  iso,
  num,
  openOrderRow,
  positionSide,
  restFillRow,
  v3Order,
  v3Trigger,
  isUntriggered,
} from './format';
import { cancelEvent, FuturesOrderDesk, renderStatus, type ActionOutcome, type ActionParams } from './orders';
import type { FuturesVenue } from './venue';

const V3 = '/derivatives/api/v3';
const ZERO = new Decimal(0);
const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;
const PNL_CURRENCIES = ['USD', 'EUR', 'GBP', 'USDC', 'USDT', 'BTC', 'ETH'];

type Params = Record<string, string | string[]>;
type Handler = (params: Params, request: SimHttpRequest) => SimHttpResponse | typeof HANG;

export function attachFuturesRest(ctx: SimContext, venue: FuturesVenue, auth: FuturesRestAuth): FuturesMarketView {
  const { engine, clock, server } = ctx;
  const budget = new DecayingCounter(
    clock,
    FUTURES_DERIVATIVES_BUDGET.capacity,
    FUTURES_DERIVATIVES_BUDGET.refillPerSecond,
  );
  const desk = new FuturesOrderDesk(ctx, venue);
  const market = new FuturesMarketView(ctx, venue);
  const accountId = venue.accountId;

  const serverTime = () => iso(clock.now());
  const success = (payload: Record<string, unknown>): SimHttpResponse => ({
    body: { result: 'success', ...payload, serverTime: serverTime() },
  });
  const failure = (error: string, status = 200): SimHttpResponse => ({
    status,
    body: { result: 'error', serverTime: serverTime(), error },
  });
  const badRequest = (code: number, message: string, status = 'BAD_REQUEST', http = 400): SimHttpResponse => ({
    status: http,
    body: { status, result: 'error', errors: [{ code, message }], serverTime: serverTime() },
  });
  const fromOutcome = (outcome: ActionOutcome): SimHttpResponse | undefined => {
    if (outcome.kind === 'error') return failure(outcome.error);
    if (outcome.kind === 'badRequest') return badRequest(outcome.code, outcome.message, outcome.status);
    return undefined;
  };

  server.family('/derivatives/', 'futures', (krakenError) => ({
    result: 'error',
    serverTime: serverTime(),
    error: krakenError,
  }));

  const publicRoute = (path: string, handler: Handler) =>
    server.route('GET', `${V3}${path}`, (request) => handler(paramsOf(request), request));

  /** A private endpoint: authentication, nonce, then the cost budget (refused calls cost nothing). */
  const privateRoute = (
    method: 'GET' | 'POST' | 'PUT',
    name: string,
    handler: Handler,
    cost?: (params: Params) => number,
  ) =>
    server.route(method, `${V3}/${name}`, (request) => {
      const failed = auth.verify(request);
      if (failed) return failure(failed);
      const params = paramsOf(request);
      const price = cost
        ? cost(params)
        : futuresDerivativesCost(name, { method, lastFillTime: params.lastFillTime !== undefined });
      if (!budget.tryAdd(price)) return failure('apiLimitExceeded');
      return handler(params, request);
    });

  // ---- public market data --------------------------------------------------------------------------------------

  publicRoute('/instruments', (params) => {
    const types = all(params.contractType);
    const expired = first(params.expired) === 'true';
    const rows = expired
      ? []
      : venue.contracts
          .filter((c) => types.length === 0 || types.includes('all') || types.includes(c.type))
          .map(futuresInstrumentRow);
    return success({ instruments: rows });
  });
  publicRoute('/instruments/status', () => success({ instrumentStatus: venue.contracts.map(instrumentStatus) }));
  server.route('GET', `${V3}/instruments/*`, (request) => {
    const match = /^\/derivatives\/api\/v3\/instruments\/([^/]+)\/status$/.exec(request.path);
    const contract = match ? venue.contract(decodeURIComponent(match[1])) : undefined;
    if (!match) return notFound();
    if (!contract) return failure('invalidArgument');
    return success(instrumentStatus(contract));
  });
  publicRoute('/tickers', (params) => {
    const symbols = all(params.symbol).map((s) => s.toUpperCase());
    const types = all(params.contractType);
    const rows = venue.contracts
      .filter(
        (c) => (symbols.length === 0 || symbols.includes(c.symbol)) && (types.length === 0 || types.includes(c.type)),
      )
      .map((c) => market.ticker(c));
    const indexRows = symbols.length === 0 && types.length === 0 ? market.indexTickers() : [];
    return success({ tickers: [...rows, ...indexRows] });
  });
  server.route('GET', `${V3}/tickers/*`, (request) => {
    const symbol = decodeURIComponent(request.path.slice(`${V3}/tickers/`.length));
    const contract = venue.contract(symbol);
    if (!contract) return failure('invalidArgument');
    return success({ ticker: market.ticker(contract) });
  });
  publicRoute('/orderbook', (params) => {
    const symbol = first(params.symbol);
    if (!symbol) return failure('requiredArgumentMissing');
    const contract = venue.contract(symbol);
    if (!contract) return failure('invalidArgument');
    const book = engine.market(contract.symbol)?.book;
    const side = (s: 'buy' | 'sell') => (book ? book.view(s).map((l) => [num(l.price), num(l.qty)]) : []);
    return success({ orderBook: { bids: side('buy'), asks: side('sell') } });
  });
  publicRoute('/history', (params) => {
    const symbol = first(params.symbol);
    if (!symbol) return failure('requiredArgumentMissing');
    const contract = venue.contract(symbol);
    if (!contract) return failure('invalidArgument');
    const lastTime = first(params.lastTime);
    const before = lastTime !== undefined ? Date.parse(lastTime) : Infinity;
    if (Number.isNaN(before)) return failure('invalidArgument');
    const trades = (engine.market(contract.symbol)?.trades ?? []).filter((t) => t.time < before).slice(-100);
    return success({
      history: trades.reverse().map((t) => ({
        time: iso(t.time),
        trade_id: t.id,
        price: num(t.price),
        size: num(t.qty),
        side: t.side,
        type: 'fill',
        uid: t.uid,
      })),
    });
  });
  const fundingRates = (request: SimHttpRequest): SimHttpResponse => {
    const symbol = first(paramsOf(request).symbol);
    if (!symbol) return failure('requiredArgumentMissing');
    const contract = venue.contract(symbol);
    if (!contract) return failure('invalidArgument');
    const rates = (venue.fundingHistory.get(contract.symbol) ?? []).map((r) => ({
      timestamp: iso(r.timestamp),
      fundingRate: r.fundingRate,
      relativeFundingRate: r.relativeFundingRate,
    }));
    return success({ rates });
  };
  server.route('GET', '/derivatives/api/v4/historicalfundingrates', fundingRates);
  server.route('GET', '/derivatives/api/v4/historical-funding-rates', fundingRates);
  server.route('GET', `${V3}/historical-funding-rates`, fundingRates);

  // ---- order entry -------------------------------------------------------------------------------------------------

  const toActionParams = (params: Params): ActionParams =>
    Object.fromEntries(Object.entries(params).map(([k, v]) => [k, first(v)]));

  privateRoute('POST', 'sendorder', (params) => {
    const received = clock.now();
    const outcome = desk.send(toActionParams(params));
    const failed = fromOutcome(outcome);
    if (failed || outcome.kind !== 'status') return failed as SimHttpResponse;
    if (outcome.accepted && ctx.faults.takeOrderTimeout('futures', 'rest')) return HANG;
    return success({ sendStatus: renderStatus(outcome, 'order_id', received) });
  });

  privateRoute('POST', 'editorder', (params) => {
    const received = clock.now();
    const outcome = desk.edit(toActionParams(params));
    const failed = fromOutcome(outcome);
    if (failed || outcome.kind !== 'status') return failed as SimHttpResponse;
    return success({ editStatus: renderStatus(outcome, 'orderId', received) });
  });

  privateRoute('POST', 'cancelorder', (params) => {
    const received = clock.now();
    const p = toActionParams(params);
    const outcome = desk.cancel(p);
    const failed = fromOutcome(outcome);
    if (failed || outcome.kind !== 'status') return failed as SimHttpResponse;
    const extra = p.cliOrdId !== undefined ? { cliOrdId: p.cliOrdId } : {};
    return success({ cancelStatus: renderStatus(outcome, 'order_id', received, extra) });
  });

  privateRoute('POST', 'cancelallorders', (params) => {
    const received = clock.now();
    const symbol = first(params.symbol);
    const cancelled = desk.cancelAll(symbol);
    return success({
      cancelStatus: {
        receivedTime: iso(received),
        cancelOnly: symbol ? (venue.contract(symbol)?.symbol ?? symbol) : 'all',
        status: cancelled.length > 0 ? 'cancelled' : 'noOrdersToCancel',
        cancelledOrders: cancelled.map((o) => ({
          order_id: o.id,
          ...(o.clOrdId !== undefined ? { cliOrdId: o.clOrdId } : {}),
        })),
        orderEvents: cancelled.map(cancelEvent),
      },
    });
  });

  privateRoute('POST', 'cancelallordersafter', (params) => {
    const timeout = first(params.timeout);
    if (timeout === undefined) return failure('requiredArgumentMissing');
    if (!/^\d+$/.test(timeout) || Number(timeout) > 0xffffffff) return failure('invalidArgument');
    const { currentTime, triggerTime } = engine.cancelAllAfter(accountId, 'futures', Number(timeout) * 1000);
    return success({
      status: { currentTime: iso(currentTime), triggerTime: triggerTime === 0 ? '0' : iso(triggerTime) },
    });
  });

  privateRoute(
    'POST',
    'batchorder',
    (params) => {
      const parsed = parseBatch(first(params.json));
      if (parsed === 'missing') return failure('requiredArgumentMissing');
      if (parsed === 'invalid') return failure('Json Parse Error');
      const received = clock.now();
      const batchStatus = parsed.map((instruction) => batchInstruction(desk, instruction, received));
      return success({ batchStatus });
    },
    (params) => {
      const parsed = parseBatch(first(params.json));
      return futuresDerivativesCost('batchorder', { batchSize: Array.isArray(parsed) ? parsed.length : 0 });
    },
  );

  privateRoute('POST', 'orders/status', (params) => {
    const ids = all(params.orderIds);
    const clIds = all(params.cliOrdIds);
    const now = clock.now();
    const recent = (o: EngineOrder) =>
      o.status === 'open' || o.status === 'pending' || (o.closeTime !== undefined && now - o.closeTime <= 5000);
    const found: EngineOrder[] = [];
    for (const id of ids) {
      const o = engine.order(id);
      if (o && o.accountId === accountId && o.venue === 'futures' && recent(o)) found.push(o);
    }
    for (const clId of clIds) {
      const o = engine.findByClientId(accountId, clId);
      if (o && o.venue === 'futures' && recent(o) && !found.includes(o)) found.push(o);
    }
    return success({ orders: found.map((o) => orderStatusRow(o, venue)) });
  });

  // ---- account -------------------------------------------------------------------------------------------------------

  privateRoute('GET', 'openorders', () => {
    const open = engine
      .openOrders(accountId)
      .filter((o) => o.venue === 'futures')
      .sort((a, b) => b.openTime - a.openTime);
    return success({ openOrders: open.map(openOrderRow) });
  });

  privateRoute('GET', 'fills', (params) => {
    const lastFillTime = first(params.lastFillTime);
    const before = lastFillTime !== undefined ? Date.parse(lastFillTime) : Infinity;
    if (Number.isNaN(before)) return failure('invalidArgument');
    const fills = engine
      .accountFills(accountId)
      .filter((f) => venue.contract(f.symbol) && f.time < before)
      .slice(-100)
      .reverse();
    return success({ fills: fills.map(restFillRow) });
  });

  privateRoute('GET', 'openpositions', () => success({ openPositions: market.openPositionRows() }));

  privateRoute('GET', 'accounts', () => success({ accounts: market.accounts() }));

  privateRoute('GET', 'notifications', () => success({ notifications: [] }));

  privateRoute('GET', 'leveragepreferences', (params) => {
    const symbol = first(params.symbol)?.toUpperCase();
    const rows = [...venue.leverage]
      .filter(([s]) => !symbol || s === symbol)
      .map(([s, maxLeverage]) => ({ symbol: s, maxLeverage: maxLeverage.toNumber() }));
    return success({ leveragePreferences: rows });
  });

  privateRoute('PUT', 'leveragepreferences', (params) => {
    const symbol = first(params.symbol);
    if (!symbol) return failure('requiredArgumentMissing');
    const contract = venue.contract(symbol);
    if (!contract || contract.type === 'futures_inverse') return failure('invalidArgument');
    const text = first(params.maxLeverage);
    if (text === undefined) {
      venue.leverage.delete(contract.symbol);
      return success({});
    }
    if (!PLAIN_DECIMAL.test(text)) return failure('invalidArgument');
    const maxLeverage = new Decimal(text);
    if (maxLeverage.lt(1) || maxLeverage.gt(new Decimal(1).div(contract.initialMargin))) {
      return failure('invalidArgument');
    }
    const position = venue.position(contract.symbol);
    if (position) {
      const mark = engine.markPrice(contract.symbol);
      const value = notional(contract, position.size, mark);
      const extra = value.div(maxLeverage).sub(value.mul(contract.initialMargin));
      if (extra.gt(engine.futuresMargin(accountId).flex.availableMargin)) {
        return badRequest(92, 'INSUFFICIENT_MARGIN', 'INTERNAL_SERVER_ERROR', 500);
      }
    }
    venue.leverage.set(contract.symbol, maxLeverage);
    return success({});
  });

  privateRoute('GET', 'pnlpreferences', () =>
    success({
      preferences: [...venue.pnlCurrency].map(([symbol, pnlCurrency]) => ({ symbol, pnlCurrency })),
    }),
  );

  privateRoute('PUT', 'pnlpreferences', (params) => {
    const symbol = first(params.symbol);
    const preference = first(params.pnlPreference);
    if (!symbol || !preference) return failure('requiredArgumentMissing');
    const contract = venue.contract(symbol);
    if (!contract || contract.type === 'futures_inverse' || !PNL_CURRENCIES.includes(preference)) {
      return failure('invalidArgument');
    }
    venue.pnlCurrency.set(contract.symbol, preference);
    return success({});
  });

  server.route('*', '/derivatives/*', () => notFound());
  return market;
}

function notFound(): SimHttpResponse {
  return { status: 404, body: { status: 'NOT_FOUND' } };
}

function instrumentStatus(contract: FuturesContractDef): Record<string, unknown> {
  return {
    tradeable: contract.symbol,
    experiencingDislocation: false,
    priceDislocationDirection: null,
    experiencingExtremeVolatility: false,
    extremeVolatilityInitialMarginMultiplier: 1,
  };
}

// ---- batchorder ------------------------------------------------------------------------------------------------------

type Instruction = Record<string, unknown>;

function parseBatch(json: string | undefined): Instruction[] | 'missing' | 'invalid' {
  if (json === undefined) return 'missing';
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return 'invalid';
  }
  const list = (value as { batchOrder?: unknown } | null)?.batchOrder;
  if (!Array.isArray(list)) return 'invalid';
  return list.map((item) => (item !== null && typeof item === 'object' ? (item as Instruction) : {}));
}

/** Batch values to the form-string vocabulary the single endpoints use. */
function instructionParams(instruction: Instruction): ActionParams {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(instruction)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'number') out[key] = Number.isFinite(value) ? plainNumber(value) : String(value);
    else if (typeof value === 'boolean') out[key] = value ? 'true' : 'false';
    else if (typeof value === 'string') out[key] = value;
  }
  return out;
}

function batchInstruction(desk: FuturesOrderDesk, instruction: Instruction, received: number): Record<string, unknown> {
  const params = instructionParams(instruction);
  const failedStatus = (outcome: ActionOutcome): string | undefined =>
    outcome.kind === 'error'
      ? outcome.error
      : outcome.kind === 'badRequest'
        ? outcome.code === 11
          ? 'invalidOrderType'
          : 'invalidArgument'
        : undefined;
  switch (params.order) {
    case 'send': {
      const tag = params.order_tag;
      if (tag === undefined) return { status: 'requiredArgumentMissing', orderEvents: [] };
      const outcome = desk.send(params);
      const failed = failedStatus(outcome);
      if (failed || outcome.kind !== 'status') return { status: failed, order_tag: tag, orderEvents: [] };
      return {
        status: outcome.status,
        order_tag: tag,
        ...(outcome.orderId !== undefined ? { order_id: outcome.orderId } : {}),
        dateTimeReceived: iso(received),
        orderEvents: outcome.orderEvents ?? [],
      };
    }
    case 'edit': {
      const outcome = desk.edit(params);
      const failed = failedStatus(outcome);
      if (failed || outcome.kind !== 'status') return { status: failed, order_id: params.order_id, orderEvents: [] };
      return { status: outcome.status, order_id: outcome.orderId, orderEvents: outcome.orderEvents ?? [] };
    }
    case 'cancel': {
      const outcome = desk.cancel(params);
      const failed = failedStatus(outcome);
      const id = params.cliOrdId !== undefined ? { cliOrdId: params.cliOrdId } : { order_id: params.order_id };
      if (failed || outcome.kind !== 'status') return { status: failed, ...id, orderEvents: [] };
      return {
        status: outcome.status,
        ...(params.cliOrdId !== undefined ? { cliOrdId: params.cliOrdId } : {}),
        ...(outcome.orderId !== undefined ? { order_id: outcome.orderId } : {}),
        orderEvents: outcome.orderEvents ?? [],
      };
    }
    default:
      return { status: 'invalidArgument', orderEvents: [] };
  }
}

// ---- orders/status ------------------------------------------------------------------------------------------------

function orderStatusRow(order: EngineOrder, venue: FuturesVenue): Record<string, unknown> {
  const change = venue.lastChange.get(order.id);
  const trigger = isUntriggered(order);
  const base = trigger ? v3Trigger(order) : v3Order(order);
  const stop = order.type.startsWith('stop-loss');
  const body = {
    type: trigger ? 'TRIGGER_ORDER' : 'ORDER',
    orderId: order.id,
    cliOrdId: order.clOrdId ?? null,
    symbol: order.symbol,
    side: order.side,
    quantity: num(order.qty),
    filled: num(order.filled),
    limitPrice: order.limitPrice ? num(order.limitPrice) : null,
    reduceOnly: order.reduceOnly,
    timestamp: base.timestamp,
    lastUpdateTimestamp: base.lastUpdateTimestamp,
    priceTriggerOptions:
      order.triggerPrice !== undefined
        ? {
            triggerPrice: num(order.triggerPrice),
            triggerSide: (order.side === 'buy') === stop ? 'TRIGGER_ABOVE' : 'TRIGGER_BELOW',
            triggerSignal: `${order.triggerReference === 'index' ? 'SPOT' : order.triggerReference.toUpperCase()}_PRICE`,
          }
        : null,
    triggerTime: order.triggeredAt !== undefined ? iso(order.triggeredAt) : null,
  };
  let state: string;
  if (order.status === 'open' || order.status === 'pending') state = trigger ? 'TRIGGER_PLACED' : 'ENTERED_BOOK';
  else if (order.status === 'closed') state = 'FULLY_EXECUTED';
  else state = change?.rejected ? 'REJECTED' : 'CANCELLED';
  return {
    order: body,
    status: state,
    updateReason: change?.updateReason ?? 'NEW_USER_ORDER',
    error: change?.error ?? null,
  };
}

// ---- market and account views (shared with the WS feeds) -----------------------------------------------------------

export class FuturesMarketView {
  constructor(
    private readonly ctx: SimContext,
    private readonly venue: FuturesVenue,
  ) {}

  /** A `/tickers` row (futures-wire.md §6.3). */
  ticker(contract: FuturesContractDef): Record<string, unknown> {
    const t = this.tickerData(contract);
    return {
      tag: t.tag,
      pair: contract.pair,
      symbol: contract.symbol,
      markPrice: t.mark,
      bid: t.bid,
      bidSize: t.bidSize,
      ask: t.ask,
      askSize: t.askSize,
      vol24h: t.volume,
      volumeQuote: t.volumeQuote,
      openInterest: t.openInterest,
      open24h: t.open,
      high24h: t.high,
      low24h: t.low,
      vwap24h: t.vwap,
      indexPrice: t.index,
      last: t.last,
      lastTime: iso(t.lastTime),
      lastSize: t.lastSize,
      suspended: false,
      ...(t.perpetual ? { fundingRate: t.fundingRate, fundingRatePrediction: t.fundingRatePrediction } : {}),
      postOnly: false,
      change24h: t.change,
    };
  }

  /** Index rows (`in_xbtusd` real-time index, `rr_xbtusd` reference rate) of `/tickers`. */
  indexTickers(): Record<string, unknown>[] {
    const now = this.ctx.clock.now();
    const seen = new Set<string>();
    const rows: Record<string, unknown>[] = [];
    for (const contract of this.venue.contracts) {
      const name = `${contract.base}${contract.quote}`.toLowerCase();
      if (seen.has(name)) continue;
      seen.add(name);
      const index = num(this.ctx.engine.indexPrice(contract.symbol));
      rows.push({ symbol: `in_${name}`, last: index, lastTime: iso(now) });
      rows.push({ symbol: `rr_${name}`, last: index, lastTime: iso(Math.floor(now / 3_600_000) * 3_600_000) });
    }
    return rows;
  }

  /** Everything a ticker shows, as numbers. */
  tickerData(contract: FuturesContractDef) {
    const { engine, clock } = this.ctx;
    const now = clock.now();
    const market = engine.market(contract.symbol);
    const stats = market?.stats(now);
    const bid = market?.book.view('buy', 1)[0];
    const ask = market?.book.view('sell', 1)[0];
    const last = market?.lastTrade();
    const lastPrice = market ? market.lastPrice() : ZERO;
    const mark = engine.markPrice(contract.symbol);
    const index = engine.indexPrice(contract.symbol);
    const volume = stats?.volume ?? ZERO;
    const inverse = contract.type === 'futures_inverse';
    const volumeQuote = inverse ? volume : volume.mul(stats?.vwap ?? ZERO);
    const open = stats?.open ?? lastPrice;
    const userOi = [...(engine.futuresAccount(this.venue.accountId)?.positions.values() ?? [])]
      .filter((p) => p.symbol === contract.symbol)
      .reduce((s, p) => s.add(p.size.abs()), ZERO);
    const openInterest = volume.mul(0.4).add(userOi).toDecimalPlaces(contract.qtyDecimals);
    const perpetual = contract.lastTradingTime === undefined;
    const funding = this.venue.currentFunding(contract.symbol);
    const predicted = this.venue.predictedRelativeRate(contract.symbol);
    return {
      tag: perpetual ? 'perpetual' : 'month',
      perpetual,
      mark: num(mark),
      index: num(index),
      bid: bid ? num(bid.price) : 0,
      bidSize: bid ? num(bid.qty) : 0,
      ask: ask ? num(ask.price) : 0,
      askSize: ask ? num(ask.qty) : 0,
      last: num(lastPrice),
      lastTime: last?.time ?? now,
      lastSize: last ? num(last.qty) : 0,
      volume: num(volume),
      volumeQuote: volumeQuote.toDecimalPlaces(4).toNumber(),
      openInterest: num(openInterest),
      open: num(open),
      high: num(stats?.high ?? lastPrice),
      low: num(stats?.low ?? lastPrice),
      vwap: num((stats?.vwap ?? lastPrice).toDecimalPlaces(contract.priceDecimals + 2)),
      change: open.isZero() ? 0 : lastPrice.sub(open).div(open).mul(100).toNumber(),
      premium: index.isZero() ? 0 : Number(mark.sub(index).div(index).mul(100).toFixed(2)),
      fundingRate: funding.absolute,
      fundingRatePrediction: absoluteFundingRate(contract, predicted, mark),
      relativeFundingRate: funding.relative,
      relativeFundingRatePrediction: predicted,
      leverage: `${new Decimal(1).div(contract.initialMargin).toNumber()}x`,
      maturityTime: contract.lastTradingTime ?? 0,
      dtm:
        contract.lastTradingTime !== undefined
          ? Math.max(0, Math.floor((contract.lastTradingTime - now) / 86_400_000))
          : 0,
    };
  }

  /** `/openpositions` rows (futures-wire.md §8.10). */
  openPositionRows(): Record<string, unknown>[] {
    const rows: Record<string, unknown>[] = [];
    for (const { contract, position } of this.positions()) {
      const mark = this.ctx.engine.markPrice(contract.symbol);
      const flex = contract.type !== 'futures_inverse';
      const leverage = this.venue.leverage.get(contract.symbol);
      rows.push({
        side: positionSide(position.size),
        symbol: contract.symbol,
        price: num(position.price),
        size: num(position.size.abs()),
        fillTime: iso(position.fillTime),
        unrealizedPnl: num(unrealizedPnl(contract, position, mark)),
        unrealizedFunding: num(position.unrealizedFunding),
        ...(flex ? { pnlCurrency: this.venue.pnlCurrency.get(contract.symbol) ?? 'USD' } : {}),
        ...(leverage ? { maxFixedLeverage: leverage.toNumber() } : {}),
      });
    }
    return rows;
  }

  positions(): { contract: FuturesContractDef; position: FuturesPosition }[] {
    const out: { contract: FuturesContractDef; position: FuturesPosition }[] = [];
    for (const contract of this.venue.contracts) {
      const position = this.venue.position(contract.symbol);
      if (position) out.push({ contract, position });
    }
    return out;
  }

  /** `/accounts` (futures-wire.md §8.11). */
  accounts(): Record<string, unknown> {
    const { engine } = this.ctx;
    const account = engine.futuresAccount(this.venue.accountId);
    const margin = engine.futuresMargin(this.venue.accountId);
    const out: Record<string, unknown> = {
      cash: {
        type: 'cashAccount',
        balances: Object.fromEntries([...(account?.cash ?? [])].map(([c, v]) => [c, v.toFixed()])),
      },
    };
    for (const [name, m] of account?.marginAccounts ?? []) {
      const summary = margin.inverse.get(name);
      const balances: Record<string, string> = {};
      for (const { contract, position } of this.positions()) {
        if (contract.marginAccount === name) balances[contract.symbol] = position.size.toFixed();
      }
      balances[m.currency] = m.balance.toFixed();
      const im = summary?.initialMargin ?? ZERO;
      const mm = summary?.maintenanceMargin ?? ZERO;
      const thresholds = { im: 1, lt: 5 / 3, mm: 1, tt: 2 / 3 };
      out[name] = {
        type: 'marginAccount',
        currency: m.currency,
        balances,
        auxiliary: {
          af: num(summary?.availableFunds),
          funding: 0,
          pnl: num(summary?.pnl),
          pv: num(summary?.portfolioValue),
          usd: 0,
        },
        marginRequirements: {
          im: num(im),
          lt: num(mm.mul(thresholds.lt)),
          mm: num(mm),
          tt: num(mm.mul(thresholds.tt)),
        },
        triggerEstimates: {
          im: this.inverseTrigger(name, (c) => c.initialMargin),
          lt: this.inverseTrigger(name, (c) => c.maintenanceMargin.mul(thresholds.lt)),
          mm: this.inverseTrigger(name, (c) => c.maintenanceMargin),
          tt: this.inverseTrigger(name, (c) => c.maintenanceMargin.mul(thresholds.tt)),
        },
      };
    }
    const flex = margin.flex;
    const currencies: Record<string, unknown> = {};
    for (const [currency, quantity] of account?.flex ?? []) {
      const value = quantity.mul(engine.usdPrice(currency));
      const price = engine.usdPrice(currency);
      const available = Decimal.max(ZERO, Decimal.min(quantity, flex.availableMargin.div(price)));
      currencies[currency] = {
        quantity: num(quantity),
        value: num(value),
        collateral: num(value),
        available: num(available),
      };
    }
    out.flex = {
      type: 'multiCollateralMarginAccount',
      currencies,
      balanceValue: num(flex.balanceUsd),
      portfolioValue: num(flex.balanceUsd.add(flex.pnl)),
      collateralValue: num(flex.balanceUsd),
      initialMargin: num(flex.initialMargin),
      initialMarginWithOrders: num(flex.initialMarginWithOrders),
      maintenanceMargin: num(flex.maintenanceMargin),
      pnl: num(flex.pnl),
      unrealizedFunding: 0,
      totalUnrealized: num(flex.pnl),
      totalUnrealizedAsMargin: num(flex.pnl),
      marginEquity: num(flex.marginEquity),
      availableMargin: num(flex.availableMargin),
    };
    return out;
  }

  /**
   * The mark price at which an inverse margin account's portfolio value falls to `rate` × notional: found by
   * bisection over the account's (one-underlying) positions; 0 without a position or a crossing.
   */
  private inverseTrigger(name: string, rate: (c: FuturesContractDef) => Decimal): number {
    const account = this.ctx.engine.futuresAccount(this.venue.accountId);
    const held = this.positions().filter((p) => p.contract.marginAccount === name);
    const balance = account?.marginAccounts.get(name)?.balance ?? ZERO;
    if (held.length === 0) return 0;
    const equityGap = (price: Decimal) =>
      held.reduce(
        (sum, { contract, position }) =>
          sum
            .add(unrealizedPnl(contract, position, price))
            .sub(notional(contract, position.size, price).mul(rate(contract))),
        balance,
      );
    return solvePrice(this.ctx.engine.markPrice(held[0].contract.symbol), equityGap);
  }

  /** Price at which the flex account's equity falls to the maintenance margin, moving only `symbol`'s mark. */
  flexLiquidationPrice(symbol: string): number {
    const { engine } = this.ctx;
    const margin = engine.futuresMargin(this.venue.accountId).flex;
    const contract = this.venue.contract(symbol) as FuturesContractDef;
    const position = this.venue.position(symbol);
    if (!position || contract.type === 'futures_inverse') return 0;
    const mark = engine.markPrice(symbol);
    const otherEquity = margin.marginEquity
      .sub(unrealizedPnl(contract, position, mark))
      .sub(margin.maintenanceMargin.sub(notional(contract, position.size, mark).mul(contract.maintenanceMargin)));
    const gap = (price: Decimal) =>
      otherEquity
        .add(unrealizedPnl(contract, position, price))
        .sub(notional(contract, position.size, price).mul(contract.maintenanceMargin));
    return solvePrice(mark, gap);
  }
}

/** Bisection for the price where `gap` crosses zero, searched away from `mark` (below for longs, above for shorts). */
function solvePrice(mark: Decimal, gap: (price: Decimal) => Decimal): number {
  if (mark.isZero() || gap(mark).lte(0)) return 0;
  for (const [lo0, hi0] of [
    [mark.div(1000), mark],
    [mark, mark.mul(1000)],
  ] as const) {
    let lo = lo0;
    let hi = hi0;
    const gLo = gap(lo);
    const gHi = gap(hi);
    if (gLo.isPositive() === gHi.isPositive()) continue;
    for (let i = 0; i < 60; i++) {
      const mid = lo.add(hi).div(2);
      if (gap(mid).isPositive() === gLo.isPositive()) lo = mid;
      else hi = mid;
    }
    return lo.add(hi).div(2).toDecimalPlaces(2).toNumber();
  }
  return 0;
}
