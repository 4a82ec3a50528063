/**
 * Kraken's rate limits as {@link TokenBucket} presets and per-call costs (spot-wire.md §1.4,
 * futures-wire.md §10). A decaying Kraken counter with maximum `M` and decay `d`/s is a bucket of
 * capacity `M` refilling at `d`/s: the counter is `M - tokens`, and a call Kraken would refuse
 * ("would take the counter above the maximum") is a call that finds fewer tokens than its cost.
 * All buckets start full, like Kraken's counters start at 0. No I/O here.
 */
import type { SchedulerLike } from 'rxjs';
import { KrakenConfigError } from '../../errors';
import { TokenBucket } from '../../operators/tokenBucket';

// ---------------------------------------------------------------------------------------------
// Spot REST call counter (spot-wire.md §1.4)

export type SpotTier = 'starter' | 'intermediate' | 'pro';

/** Maximum counter and decay per second of each Spot verification tier. */
export const SPOT_REST_TIERS: Readonly<
  Record<SpotTier, { readonly maxCounter: number; readonly decayPerSecond: number }>
> = {
  starter: { maxCounter: 15, decayPerSecond: 0.33 },
  intermediate: { maxCounter: 20, decayPerSecond: 0.5 },
  pro: { maxCounter: 20, decayPerSecond: 1 },
};

/**
 * The per-API-key REST call counter of a Spot tier: Starter 15 / −0.33 s⁻¹, Intermediate 20 / −0.5,
 * Pro 20 / −1. The tier is not discoverable through the API; it is a client setting (Kraken's SDK
 * defaults to Starter). On a fresh Starter counter 15 calls of cost 1 pass at once and the 16th waits
 * 1 / 0.33 s (3031 ms, rounded up to the millisecond).
 */
export function spotRestCounter(tier: SpotTier, scheduler?: SchedulerLike): TokenBucket {
  const limits = (SPOT_REST_TIERS as Partial<Record<string, (typeof SPOT_REST_TIERS)[SpotTier]>>)[tier];
  if (!limits) {
    throw new KrakenConfigError(
      'tier',
      `must be one of ${Object.keys(SPOT_REST_TIERS).join(', ')}, got ${String(tier)}`,
    );
  }
  return new TokenBucket({
    capacity: limits.maxCounter,
    refillPerSecond: limits.decayPerSecond,
    scheduler,
    name: `kraken-spot-rest-${tier}`,
  });
}

/** Ledger and trade-history queries: +2 per Kraken's docs. `ClosedOrders` is weighted like history as ccxt does (conservative). */
export const SPOT_REST_HISTORY_METHODS: readonly string[] = [
  'Ledgers',
  'QueryLedgers',
  'TradesHistory',
  'QueryTrades',
  'ClosedOrders',
];

/** Order-mutating calls: charged to the per-pair trading-engine counter (§1.5), not the REST counter. */
export const SPOT_REST_UNCOUNTED_TRADING_METHODS: readonly string[] = [
  'AddOrder',
  'AddOrderBatch',
  'AmendOrder',
  'EditOrder',
  'CancelOrder',
  'CancelAll',
  'CancelAllOrdersAfter',
  'CancelOrderBatch',
];

/** Public endpoints: throttled per IP, not by the per-key counter (pace them with {@link flatRateBucket}). */
export const SPOT_PUBLIC_METHODS: readonly string[] = [
  'Time',
  'SystemStatus',
  'Assets',
  'AssetPairs',
  'Ticker',
  'OHLC',
  'Trades',
  'Depth',
  'Spread',
];

const lowerSet = (names: readonly string[]): ReadonlySet<string> => new Set(names.map((n) => n.toLowerCase()));
const SPOT_HISTORY = lowerSet(SPOT_REST_HISTORY_METHODS);
const SPOT_UNCOUNTED = lowerSet([...SPOT_REST_UNCOUNTED_TRADING_METHODS, ...SPOT_PUBLIC_METHODS]);

/** Options of {@link spotRestCost}. */
export interface SpotRestCostOptions {
  /** Cost of a ledger / trade-history query (default 2; one 2026 version of Kraken's docs says 4). */
  historyCost?: number;
}

