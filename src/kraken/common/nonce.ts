/**
 * Nonces for signed Kraken requests: strictly increasing per API key (spot-wire.md §1.3.3, futures-wire.md
 * §3.2 rule 4), across any number of calls in one millisecond and when the wall clock steps back.
 */
import { KrakenConfigError } from '../../errors';

export interface NonceSourceOptions {
  /** Epoch milliseconds (may be fractional). Default `Date.now`; inject a scheduler's `now` in tests. */
  readonly now?: () => number;
  /**
   * Nonce units per millisecond: 1000 (default, microseconds: `1.7e15`, inside `Number.MAX_SAFE_INTEGER`,
   * the scale Kraken Futures suggests), 1 (milliseconds) or 1 000 000 (nanoseconds, Kraken's Rust SDK).
   * Kraken rejects a nonce below one it has already accepted for the key, so never lower the scale for a key
   * that has used a larger one.
   */
  readonly unitsPerMs?: 1 | 1000 | 1_000_000;
  /** A nonce already used with this key (e.g. persisted from a previous run): every nonce will exceed it. */
  readonly floor?: string;
}

const DIGITS = /^[0-9]+$/;

/**
 * A strictly increasing decimal nonce: `max(last + 1, floor(now() * unitsPerMs))`. Synchronous, so calls
 * made from one JavaScript thread can never share a value; the clock only sets the floor.
 */
export class NonceSource {
  private readonly now: () => number;
  private readonly unitsPerMs: bigint;
  private last: bigint;

  constructor(options: NonceSourceOptions = {}) {
    this.now = options.now ?? Date.now;
    const units = options.unitsPerMs ?? 1000;
    if (units !== 1 && units !== 1000 && units !== 1_000_000) {
      throw new KrakenConfigError('unitsPerMs', `must be 1, 1000 or 1000000, got ${String(units)}`);
    }
    this.unitsPerMs = BigInt(units);
    if (options.floor !== undefined && !DIGITS.test(options.floor)) {
      throw new KrakenConfigError('floor', `must be a decimal integer string, got '${options.floor}'`);
    }
    this.last = options.floor === undefined ? -1n : BigInt(options.floor);
  }

  /** The next nonce, as a decimal string (Kraken nonces are unsigned 64-bit). */
  next(): string {
    const reading = this.now();
    const ms = Number.isFinite(reading) && reading > 0 ? reading : 0;
    // Whole milliseconds times units, plus the sub-millisecond part when the clock has one.
    const whole = Math.floor(ms);
    const fraction = Math.floor((ms - whole) * Number(this.unitsPerMs));
    const fromClock = BigInt(whole) * this.unitsPerMs + BigInt(fraction);
    this.last = fromClock > this.last ? fromClock : this.last + 1n;
    return this.last.toString();
  }

  /** The last nonce handed out (or the floor), `undefined` before the first call without a floor. */
  peek(): string | undefined {
    return this.last < 0n ? undefined : this.last.toString();
  }

  toString(): string {
    return 'NonceSource';
  }
}
