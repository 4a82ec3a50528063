import { TestScheduler } from 'rxjs/testing';
import { KrakenConfigError } from '../../../src/errors';
import {
  flatRateBucket,
  FUTURES_DERIVATIVES_UNKNOWN_COST,
  futuresDerivativesBudget,
  futuresDerivativesCost,
  futuresHistoryCost,
  futuresHistoryPool,
  SPOT_REST_TIERS,
  spotRestCost,
  spotRestCounter,
  type SpotTier,
} from '../../../src/kraken/common/rateLimits';

describe('Spot REST counter presets (spot-wire.md §1.4)', () => {
  it.each<[SpotTier, number, number]>([
    ['starter', 15, 0.33],
    ['intermediate', 20, 0.5],
    ['pro', 20, 1],
  ])('%s: max counter %d, decay %d per second, starting at 0 (a full bucket)', (tier, max, decay) => {
    const scheduler = new TestScheduler(() => undefined);
    const counter = spotRestCounter(tier, scheduler);
    expect(counter.capacity).toBe(max);
    expect(counter.refillPerSecond).toBe(decay);
    expect(counter.available()).toBe(max);
    expect(SPOT_REST_TIERS[tier]).toEqual({ maxCounter: max, decayPerSecond: decay });
  });

  it('refuses an unknown tier naming the option', () => {
    expect(() => spotRestCounter('gold' as SpotTier)).toThrow(KrakenConfigError);
    expect(() => spotRestCounter('gold' as SpotTier)).toThrow(/tier: must be one of starter, intermediate, pro/);
  });

  it('charges 2 for ledger and trade-history queries', () => {
    for (const method of ['Ledgers', 'QueryLedgers', 'TradesHistory', 'QueryTrades', 'ClosedOrders']) {
      expect(spotRestCost(method)).toBe(2);
    }
  });

  it('charges 1 for other private calls', () => {
    for (const method of ['Balance', 'BalanceEx', 'TradeBalance', 'OpenOrders', 'QueryOrders', 'GetWebSocketsToken']) {
      expect(spotRestCost(method)).toBe(1);
    }
  });

  it('charges nothing for order-mutating calls (trading-engine counter) and public endpoints', () => {
    for (const method of [
      'AddOrder',
      'AddOrderBatch',
      'AmendOrder',
      'EditOrder',
      'CancelOrder',
      'CancelAll',
      'CancelAllOrdersAfter',
      'CancelOrderBatch',
      'Time',
      'AssetPairs',
      'OHLC',
      'Depth',
    ]) {
      expect(spotRestCost(method)).toBe(0);
    }
  });

  it('accepts camelCase method names and request paths', () => {
    expect(spotRestCost('tradesHistory')).toBe(2);
    expect(spotRestCost('/0/private/Ledgers')).toBe(2);
    expect(spotRestCost('/0/private/AddOrder')).toBe(0);
    expect(spotRestCost('/0/private/Balance')).toBe(1);
  });

  it('lets the history cost be configured (one docs version says 4)', () => {
    expect(spotRestCost('Ledgers', { historyCost: 4 })).toBe(4);
    expect(spotRestCost('Balance', { historyCost: 4 })).toBe(1);
  });
});

describe('flatRateBucket', () => {
  it('holds a burst of maxRequestsPerSecond and refills at that rate (default 5)', () => {
    const bucket = flatRateBucket(undefined, new TestScheduler(() => undefined));
    expect([bucket.capacity, bucket.refillPerSecond]).toEqual([5, 5]);
  });

  it('keeps capacity 1 for rates below one per second', () => {
    const bucket = flatRateBucket(0.5, new TestScheduler(() => undefined));
    expect([bucket.capacity, bucket.refillPerSecond]).toEqual([1, 0.5]);
  });

  it('refuses a non-positive rate naming the config option', () => {
    expect(() => flatRateBucket(0)).toThrow(/maxRequestsPerSecond/);
    expect(() => flatRateBucket(Number.NaN)).toThrow(KrakenConfigError);
  });
});

