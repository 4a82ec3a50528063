import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { KrakenConfigError } from '../src/errors';
import { formatFixed, spotBookChecksum } from '../src/kraken/common/checksum';
import { InstrumentId } from '../src/model/identifiers';
import { orderBook, type BookMessage, type OrderBookEvent } from '../src/operators/orderBook';

type Pair = readonly [number, number];

const BTC = InstrumentId.from('BTC/USD.KRAKEN');
const MATIC = InstrumentId.from('MATIC/USD.KRAKEN');
const PF = InstrumentId.from('PF_XBTUSD.KRAKEN');

/** Kraken's checksum of a book given best first, computed from scratch (price precision 1, size precision 8). */
const checksumOf = (asks: readonly Pair[], bids: readonly Pair[], pricePrecision = 1, sizePrecision = 8) => {
  const text = (levels: readonly Pair[]) =>
    levels.map(([p, s]) => ({ price: formatFixed(p, pricePrecision), size: formatFixed(s, sizePrecision) }));
  return spotBookChecksum(text(asks), text(bids));
};

const levels = (pairs: readonly Pair[]) => pairs.map(([price, size]) => ({ price, size }));

function message(
  kind: BookMessage['kind'],
  bids: readonly Pair[],
  asks: readonly Pair[],
  extra: Partial<BookMessage> = {},
): BookMessage {
  return { kind, instrumentId: BTC, bids: levels(bids), asks: levels(asks), tsEvent: 1, tsInit: 2, ...extra };
}

/** What a user sees, as text: books best first as `price@size`, deltas as `ACTION SIDE price@size`. */
function plain(event: OrderBookEvent) {
  if (event.type === 'resync') {
    const { reason, expected, actual } = event;
    return { type: event.type, instrumentId: event.instrumentId.toString(), reason, expected, actual };
  }
  const { book, deltas } = event;
  return {
    type: event.type,
    bids: book.bids.map((l) => `${l.price.toString()}@${l.size.toString()}`),
    asks: book.asks.map((l) => `${l.price.toString()}@${l.size.toString()}`),
    spread: book.spread?.toString(),
    mid: book.mid?.toString(),
    sequence: book.sequence,
    deltas: deltas.deltas.map((d) => `${d.action} ${d.side} ${d.price.toString()}@${d.size.toString()}`),
    isSnapshot: deltas.isSnapshot,
  };
}

const book = (bids: string[], asks: string[], deltas: string[], extra: Record<string, unknown> = {}) => ({
  type: 'book',
  bids,
  asks,
  spread: undefined as string | undefined,
  mid: undefined as string | undefined,
  sequence: undefined as number | undefined,
  deltas,
  isSnapshot: false,
  ...extra,
});

const SPOT = { checksum: true, pricePrecision: 1, sizePrecision: 8 } as const;

