import { defer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { KrakenApiError, KrakenRateLimitError } from '../src/errors';
import {
  flatRateBucket,
  futuresDerivativesBudget,
  futuresDerivativesCost,
  futuresHistoryCost,
  futuresHistoryPool,
  spotRestCost,
  spotRestCounter,
} from '../src/kraken/common/rateLimits';
import { rateLimit } from '../src/operators/rateLimit';
import { retryBackoff } from '../src/operators/retryBackoff';
import { TokenBucket } from '../src/operators/tokenBucket';

// One frame = 1 ms (TestScheduler.run).

describe('rateLimit', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('subscribes to the source only when the bucket grants the cost', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1, scheduler: testScheduler });
      const first = cold(' -a|');
      const second = cold('-b|');
      expectObservable(first.pipe(rateLimit(bucket, 2))).toBe('-a|');
      expectObservable(second.pipe(rateLimit(bucket, 1))).toBe('1000ms -b|');
      expectSubscriptions(first.subscriptions).toBe('^-!');
      expectSubscriptions(second.subscriptions).toBe('1000ms ^-!');
    });
  });

  it('queues calls of mixed cost in order: a cheap call waits behind an expensive one', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 1, scheduler: testScheduler });
      const big = cold('  a|');
      const medium = cold('b|');
      const small = cold(' c|');
      expectObservable(big.pipe(rateLimit(bucket, 5))).toBe('a|');
      expectObservable(medium.pipe(rateLimit(bucket, 3))).toBe('3000ms b|');
      expectObservable(small.pipe(rateLimit(bucket, 1)), '5ms ^').toBe('4000ms c|');
      expectSubscriptions(big.subscriptions).toBe('^!');
      expectSubscriptions(medium.subscriptions).toBe('3000ms ^!');
      expectSubscriptions(small.subscriptions).toBe('4000ms ^!');
    });
  });

  it('never subscribes a source whose subscriber left while it was queued, and lets the next call through', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const bucket = new TokenBucket({ capacity: 4, refillPerSecond: 2, initialTokens: 0, scheduler: testScheduler });
      const abandoned = cold('a|');
      const next = cold('     b|');
      expectObservable(abandoned.pipe(rateLimit(bucket, 4)), '^ 699ms !').toBe('-');
      expectObservable(next.pipe(rateLimit(bucket, 1))).toBe('700ms b|');
      expectSubscriptions(abandoned.subscriptions).toBe([]);
      expectSubscriptions(next.subscriptions).toBe('700ms ^!');
    });
  });

  it('errors without subscribing when the cost exceeds the capacity', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 1, name: 'b5', scheduler: testScheduler });
      const source = cold('a|');
      expectObservable(source.pipe(rateLimit(bucket, 6))).toBe(
        '#',
        undefined,
        new RangeError('b5: cost 6 exceeds the bucket capacity 5 and can never be granted'),
      );
      expectSubscriptions(source.subscriptions).toBe([]);
    });
  });

  it('drains the bucket when the source fails with an error drainOn accepts', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 1, scheduler: testScheduler });
      const limited = new KrakenRateLimitError(['EAPI:Rate limit exceeded'], 'Ledgers');
      const drainOn = (err: unknown): boolean => err instanceof KrakenRateLimitError;
      expectObservable(cold('-#', undefined, limited).pipe(rateLimit(bucket, 2, { drainOn }))).toBe(
        '-#',
        undefined,
        limited,
      );
      // 8 tokens were left before the error; after the drain at 1 ms, 2 tokens take until 2001 ms
      expectObservable(cold('a|').pipe(rateLimit(bucket, 2, { drainOn })), '10ms ^').toBe('2001ms a|');
    });
  });

  it('leaves the bucket alone for errors drainOn rejects', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 1, scheduler: testScheduler });
      const other = new KrakenApiError(['EOrder:Insufficient funds'], 'AddOrder');
      const drainOn = (err: unknown): boolean => err instanceof KrakenRateLimitError;
      expectObservable(cold('-#', undefined, other).pipe(rateLimit(bucket, 2, { drainOn }))).toBe(
        '-#',
        undefined,
        other,
      );
      expectObservable(cold('a|').pipe(rateLimit(bucket, 8)), '10ms ^').toBe('10ms a|');
    });
  });

  it('charges every attempt when a retry operator follows it', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1, scheduler: testScheduler });
      const failing = cold('-#');
      const retried = failing.pipe(
        rateLimit(bucket, 2),
        retryBackoff({ maxRetries: 1, initialDelayMs: 100, maxDelayMs: 100, jitter: 0, scheduler: testScheduler }),
      );
      expectObservable(retried).toBe('2000ms -#');
      // first attempt at 0; retry due at 101 ms, but the bucket has 2 tokens again only at 2000 ms
      expectSubscriptions(failing.subscriptions).toBe(['^!', '2000ms ^!']);
    });
  });
});

