/**
 * Spot WS v2 data payloads built from engine state: ticker, book levels, ohlc candles, executions reports and
 * balances entries (spot-wire.md §7, §8). Numbers are JSON numbers, times RFC 3339, as Kraken sends them.
 */
import Decimal from 'decimal.js';
import { spotBookChecksum } from '../../kraken/common/checksum';
import type { LedgerEntry, SpotAccount } from '../engine/accounts';
import type { LevelView } from '../engine/book';
import type { EngineFill, EngineOrder, MatchingEngine, OrderExecType } from '../engine/engine';
import type { SpotPairDef } from '../engine/instruments';
import type { Bar, Market } from '../engine/market';
import { num, rfc3339Micros, rfc3339Nanos } from './format';

export function wsTicker(market: Market, pair: SpotPairDef, now: number): Record<string, unknown> {
  const stats = market.stats(now);
  const bid = market.book.view('buy', 1)[0];
  const ask = market.book.view('sell', 1)[0];
  const last = market.lastPrice();
  const change = last.sub(stats.open);
  const zero = new Decimal(0);
  return {
    symbol: pair.symbol,
    bid: num(bid?.price ?? zero),
    bid_qty: num(bid?.qty ?? zero),
    ask: num(ask?.price ?? zero),
    ask_qty: num(ask?.qty ?? zero),
    last: num(last),
    volume: num(stats.volume.toDecimalPlaces(pair.qtyDecimals)),
    vwap: num(stats.vwap.toDecimalPlaces(pair.priceDecimals)),
    low: num(stats.low),
    high: num(stats.high),
    change: num(change.toDecimalPlaces(pair.priceDecimals)),
    change_pct: stats.open.isZero() ? 0 : num(change.div(stats.open).mul(100).toDecimalPlaces(2)),
    timestamp: rfc3339Micros(now),
  };
}

export function wsLevels(levels: readonly LevelView[]): { price: number; qty: number }[] {
  return levels.map((l) => ({ price: num(l.price), qty: num(l.qty) }));
}

/** Kraken's CRC32 over the top 10 levels, rendered at the pair's precision (via kraken/common/checksum). */
export function bookChecksum(pair: SpotPairDef, asks: readonly LevelView[], bids: readonly LevelView[]): number {
  const fmt = (l: LevelView) => ({ price: l.price.toFixed(pair.priceDecimals), size: l.qty.toFixed(pair.qtyDecimals) });
  return spotBookChecksum(asks.slice(0, 10).map(fmt), bids.slice(0, 10).map(fmt));
}

export function wsCandle(bar: Bar, pair: SpotPairDef, intervalMinutes: number): Record<string, unknown> {
  const vwap = bar.volume.isZero() ? bar.close : bar.notional.div(bar.volume);
  return {
    symbol: pair.symbol,
    open: num(bar.open),
    high: num(bar.high),
    low: num(bar.low),
    close: num(bar.close),
    trades: bar.count,
    volume: num(bar.volume.toDecimalPlaces(pair.qtyDecimals)),
    vwap: num(vwap.toDecimalPlaces(pair.priceDecimals)),
    interval_begin: rfc3339Nanos(bar.time),
    interval: intervalMinutes,
    timestamp: rfc3339Micros(bar.time + intervalMinutes * 60_000),
  };
}

export function wsOrderStatus(order: EngineOrder): string {
  switch (order.status) {
    case 'pending':
      return 'pending_new';
    case 'open':
      return order.filled.isZero() ? 'new' : 'partially_filled';
    case 'closed':
      return 'filled';
    default:
      return order.status;
  }
}

function ids(order: EngineOrder): Record<string, unknown> {
  return {
    order_id: order.id,
    ...(order.clOrdId !== undefined ? { cl_ord_id: order.clOrdId } : {}),
    ...(order.userref !== undefined ? { order_userref: order.userref } : {}),
  };
}

function cumulative(order: EngineOrder, pair: SpotPairDef): Record<string, unknown> {
  return {
    cum_qty: num(order.filled),
    cum_cost: num(order.cost.toDecimalPlaces(pair.costDecimals)),
    ...(order.filled.isZero()
      ? {}
      : { avg_price: num(order.cost.div(order.filled).toDecimalPlaces(pair.priceDecimals)) }),
  };
}

function triggers(order: EngineOrder, engine: MatchingEngine, now: number): Record<string, unknown> {
  if (order.triggerPrice === undefined) return {};
  return {
    triggers: {
      reference: order.triggerReference === 'index' ? 'index' : 'last',
      price: num(order.triggerPrice),
      price_type: 'static',
      status: order.triggered ? 'triggered' : 'untriggered',
      ...(order.triggered
        ? {
            actual_price: num(engine.market(order.symbol)?.lastPrice() ?? new Decimal(0)),
            timestamp: rfc3339Micros(order.triggeredAt ?? now),
          }
        : {}),
    },
  };
}

