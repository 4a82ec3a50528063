import { asyncScheduler, retry, throwError, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import {
  KrakenApiError,
  KrakenConfigError,
  KrakenDecodeError,
  KrakenRateLimitError,
  KrakenSubscriptionError,
} from '../errors';

/** The backoff rule shared by {@link retryBackoff} and the WebSocket reconnect. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter (ms, >= 0). */
  initialDelayMs: number;
  /** Upper bound of every delay (ms, >= initialDelayMs). */
  maxDelayMs: number;
  /** Share of the delay that is randomised, 0..1 (default 0.5): the delay lies in `[base*(1-jitter), base]`. */
  jitter?: number;
  /** Uniform random source in [0, 1) (default `Math.random`); inject a constant for exact tests. */
  random?: () => number;
}

/** Options of {@link retryBackoff}. */
export interface RetryBackoffConfig extends BackoffOptions {
  /** Retries after the first failure (0 = none). The error after the last retry is emitted. */
  maxRetries: number;
  /** Which errors are worth retrying; others pass through at once. Default {@link isRetryableError}. */
  isRetryable?: (err: unknown) => boolean;
  /** Start counting attempts from 1 again after the source emits a value (for long-lived streams). */
  resetOnSuccess?: boolean;
  /** Timers; defaults to `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

function validateBackoff(options: BackoffOptions): Required<BackoffOptions> {
  const { initialDelayMs, maxDelayMs, jitter = 0.5, random = Math.random } = options;
  if (!(Number.isFinite(initialDelayMs) && initialDelayMs >= 0)) {
    throw new KrakenConfigError('initialDelayMs', `must be a finite number >= 0, got ${String(initialDelayMs)}`);
  }
  if (!(Number.isFinite(maxDelayMs) && maxDelayMs >= initialDelayMs)) {
    throw new KrakenConfigError('maxDelayMs', `must be a finite number >= initialDelayMs, got ${String(maxDelayMs)}`);
  }
  if (!(jitter >= 0 && jitter <= 1)) {
    throw new KrakenConfigError('jitter', `must be between 0 and 1, got ${String(jitter)}`);
  }
  return { initialDelayMs, maxDelayMs, jitter, random };
}

/**
 * The delay before retry number `attempt`: `initialDelayMs * 2^(attempt-1)`, capped at `maxDelayMs`,
 * then reduced by up to `jitter` of itself at random, rounded to whole milliseconds.
 *
 * With `initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5` and `random = () => 0.5`, attempts 1..5 wait
 * 75, 150, 300, 600, 750 ms. With `jitter: 0` they wait 100, 200, 400, 800, 1000 ms.
 *
 * @param attempt The retry number, 1-based.
 * @param options The backoff rule.
 * @returns The delay in milliseconds, in `[0, maxDelayMs]`.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  if (!(Number.isInteger(attempt) && attempt >= 1)) {
    throw new RangeError(`attempt must be an integer >= 1, got ${String(attempt)}`);
  }
  const { initialDelayMs, maxDelayMs, jitter, random } = validateBackoff(options);
  // Cap the exponent so 0 * 2^n stays 0 (not NaN) and huge attempts stay finite.
  const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt - 1, 1000));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(base * (1 - jitter + jitter * r));
}

/**
 * The default retry predicate: a `KrakenApiError` is retried when Kraken's error says so
 * (`err.retryable`: busy, unavailable, rate limited, ...); configuration, decode and subscription
 * errors are never retried; anything else (network failures, timeouts, dropped connections) is.
 * Order placement must not use this default: pass a predicate that refuses ambiguous failures.
 */
export function isRetryableError(err: unknown): boolean {
  if (err instanceof KrakenApiError) return err.retryable;
  return !(
    err instanceof KrakenConfigError ||
    err instanceof KrakenDecodeError ||
    err instanceof KrakenSubscriptionError
  );
}

/**
 * Resubscribes to the source after a retryable error, waiting longer each time (exponential
 * backoff with jitter, see {@link backoffDelayMs}).
 *
 * A non-retryable error passes through at once. After `maxRetries` retries the last error is
 * emitted. A `KrakenRateLimitError` that carries `retryAfterMs` waits at least that long.
 *
 * ```
 * initialDelayMs 100, maxDelayMs 1000, jitter 0.5, random () => 0.5, maxRetries 2
 *
 * source:  --#                 (errors 2 ms after each subscription)
 * result:  -- 75ms -- 150ms --#
 *          ^ subscribe at 0, 77, 229; error out at 231
 * ```
 *
 * @example
 * ```ts
 * const balance$ = rawHttp.spot.balance().pipe(
 *   retryBackoff({ maxRetries: 3, initialDelayMs: 500, maxDelayMs: 10_000 }),
 * );
 * ```
 *
 * @param config Backoff rule, `maxRetries`, `isRetryable`, `resetOnSuccess`, `scheduler`.
 * @returns A function that returns an Observable that mirrors the source, resubscribing on retryable errors.
 */
export function retryBackoff<T>(config: RetryBackoffConfig): MonoTypeOperatorFunction<T> {
  const { maxRetries, isRetryable = isRetryableError, resetOnSuccess = false, scheduler = asyncScheduler } = config;
  const backoff = validateBackoff(config);
  if (!(maxRetries >= 0 && (Number.isInteger(maxRetries) || maxRetries === Infinity))) {
    throw new KrakenConfigError('maxRetries', `must be an integer >= 0, got ${String(maxRetries)}`);
  }
  return retry<T>({
    count: maxRetries,
    resetOnSuccess,
    delay: (err: unknown, attempt: number) => {
      if (!isRetryable(err)) return throwError(() => err);
      let delayMs = backoffDelayMs(attempt, backoff);
      if (err instanceof KrakenRateLimitError && err.retryAfterMs !== undefined) {
        delayMs = Math.max(delayMs, err.retryAfterMs);
      }
      return timer(delayMs, scheduler);
    },
  });
}
