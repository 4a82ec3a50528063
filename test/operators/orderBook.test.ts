import Decimal from 'decimal.js';
import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { formatFixed, spotBookChecksum } from '../../src/kraken/common/checksum';
import { InstrumentId } from '../../src/model/identifiers';
import { orderBook, type BookMessage, type OrderBookEvent, type OrderBookUpdate } from '../../src/operators/orderBook';

const BTC = InstrumentId.from('BTC/USD.KRAKEN');
const PRICE_PRECISION = 1;
const SIZE_PRECISION = 8;

/** A naive reference book: maps, sorted from scratch after every message. */
class ReferenceBook {
  bids = new Map<number, number>();
  asks = new Map<number, number>();

  apply(side: Map<number, number>, levels: readonly { price: number; size: number }[]) {
    for (const { price, size } of levels) {
      if (size === 0) side.delete(price);
      else side.set(price, size);
    }
  }

  sortedBids() {
    return [...this.bids].sort((a, b) => b[0] - a[0]);
  }

  sortedAsks() {
    return [...this.asks].sort((a, b) => a[0] - b[0]);
  }

  truncate(depth: number) {
    this.bids = new Map(this.sortedBids().slice(0, depth));
    this.asks = new Map(this.sortedAsks().slice(0, depth));
  }

  checksum() {
    const text = (pairs: [number, number][]) =>
      pairs.map(([p, s]) => ({ price: formatFixed(p, PRICE_PRECISION), size: formatFixed(s, SIZE_PRECISION) }));
    return spotBookChecksum(text(this.sortedAsks()), text(this.sortedBids()));
  }
}

// Prices on a grid around 45 000 so that updates hit existing levels often; sizes with up to 8 decimals. Small
// books (one chunk) and large ones (several 64-level chunks that split and merge) are both generated.
const price = (side: 'bid' | 'ask', ticks: number) =>
  fc.integer({ min: 0, max: ticks }).map((tick) => (side === 'bid' ? 450_000 - tick : 450_001 + tick) / 10);
const size = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 5_000_000_000 }).map((units) => Number(formatFixed(units / 1e8, 8))),
);
/** Mostly deletes: empties whole stretches of a large book, so that chunks shrink and merge. */
const deleteHeavySize = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: size });
const levelsOf = (side: 'bid' | 'ask', ticks: number, max: number, sizes = size) =>
  fc.array(fc.record({ price: price(side, ticks), size: sizes }), { maxLength: max, size: 'max' });

const bookOf = (ticks: number, snapshotLevels: number, updateLevels: number, sizes = size) =>
  fc.record({
    snapshotBids: levelsOf('bid', ticks, snapshotLevels),
    snapshotAsks: levelsOf('ask', ticks, snapshotLevels),
    updates: fc.array(
      fc.record({
        bids: levelsOf('bid', ticks, updateLevels, sizes),
        asks: levelsOf('ask', ticks, updateLevels, sizes),
      }),
      { maxLength: 60 },
    ),
  });
const messages = fc.oneof(bookOf(60, 40, 3), bookOf(400, 400, 30), bookOf(200, 400, 40, deleteHeavySize));

async function run(input: BookMessage[], depth: number, options = {}): Promise<OrderBookEvent[]> {
  return lastValueFrom(
    from(input).pipe(
      orderBook(depth, { pricePrecision: PRICE_PRECISION, sizePrecision: SIZE_PRECISION, ...options }),
      toArray(),
    ),
  );
}

const text = (levels: readonly { price: Decimal; size: Decimal }[]) =>
  levels.map((l) => [l.price.toString(), l.size.toString()]);
const refText = (pairs: [number, number][]) =>
  pairs.map(([p, s]) => [new Decimal(p).toString(), new Decimal(s).toString()]);

