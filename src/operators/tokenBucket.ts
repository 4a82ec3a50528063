import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { KrakenConfigError } from '../errors';

/** Options of a {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** The most tokens the bucket holds (the burst size). Must be > 0. */
  capacity: number;
  /** Tokens added per second, continuously (fractions included). Must be > 0. */
  refillPerSecond: number;
  /** Tokens at construction; defaults to `capacity` (a fresh, full bucket). */
  initialTokens?: number;
  /** Clock and timers; defaults to `asyncScheduler`. Pass a `TestScheduler` in tests. */
  scheduler?: SchedulerLike;
  /** A name for error messages, e.g. `'kraken-spot-rest-starter'`. */
  name?: string;
}

interface Waiter {
  readonly cost: number;
  readonly grant: () => void;
}

/** Token amounts this close to the cost count as enough (floating-point refill arithmetic). */
const TOKEN_EPSILON = 1e-9;

/**
 * A token bucket that grants tokens in strict arrival order, on an Rx scheduler's clock.
 *
 * The bucket starts with `initialTokens` (default: full) and refills continuously at
 * `refillPerSecond`, up to `capacity`. The refill is computed from `scheduler.now()` whenever the
 * bucket is consulted, so fractional rates such as Kraken's 0.33/s are exact rather than ticked.
 *
 * {@link TokenBucket.acquire} returns a cold Observable that, on subscription, joins a FIFO queue and
 * emits once (then completes) when its `cost` has been taken from the bucket. A waiter is granted
 * only when every waiter ahead of it has been granted, so a cheap call never overtakes an expensive
 * one queued earlier. Only the head of the queue has a timer: one wake-up, scheduled for the first
 * whole millisecond at which its tokens are available (Rx schedulers count in milliseconds, so a
 * wake-up is never early and at most 1 ms late). Unsubscribing while queued leaves the queue and,
 * if it was the head, lets the next waiter through at once when it can be served.
 *
 * Kraken's decaying "call counters" map onto this directly: a counter with maximum `M` decaying at
 * `d` per second is a bucket of capacity `M` refilling at `d`/s, and a call that would push the
 * counter over `M` is a call that finds fewer tokens than its cost. Presets live in
 * `kraken/common/rateLimits.ts`.
 *
 * When the server says the limit was exceeded anyway (another process using the same key, a
 * restart that forgot the counter), call {@link TokenBucket.drain} to empty the bucket, or
 * {@link TokenBucket.penalize} to take a number of tokens (the balance may go negative, which
 * models Kraken extending the penalty). `rateLimit(bucket, cost, { drainOn })` does this for you.
 *
 * ```
 * capacity 2, refill 1 token/s, full at 0 ms; g = granted; in order of subscription:
 *
 * acquire(2) at 0 ms:                          (g|)                    at 0 ms
 * acquire(1) at 0 ms:                          ---- 1000ms ---- (g|)   at 1000 ms
 * acquire(2) at 200 ms, unsubscribed at 300:   --!                     leaves the queue, takes nothing
 * acquire(1) at 500 ms:                        ---- 2000ms ---- (g|)   at 2000 ms, after the one ahead
 * ```
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket({ capacity: 15, refillPerSecond: 0.33 });
 * bucket.acquire(2).subscribe(() => console.log('2 tokens granted'));
 * ```
 */
export class TokenBucket {
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly name: string;
  private readonly scheduler: SchedulerLike;
  private tokens: number;
  private updatedAt: number;
  private readonly queue: Waiter[] = [];
  private wakeUp: Subscription | undefined;
  private draining = false;

  constructor(options: TokenBucketOptions) {
    const { capacity, refillPerSecond } = options;
    if (!(Number.isFinite(capacity) && capacity > 0)) {
      throw new KrakenConfigError('capacity', `must be a finite number > 0, got ${String(capacity)}`);
    }
    if (!(Number.isFinite(refillPerSecond) && refillPerSecond > 0)) {
      throw new KrakenConfigError('refillPerSecond', `must be a finite number > 0, got ${String(refillPerSecond)}`);
    }
    const initialTokens = options.initialTokens ?? capacity;
    if (!(Number.isFinite(initialTokens) && initialTokens <= capacity)) {
      throw new KrakenConfigError('initialTokens', `must be a finite number <= capacity, got ${String(initialTokens)}`);
    }
    this.capacity = capacity;
    this.refillPerSecond = refillPerSecond;
    this.name = options.name ?? 'token-bucket';
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.tokens = initialTokens;
    this.updatedAt = this.scheduler.now();
  }

