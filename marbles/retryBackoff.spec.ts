import { defer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  KrakenApiError,
  KrakenConfigError,
  KrakenConnectionError,
  KrakenDecodeError,
  KrakenRateLimitError,
  KrakenTimeoutError,
} from '../src/errors';
import { backoffDelayMs, isRetryableError, retryBackoff } from '../src/operators/retryBackoff';

// One frame = 1 ms (TestScheduler.run).
const half = (): number => 0.5;

describe('backoffDelayMs', () => {
  it('doubles from initialDelayMs and caps at maxDelayMs when jitter is 0', () => {
    const rule = { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, rule))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('takes up to `jitter` of the delay off at random: [base*(1-jitter), base]', () => {
    const rule = { initialDelayMs: 100, maxDelayMs: 1000 }; // jitter 0.5 by default
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, { ...rule, random: half }))).toEqual([75, 150, 300, 600, 750]);
    expect(backoffDelayMs(3, { ...rule, random: () => 0 })).toBe(200);
    expect(backoffDelayMs(3, { ...rule, random: () => 0.999999 })).toBe(400);
    expect(backoffDelayMs(2, { ...rule, jitter: 1, random: () => 0.25 })).toBe(50);
  });

  it('stays finite for huge attempt numbers and 0 for a zero initial delay', () => {
    expect(backoffDelayMs(10_000, { initialDelayMs: 100, maxDelayMs: 30_000, jitter: 0 })).toBe(30_000);
    expect(backoffDelayMs(10_000, { initialDelayMs: 0, maxDelayMs: 0 })).toBe(0);
  });

  it('refuses a bad rule', () => {
    expect(() => backoffDelayMs(0, { initialDelayMs: 1, maxDelayMs: 2 })).toThrow(RangeError);
    expect(() => backoffDelayMs(1, { initialDelayMs: 10, maxDelayMs: 5 })).toThrow(KrakenConfigError);
    expect(() => backoffDelayMs(1, { initialDelayMs: 1, maxDelayMs: 2, jitter: 1.5 })).toThrow(/jitter/);
  });
});

describe('isRetryableError', () => {
  it('retries what Kraken calls transient and network failures, not configuration or decode errors', () => {
    expect(isRetryableError(new KrakenApiError(['EService:Busy']))).toBe(true);
    expect(isRetryableError(new KrakenRateLimitError(['EAPI:Rate limit exceeded']))).toBe(true);
    expect(isRetryableError(new KrakenApiError(['EOrder:Insufficient funds']))).toBe(false);
    expect(isRetryableError(new KrakenTimeoutError('timed out', 10_000))).toBe(true);
    expect(isRetryableError(new KrakenConnectionError('reset'))).toBe(true);
    expect(isRetryableError(new KrakenDecodeError('bad body'))).toBe(false);
    expect(isRetryableError(new KrakenConfigError('apiKey', 'missing'))).toBe(false);
  });
});

describe('retryBackoff', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  const rule = { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5, random: half };

  it('resubscribes after 75, 150, 300 ms with a fixed random, then emits the last error', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#', undefined, new KrakenConnectionError('reset'));
      const result = source.pipe(retryBackoff({ ...rule, maxRetries: 3, scheduler: testScheduler }));
      // attempts at 0, 2+75, 79+150, 231+300; the fourth failure (533 ms) is final
      expectObservable(result).toBe('531ms --#', undefined, new KrakenConnectionError('reset'));
      expectSubscriptions(source.subscriptions).toBe(['^-!', '77ms ^-!', '229ms ^-!', '531ms ^-!']);
    });
  });

  it('passes a non-retryable error through at once', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const denied = new KrakenApiError(['EOrder:Insufficient funds'], 'AddOrder');
      const source = cold('-a-#', undefined, denied);
      const result = source.pipe(
        retryBackoff({ ...rule, maxRetries: 5, isRetryable: () => false, scheduler: testScheduler }),
      );
      expectObservable(result).toBe('-a-#', undefined, denied);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('uses isRetryableError by default: a Kraken error that is not transient is not retried', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const denied = new KrakenApiError(['EGeneral:Invalid arguments:volume'], 'AddOrder');
      const source = cold('-#', undefined, denied);
      expectObservable(source.pipe(retryBackoff({ ...rule, maxRetries: 3, scheduler: testScheduler }))).toBe(
        '-#',
        undefined,
        denied,
      );
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('mirrors the values of the attempt that succeeds', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      let attempt = 0;
      const source = defer(() => (++attempt < 3 ? cold('-#') : cold('-a|')));
      // failures at 1 and 77; retries at 76 (75 ms) and 227 (150 ms); success one frame later
      expectObservable(source.pipe(retryBackoff({ ...rule, maxRetries: 3, scheduler: testScheduler }))).toBe(
        '227ms -a|',
      );
    });
  });

  it('waits at least retryAfterMs when Kraken says when to come back', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const throttled = new KrakenRateLimitError(['EService: Throttled: 1700000005'], 'Balance', 200, 5000);
      const source = cold('--#', undefined, throttled);
      const result = source.pipe(retryBackoff({ ...rule, maxRetries: 1, scheduler: testScheduler }));
      expectObservable(result).toBe('5002ms --#', undefined, throttled);
      expectSubscriptions(source.subscriptions).toBe(['^-!', '5002ms ^-!']);
    });
  });

  it('does not retry at all with maxRetries 0', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#');
      expectObservable(source.pipe(retryBackoff({ ...rule, maxRetries: 0, scheduler: testScheduler }))).toBe('--#');
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('starts the backoff over after a value when resetOnSuccess is set', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a#');
      const result = source.pipe(
        retryBackoff({ ...rule, jitter: 0, maxRetries: 2, resetOnSuccess: true, scheduler: testScheduler }),
      );
      // each attempt emits before failing, so every retry is retry number 1: 100 ms each time, forever
      expectObservable(result, '^ 400ms !').toBe('a 100ms a 100ms a 100ms a');
      expectSubscriptions(source.subscriptions).toBe(['^!', '101ms ^!', '202ms ^!', '303ms ^!']);
    });
  });

  it('refuses a bad maxRetries at construction', () => {
    expect(() => retryBackoff({ ...rule, maxRetries: -1 })).toThrow(KrakenConfigError);
    expect(() => retryBackoff({ ...rule, maxRetries: 1.5 })).toThrow(/maxRetries/);
  });
});
