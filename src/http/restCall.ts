/**
 * The machinery every Kraken REST call goes through (shared by the Spot and Futures raw clients):
 * rate-limit buckets, a per-key serial lane for Spot nonces, the timed-out HTTP exchange, the reading of
 * Kraken's answer into a value or a typed error, and the retry policy.
 *
 * Retry policy (DESIGN.md §4, spot-wire.md §1.2):
 * - `read` calls (market data, balances, order/fill queries, WS token) are retried with backoff on
 *   retryable errors: transport failures, timeouts, HTTP 5xx/429, and Kraken errors marked retryable
 *   (`EService:Unavailable`, `EAPI:Rate limit exceeded`, `apiLimitExceeded`, ...).
 * - `placement` calls (AddOrder, AddOrderBatch, AmendOrder, EditOrder, sendorder, editorder, batchorder) are
 *   NEVER retried: after a timeout or a 5xx the order may exist; the execution client reconciles instead.
 * - `cancel` calls (CancelOrder, CancelAll, CancelOrderBatch, CancelAllOrdersAfter, cancelorder,
 *   cancelallorders, cancelallordersafter) are retried like reads, because a second cancel cannot create
 *   anything. The catch: if the first attempt did cancel the order before failing (say the answer was lost),
 *   the retry answers `EOrder:Unknown order`. Such an error from a retry carries the previous attempt's error
 *   as `cause`, so the caller can tell "never existed" (no cause) from "maybe already cancelled by us" (cause
 *   set) and confirm with a query. Futures answers `cancelStatus.status: "notFound"` (data, not an error).
 */
import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { defer, Observable, tap, type SchedulerLike, type Subscription } from 'rxjs';
import type { FetchLike, KrakenClientConfig } from '../config/config';
import type { KrakenLogger } from '../config/logger';
import { KrakenApiError, KrakenDecodeError, KrakenRateLimitError, krakenApiError } from '../errors';
import { decodeOrError, inputExcerpt, parseJsonOrError } from '../kraken/common/decode';
import { futuresErrors } from '../kraken/futures/rest';
import { SpotEnvelope, spotErrors } from '../kraken/spot/rest';
import { NonceSource } from '../kraken/common/nonce';
import {
  flatRateBucket,
  futuresDerivativesBudget,
  futuresHistoryPool,
  spotRestCounter,
} from '../kraken/common/rateLimits';
import { rateLimit } from '../operators/rateLimit';
import type { TokenBucket } from '../operators/tokenBucket';
import { isRetryableError, retryBackoff } from '../operators/retryBackoff';
import { httpRequest, type HttpMethod, type HttpResponse } from '../transport/http';
import { proxyAgent } from '../transport/proxy';

// ---------------------------------------------------------------------------------------------------------------
// Rate-limit buckets

/**
 * The buckets a raw client charges. Share one set (and one `KrakenRawHttpClient`) between every client that
 * uses the same API key, or their counters will not add up.
 */
export interface KrakenHttpLimits {
  /** Spot per-key REST call counter (tier preset; private non-trading calls, history calls cost 2). */
  readonly spotCounter: TokenBucket;
  /** Flat `maxRequestsPerSecond` bucket for every Spot call. */
  readonly spotFlat: TokenBucket;
  /** Flat `maxRequestsPerSecond` bucket for every Futures call. */
  readonly futuresFlat: TokenBucket;
  /** Futures `/derivatives` budget: 500 per 10 s, per-endpoint costs. */
  readonly futuresDerivatives: TokenBucket;
  /** Futures `/api/history` pool: 100 per 10 min. */
  readonly futuresHistory: TokenBucket;
}

