/**
 * The simulator's clock. Every time read and every timer of the simulated exchange goes through one `SimClock`,
 * so a test can run the market in virtual time (`manual`) and a demo can run it in real time (`real`).
 */

export type SimClockMode = 'real' | 'manual';

export interface SimTimer {
  cancel(): void;
}

export interface SimClock {
  readonly mode: SimClockMode;
  /** Epoch milliseconds on the simulated exchange. */
  now(): number;
  /** Runs `callback` once after `delayMs` of simulated time. */
  setTimeout(callback: () => void, delayMs: number): SimTimer;
  /** Runs `callback` every `periodMs` of simulated time until cancelled. */
  setInterval(callback: () => void, periodMs: number): SimTimer;
  /**
   * Moves simulated time forward by `ms`, running every timer that falls due, in time order (manual clock only;
   * the real clock throws). Each timer sees `now()` equal to its due time.
   */
  advance(ms: number): void;
  /** Cancels every pending timer; the clock is unusable afterwards. */
  dispose(): void;
}

interface PendingTimer {
  readonly id: number;
  due: number;
  readonly period?: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** A virtual clock: time moves only through `advance`. Timers due at the same instant run in creation order. */
export class ManualClock implements SimClock {
  readonly mode = 'manual' as const;
  private current: number;
  private nextId = 0;
  private timers: PendingTimer[] = [];
  private disposed = false;
  private advancing = false;

  constructor(startTime: number) {
    this.current = startTime;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): SimTimer {
    return this.add(callback, Math.max(0, delayMs));
  }

  setInterval(callback: () => void, periodMs: number): SimTimer {
    if (!(periodMs > 0)) throw new RangeError('setInterval needs a positive period');
    return this.add(callback, periodMs, periodMs);
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('advance needs a non-negative number of milliseconds');
    if (this.advancing) throw new Error('clock.advance called from inside a timer');
    const target = this.current + ms;
    this.advancing = true;
    try {
      for (;;) {
        const next = this.popDue(target);
        if (!next) break;
        this.current = Math.max(this.current, next.due);
        if (next.period !== undefined) {
          next.due += next.period;
          this.insert(next);
        }
        next.callback();
      }
      this.current = target;
    } finally {
      this.advancing = false;
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers) timer.cancelled = true;
    this.timers = [];
  }

  private add(callback: () => void, delayMs: number, period?: number): SimTimer {
    if (this.disposed) return { cancel: () => undefined };
    const timer: PendingTimer = { id: this.nextId++, due: this.current + delayMs, period, callback, cancelled: false };
    this.insert(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  private insert(timer: PendingTimer): void {
    // Sorted by (due, id); linear insertion is fine for the few hundred timers a simulation holds.
    let i = this.timers.length;
    while (i > 0 && compare(this.timers[i - 1], timer) > 0) i--;
    this.timers.splice(i, 0, timer);
  }

  private popDue(target: number): PendingTimer | undefined {
    while (this.timers.length > 0) {
      const first = this.timers[0];
      if (first.cancelled) {
        this.timers.shift();
        continue;
      }
      if (first.due > target) return undefined;
      this.timers.shift();
      return first;
    }
    return undefined;
  }
}

function compare(a: PendingTimer, b: PendingTimer): number {
  return a.due - b.due || a.id - b.id;
}

/** Wall-clock time, optionally shifted. Timers are Node timers, all cancelled by `dispose`. */
export class RealClock implements SimClock {
  readonly mode = 'real' as const;
  private readonly handles = new Set<NodeJS.Timeout>();
  private disposed = false;

  constructor(private readonly offsetMs = 0) {}

  now(): number {
    return Date.now() + this.offsetMs;
  }

  setTimeout(callback: () => void, delayMs: number): SimTimer {
    if (this.disposed) return { cancel: () => undefined };
    const handle = setTimeout(
      () => {
        this.handles.delete(handle);
        callback();
      },
      Math.max(0, delayMs),
    );
    this.handles.add(handle);
    return {
      cancel: () => {
        clearTimeout(handle);
        this.handles.delete(handle);
      },
    };
  }

  setInterval(callback: () => void, periodMs: number): SimTimer {
    if (this.disposed) return { cancel: () => undefined };
    const handle = setInterval(callback, periodMs);
    this.handles.add(handle);
    return {
      cancel: () => {
        clearInterval(handle);
        this.handles.delete(handle);
      },
    };
  }

  advance(): void {
    throw new Error("clock.advance needs KrakenSimulator.start({ clock: 'manual' })");
  }

  dispose(): void {
    this.disposed = true;
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
  }
}