  /**
   * Waits for `cost` tokens, in arrival order.
   *
   * @param cost Tokens to take, `0 <= cost <= capacity` (default 1). A cost of 0 is granted at once,
   * even past a queue, since it takes nothing from anyone.
   * @returns A cold Observable that emits `undefined` once and completes when the tokens have been
   * taken; it errors with a `RangeError` if `cost` is negative, not finite, or more than `capacity`
   * (a wait that could never end). Unsubscribing before the grant gives up the place in the queue.
   */
  acquire(cost = 1): Observable<void> {
    return new Observable<void>((subscriber) => {
      if (!(Number.isFinite(cost) && cost >= 0)) {
        subscriber.error(new RangeError(`${this.name}: cost must be a finite number >= 0, got ${String(cost)}`));
        return undefined;
      }
      if (cost > this.capacity) {
        subscriber.error(
          new RangeError(
            `${this.name}: cost ${cost} exceeds the bucket capacity ${this.capacity} and can never be granted`,
          ),
        );
        return undefined;
      }
      if (cost === 0) {
        subscriber.next();
        subscriber.complete();
        return undefined;
      }
      const waiter: Waiter = {
        cost,
        grant: () => {
          subscriber.next();
          subscriber.complete();
        },
      };
      this.queue.push(waiter);
      if (this.queue.length === 1) this.serveQueue();
      return () => {
        const index = this.queue.indexOf(waiter);
        if (index < 0) return; // already granted
        this.queue.splice(index, 1);
        if (index === 0) this.serveQueue();
      };
    });
  }

  /** Tokens available now (fractional; negative after a {@link penalize} beyond the balance). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Waiters queued and not yet granted. */
  get queueLength(): number {
    return this.queue.length;
  }

  /**
   * Takes `tokens` from the bucket without queueing, e.g. when the server reports a call this
   * bucket did not see. The balance may go negative; queued waiters are rescheduled accordingly.
   */
  penalize(tokens: number): void {
    if (!(Number.isFinite(tokens) && tokens >= 0)) {
      throw new RangeError(`${this.name}: penalty must be a finite number >= 0, got ${String(tokens)}`);
    }
    this.refill();
    this.tokens -= tokens;
    this.serveQueue();
  }

  /**
   * Empties the bucket (a positive balance becomes 0), as when the server answers "rate limit
   * exceeded": its counter is at the maximum, so ours should be too. Refill restarts from now.
   */
  drain(): void {
    this.refill();
    if (this.tokens > 0) this.tokens = 0;
    this.serveQueue();
  }

  private refill(): void {
    const now = this.scheduler.now();
    const elapsedMs = Math.max(0, now - this.updatedAt); // a wall clock may step backwards
    this.updatedAt = Math.max(now, this.updatedAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsedMs * this.refillPerSecond) / 1000);
  }

  /** Grants every waiter that can be served now, in order, then arms one wake-up for the new head. */
  private serveQueue(): void {
    if (this.draining) return; // re-entered from a grant: the loop below picks the change up
    this.draining = true;
    try {
      this.wakeUp?.unsubscribe();
      this.wakeUp = undefined;
      while (this.queue.length > 0) {
        const head = this.queue[0];
        this.refill();
        if (this.tokens < head.cost - TOKEN_EPSILON * Math.max(1, head.cost)) {
          this.armWakeUp(head.cost - this.tokens);
          break;
        }
        this.queue.shift();
        this.tokens -= head.cost;
        head.grant(); // may re-enter acquire, an unsubscribe, penalize or drain
      }
    } finally {
      this.draining = false;
    }
  }

  private armWakeUp(missingTokens: number): void {
    const exactMs = (missingTokens * 1000) / this.refillPerSecond;
    // Round up to the scheduler's millisecond, forgiving float noise just above a whole number;
    // at least 1 ms so a waiter that is short by a rounding error cannot spin in one frame.
    const delayMs = Math.max(1, Math.ceil(exactMs - 1e-6));
    this.wakeUp = this.scheduler.schedule(() => {
      this.wakeUp = undefined;
      this.serveQueue();
    }, delayMs);
  }
}