/** The default buckets for a config: its Spot tier, its `maxRequestsPerSecond`, Kraken's Futures budgets. */
export function krakenHttpLimits(config: KrakenClientConfig): KrakenHttpLimits {
  const scheduler = config.scheduler;
  return {
    spotCounter: spotRestCounter(config.spotRateLimitTier, scheduler),
    spotFlat: flatRateBucket(config.maxRequestsPerSecond, scheduler),
    futuresFlat: flatRateBucket(config.maxRequestsPerSecond, scheduler),
    futuresDerivatives: futuresDerivativesBudget(scheduler),
    futuresHistory: futuresHistoryPool(scheduler),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Serial lane

/**
 * Runs Observables one at a time, in subscription order: the next is subscribed only when the previous one
 * has completed, errored or been unsubscribed. Used per Spot API key so that nonces, drawn when a call
 * actually starts, reach Kraken in increasing order. Unsubscribing while queued leaves the queue.
 */
export class SerialLane {
  private busy = false;
  private readonly queue: (() => void)[] = [];

  /** Calls waiting behind the one in flight. */
  get queueLength(): number {
    return this.queue.length;
  }

  run<T>(work: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      let inner: Subscription | undefined;
      let started = false;
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        this.busy = false;
        this.startNext();
      };
      const start = (): void => {
        started = true;
        this.busy = true;
        inner = work.subscribe({
          next: (value) => subscriber.next(value),
          error: (err: unknown) => {
            release();
            subscriber.error(err);
          },
          complete: () => {
            release();
            subscriber.complete();
          },
        });
      };
      if (this.busy || this.queue.length > 0) this.queue.push(start);
      else start();
      return () => {
        if (!started) {
          const index = this.queue.indexOf(start);
          if (index >= 0) this.queue.splice(index, 1);
          return;
        }
        inner?.unsubscribe();
        release();
      };
    });
  }

  private startNext(): void {
    while (!this.busy && this.queue.length > 0) {
      const next = this.queue.shift();
      next?.();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Context

/** What a raw client needs from its config, resolved once. */
export interface RestContext {
  readonly config: KrakenClientConfig;
  readonly scheduler: SchedulerLike;
  readonly logger: KrakenLogger;
  readonly fetch?: FetchLike;
  readonly agent?: unknown;
  readonly timeoutMs: number;
  readonly limits: KrakenHttpLimits;
  readonly userAgent: string;
}

export const USER_AGENT = 'kraken-rx/0.1';

/** Options for building a raw client beyond its config. */
export interface RawClientOptions {
  /** Buckets to charge (default: {@link krakenHttpLimits} of the config). Partial sets fill in the rest. */
  readonly limits?: Partial<KrakenHttpLimits>;
}

export function restContext(config: KrakenClientConfig, options: RawClientOptions = {}): RestContext {
  return {
    config,
    scheduler: config.scheduler,
    logger: config.logger,
    ...(config.fetch ? { fetch: config.fetch } : {}),
    ...(config.httpProxyUrl ? { agent: proxyAgent(config.httpProxyUrl) } : {}),
    timeoutMs: config.httpTimeoutSecs * 1000,
    limits: { ...krakenHttpLimits(config), ...options.limits },
    userAgent: USER_AGENT,
  };
}

/** A nonce source on the config's clock (strictly increasing per key whatever the clock does). */
export function nonceSource(scheduler: SchedulerLike): NonceSource {
  return new NonceSource({ now: () => scheduler.now() });
}

// ---------------------------------------------------------------------------------------------------------------
// One call

export type CallKind = 'read' | 'cancel' | 'placement';

export interface Charge {
  readonly bucket: TokenBucket;
  readonly cost: number;
}

export interface CallSpec<A> {
  /** For log lines: `Spot` or `Futures`. */
  readonly venue: 'Spot' | 'Futures';
  /** For error messages: `AddOrder`, `sendorder`, `history/v3/orders`. */
  readonly endpoint: string;
  readonly kind: CallKind;
  /** Buckets charged before every attempt (cost 0 entries are skipped). */
  readonly charges: readonly Charge[];
  /** One attempt: build, sign, send and read. Subscribed after the buckets granted. */
  readonly attempt: () => Observable<A>;
}

const UNKNOWN_ORDER = ['EOrder:Unknown order', 'EOrder:Invalid order'];

const isRateLimitError = (err: unknown): boolean => err instanceof KrakenRateLimitError;

/**
 * Runs a call: charges the buckets, runs the attempt, drains the buckets when Kraken says the rate limit was
 * exceeded, and retries `read` and `cancel` calls with backoff (never `placement` calls).
 */
export function restCall<A>(ctx: RestContext, spec: CallSpec<A>): Observable<A> {
  const charges = spec.charges.filter((c) => c.cost > 0);
  return defer(() => {
    let previousError: unknown;
    let attempts = 0;
    const attempt$ = defer(() => {
      attempts += 1;
      const thisAttempt = attempts;
      // The first charge is the outermost: buckets grant in list order, then the attempt is subscribed; a
      // rate-limit answer drains every bucket charged.
      const run = charges.reduceRight(
        (call, c) => call.pipe(rateLimit(c.bucket, c.cost, { drainOn: isRateLimitError })),
        spec.attempt(),
      );
      if (spec.kind !== 'cancel' || thisAttempt === 1) return run;
      return run.pipe(
        tapError((err) => {
          if (err instanceof KrakenApiError && UNKNOWN_ORDER.some((p) => err.is(p)) && err.cause === undefined) {
            return new KrakenApiError(
              err.errors.map((e) => e.raw),
              err.endpoint,
              err.httpStatus,
              { cause: previousError, retryable: false },
            );
          }
          return err;
        }),
      );
    }).pipe(
      tap({
        error: (err: unknown) => {
          previousError = err;
        },
      }),
    );
    if (spec.kind === 'placement' || ctx.config.maxRetries === 0) return attempt$;
    // Asked only while retries are left: a `true` here is a retry about to be scheduled, so it is logged.
    const isRetryable = (err: unknown): boolean => {
      const retry = isRetryableError(err);
      if (retry) {
        const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        ctx.logger.info(`${spec.venue} ${spec.endpoint}: attempt ${attempts} failed (${reason}); retrying`, {
          endpoint: spec.endpoint,
          attempt: attempts,
        });
      }
      return retry;
    };
    return attempt$.pipe(
      retryBackoff<A>({
        maxRetries: ctx.config.maxRetries,
        initialDelayMs: ctx.config.retryDelayInitialMs,
        maxDelayMs: ctx.config.retryDelayMaxMs,
        isRetryable,
        scheduler: ctx.scheduler,
      }),
    );
  });
}

/** Replaces an error by another (or itself). */
function tapError<T>(replace: (err: unknown) => unknown) {
  return (source: Observable<T>): Observable<T> =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (v) => subscriber.next(v),
        error: (err: unknown) => subscriber.error(replace(err)),
        complete: () => subscriber.complete(),
      }),
    );
}