function feeUsd(engine: MatchingEngine, fee: Decimal, asset: string): number {
  return num(fee.mul(engine.usdPrice(asset)).toDecimalPlaces(4));
}

/** The full description of an order (pending_new, snapshots). */
export function fullReport(
  order: EngineOrder,
  pair: SpotPairDef,
  engine: MatchingEngine,
  execType: string,
  now: number,
): Record<string, unknown> {
  return {
    ...ids(order),
    symbol: pair.symbol,
    order_qty: num(order.qty),
    ...(order.filled.isZero() ? { cum_cost: 0 } : cumulative(order, pair)),
    time_in_force: order.timeInForce,
    exec_type: execType,
    side: order.side,
    order_type: order.type,
    ...(order.limitPrice !== undefined ? { limit_price_type: 'static', limit_price: num(order.limitPrice) } : {}),
    stop_price: num(order.triggerPrice ?? new Decimal(0)),
    order_status: wsOrderStatus(order),
    fee_usd_equiv: feeUsd(engine, order.fee, order.feeAsset),
    fee_ccy_pref: order.feeInBase ? 'fcib' : 'fciq',
    timestamp: rfc3339Micros(now),
    ...(order.postOnly ? { post_only: true } : {}),
    ...(order.expireTime !== undefined ? { expire_time: rfc3339Micros(order.expireTime) } : {}),
    ...(order.amended ? { amended: true } : {}),
    ...triggers(order, engine, now),
  };
}

/** The executions report for an order event. */
export function orderReport(
  exec: OrderExecType,
  order: EngineOrder,
  pair: SpotPairDef,
  engine: MatchingEngine,
  now: number,
): Record<string, unknown> {
  const timestamp = rfc3339Micros(now);
  switch (exec) {
    case 'pending_new':
      return fullReport(order, pair, engine, 'pending_new', now);
    case 'new':
      return { timestamp, order_status: 'new', exec_type: 'new', ...ids(order) };
    case 'amended':
      return {
        ...ids(order),
        exec_type: 'amended',
        order_status: wsOrderStatus(order),
        amended: true,
        order_qty: num(order.qty),
        ...(order.limitPrice !== undefined ? { limit_price: num(order.limitPrice) } : {}),
        ...triggers(order, engine, now),
        reason: 'User requested',
        timestamp,
      };
    case 'triggered':
      return {
        ...ids(order),
        exec_type: 'status',
        order_status: wsOrderStatus(order),
        ...triggers(order, engine, now),
        timestamp,
      };
    case 'filled':
      return {
        ...ids(order),
        exec_type: 'filled',
        order_status: 'filled',
        ...cumulative(order, pair),
        fee_usd_equiv: feeUsd(engine, order.fee, order.feeAsset),
        timestamp,
      };
    case 'canceled':
    case 'expired':
      return {
        ...ids(order),
        exec_type: exec,
        order_status: exec,
        ...(order.reason !== undefined ? { reason: order.reason } : {}),
        ...cumulative(order, pair),
        timestamp,
      };
  }
}

/** The executions report of a fill. */
export function tradeReport(
  fill: EngineFill,
  order: EngineOrder,
  pair: SpotPairDef,
  engine: MatchingEngine,
): Record<string, unknown> {
  return {
    ...ids(order),
    exec_id: fill.id,
    exec_type: 'trade',
    trade_id: fill.publicTradeId,
    symbol: pair.symbol,
    side: fill.side,
    last_qty: num(fill.qty),
    last_price: num(fill.price),
    liquidity_ind: fill.liquidity === 'maker' ? 'm' : 't',
    cost: num(fill.cost.toDecimalPlaces(pair.costDecimals)),
    order_type: order.type,
    timestamp: rfc3339Micros(fill.time),
    order_status: wsOrderStatus(order),
    ...cumulative(order, pair),
    fee_usd_equiv: feeUsd(engine, fill.fee, fill.feeAsset),
    fees: [{ asset: fill.feeAsset, qty: num(fill.fee.toDecimalPlaces(8)) }],
  };
}

export function balanceSnapshot(account: SpotAccount): Record<string, unknown>[] {
  return [...account.all()].map(([asset, balance]) => ({
    asset,
    asset_class: 'currency',
    balance: num(balance),
    wallets: [{ type: 'spot', id: 'main', balance: num(balance) }],
  }));
}

export function balanceUpdate(entry: LedgerEntry): Record<string, unknown> {
  return {
    ledger_id: entry.id,
    ref_id: entry.refId,
    timestamp: rfc3339Micros(entry.time),
    type: entry.type,
    asset: entry.asset,
    asset_class: 'currency',
    category: entry.type,
    wallet_type: 'spot',
    wallet_id: 'main',
    amount: num(entry.amount),
    fee: num(entry.fee),
    balance: num(entry.balance),
  };
}
