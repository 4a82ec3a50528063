import { Observable, type SchedulerLike } from 'rxjs';
import type { OrderTracker } from './orderTracker';

/**
 * Emits once and completes when `done()` holds — checked now and after every tracker change — or when `ms` have
 * passed on the scheduler, whichever comes first. Emits `true` when the condition was met, `false` on time-out.
 */
export function awaitTracker(
  tracker: OrderTracker,
  done: () => boolean,
  ms: number,
  scheduler: SchedulerLike,
): Observable<boolean> {
  return new Observable<boolean>((subscriber) => {
    const finish = (met: boolean): void => {
      subscriber.next(met);
      subscriber.complete();
    };
    if (done()) {
      finish(true);
      return undefined;
    }
    const changes = tracker.changes$.subscribe(() => {
      if (done()) finish(true);
    });
    const timer = scheduler.schedule(() => finish(done()), ms);
    return () => {
      changes.unsubscribe();
      timer.unsubscribe();
    };
  });
}