/**
 * What one Spot REST call adds to the per-key counter: 2 for ledger and trade-history queries
 * (`Ledgers`, `QueryLedgers`, `TradesHistory`, `QueryTrades`, and `ClosedOrders`), 0 for order-mutating
 * calls (`AddOrder`, `CancelOrder`, ... count against the trading-engine counter instead) and for public
 * endpoints, 1 for every other private call.
 *
 * @param method The Kraken method, as Kraken names it (`'TradesHistory'`), in camelCase (`'tradesHistory'`)
 * or as a path (`'/0/private/TradesHistory'`); case-insensitive.
 */
export function spotRestCost(method: string, options: SpotRestCostOptions = {}): number {
  const name = method.slice(method.lastIndexOf('/') + 1).toLowerCase();
  if (SPOT_UNCOUNTED.has(name)) return 0;
  if (SPOT_HISTORY.has(name)) return options.historyCost ?? 2;
  return 1;
}

// ---------------------------------------------------------------------------------------------
// Flat request-rate bucket (the reference integration's `maxRequestsPerSecond`)

/**
 * A flat request-rate bucket: a burst of `maxRequestsPerSecond` calls, then `maxRequestsPerSecond`
 * per second, evenly spaced (capacity and refill both `maxRequestsPerSecond`; capacity at least 1 so
 * a rate below 1/s still lets single calls through). Each call costs 1.
 *
 * @param maxRequestsPerSecond The `maxRequestsPerSecond` config option (default 5).
 */
export function flatRateBucket(maxRequestsPerSecond = 5, scheduler?: SchedulerLike): TokenBucket {
  if (!(Number.isFinite(maxRequestsPerSecond) && maxRequestsPerSecond > 0)) {
    throw new KrakenConfigError(
      'maxRequestsPerSecond',
      `must be a finite number > 0, got ${String(maxRequestsPerSecond)}`,
    );
  }
  return new TokenBucket({
    capacity: Math.max(1, maxRequestsPerSecond),
    refillPerSecond: maxRequestsPerSecond,
    scheduler,
    name: `flat-${maxRequestsPerSecond}-per-second`,
  });
}

// ---------------------------------------------------------------------------------------------
// Futures /derivatives cost budget (futures-wire.md §10.1)

/** The `/derivatives` budget: 500 cost units per 10 s, continuously replenished (capacity 500, +50/s). */
export const FUTURES_DERIVATIVES_BUDGET = { capacity: 500, refillPerSecond: 50 } as const;

/** A bucket for the Futures `/derivatives` endpoints: 500 cost per 10 s. Charge before sending. */
export function futuresDerivativesBudget(scheduler?: SchedulerLike): TokenBucket {
  return new TokenBucket({ ...FUTURES_DERIVATIVES_BUDGET, scheduler, name: 'kraken-futures-derivatives' });
}

/**
 * Per-endpoint costs of the `/derivatives/api/v3` endpoints (path after `/derivatives/api/v3/`, lowercase).
 * `batchorder` (9 + instructions), `fills` (2, or 25 with `lastFillTime`) and the GET/PUT preference
 * endpoints are computed in {@link futuresDerivativesCost}.
 */
export const FUTURES_DERIVATIVES_COSTS: Readonly<Record<string, number>> = {
  sendorder: 10,
  editorder: 10,
  cancelorder: 10,
  cancelallorders: 25,
  cancelallordersafter: 25,
  accounts: 2,
  openpositions: 2,
  openorders: 2,
  'orders/status': 1,
  withdrawal: 100,
  withdrawaltospotwallet: 100,
  unwindqueue: 200,
  transfer: 10,
  'transfer/subaccount': 10,
  'self-trade-strategy': 2,
  // public market data: no cost
  instruments: 0,
  'instruments/status': 0,
  tickers: 0,
  orderbook: 0,
  history: 0,
  historicalfundingrates: 0,
};

/**
 * Cost of a private `/derivatives` endpoint Kraken publishes no number for (`notifications`, `subaccounts`,
 * `initialmargin`, ...): an assumption, the price of an ordinary private read.
 */
export const FUTURES_DERIVATIVES_UNKNOWN_COST = 2;

/** Details that change a Futures call's cost. */
export interface FuturesCostOptions {
  /** Number of instructions in a `batchorder` (cost 9 + n). */
  batchSize?: number;
  /** A `fills` call with `lastFillTime` costs 25 instead of 2. */
  lastFillTime?: boolean;
  /** HTTP method, for endpoints priced differently for GET and PUT (`leveragepreferences`, `pnlpreferences`). */
  method?: string;
}

