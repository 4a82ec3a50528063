import { asyncScheduler, Observable, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { KrakenTimeoutError } from '../errors';

/** Options of {@link heartbeatWatchdog}. */
export interface HeartbeatWatchdogConfig {
  /** Silence (ms) after which the source is considered dead and the result errors. */
  timeoutMs: number;
  /** Silence (ms) after which `onIdle` is called once, to provoke traffic (a ping). Must be < `timeoutMs`. */
  idleMs?: number;
  /** Called once per silence, `idleMs` after the last value. A throw errors the result. */
  onIdle?: () => void;
  /** The error to emit on timeout; default a {@link KrakenTimeoutError}. */
  error?: (silentForMs: number) => unknown;
  /** Clock and timers; default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/**
 * Mirrors the source and errors when it stays silent for `timeoutMs` (counted from subscription, then from
 * each value); after `idleMs` of silence it calls `onIdle` once, so a connection can be pinged before it is
 * declared dead.
 *
 * Like `timeout({ each })`, but one timer per silence instead of one per value: a market-data socket emits
 * thousands of frames a second and only the clock is read on each of them.
 *
 * ```
 * timeoutMs 5, idleMs 3
 * source:  -a-b---------
 * onIdle:  ------^          (3 ms after b)
 * result:  -a-b----#        (5 ms after b)
 * ```
 *
 * @example
 * ```ts
 * frames$.pipe(heartbeatWatchdog({ timeoutMs: 30_000, idleMs: 15_000, onIdle: () => socket.ping() }));
 * ```
 *
 * @param config Silence limits, the idle callback, the error, the scheduler.
 * @returns A function that returns an Observable mirroring the source until it falls silent for too long.
 */
export function heartbeatWatchdog<T>(config: HeartbeatWatchdogConfig): MonoTypeOperatorFunction<T> {
  const { timeoutMs, onIdle, scheduler = asyncScheduler } = config;
  const idleMs = onIdle && config.idleMs !== undefined && config.idleMs < timeoutMs ? config.idleMs : undefined;
  const makeError =
    config.error ??
    ((silentForMs: number) => new KrakenTimeoutError(`no message for ${silentForMs} ms: connection presumed dead`));
  return (source) =>
    new Observable<T>((subscriber) => {
      let lastSeen = scheduler.now();
      let idleSignalled = false;
      const check = () => {
        const silentFor = scheduler.now() - lastSeen;
        if (silentFor >= timeoutMs) {
          subscriber.error(makeError(silentFor));
          return undefined;
        }
        if (idleMs !== undefined && !idleSignalled && silentFor >= idleMs) {
          idleSignalled = true;
          try {
            onIdle?.();
          } catch (err) {
            subscriber.error(err);
            return undefined;
          }
        }
        return (idleMs !== undefined && !idleSignalled ? idleMs : timeoutMs) - silentFor;
      };
      // One recurring action re-arms itself for the remaining silence; values only move `lastSeen`, except
      // the first value after an idle signal, which brings the next check forward to the new idle deadline.
      const arm = (delay: number) =>
        scheduler.schedule(function () {
          const wait = check();
          if (wait !== undefined && !subscriber.closed) this.schedule(undefined, wait);
        }, delay);
      let timer = arm(idleMs ?? timeoutMs);
      subscriber.add(() => timer.unsubscribe());
      subscriber.add(
        source.subscribe({
          next: (value) => {
            lastSeen = scheduler.now();
            if (idleSignalled) {
              idleSignalled = false;
              timer.unsubscribe();
              timer = arm(idleMs ?? timeoutMs);
            }
            subscriber.next(value);
          },
          error: (err: unknown) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
    });
}