describe('Futures /derivatives budget (futures-wire.md §10.1)', () => {
  it('is 500 cost units per 10 s', () => {
    const budget = futuresDerivativesBudget(new TestScheduler(() => undefined));
    expect([budget.capacity, budget.refillPerSecond]).toEqual([500, 50]);
  });

  it.each([
    ['sendorder', 10],
    ['editorder', 10],
    ['cancelorder', 10],
    ['cancelallorders', 25],
    ['cancelallordersafter', 25],
    ['accounts', 2],
    ['openpositions', 2],
    ['openorders', 2],
    ['fills', 2],
    ['orders/status', 1],
    ['withdrawal', 100],
    ['unwindqueue', 200],
    ['leveragepreferences', 2],
    ['pnlpreferences', 2],
    ['transfer', 10],
    ['transfer/subaccount', 10],
    ['subaccount/3fa85f64-5717-4562-b3fc-2c963f66afa6/trading-enabled', 2],
    ['self-trade-strategy', 2],
    ['instruments', 0],
    ['tickers/PF_XBTUSD', 0],
    ['orderbook', 0],
  ])('%s costs %d', (endpoint, cost) => {
    expect(futuresDerivativesCost(endpoint)).toBe(cost);
  });

  it('prices batchorder at 9 + the number of instructions', () => {
    expect(futuresDerivativesCost('batchorder', 10)).toBe(19);
    expect(futuresDerivativesCost('batchorder', { batchSize: 1 })).toBe(10);
    expect(() => futuresDerivativesCost('batchorder')).toThrow(RangeError);
  });

  it('prices fills with lastFillTime at 25, from the option or the query string', () => {
    expect(futuresDerivativesCost('fills', { lastFillTime: true })).toBe(25);
    expect(futuresDerivativesCost('/derivatives/api/v3/fills?lastFillTime=2024-01-01T00:00:00.000Z')).toBe(25);
    expect(futuresDerivativesCost('/derivatives/api/v3/fills')).toBe(2);
  });

  it('prices PUT preferences at 10', () => {
    expect(futuresDerivativesCost('leveragepreferences', { method: 'PUT' })).toBe(10);
    expect(futuresDerivativesCost('/derivatives/api/v3/pnlpreferences', { method: 'put' })).toBe(10);
  });

  it('accepts full paths and URLs, case-insensitively', () => {
    expect(futuresDerivativesCost('/derivatives/api/v3/sendorder')).toBe(10);
    expect(futuresDerivativesCost('https://futures.kraken.com/derivatives/api/v3/SendOrder')).toBe(10);
    expect(futuresDerivativesCost('/derivatives/api/v4/historicalfundingrates')).toBe(0);
  });

  it('charges an unpublished private endpoint the documented default', () => {
    expect(futuresDerivativesCost('notifications')).toBe(FUTURES_DERIVATIVES_UNKNOWN_COST);
  });
});

describe('Futures /history pool (futures-wire.md §10.2)', () => {
  it('holds 100 tokens and refills 100 per 10 minutes', () => {
    const pool = futuresHistoryPool(new TestScheduler(() => undefined));
    expect(pool.capacity).toBe(100);
    expect(pool.refillPerSecond * 600).toBeCloseTo(100, 12);
  });

  it('charges 1 for orders, triggers and executions, 6 for the CSV', () => {
    expect(futuresHistoryCost('orders')).toBe(1);
    expect(futuresHistoryCost('/api/history/v3/triggers')).toBe(1);
    expect(futuresHistoryCost('/api/history/v2/executions')).toBe(1);
    expect(futuresHistoryCost('accountlogcsv')).toBe(6);
  });

  it.each([
    [1, 1],
    [25, 1],
    [26, 2],
    [50, 2],
    [51, 3],
    [1000, 3],
    [1001, 6],
    [5000, 6],
    [5001, 10],
    [100_000, 10],
  ])('charges an account-log of count %d %d token(s)', (count, cost) => {
    expect(futuresHistoryCost('account-log', count)).toBe(cost);
  });

  it('reads count from the query string, and uses Kraken’s default of 500 (3 tokens) without one', () => {
    expect(futuresHistoryCost('/api/history/v3/account-log?since=1&count=40')).toBe(2);
    expect(futuresHistoryCost('/api/history/v3/account-log')).toBe(3);
  });

  it('charges nothing for public market history', () => {
    expect(futuresHistoryCost('/api/history/v3/market/PF_XBTUSD/executions')).toBe(0);
  });
});
