import { TestScheduler } from 'rxjs/testing';
import { bufferBars } from '../src/operators/bufferBars';

interface TestBar {
  readonly intervalBegin: number;
  readonly close: number;
}

const bar = (intervalBegin: number, close: number): TestBar => ({ intervalBegin, close });

// a*: interval 0, b*: interval 60 000, c*: interval 120 000 (minute bars, epoch ms)
const values = {
  a: bar(0, 10),
  b: bar(0, 11),
  c: bar(0, 12),
  d: bar(60_000, 20),
  e: bar(60_000, 21),
  f: bar(120_000, 30),
};

describe('bufferBars', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('emits nothing while the bar is open', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -a-b-c-----', values);
      const subs = '        ^----------';
      expectObservable(source.pipe(bufferBars())).toBe('-----------');
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('emits the latest version of the previous bar exactly once when interval_begin changes', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('  -a-b-c-d-e-f-', values);
      const expected = '    -------c---e-';
      expectObservable(source.pipe(bufferBars())).toBe(expected, values);
    });
  });

  it('drops a late update for an interval that was already emitted', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('  -a-d-b-e-c-f-', values);
      const expected = '    ---a-------e-';
      expectObservable(source.pipe(bufferBars())).toBe(expected, values);
    });
  });

  it('drops an update for an interval older than the held bar even if that interval was never emitted', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('  -d-a-e-f-', values);
      const expected = '    -------e-';
      expectObservable(source.pipe(bufferBars())).toBe(expected, values);
    });
  });

  it('emits each final bar of a snapshot of closed candles, holding the last one', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold(' (adf)-', values);
      const expected = '    (ad)-';
      expectObservable(source.pipe(bufferBars())).toBe(expected, values);
    });
  });

  it('does not emit the unfinished bar when the source completes', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -a-d-e-|', values);
      const subs = '        ^------!';
      expectObservable(source.pipe(bufferBars())).toBe('---a---|', values);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('passes errors through without emitting the held bar', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -a-d-e-#', values, new Error('socket closed'));
      const subs = '        ^------!';
      expectObservable(source.pipe(bufferBars())).toBe('---a---#', values, new Error('socket closed'));
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('holds nothing after unsubscribe: a new subscription starts empty', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -a-b-c-d-e-f-', values);
      const first = '       ^----!        ';
      const second = '      ------^------ ';
      const buffered = source.pipe(bufferBars());
      // The first subscriber leaves while holding bar c's interval: nothing is emitted to it.
      expectObservable(buffered, first).toBe('------');
      // The second one never saw interval 0 (its first update is d), so it emits e on f and nothing for 0.
      expectObservable(buffered, second).toBe('-----------e-', values);
      expectSubscriptions(source.subscriptions).toBe([first, second]);
    });
  });
});
