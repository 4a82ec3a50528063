import { Observable, type MonoTypeOperatorFunction } from 'rxjs';

/** Anything keyed by the open time of its interval: Kraken's `ohlc` candle (`interval_begin`), epoch ms. */
export interface IntervalKeyed {
  readonly intervalBegin: number;
}

/**
 * Turns a stream of in-progress bars into a stream of final bars.
 *
 * Kraken's `ohlc` channel re-sends the current, unfinished candle in full on every trade and never says when it
 * closed; a candle is final when a candle with a later `intervalBegin` arrives. `bufferBars` holds the latest
 * version of the current bar and emits it only then.
 *
 * - The open bar is never emitted; each bar is emitted exactly once, in its last version, when the first update of
 *   a later interval arrives.
 * - An update for an interval older than the held bar (a late or replayed candle, e.g. a snapshot re-sent after a
 *   reconnect) is dropped.
 * - When the source completes, the unfinished bar is dropped, not emitted: nothing says it is final.
 * - Each subscription keeps its own state; unsubscribing releases the held bar.
 * - Errors are passed through.
 *
 * ```
 * source (intervalBegin):  -0-0-0-1-0-1-2-|
 * bufferBars():            -------0-----1-|     (the last 0 before the first 1; the late 0 is dropped)
 * ```
 *
 * @example
 * ```ts
 * dataClient.bars(BarType.from('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL'))  // already final bars
 * rawOhlcUpdates$.pipe(bufferBars()).subscribe((bar) => console.log('closed', bar));
 * ```
 *
 * @returns an operator emitting each bar once, final, when the next interval starts.
 */
export function bufferBars<T extends IntervalKeyed>(): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let held: T | undefined;
      const subscription = source.subscribe({
        next(bar) {
          try {
            if (held === undefined || bar.intervalBegin === held.intervalBegin) {
              held = bar;
            } else if (bar.intervalBegin > held.intervalBegin) {
              const final = held;
              held = bar;
              subscriber.next(final);
            }
            // else: an update for an earlier interval than the held one — already emitted or superseded; dropped.
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => {
          held = undefined;
          subscriber.error(err);
        },
        complete: () => {
          held = undefined;
          subscriber.complete();
        },
      });
      return () => {
        held = undefined;
        subscription.unsubscribe();
      };
    });
}
