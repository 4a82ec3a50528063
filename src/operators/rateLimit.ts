import { concat, ignoreElements, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { TokenBucket } from './tokenBucket';

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /**
   * When the source errors with an error for which this returns true, the bucket is drained
   * ({@link TokenBucket.drain}) before the error is passed on, so the calls behind this one wait for
   * the server's counter to decay. Typically `(err) => err instanceof KrakenRateLimitError`.
   */
  drainOn?: (err: unknown) => boolean;
}

/**
 * Subscribes to the source only once `bucket` has granted `cost` tokens.
 *
 * Each subscription is one call: it queues on the bucket (first come, first served), and when the
 * tokens are granted the source is subscribed and mirrored. Unsubscribing while still queued gives
 * up the place in the queue and never subscribes the source. Because the wait happens on every
 * subscription, a resubscribing operator after this one (`retryBackoff`, `retry`, `repeat`) pays
 * for each attempt.
 *
 * ```
 * bucket: capacity 5, refill 1 token/s, full at 0 ms; each call's source is  -a|
 *
 * call 1, cost 5, at 0 ms:   -a|                       subscribed at 0 ms
 * call 2, cost 3, at 0 ms:   --- 3000ms --- -a|        waits for 3 tokens: 3000 ms
 * call 3, cost 1, at 10 ms:  --- 4000ms --------- -a|  1 token is back at 1000 ms, but call 2 is ahead: 4000 ms
 * ```
 *
 * @example
 * ```ts
 * const counter = spotRestCounter('starter');
 * const ledgers$ = defer(() => http.post('/0/private/Ledgers', body)).pipe(
 *   rateLimit(counter, spotRestCost('Ledgers'), { drainOn: (e) => e instanceof KrakenRateLimitError }),
 * );
 * ```
 *
 * @param bucket The shared bucket to take tokens from.
 * @param cost Tokens this call costs (default 1); more than the bucket's capacity errors with a `RangeError`.
 * @param options See {@link RateLimitOptions}.
 * @returns A function that returns an Observable mirroring the source, subscribed after the grant.
 */
export function rateLimit<T>(
  bucket: TokenBucket,
  cost = 1,
  options: RateLimitOptions = {},
): MonoTypeOperatorFunction<T> {
  const { drainOn } = options;
  const granted = bucket.acquire(cost).pipe(ignoreElements());
  return (source) => {
    const call = drainOn
      ? source.pipe(
          tap({
            error: (err: unknown) => {
              if (drainOn(err)) bucket.drain(); // a throwing predicate replaces the error (tap's contract)
            },
          }),
        )
      : source;
    return concat(granted, call);
  };
}
