/**
 * kraken-rx: every Kraken Spot and Futures feed as an RxJS Observable.
 *
 * Operators live in `kraken-rx/operators`, the embedded exchange in `kraken-rx/sim`.
 *
 * @module kraken-rx
 */
export * from './model';
export * from './errors';
export * from './config';
export * from './http';
export * from './instruments';
export * from './data';
export * from './execution';
export * from './node';
