/**
 * `kraken-rx/operators`: the RxJS operators kraken-rx is built from, public and reusable — token buckets and rate
 * limiting, retry with backoff, pagination, Kraken OHLC bar buffering, bar aggregation from trades, and order book
 * maintenance with checksum or sequence checks.
 *
 * @module kraken-rx/operators
 */
export * from './tokenBucket';
export * from './rateLimit';
export * from './retryBackoff';
export * from './paginate';
export * from './bufferBars';
export * from './aggregateBars';
export * from './orderBook';
// Kraken's rate-limit models as ready-made buckets (DESIGN.md §3.4 presets).
export * from '../kraken/common/rateLimits';