describe('orderBook', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('reproduces Kraken’s MATIC/USD snapshot and update, verifying both published checksums', () => {
    const bids: Pair[] = [
      [0.5666, 4831.75496356],
      [0.5665, 6658.22734739],
      [0.5664, 18724.91513344],
      [0.5663, 11563.92544914],
      [0.5662, 14006.65365711],
      [0.5661, 17454.85679807],
      [0.566, 18097.1547],
      [0.5659, 33644.89175666],
      [0.5658, 148.3464],
      [0.5657, 606.70854372],
    ];
    const asks: Pair[] = [
      [0.5668, 4410.79769741],
      [0.5669, 4655.40412487],
      [0.567, 49844.89424998],
      [0.5671, 24306.41678],
      [0.5672, 29783.25223475],
      [0.5673, 57234.71239278],
      [0.5674, 45065.04744],
      [0.5675, 5912.76380354],
      [0.5676, 42514.92434778],
      [0.5677, 36304.0847022],
    ];
    const values = {
      s: message('snapshot', bids, asks, {
        instrumentId: MATIC,
        checksum: 2439117997,
        pricePrecision: 4,
        sizePrecision: 8,
      }),
      u: message('update', [[0.5657, 1098.3947558]], [], { instrumentId: MATIC, checksum: 2114181697 }),
    };
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('-s-u-|', values).pipe(orderBook(10), map(plain));
      expectObservable(result).toBe('-x-y-|', {
        x: expect.objectContaining({ type: 'book', isSnapshot: true, spread: '0.0002', mid: '0.5667' }),
        y: expect.objectContaining({
          type: 'book',
          bids: [...bids.slice(0, 9).map(([p, s]) => `${p}@${s}`), '0.5657@1098.3947558'],
          asks: asks.map(([p, s]) => `${p}@${s}`),
          deltas: ['UPDATE BID 0.5657@1098.3947558'],
        }),
      });
    });
  });

  it('applies a snapshot then updates (add, change, delete) and emits the exact book and deltas each time', () => {
    const s0 = {
      bids: [
        [100.0, 1],
        [99.5, 2],
      ] as Pair[],
      asks: [
        [100.5, 0.001],
        [101.0, 3],
      ] as Pair[],
    };
    const values = {
      s: message('snapshot', s0.bids, s0.asks, { checksum: checksumOf(s0.asks, s0.bids) }),
      a: message('update', [[99.8, 0.5]], [], {
        checksum: checksumOf(s0.asks, [
          [100.0, 1],
          [99.8, 0.5],
          [99.5, 2],
        ]),
      }),
      c: message('update', [], [[100.5, 0.25]], {
        checksum: checksumOf(
          [
            [100.5, 0.25],
            [101.0, 3],
          ],
          [
            [100.0, 1],
            [99.8, 0.5],
            [99.5, 2],
          ],
        ),
      }),
      d: message('update', [[100.0, 0]], [[101.0, 0]], {
        checksum: checksumOf(
          [[100.5, 0.25]],
          [
            [99.8, 0.5],
            [99.5, 2],
          ],
        ),
      }),
    };
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('-s-a-c-d-|', values).pipe(orderBook(10, SPOT), map(plain));
      expectObservable(result).toBe('-w-x-y-z-|', {
        w: book(
          ['100@1', '99.5@2'],
          ['100.5@0.001', '101@3'],
          ['CLEAR BID 0@0', 'CLEAR ASK 0@0', 'ADD BID 100@1', 'ADD BID 99.5@2', 'ADD ASK 100.5@0.001', 'ADD ASK 101@3'],
          { isSnapshot: true, spread: '0.5', mid: '100.25' },
        ),
        x: book(['100@1', '99.8@0.5', '99.5@2'], ['100.5@0.001', '101@3'], ['ADD BID 99.8@0.5'], {
          spread: '0.5',
          mid: '100.25',
        }),
        y: book(['100@1', '99.8@0.5', '99.5@2'], ['100.5@0.25', '101@3'], ['UPDATE ASK 100.5@0.25'], {
          spread: '0.5',
          mid: '100.25',
        }),
        z: book(['99.8@0.5', '99.5@2'], ['100.5@0.25'], ['DELETE BID 100@0', 'DELETE ASK 101@0'], {
          spread: '0.7',
          mid: '100.15',
        }),
      });
    });
  });

  it('lets the later entry win when one update repeats a price, and ignores deletes of unknown levels', () => {
    const values = {
      s: message('snapshot', [[100, 1]], [[101, 1]], { checksum: checksumOf([[101, 1]], [[100, 1]]) }),
      u: message(
        'update',
        [
          [99, 5],
          [99, 7],
          [98, 0],
        ],
        [],
        {
          checksum: checksumOf(
            [[101, 1]],
            [
              [100, 1],
              [99, 7],
            ],
          ),
        },
      ),
    };
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('-s-u-', values).pipe(orderBook(10, SPOT), map(plain));
      expectObservable(result).toBe('-x-y-', {
        x: expect.objectContaining({ bids: ['100@1'] }),
        y: expect.objectContaining({ bids: ['100@1', '99@7'], deltas: ['ADD BID 99@5', 'UPDATE BID 99@7'] }),
      });
    });
  });

  it('truncates each side to the depth after an update, and takes back the level Kraken sends when one leaves', () => {
    const asks10: Pair[] = Array.from({ length: 10 }, (_, i) => [200 + i, 1] as Pair);
    const bids10: Pair[] = Array.from({ length: 10 }, (_, i) => [199 - i, 1] as Pair);
    const asksWithBetter: Pair[] = [[199.5, 2], ...asks10.slice(0, 9)];
    const values = {
      s: message('snapshot', bids10, asks10, { checksum: checksumOf(asks10, bids10) }),
      // A better ask pushes the worst one (209) out of the window: no delete is sent for it.
      i: message('update', [], [[199.5, 2]], { checksum: checksumOf(asksWithBetter, bids10) }),
      // The best ask leaves; Kraken sends 209 again as the level that re-enters the window.
      r: message(
        'update',
        [],
        [
          [199.5, 0],
          [209, 4],
        ],
        {
          checksum: checksumOf([...asks10.slice(0, 9), [209, 4]], bids10),
        },
      ),
    };
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('-s-i-r-', values).pipe(orderBook(10, SPOT), map(plain));
      expectObservable(result).toBe('-x-y-z-', {
        x: expect.objectContaining({ asks: asks10.map(([p, s]) => `${p}@${s}`) }),
        y: expect.objectContaining({
          asks: asksWithBetter.map(([p, s]) => `${p}@${s}`),
          deltas: ['ADD ASK 199.5@2', 'DELETE ASK 209@0'],
        }),
        z: expect.objectContaining({
          asks: [...asks10.slice(0, 9), [209, 4]].map(([p, s]) => `${p}@${s}`),
          deltas: ['DELETE ASK 199.5@0', 'ADD ASK 209@4'],
        }),
      });
    });
  });

  it('drops levels beyond the depth from a snapshot too', () => {
    const asks: Pair[] = Array.from({ length: 12 }, (_, i) => [200 + i, 1] as Pair);
    const values = { s: message('snapshot', [[1, 1]], asks, { checksum: checksumOf(asks, [[1, 1]]) }) };
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('-s-', values).pipe(orderBook(10, SPOT), map(plain));
      expectObservable(result).toBe('-x-', {
        x: expect.objectContaining({ asks: asks.slice(0, 10).map(([p, s]) => `${p}@${s}`) }),
      });
    });
  });

  it('signals a resync on a checksum mismatch and emits no book until a new snapshot', () => {
    const bids: Pair[] = [[100, 1]];
    const asks: Pair[] = [[101, 1]];
    const good = checksumOf(asks, bids);
    const values = {
      s: message('snapshot', bids, asks, { checksum: good }),
      x: message('update', [[100, 2]], [], { checksum: 12345 }),
      u: message('update', [[100, 3]], [], { checksum: checksumOf(asks, [[100, 3]]) }),
      t: message('snapshot', [[100, 5]], asks, { checksum: checksumOf(asks, [[100, 5]]) }),
      v: message('update', [[100, 6]], [], { checksum: checksumOf(asks, [[100, 6]]) }),
    };
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('-s-x-u-u-t-v-|', values).pipe(orderBook(10, SPOT), map(plain));
      expectObservable(result).toBe('-a-r-----b-c-|', {
        a: expect.objectContaining({ type: 'book', bids: ['100@1'] }),
        r: {
          type: 'resync',
          instrumentId: 'BTC/USD.KRAKEN',
          reason: 'checksum',
          expected: 12345,
          actual: checksumOf(asks, [[100, 2]]),
        },
        b: expect.objectContaining({ type: 'book', bids: ['100@5'], isSnapshot: true }),
        c: expect.objectContaining({ type: 'book', bids: ['100@6'] }),
      });
    });
  });

  it('signals a resync when a snapshot’s own checksum does not match', () => {
    const values = { s: message('snapshot', [[100, 1]], [[101, 1]], { checksum: 1 }) };
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('-s-', values).pipe(orderBook(10, SPOT), map(plain));
      expectObservable(result).toBe('-r-', {
        r: expect.objectContaining({ type: 'resync', reason: 'checksum', expected: 1 }),
      });
    });
  });

  it('formats prices and sizes with the instrument precision for the checksum (45281.0, 0.10000000)', () => {
    // 45281.0 / 0.10000000: formatted with precision 1 / 8 the checksum matches; the shortest text would not.
    const bids: Pair[] = [[45281.0, 0.1]];
    const asks: Pair[] = [[45285.2, 0.001]];
    const values = { s: message('snapshot', bids, asks, { checksum: checksumOf(asks, bids) }) };
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-s-', values).pipe(orderBook(10, SPOT), map(plain))).toBe('-x-', {
        x: expect.objectContaining({ type: 'book', bids: ['45281@0.1'] }),
      });
    });
  });

  it('ignores updates that arrive before the first snapshot', () => {
    const values = {
      u: message('update', [[100, 3]], [], { checksum: 1 }),
      s: message('snapshot', [[100, 1]], [[101, 1]], { checksum: checksumOf([[101, 1]], [[100, 1]]) }),
    };
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('-u-s-', values).pipe(orderBook(10, SPOT), map(plain));
      expectObservable(result).toBe('---x-', { x: expect.objectContaining({ bids: ['100@1'] }) });
    });
  });

  describe('Futures (sequence numbers, full-depth feed)', () => {
    const FUTURES = { checksum: false, truncate: false } as const;
    const fut = (kind: BookMessage['kind'], bids: Pair[], asks: Pair[], sequence: number) =>
      message(kind, bids, asks, { instrumentId: PF, sequence });

    it('applies contiguous deltas, ignores stale ones and signals a resync on a gap until the next snapshot', () => {
      const values = {
        s: fut(
          'snapshot',
          [
            [34892.5, 6385],
            [34892, 10924],
          ],
          [[34911.5, 20598]],
          100,
        ),
        a: fut('update', [[34892.5, 6000]], [], 101),
        b: fut('update', [], [[34912, 2300]], 102),
        d: fut('update', [[34892.5, 1]], [], 101), // a duplicate of an applied seq: ignored
        g: fut('update', [[34892.5, 2]], [], 104), // 103 is missing
        h: fut('update', [[34892.5, 3]], [], 105), // ignored while waiting for a snapshot
        t: fut('snapshot', [[34890, 1]], [[34900, 1]], 200),
        n: fut('update', [], [[34900, 0]], 201),
      };
      testScheduler.run(({ cold, expectObservable }) => {
        const result = cold('-s-a-b-d-g-h-t-n-|', values).pipe(orderBook(10, FUTURES), map(plain));
        expectObservable(result).toBe('-w-x-y---r---z-v-|', {
          w: expect.objectContaining({ bids: ['34892.5@6385', '34892@10924'], sequence: 100, isSnapshot: true }),
          x: expect.objectContaining({ bids: ['34892.5@6000', '34892@10924'], sequence: 101 }),
          y: expect.objectContaining({ asks: ['34911.5@20598', '34912@2300'], sequence: 102 }),
          r: { type: 'resync', instrumentId: 'PF_XBTUSD.KRAKEN', reason: 'sequence', expected: 103, actual: 104 },
          z: expect.objectContaining({ bids: ['34890@1'], asks: ['34900@1'], sequence: 200 }),
          v: expect.objectContaining({ bids: ['34890@1'], asks: [], sequence: 201, deltas: ['DELETE ASK 34900@0'] }),
        });
      });
    });

    it('keeps levels beyond the depth and shows the best `depth` of them', () => {
      const values = {
        s: fut(
          'snapshot',
          [
            [10, 1],
            [9, 1],
            [8, 1],
            [7, 0],
          ],
          [[11, 1]],
          1,
        ),
        d: fut('update', [[10, 0]], [], 2),
      };
      testScheduler.run(({ cold, expectObservable }) => {
        const result = cold('-s-d-', values).pipe(orderBook(2, FUTURES), map(plain));
        expectObservable(result).toBe('-x-y-', {
          x: expect.objectContaining({ bids: ['10@1', '9@1'] }),
          // 8 was beyond the depth; Futures will not send it again, and it is still there.
          y: expect.objectContaining({ bids: ['9@1', '8@1'] }),
        });
      });
    });

    it('does not check sequences when told not to', () => {
      const values = { s: fut('snapshot', [[10, 1]], [], 1), g: fut('update', [[10, 2]], [], 5) };
      testScheduler.run(({ cold, expectObservable }) => {
        const result = cold('-s-g-', values).pipe(orderBook(10, { ...FUTURES, sequence: false }), map(plain));
        expectObservable(result).toBe('-x-y-', {
          x: expect.objectContaining({ bids: ['10@1'] }),
          y: expect.objectContaining({ bids: ['10@2'], sequence: 5 }),
        });
      });
    });
  });

  it('passes errors and completion through', () => {
    const values = { s: message('snapshot', [[100, 1]], [], {}) };
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-s-#', values).pipe(orderBook(10, SPOT), map(plain))).toBe('-x-#', {
        x: expect.objectContaining({ bids: ['100@1'] }),
      });
      expectObservable(cold('-s-|', values).pipe(orderBook(10, SPOT), map(plain))).toBe('-x-|', {
        x: expect.objectContaining({ bids: ['100@1'] }),
      });
    });
  });

  it('errors the stream when a checksum must be verified but the precision is unknown', () => {
    const values = { s: message('snapshot', [[100, 1]], [[101, 1]], { checksum: 1 }) };
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-s-', values).pipe(orderBook(10), map(plain))).toBe(
        '-#',
        undefined,
        expect.any(KrakenConfigError),
      );
    });
  });

  it('refuses a depth that is not a positive integer, or below 10 with checksums', () => {
    expect(() => orderBook(0)).toThrow(KrakenConfigError);
    expect(() => orderBook(2.5, { checksum: false })).toThrow(KrakenConfigError);
    expect(() => orderBook(5)).toThrow(KrakenConfigError);
    expect(() => orderBook(5, { checksum: false })).not.toThrow();
  });
});
