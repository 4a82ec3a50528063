import { concatMap, map, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { KrakenConfigError } from '../src/errors';
import { TokenBucket } from '../src/operators/tokenBucket';

// One frame = 1 ms (TestScheduler.run). `g` marks a grant (acquire emits `undefined`).
const granted = { g: undefined };

describe('TokenBucket', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('grants at once, synchronously, while the bucket holds enough tokens', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 1, scheduler: testScheduler });
      expectObservable(bucket.acquire(1)).toBe('(g|)', granted);
      expectObservable(bucket.acquire(2)).toBe('(g|)', granted);
      expectObservable(bucket.acquire(1)).toBe('1000ms (g|)', granted);
    });
  });

  it('refills continuously from the clock, fractions included, not in whole-token ticks', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 1, initialTokens: 0, scheduler: testScheduler });
      expectObservable(timer(250, testScheduler).pipe(map(() => bucket.available()))).toBe('250ms (t|)', { t: 0.25 });
      // at 500 ms the bucket holds 0.5 token: half a token is granted at once, a whole one 500 ms later
      expectObservable(bucket.acquire(0.5), '500ms ^').toBe('500ms (g|)', granted);
      expectObservable(bucket.acquire(1), '500ms ^').toBe('1500ms (g|)', granted);
    });
  });

  it('serves waiters first come, first served: a cheap call never overtakes an expensive one queued earlier', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 1, scheduler: testScheduler });
      expectObservable(bucket.acquire(5)).toBe('(g|)', granted);
      expectObservable(bucket.acquire(3)).toBe('3000ms (g|)', granted);
      // one token is there at 1000 ms, but the 3-token waiter is ahead: served after it, at 4000 ms
      expectObservable(bucket.acquire(1), '10ms ^').toBe('4000ms (g|)', granted);
      expectObservable(bucket.acquire(2), '20ms ^').toBe('6000ms (g|)', granted);
    });
  });

  it('computes each wait from the tokens present at subscription; a full enough bucket serves several in one frame', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 4, refillPerSecond: 2, initialTokens: 0, scheduler: testScheduler });
      expectObservable(bucket.acquire(1)).toBe('500ms (g|)', granted);
      expectObservable(bucket.acquire(1), '800ms ^').toBe('1000ms (g|)', granted);
      expectObservable(bucket.acquire(1), '1200ms ^').toBe('1500ms (g|)', granted);
      // subscribed at 3000 ms with 3 tokens in the bucket: both at once
      expectObservable(bucket.acquire(2), '3000ms ^').toBe('3000ms (g|)', granted);
      expectObservable(bucket.acquire(1), '3000ms ^').toBe('3000ms (g|)', granted);
    });
  });

  it('removes a waiter that unsubscribes while queued, and lets the next one through at once', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 1, initialTokens: 0, scheduler: testScheduler });
      expectObservable(bucket.acquire(3), '^ 1499ms !').toBe('-');
      // behind the 3-token waiter until it leaves at 1500 ms, when 1.5 tokens are there
      expectObservable(bucket.acquire(1)).toBe('1500ms (g|)', granted);
      expectObservable(bucket.acquire(1)).toBe('2000ms (g|)', granted);
      expectObservable(timer(2001, testScheduler).pipe(map(() => bucket.queueLength))).toBe('2001ms (n|)', { n: 0 });
    });
  });

  it('cancels its wake-up when the last waiter leaves (no timer outlives the queue)', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1, initialTokens: 0, scheduler: testScheduler });
      expectObservable(bucket.acquire(2), '^ 99ms !').toBe('-');
    });
    expect(testScheduler.frame).toBe(100); // the 2000 ms wake-up was never run
  });

  it('errors, instead of waiting forever, when the cost exceeds the capacity', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({
        capacity: 15,
        refillPerSecond: 0.33,
        name: 'starter',
        scheduler: testScheduler,
      });
      expectObservable(bucket.acquire(16)).toBe(
        '#',
        undefined,
        new RangeError('starter: cost 16 exceeds the bucket capacity 15 and can never be granted'),
      );
      expectObservable(bucket.acquire(-1)).toBe(
        '#',
        undefined,
        new RangeError('starter: cost must be a finite number >= 0, got -1'),
      );
    });
  });

  it('grants a zero cost at once, even past a queue', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1, initialTokens: 0, scheduler: testScheduler });
      expectObservable(bucket.acquire(1)).toBe('1000ms (g|)', granted);
      expectObservable(bucket.acquire(0)).toBe('(g|)', granted);
    });
  });

  it('drain() empties the bucket and pushes queued waiters back', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 1, scheduler: testScheduler });
      expectObservable(bucket.acquire(10)).toBe('(g|)', granted);
      // due at 5000 ms; at 2000 ms the server says "rate limit exceeded": 2 tokens are dropped
      expectObservable(bucket.acquire(5)).toBe('7000ms (g|)', granted);
      testScheduler.schedule(() => bucket.drain(), 2000);
    });
  });

  it('penalize() takes tokens, below zero if need be, so the wait grows accordingly', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 4, refillPerSecond: 2, scheduler: testScheduler });
      bucket.penalize(7);
      expect(bucket.available()).toBe(-3);
      expectObservable(bucket.acquire(1)).toBe('2000ms (g|)', granted);
    });
  });

  it('keeps its order when a grant re-enters acquire synchronously', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1, scheduler: testScheduler });
      expectObservable(bucket.acquire(2)).toBe('(g|)', granted);
      // queued first: a (1 token, 1000 ms) whose grant asks for 1 more; b (1 token) was queued before that ask
      const a = bucket.acquire(1).pipe(concatMap(() => bucket.acquire(1).pipe(map(() => 'a'))));
      expectObservable(a).toBe('3000ms (a|)');
      expectObservable(bucket.acquire(1).pipe(map(() => 'b'))).toBe('2000ms (b|)');
    });
  });

  it('rounds a wake-up up to the next whole millisecond, never early', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 3, initialTokens: 0, scheduler: testScheduler });
      // 1/3 s = 333.33 ms: the first wakes at 334 ms with 0.002 token to spare, so the second is due at 666.67 ms
      expectObservable(bucket.acquire(1)).toBe('334ms (g|)', granted);
      expectObservable(bucket.acquire(1)).toBe('667ms (g|)', granted);
    });
  });

  it('uses asyncScheduler by default, which TestScheduler.run drives in virtual time', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 4 });
      expectObservable(bucket.acquire(1)).toBe('(g|)', granted);
      expectObservable(bucket.acquire(1)).toBe('250ms (g|)', granted);
    });
  });

  it('behaves as the diagram in its doc comment says', () => {
    testScheduler.run(({ expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1, scheduler: testScheduler });
      expectObservable(bucket.acquire(2)).toBe('(g|)', granted);
      expectObservable(bucket.acquire(1)).toBe('1000ms (g|)', granted);
      expectObservable(bucket.acquire(2), '200ms ^ 99ms !').toBe('-');
      expectObservable(bucket.acquire(1), '500ms ^').toBe('2000ms (g|)', granted);
    });
  });

  it('refuses a bad configuration with a KrakenConfigError naming the option', () => {
    expect(() => new TokenBucket({ capacity: 0, refillPerSecond: 1 })).toThrow(KrakenConfigError);
    expect(() => new TokenBucket({ capacity: 1, refillPerSecond: -1 })).toThrow(/refillPerSecond/);
    expect(() => new TokenBucket({ capacity: 1, refillPerSecond: 1, initialTokens: 2 })).toThrow(/initialTokens/);
  });
});