/** Sends one request with the context's fetch, agent, timeout and scheduler. */
export function send(
  ctx: RestContext,
  method: HttpMethod,
  url: string,
  headers: Record<string, string>,
  body?: string,
): Observable<HttpResponse> {
  return httpRequest({
    method,
    url,
    headers: { 'User-Agent': ctx.userAgent, Accept: 'application/json', ...headers },
    ...(body !== undefined ? { body } : {}),
    timeoutMs: ctx.timeoutMs,
    ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    ...(ctx.agent !== undefined ? { agent: ctx.agent } : {}),
    scheduler: ctx.scheduler,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading answers

function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** Seconds (`rate-limit-reset`, `retry-after`) → ms, when the answer says when to try again. */
function retryAfterMs(response: HttpResponse): number | undefined {
  for (const name of ['rate-limit-reset', 'retry-after']) {
    const value = response.header(name);
    if (value !== undefined && /^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  }
  return undefined;
}

/** An HTTP-level failure whose body is not a Kraken answer (an HTML 502 page, a plain-text 429). */
function httpStatusError(endpoint: string, response: HttpResponse, cause?: unknown): KrakenApiError {
  const options = {
    cause: cause ?? new KrakenDecodeError(`HTTP ${response.status} body`, [], inputExcerpt(response.text)),
  };
  if (response.status === 429) {
    return new KrakenRateLimitError([], endpoint, 429, retryAfterMs(response), options);
  }
  return new KrakenApiError([], endpoint, response.status, {
    ...options,
    retryable: isRetryableStatus(response.status),
  });
}

/**
 * Spot errors as the right type: a 429 is a rate limit, and `EService:Throttled: <unix seconds>` says when to
 * try again (absolute time), which becomes `retryAfterMs` on the scheduler's clock.
 */
function spotApiError(ctx: RestContext, errors: string[], method: string, response: HttpResponse): KrakenApiError {
  const err = krakenApiError(errors, method, response.status);
  const throttled = err.errors.find((e) => e.category === 'EService' && e.message === 'Throttled');
  const until = throttled?.detail !== undefined ? Number(throttled.detail) : NaN;
  const throttledMs = Number.isFinite(until) ? Math.max(0, until * 1000 - ctx.scheduler.now()) : undefined;
  if (response.status !== 429 && throttledMs === undefined) return err;
  return new KrakenRateLimitError(errors, method, response.status, throttledMs ?? retryAfterMs(response));
}

/**
 * Reads a Spot answer `{error: [...], result}`: `E...` strings → `KrakenApiError` (`KrakenRateLimitError`
 * for rate limits), `W...` strings logged, `result` decoded with `codec` (paths reported from `result`).
 * A non-200 status without a Kraken body → `KrakenApiError` with `httpStatus` (retryable for 5xx/429/408);
 * text that is not JSON, or JSON of the wrong shape → `KrakenDecodeError`.
 */
export function readSpotAnswer<A>(
  ctx: RestContext,
  method: string,
  response: HttpResponse,
  codec: t.Decoder<unknown, A>,
): A {
  const what = `Spot ${method}`;
  const parsed = parseJsonOrError(response.text, what);
  if (E.isLeft(parsed)) {
    if (response.status !== 200) throw httpStatusError(method, response);
    throw parsed.left;
  }
  const envelope = decodeOrError(SpotEnvelope, parsed.right, what);
  if (E.isLeft(envelope)) {
    if (response.status !== 200) throw httpStatusError(method, response);
    throw envelope.left;
  }
  const errors = spotErrors(envelope.right);
  if (errors.length > 0) throw spotApiError(ctx, errors, method, response);
  if (response.status !== 200) throw httpStatusError(method, response);
  for (const warning of envelope.right.error) {
    if (!errors.includes(warning)) ctx.logger.warn(`${what}: Kraken warning: ${warning}`, { endpoint: method });
  }
  const result = decodeOrError(codec, envelope.right.result, what, 'result');
  if (E.isLeft(result)) throw result.left;
  return result.right;
}

/**
 * Reads a Futures answer. `result: "error"` with `error` or `errors[]` → `KrakenApiError` (rate limits as
 * `KrakenRateLimitError`); HTTP 429 → `KrakenRateLimitError` with `retryAfterMs` from `rate-limit-reset`;
 * another non-200 → `KrakenApiError` with `httpStatus` (retryable for 5xx/429/408 unless Kraken named the
 * error); otherwise the whole body decoded with `codec`. Order-action statuses (`sendStatus.status` other
 * than `placed`, ...) are data for the caller, returned as such.
 */
export function readFuturesAnswer<A>(endpoint: string, response: HttpResponse, codec: t.Decoder<unknown, A>): A {
  const what = `Futures ${endpoint}`;
  const parsed = parseJsonOrError(response.text, what);
  if (E.isLeft(parsed)) {
    if (response.status !== 200) throw httpStatusError(endpoint, response);
    throw parsed.left;
  }
  const body = parsed.right;
  const errors = futuresErrors(body);
  if (errors !== undefined) {
    if (response.status === 429) throw new KrakenRateLimitError(errors, endpoint, 429, retryAfterMs(response));
    throw krakenApiError(errors, endpoint, response.status);
  }
  if (response.status !== 200) {
    const named = (futuresErrors(body, response.status) ?? []).filter((e) => e !== 'unknownError');
    if (response.status === 429) throw new KrakenRateLimitError(named, endpoint, 429, retryAfterMs(response));
    throw new KrakenApiError(named, endpoint, response.status, {
      retryable: isRetryableStatus(response.status),
      cause: new KrakenDecodeError(`HTTP ${response.status} body`, [], inputExcerpt(response.text)),
    });
  }
  const decoded = decodeOrError(codec, body, what);
  if (E.isLeft(decoded)) throw decoded.left;
  return decoded.right;
}