/** `n` one-frame calls through `bucket`, each costing `cost`. */
function calls(n: number, bucket: TokenBucket, cost: number, call: () => Observable<string>): Observable<string>[] {
  return Array.from({ length: n }, () => defer(call).pipe(rateLimit(bucket, cost)));
}

describe('Kraken rate-limit presets in virtual time', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('Spot Starter: 15 calls pass at once, the 16th waits until the counter decays by 1 (1/0.33 s)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const counter = spotRestCounter('starter', testScheduler);
      const balance = (): Observable<string> => cold('(a|)');
      const burst = calls(17, counter, spotRestCost('Balance'), balance);
      burst.slice(0, 15).forEach((call$) => expectObservable(call$).toBe('(a|)'));
      expectObservable(burst[15]).toBe('3031ms (a|)'); // 3030.30 ms, rounded up to the millisecond
      expectObservable(burst[16]).toBe('6061ms (a|)'); // 6060.61 ms
    });
  });

  it('Spot Starter: a trade-history call (cost 2) after 14 calls waits for the second token', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const counter = spotRestCounter('starter', testScheduler);
      calls(14, counter, 1, () => cold('(a|)')).forEach((call$) => expectObservable(call$).toBe('(a|)'));
      const history = cold('(t|)').pipe(rateLimit(counter, spotRestCost('TradesHistory')));
      expectObservable(history).toBe('3031ms (t|)');
    });
  });

  it('Spot Intermediate and Pro: the 21st call waits 2000 ms and 1000 ms', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const intermediate = calls(21, spotRestCounter('intermediate', testScheduler), 1, () => cold('(a|)'));
      const pro = calls(21, spotRestCounter('pro', testScheduler), 1, () => cold('(b|)'));
      intermediate.slice(0, 20).forEach((call$) => expectObservable(call$).toBe('(a|)'));
      expectObservable(intermediate[20]).toBe('2000ms (a|)');
      pro.slice(0, 20).forEach((call$) => expectObservable(call$).toBe('(b|)'));
      expectObservable(pro[20]).toBe('1000ms (b|)');
    });
  });

  it('flat maxRequestsPerSecond bucket: a burst of 5, then one call every 200 ms', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const burst = calls(7, flatRateBucket(5, testScheduler), 1, () => cold('(a|)'));
      burst.slice(0, 5).forEach((call$) => expectObservable(call$).toBe('(a|)'));
      expectObservable(burst[5]).toBe('200ms (a|)');
      expectObservable(burst[6]).toBe('400ms (a|)');
    });
  });

  it('Futures derivatives: 50 orders spend the 500 budget; the 51st waits 200 ms, a cancelallorders 500 ms more', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const budget = futuresDerivativesBudget(testScheduler);
      const orders = calls(51, budget, futuresDerivativesCost('sendorder'), () => cold('(o|)'));
      orders.slice(0, 50).forEach((call$) => expectObservable(call$).toBe('(o|)'));
      expectObservable(orders[50]).toBe('200ms (o|)');
      const cancelAll = cold('(c|)').pipe(rateLimit(budget, futuresDerivativesCost('cancelallorders')));
      expectObservable(cancelAll).toBe('700ms (c|)');
    });
  });

  it('Futures history pool: 100 calls, then one token every 6 s; an account-log of 5000 rows waits for 6', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const pool = futuresHistoryPool(testScheduler);
      const history = calls(101, pool, futuresHistoryCost('orders'), () => cold('(h|)'));
      history.slice(0, 100).forEach((call$) => expectObservable(call$).toBe('(h|)'));
      expectObservable(history[100]).toBe('6000ms (h|)');
      const accountLog = cold('(l|)');
      expectObservable(accountLog.pipe(rateLimit(pool, futuresHistoryCost('account-log', 5000)))).toBe('42000ms (l|)');
      expectSubscriptions(accountLog.subscriptions).toBe('42000ms (^!)');
    });
  });
});
