import { count, type Observable, of, take } from 'rxjs';
import { TestScheduler, type RunHelpers } from 'rxjs/testing';
import { KrakenApiError } from '../src/errors';
import { paginate, type Page } from '../src/operators/paginate';

// One frame = 1 ms (TestScheduler.run). Each page answers 9 ms after it is requested.
type Cursor = 'c2' | 'c3';
const pages: Record<'p' | 'q' | 'r', Page<string, Cursor>> = {
  p: { items: ['a', 'b'], next: 'c2' },
  q: { items: ['c'], next: 'c3' },
  r: { items: ['d'] },
};

describe('paginate', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  /** Three cursor pages as cold Observables, and the cursors paginate asked for. */
  function cursorPages(cold: RunHelpers['cold']) {
    const first = cold<Page<string, Cursor>>('9ms (p|)', pages);
    const second = cold<Page<string, Cursor>>('9ms (q|)', pages);
    const third = cold<Page<string, Cursor>>('9ms (r|)', pages);
    const requested: (Cursor | undefined)[] = [];
    const fetchPage = (cursor: Cursor | undefined): Observable<Page<string, Cursor>> => {
      requested.push(cursor);
      return cursor === undefined ? first : cursor === 'c2' ? second : third;
    };
    return { first, second, third, requested, fetchPage };
  }

  it('follows next cursors to the last page, one page after another', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const { first, second, third, requested, fetchPage } = cursorPages(cold);
      expectObservable(paginate(fetchPage)).toBe('9ms (ab) 5ms c 8ms (d|)');
      expectSubscriptions(first.subscriptions).toBe('^ 8ms !');
      expectSubscriptions(second.subscriptions).toBe('9ms ^ 8ms !');
      expectSubscriptions(third.subscriptions).toBe('18ms ^ 8ms !');
      testScheduler.schedule(() => expect(requested).toEqual([undefined, 'c2', 'c3']), 30);
    });
  });

  it('fetches only the pages take() needs', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const { first, second, third, requested, fetchPage } = cursorPages(cold);
      expectObservable(paginate(fetchPage).pipe(take(3))).toBe('9ms (ab) 5ms (c|)');
      expectSubscriptions(first.subscriptions).toBe('^ 8ms !');
      expectSubscriptions(second.subscriptions).toBe('9ms ^ 8ms !');
      expectSubscriptions(third.subscriptions).toBe([]);
      testScheduler.schedule(() => expect(requested).toEqual([undefined, 'c2']), 30);
    });
  });

  it('requests no next page when take() is satisfied by the first', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const { second, requested, fetchPage } = cursorPages(cold);
      expectObservable(paginate(fetchPage).pipe(take(2))).toBe('9ms (ab|)');
      expectSubscriptions(second.subscriptions).toBe([]);
      testScheduler.schedule(() => expect(requested).toEqual([undefined]), 30);
    });
  });

  it('unsubscribes the page in flight when the subscriber leaves', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const { second, third, fetchPage } = cursorPages(cold);
      expectObservable(paginate(fetchPage), '^ 12ms !').toBe('9ms (ab)');
      expectSubscriptions(second.subscriptions).toBe('9ms ^ 3ms !');
      expectSubscriptions(third.subscriptions).toBe([]);
    });
  });

  it('ends with the error of a failing page and fetches nothing after it', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const failure = new KrakenApiError(['EService:Unavailable'], 'ClosedOrders');
      const first = cold<Page<string, Cursor>>('9ms (p|)', pages);
      const second = cold<Page<string, Cursor>>('9ms #', undefined, failure);
      const third = cold<Page<string, Cursor>>('9ms (r|)', pages);
      const fetchPage = (cursor?: Cursor) => (cursor === undefined ? first : cursor === 'c2' ? second : third);
      expectObservable(paginate(fetchPage)).toBe('9ms (ab) 5ms #', undefined, failure);
      expectSubscriptions(third.subscriptions).toBe([]);
    });
  });

  it('turns offset paging into one stream (Spot ofs-style, synchronous pages)', () => {
    testScheduler.run(({ expectObservable }) => {
      const rows = ['r0', 'r1', 'r2', 'r3', 'r4'];
      const offsets: (number | undefined)[] = [];
      const fetchPage = (ofs = 0): Observable<Page<string, number>> => {
        offsets.push(ofs);
        const items = rows.slice(ofs, ofs + 2);
        return of({ items, next: ofs + items.length < rows.length ? ofs + items.length : undefined });
      };
      expectObservable(paginate(fetchPage)).toBe('(abcde|)', { a: 'r0', b: 'r1', c: 'r2', d: 'r3', e: 'r4' });
      testScheduler.schedule(() => expect(offsets).toEqual([0, 2, 4]), 1);
    });
  });

  it('goes on past an empty page that still has a next cursor, and stops on a page Observable that emits none', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const fetchPage = (cursor?: number): Observable<Page<string, number>> =>
        cursor === undefined
          ? cold('-(p|)', { p: { items: [], next: 1 } })
          : cursor === 1
            ? cold('-(p|)', { p: { items: ['x'], next: 2 } })
            : cold('-|');
      expectObservable(paginate(fetchPage)).toBe('--x|');
    });
  });

  it('errors when fetchPage throws', () => {
    testScheduler.run(({ expectObservable }) => {
      const boom = new Error('bad cursor');
      const fetchPage = (): Observable<Page<string, number>> => {
        throw boom;
      };
      expectObservable(paginate(fetchPage)).toBe('#', undefined, boom);
    });
  });

  it('follows 20 000 synchronously answered pages without growing the stack', () => {
    let total = -1;
    paginate<number, number>((n = 0) => of({ items: [n], next: n + 1 < 20_000 ? n + 1 : undefined }))
      .pipe(count())
      .subscribe((n) => (total = n));
    expect(total).toBe(20_000);
  });
});