/** `'/derivatives/api/v3/fills?lastFillTime=x'` → `{ path: 'fills', query: 'lastFillTime=x' }`. */
function splitFuturesPath(endpoint: string, prefixes: RegExp): { path: string; query: string } {
  const [rawPath, query = ''] = endpoint.trim().split('?', 2) as [string, string?];
  const path = rawPath
    .replace(/^https?:\/\/[^/]+/i, '')
    .replace(prefixes, '')
    .replace(/^\/+|\/+$/g, '')
    .toLowerCase();
  return { path, query };
}

/**
 * What one `/derivatives` call costs against {@link futuresDerivativesBudget}: sendorder, editorder,
 * cancelorder 10; cancelallorders(after) 25; batchorder 9 + instructions; accounts, openpositions,
 * openorders 2; fills 2, or 25 with `lastFillTime`; orders/status 1; withdrawal 100; unwindqueue 200;
 * GET / PUT leveragepreferences and pnlpreferences 2 / 10; transfer 10; public endpoints 0.
 *
 * @param endpoint The endpoint name (`'sendorder'`) or path, with or without `/derivatives/api/v3/` and a
 * query string (`'fills?lastFillTime=2024-01-01T00:00:00Z'` is priced 25); case-insensitive.
 * @param batchSizeOrOptions For `batchorder`, the number of instructions; or {@link FuturesCostOptions}.
 */
export function futuresDerivativesCost(endpoint: string, batchSizeOrOptions?: number | FuturesCostOptions): number {
  const options: FuturesCostOptions =
    typeof batchSizeOrOptions === 'number' ? { batchSize: batchSizeOrOptions } : (batchSizeOrOptions ?? {});
  const { path, query } = splitFuturesPath(endpoint, /^\/?(derivatives\/)?api\/v\d+\//i);
  const isPut = (options.method ?? 'GET').toUpperCase() !== 'GET';
  switch (path) {
    case 'batchorder': {
      const n = options.batchSize;
      if (n === undefined || !Number.isInteger(n) || n < 0) {
        throw new RangeError(`batchorder cost needs the number of instructions (an integer >= 0), got ${String(n)}`);
      }
      return 9 + n;
    }
    case 'fills':
      return options.lastFillTime || /(^|&)lastFillTime=/i.test(query) ? 25 : 2;
    case 'leveragepreferences':
    case 'pnlpreferences':
      return isPut ? 10 : 2;
  }
  if (/^subaccount\/[^/]+\/trading-enabled$/.test(path)) return 2;
  if (/^(instruments|tickers)\/[^/]+(\/status)?$/.test(path)) return 0;
  return FUTURES_DERIVATIVES_COSTS[path] ?? FUTURES_DERIVATIVES_UNKNOWN_COST;
}

// ---------------------------------------------------------------------------------------------
// Futures /history token pool (futures-wire.md §10.2)

/** The `/history` pool: 100 tokens, replenished at 100 per 10 minutes (one token every 6 s). */
export const FUTURES_HISTORY_POOL = { capacity: 100, refillPerSecond: 100 / 600 } as const;

/** A bucket for the Futures `/api/history` endpoints: 100 tokens per 10 minutes. */
export function futuresHistoryPool(scheduler?: SchedulerLike): TokenBucket {
  return new TokenBucket({ ...FUTURES_HISTORY_POOL, scheduler, name: 'kraken-futures-history' });
}

/**
 * What one `/api/history` call takes from {@link futuresHistoryPool}: orders, triggers, executions 1;
 * accountlogcsv 6; account-log by `count` (1–25: 1, 26–50: 2, 51–1000: 3, 1001–5000: 6, 5001–100000: 10;
 * Kraken's default count is 500, so 3); public market history (`market/...`) 0; anything else 1.
 *
 * @param endpoint `'account-log'` or a path such as `'/api/history/v3/account-log?count=50'` (a `count` in the
 * query is used when `count` is not given).
 * @param count The `count` parameter of an account-log request.
 */
export function futuresHistoryCost(endpoint: string, count?: number): number {
  const { path, query } = splitFuturesPath(endpoint, /^\/?(api\/)?history\/v\d+\//i);
  if (path.startsWith('market/')) return 0;
  if (path === 'accountlogcsv') return 6;
  if (path !== 'account-log') return 1;
  const fromQuery = /(?:^|&)count=(\d+)/i.exec(query)?.[1];
  const n = count ?? (fromQuery !== undefined ? Number(fromQuery) : 500);
  if (n <= 25) return 1;
  if (n <= 50) return 2;
  if (n <= 1000) return 3;
  if (n <= 5000) return 6;
  return 10;
}
