import Decimal from 'decimal.js';
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { KrakenConfigError } from '../errors';
import type { Bar, TradeTick } from '../model/data';
import { BarType, barIntervalMs, type BarSpecification, type InstrumentId } from '../model/identifiers';

export interface AggregateBarsOptions {
  /**
   * Emit a bar for an interval without trades too: open = high = low = close = the previous close, volume 0.
   * Default `false`: an interval without trades emits nothing (as Kraken's own `ohlc` channel does).
   */
  readonly emitEmpty?: boolean;
}

interface OpenBar {
  barType: BarType;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume: Decimal;
  /** False for an empty bar carried forward by `emitEmpty` until its first trade. */
  traded: boolean;
  /** The bar's close time (exclusive end of its interval), epoch ms on the scheduler's clock. */
  end: number;
}

/**
 * Builds INTERNAL time bars (OHLCV) from trades and emits each bar at its boundary, on the scheduler's clock.
 *
 * - Intervals are aligned to the epoch: a 5-MINUTE bar covers `[k·300 000, (k+1)·300 000)` ms (weeks therefore start
 *   on Thursday 00:00 UTC, the epoch's weekday).
 * - A trade belongs to the bar that is open on the scheduler's clock when the trade arrives. Its `tsEvent` is not
 *   used for bucketing: with exchange latency, the trades of the last milliseconds before every boundary would
 *   otherwise arrive after their bar closed. To aggregate recorded trades, drive the operator with a virtual-time
 *   scheduler that follows the recording.
 * - The bar is emitted when the scheduler reaches its boundary (a timer is scheduled for it; no waiting for the next
 *   trade). `tsEvent` is the boundary (the bar's close time), `tsInit` the scheduler's time at emission.
 * - An interval with no trades emits nothing unless `{ emitEmpty: true }`, which repeats the last close with zero
 *   volume (and keeps a timer running from the first trade until unsubscribe).
 * - When the source completes, the bar in progress is dropped, not emitted: it is not a full interval. The timer is
 *   cancelled on complete, error and unsubscribe.
 * - One instrument per stream: a trade of another instrument errors the stream (`groupBy` the instrument first).
 * - The bar type is `<instrument>-<spec>-INTERNAL`; the price type must be `LAST` (trades carry last prices).
 *
 * ```
 * trades (1-MINUTE):  -a--b-- 59s ---c-- 1m ---|
 * aggregateBars:      ------- 59s x------ 1m y-|   (x = OHLCV of a,b at 60 s; y = c at 120 s)
 * ```
 *
 * @example
 * ```ts
 * dataClient.trades('BTC/USD.KRAKEN').pipe(aggregateBars(barSpecification(1, 'MINUTE'))).subscribe(console.log);
 * ```
 *
 * @param barSpec step and aggregation of the bars (price type `LAST`).
 * @param scheduler the clock and timer; defaults to `asyncScheduler`.
 * @param options `emitEmpty`.
 * @returns an operator from `TradeTick` to `Bar`.
 */
export function aggregateBars(
  barSpec: BarSpecification,
  scheduler: SchedulerLike = asyncScheduler,
  options: AggregateBarsOptions = {},
): OperatorFunction<TradeTick, Bar> {
  const intervalMs = barIntervalMs(barSpec);
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
    throw new KrakenConfigError('barSpec', `step must be a positive integer, got ${barSpec.step}`);
  }
  if (barSpec.priceType !== 'LAST') {
    throw new KrakenConfigError('barSpec', `bars built from trades have price type LAST, got ${barSpec.priceType}`);
  }
  const emitEmpty = options.emitEmpty === true;

  return (source) =>
    new Observable<Bar>((subscriber) => {
      let instrumentId: InstrumentId | undefined;
      let barType: BarType | undefined;
      let current: OpenBar | undefined;
      let timer: Subscription | undefined;

      const schedule = (end: number) => {
        timer = scheduler.schedule(onBoundary, Math.max(0, end - scheduler.now()));
      };

      /** Emits the open bar (and, with emitEmpty, every empty bar up to `now`). */
      const closeUpTo = (now: number) => {
        timer?.unsubscribe();
        timer = undefined;
        while (current !== undefined && now >= current.end) {
          const bar = current;
          current = emitEmpty
            ? {
                barType: bar.barType,
                open: bar.close,
                high: bar.close,
                low: bar.close,
                close: bar.close,
                volume: new Decimal(0),
                traded: false,
                end: bar.end + intervalMs,
              }
            : undefined;
          subscriber.next({
            barType: bar.barType,
            open: bar.open,
            high: bar.high,
            low: bar.low,
            close: bar.close,
            volume: bar.volume,
            tsEvent: bar.end,
            tsInit: now,
          });
          if (subscriber.closed) return;
        }
        if (current !== undefined) schedule(current.end);
      };

      function onBoundary() {
        try {
          closeUpTo(scheduler.now());
        } catch (err) {
          subscriber.error(err);
        }
      }

      const subscription = source.subscribe({
        next(trade) {
          try {
            if (instrumentId === undefined) {
              instrumentId = trade.instrumentId;
              barType = BarType.of(instrumentId, barSpec, 'INTERNAL');
            } else if (trade.instrumentId !== instrumentId && !trade.instrumentId.equals(instrumentId)) {
              throw new KrakenConfigError(
                'aggregateBars',
                `one instrument per stream: got ${trade.instrumentId.toString()} after ${instrumentId.toString()} (groupBy the instrument first)`,
              );
            }
            const now = scheduler.now();
            // The boundary timer may be due at this very instant but not have run yet.
            if (current !== undefined && now >= current.end) closeUpTo(now);
            if (current === undefined) {
              const start = Math.floor(now / intervalMs) * intervalMs;
              current = {
                barType: barType as BarType,
                open: trade.price,
                high: trade.price,
                low: trade.price,
                close: trade.price,
                volume: trade.size,
                traded: true,
                end: start + intervalMs,
              };
              schedule(current.end);
            } else if (!current.traded) {
              current.open = current.high = current.low = current.close = trade.price;
              current.volume = trade.size;
              current.traded = true;
            } else {
              if (trade.price.gt(current.high)) current.high = trade.price;
              if (trade.price.lt(current.low)) current.low = trade.price;
              current.close = trade.price;
              current.volume = current.volume.plus(trade.size);
            }
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });

      return () => {
        timer?.unsubscribe();
        timer = undefined;
        current = undefined;
        subscription.unsubscribe();
      };
    });
}
