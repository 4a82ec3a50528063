import Decimal from 'decimal.js';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { KrakenConfigError } from '../src/errors';
import type { Bar, TradeTick } from '../src/model/data';
import { barSpecification, InstrumentId } from '../src/model/identifiers';
import { aggregateBars } from '../src/operators/aggregateBars';

const BTC = InstrumentId.from('BTC/USD.KRAKEN');
const ONE_MINUTE = barSpecification(1, 'MINUTE');

const trade = (price: string, size: string, instrumentId = BTC): TradeTick => ({
  instrumentId,
  price: new Decimal(price),
  size: new Decimal(size),
  aggressorSide: 'BUYER',
  tradeId: `${price}x${size}`,
  tsEvent: 0,
  tsInit: 0,
});

const trades = {
  a: trade('100.0', '0.5'),
  b: trade('105.5', '0.25'),
  c: trade('98.0', '1'),
  d: trade('101.0', '0.125'),
  e: trade('110', '2'),
  f: trade('90', '3'),
  z: trade('50', '1', InstrumentId.from('ETH/USD.KRAKEN')),
};

/** Bars as plain text, to compare exactly. */
function plain(bar: Bar) {
  return {
    barType: bar.barType.toString(),
    o: bar.open.toString(),
    h: bar.high.toString(),
    l: bar.low.toString(),
    c: bar.close.toString(),
    v: bar.volume.toString(),
    tsEvent: bar.tsEvent,
    tsInit: bar.tsInit,
  };
}

const bar = (o: string, h: string, l: string, c: string, v: string, tsEvent: number, tsInit = tsEvent) => ({
  barType: 'BTC/USD.KRAKEN-1-MINUTE-LAST-INTERNAL',
  o,
  h,
  l,
  c,
  v,
  tsEvent,
  tsInit,
});

describe('aggregateBars', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('emits the OHLCV of the interval at the boundary, without waiting for the next trade', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c-d---------', trades);
      const expected = '  60000ms x--------';
      expectObservable(source.pipe(aggregateBars(ONE_MINUTE), map(plain))).toBe(expected, {
        x: bar('100', '105.5', '98', '101', '1.875', 60_000),
      });
    });
  });

  it('runs on an injected scheduler', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-', trades);
      const expected = '  60000ms x';
      expectObservable(source.pipe(aggregateBars(ONE_MINUTE, testScheduler), map(plain))).toBe(expected, {
        x: bar('100', '105.5', '100', '105.5', '0.75', 60_000),
      });
    });
  });

  it('emits one bar per interval with trades and nothing for an interval without trades', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      // a, b in [0, 60 s); e at 60 s in [60 s, 120 s); nothing in [120 s, 180 s); f at 180 s in [180 s, 240 s).
      const source = hot('-a-b 59996ms e 119999ms f', trades);
      const expected = '  60000ms x 59999ms y 119999ms z';
      expectObservable(source.pipe(aggregateBars(ONE_MINUTE), map(plain))).toBe(expected, {
        x: bar('100', '105.5', '100', '105.5', '0.75', 60_000),
        y: bar('110', '110', '110', '110', '2', 120_000),
        z: bar('90', '90', '90', '90', '3', 240_000),
      });
    });
  });

  it('with emitEmpty repeats the close with zero volume for intervals without trades', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a 179998ms e', trades);
      const expected = '  60000ms x 59999ms y 59999ms z 59999ms w';
      const result = source.pipe(aggregateBars(ONE_MINUTE, testScheduler, { emitEmpty: true }), map(plain));
      expectObservable(result, '^ 240000ms !').toBe(expected, {
        x: bar('100', '100', '100', '100', '0.5', 60_000),
        y: bar('100', '100', '100', '100', '0', 120_000),
        z: bar('100', '100', '100', '100', '0', 180_000),
        w: bar('110', '110', '110', '110', '2', 240_000),
      });
    });
  });

  it('puts a trade arriving exactly at the boundary into the next bar', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a 59998ms e', trades);
      const expected = '  60000ms x 59999ms y';
      expectObservable(source.pipe(aggregateBars(ONE_MINUTE), map(plain))).toBe(expected, {
        x: bar('100', '100', '100', '100', '0.5', 60_000),
        y: bar('110', '110', '110', '110', '2', 120_000),
      });
    });
  });

  it('aligns bars to the epoch, not to the first trade', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('30000ms a', trades);
      const expected = '  60000ms x';
      expectObservable(source.pipe(aggregateBars(ONE_MINUTE), map(plain))).toBe(expected, {
        x: bar('100', '100', '100', '100', '0.5', 60_000),
      });
    });
  });

  it('drops the partial bar and cancels its timer when the source completes', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-|', trades);
      const subs = '      ^----!';
      expectObservable(source.pipe(aggregateBars(ONE_MINUTE), map(plain))).toBe('-----|');
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    // A timer left behind would have advanced virtual time to the 60 s boundary.
    expect(testScheduler.frame).toBeLessThan(60_000);
  });

  it('passes errors through and emits nothing afterwards', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-#', trades, new Error('boom'));
      expectObservable(source.pipe(aggregateBars(ONE_MINUTE), map(plain))).toBe('---#', undefined, new Error('boom'));
    });
  });

  it('cancels the boundary timer on unsubscribe', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-', trades);
      const unsub = '     ^-----!';
      expectObservable(source.pipe(aggregateBars(ONE_MINUTE), map(plain)), unsub).toBe('-------');
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
    expect(testScheduler.frame).toBeLessThan(60_000);
  });

  it('errors when trades of another instrument arrive', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-z-', trades);
      expectObservable(source.pipe(aggregateBars(ONE_MINUTE), map(plain))).toBe(
        '---#',
        undefined,
        expect.any(KrakenConfigError),
      );
    });
  });

  it('refuses price types that trades cannot build', () => {
    expect(() => aggregateBars(barSpecification(1, 'MINUTE', 'MARK'))).toThrow(KrakenConfigError);
    expect(() => aggregateBars(barSpecification(0, 'MINUTE'))).toThrow(KrakenConfigError);
  });
});