describe('orderBook against a reference book', () => {
  it('maintains the same book as a from-scratch model and agrees with every Kraken checksum', async () => {
    await fc.assert(
      fc.asyncProperty(
        messages,
        fc.constantFrom(10, 25, 150, 1000),
        async ({ snapshotBids, snapshotAsks, updates }, depth) => {
          const reference = new ReferenceBook();
          const expected: [number, number][][][] = [];
          reference.apply(reference.bids, snapshotBids);
          reference.apply(reference.asks, snapshotAsks);
          reference.truncate(depth);
          const input: BookMessage[] = [
            {
              kind: 'snapshot',
              instrumentId: BTC,
              bids: snapshotBids,
              asks: snapshotAsks,
              checksum: reference.checksum(),
              tsEvent: 0,
              tsInit: 0,
            },
          ];
          expected.push([reference.sortedBids(), reference.sortedAsks()]);
          updates.forEach(({ bids, asks }, i) => {
            reference.apply(reference.bids, bids);
            reference.apply(reference.asks, asks);
            reference.truncate(depth);
            const checksum = reference.checksum();
            input.push({ kind: 'update', instrumentId: BTC, bids, asks, checksum, tsEvent: i + 1, tsInit: i + 1 });
            expected.push([reference.sortedBids(), reference.sortedAsks()]);
          });

          const events = await run(input, depth);
          expect(events.map((e) => e.type)).toEqual(input.map(() => 'book'));
          events.forEach((event, i) => {
            const { book } = event as OrderBookUpdate;
            expect(text(book.bids)).toEqual(refText(expected[i][0]));
            expect(text(book.asks)).toEqual(refText(expected[i][1]));
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the full book when not truncating and shows the best `depth` levels', async () => {
    await fc.assert(
      fc.asyncProperty(
        messages,
        fc.integer({ min: 1, max: 5 }),
        async ({ snapshotBids, snapshotAsks, updates }, depth) => {
          const reference = new ReferenceBook();
          reference.apply(reference.bids, snapshotBids);
          reference.apply(reference.asks, snapshotAsks);
          const input: BookMessage[] = [
            { kind: 'snapshot', instrumentId: BTC, bids: snapshotBids, asks: snapshotAsks, tsEvent: 0, tsInit: 0 },
          ];
          const expected = [[reference.sortedBids().slice(0, depth), reference.sortedAsks().slice(0, depth)]];
          for (const { bids, asks } of updates) {
            reference.apply(reference.bids, bids);
            reference.apply(reference.asks, asks);
            input.push({ kind: 'update', instrumentId: BTC, bids, asks, tsEvent: 1, tsInit: 1 });
            expected.push([reference.sortedBids().slice(0, depth), reference.sortedAsks().slice(0, depth)]);
          }
          const events = await run(input, depth, { checksum: false, truncate: false });
          events.forEach((event, i) => {
            const { book } = event as OrderBookUpdate;
            expect(text(book.bids)).toEqual(refText(expected[i][0]));
            expect(text(book.asks)).toEqual(refText(expected[i][1]));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('replaying the emitted deltas on an empty book gives the emitted book', async () => {
    await fc.assert(
      fc.asyncProperty(messages, async ({ snapshotBids, snapshotAsks, updates }) => {
        const input: BookMessage[] = [
          { kind: 'snapshot', instrumentId: BTC, bids: snapshotBids, asks: snapshotAsks, tsEvent: 0, tsInit: 0 },
          ...updates.map(({ bids, asks }) => ({
            kind: 'update' as const,
            instrumentId: BTC,
            bids,
            asks,
            tsEvent: 1,
            tsInit: 1,
          })),
        ];
        const events = (await run(input, 10, { checksum: false })) as OrderBookUpdate[];
        const replay = { BID: new Map<string, string>(), ASK: new Map<string, string>() };
        for (const { book, deltas } of events) {
          for (const delta of deltas.deltas) {
            const side = replay[delta.side];
            if (delta.action === 'CLEAR') side.clear();
            else if (delta.action === 'DELETE') side.delete(delta.price.toString());
            else side.set(delta.price.toString(), delta.size.toString());
          }
          const sorted = (side: Map<string, string>, sign: number) =>
            [...side].sort((a, b) => sign * (Number(a[0]) - Number(b[0])));
          expect(sorted(replay.BID, -1)).toEqual(text(book.bids));
          expect(sorted(replay.ASK, 1)).toEqual(text(book.asks));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('orderBook views', () => {
  const snapshot: BookMessage = {
    kind: 'snapshot',
    instrumentId: BTC,
    bids: [
      { price: 45283.5, size: 0.1 },
      { price: 45283.4, size: 1.54582015 },
    ],
    asks: [{ price: 45285.2, size: 0.001 }],
    tsEvent: 10,
    tsInit: 11,
  };
  const update: BookMessage = {
    kind: 'update',
    instrumentId: BTC,
    bids: [{ price: 45283.5, size: 0 }],
    asks: [{ price: 45285.2, size: 2 }],
    tsEvent: 12,
    tsInit: 13,
  };

  it('never changes a book already emitted', async () => {
    const [first, second] = (await run([snapshot, update], 10)) as OrderBookUpdate[];
    expect(text(first.book.bids)).toEqual([
      ['45283.5', '0.1'],
      ['45283.4', '1.54582015'],
    ]);
    expect(text(first.book.asks)).toEqual([['45285.2', '0.001']]);
    expect(text(second.book.bids)).toEqual([['45283.4', '1.54582015']]);
    expect(text(second.book.asks)).toEqual([['45285.2', '2']]);
  });

  it('exposes Decimals, best levels, spread and mid, and serialises to text', async () => {
    const [{ book, deltas }] = (await run([snapshot], 10)) as OrderBookUpdate[];
    expect(Decimal.isDecimal(book.bestBid?.price)).toBe(true);
    expect(book.bestBid?.price.toString()).toBe('45283.5');
    expect(book.bestAsk?.size.toString()).toBe('0.001');
    expect(book.spread?.toString()).toBe('1.7');
    expect(book.mid?.toString()).toBe('45284.35');
    expect(book.instrumentId).toBe(BTC);
    expect([book.tsEvent, book.tsInit]).toEqual([10, 11]);
    expect(deltas.isSnapshot).toBe(true);
    expect(JSON.parse(JSON.stringify(book))).toEqual({
      instrumentId: 'BTC/USD.KRAKEN',
      bids: [
        { price: '45283.5', size: '0.10000000' },
        { price: '45283.4', size: '1.54582015' },
      ],
      asks: [{ price: '45285.2', size: '0.00100000' }],
      tsEvent: 10,
      tsInit: 11,
    });
  });

  it('has no spread or mid when a side is empty', async () => {
    const [{ book }] = (await run([{ ...snapshot, asks: [] }], 10)) as OrderBookUpdate[];
    expect(book.bestAsk).toBeUndefined();
    expect(book.spread).toBeUndefined();
    expect(book.mid).toBeUndefined();
  });
});
