/**
 * The maintained L2 book behind `orderBook()`. Hot path: no Decimal, no sorting, minimal allocation.
 *
 * Each side is a pair of parallel arrays sorted best first: `keys` (numbers, ascending: the price for asks, minus
 * the price for bids) searched by bisection, and `levels` (immutable {@link Level}s carrying the price and size
 * text formatted once, on insert or change, with the instrument's precision). Decimals and checksum text are made
 * lazily, on first read. For the Kraken checksum each level hashes its own text once; the checksum folds the 20
 * levels' CRCs by linearity (four table lookups per level) and keeps the register after each of them, so an update
 * only re-folds from the first level it touched.
 */
import Decimal from 'decimal.js';
import type { InstrumentId } from '../../model/identifiers';
import type { BookAction, BookLevel, BookSide, OrderBook, OrderBookDelta, OrderBookDeltas } from '../../model/data';
import {
  CHECKSUM_LEVELS,
  crc32Finish,
  crc32Shift,
  CRC32_START,
  levelCrc,
  levelTextLength,
} from '../../kraken/common/checksum';

/** One price level, immutable (a size change makes a new one). A `BookLevel` whose Decimals are made on read. */
export class Level implements BookLevel {
  private decimalPrice: Decimal | undefined = undefined;
  private decimalSize: Decimal | undefined = undefined;
  /** CRC register of this level's checksum text from a zero register, and that text's length (−1: not yet). */
  crc = 0;
  crcLength = -1;

  constructor(
    readonly priceText: string,
    readonly sizeText: string,
  ) {}

  get price(): Decimal {
    return (this.decimalPrice ??= new Decimal(this.priceText));
  }

  get size(): Decimal {
    return (this.decimalSize ??= new Decimal(this.sizeText));
  }

  /** Computes `crc` and `crcLength` (done once, and only for levels that reach the checksummed top 10). */
  hashForChecksum(): void {
    this.crc = levelCrc(this.priceText, this.sizeText);
    this.crcLength = levelTextLength(this.priceText, this.sizeText);
  }

  toJSON(): { price: string; size: string } {
    return { price: this.priceText, size: this.sizeText };
  }
}

/** One change to the book. Shares the Decimals of its level. */
export class Delta implements OrderBookDelta {
  private zero: Decimal | undefined = undefined;

  constructor(
    readonly action: BookAction,
    readonly side: BookSide,
    private readonly level: Level | undefined,
  ) {}

  get price(): Decimal {
    return this.level === undefined ? (this.zero ??= new Decimal(0)) : this.level.price;
  }

  get size(): Decimal {
    return this.level === undefined || this.action === 'DELETE' ? (this.zero ??= new Decimal(0)) : this.level.size;
  }

  toJSON() {
    return {
      action: this.action,
      side: this.side,
      price: this.level?.priceText ?? '0',
      size: this.level === undefined || this.action === 'DELETE' ? '0' : this.level.sizeText,
    };
  }
}

/** An immutable view of the book at one moment; `spread` and `mid` are computed on first read. */
export class BookView implements OrderBook {
  private spreadValue: Decimal | null | undefined = undefined;
  private midValue: Decimal | null | undefined = undefined;

  constructor(
    readonly instrumentId: InstrumentId,
    readonly bids: readonly Level[],
    readonly asks: readonly Level[],
    readonly sequence: number | undefined,
    readonly tsEvent: number,
    readonly tsInit: number,
  ) {}

  get bestBid(): Level | undefined {
    return this.bids[0];
  }

  get bestAsk(): Level | undefined {
    return this.asks[0];
  }

  get spread(): Decimal | undefined {
    if (this.spreadValue === undefined) {
      const bid = this.bids[0];
      const ask = this.asks[0];
      this.spreadValue = bid === undefined || ask === undefined ? null : ask.price.minus(bid.price);
    }
    return this.spreadValue ?? undefined;
  }

  get mid(): Decimal | undefined {
    if (this.midValue === undefined) {
      const bid = this.bids[0];
      const ask = this.asks[0];
      this.midValue = bid === undefined || ask === undefined ? null : ask.price.plus(bid.price).div(2);
    }
    return this.midValue ?? undefined;
  }

  toJSON() {
    return {
      instrumentId: this.instrumentId.toString(),
      bids: this.bids,
      asks: this.asks,
      ...(this.sequence === undefined ? {} : { sequence: this.sequence }),
      tsEvent: this.tsEvent,
      tsInit: this.tsInit,
    };
  }
}

/** Number → text with the instrument's precision, or the shortest exact text when the precision is unknown. */
export type Formatter = (value: number) => string;

const NOT_DIRTY = Number.MAX_SAFE_INTEGER;

/** One side of the book, best first. */
export class BookSideState {
  readonly keys: number[] = [];
  readonly levels: Level[] = [];
  /** Lowest index changed since the last checksum. */
  checksumDirtyFrom = NOT_DIRTY;
  /** Lowest index changed since the last view. */
  viewDirtyFrom = 0;
  /** The top-`depth` levels handed to the last view; reused while nothing in it changed. */
  view: readonly Level[] = [];

  constructor(
    readonly side: BookSide,
    /** +1 for asks (ascending price), −1 for bids (descending price). */
    readonly direction: 1 | -1,
  ) {}

  /** Index of the first key ≥ `key`. */
  private search(key: number): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private touched(index: number): void {
    if (index < this.checksumDirtyFrom) this.checksumDirtyFrom = index;
    if (index < this.viewDirtyFrom) this.viewDirtyFrom = index;
  }

  /** Sets (size > 0) or deletes (size 0) the level at `price`; records what changed in `deltas`. */
  apply(price: number, size: number, formatPrice: Formatter, formatSize: Formatter, deltas: Delta[]): void {
    const key = this.direction === 1 ? price : -price;
    const keys = this.keys;
    const levels = this.levels;
    const length = keys.length;
    const index = this.search(key);
    const found = index < length && keys[index] === key;
    if (size === 0) {
      if (!found) return; // a delete for a level we do not hold (e.g. beyond our depth): nothing changes
      const removed = levels[index];
      for (let i = index + 1; i < length; i++) {
        keys[i - 1] = keys[i];
        levels[i - 1] = levels[i];
      }
      keys.pop();
      levels.pop();
      this.touched(index);
      deltas.push(new Delta('DELETE', this.side, removed));
      return;
    }
    if (found) {
      const level = new Level(levels[index].priceText, formatSize(size));
      levels[index] = level;
      this.touched(index);
      deltas.push(new Delta('UPDATE', this.side, level));
      return;
    }
    const level = new Level(formatPrice(price), formatSize(size));
    keys.push(key);
    levels.push(level);
    for (let i = length; i > index; i--) {
      keys[i] = keys[i - 1];
      levels[i] = levels[i - 1];
    }
    keys[index] = key;
    levels[index] = level;
    this.touched(index);
    deltas.push(new Delta('ADD', this.side, level));
  }

  /** Drops the levels beyond `depth` (Kraken Spot sends no deletes for levels that leave the window). */
  truncate(depth: number, deltas: Delta[]): void {
    const levels = this.levels;
    if (levels.length <= depth) return;
    for (let i = depth; i < levels.length; i++) deltas.push(new Delta('DELETE', this.side, levels[i]));
    // Only indices ≥ depth go: the shown levels and the top 10 (depth ≥ 10 with checksums) are untouched.
    levels.length = depth;
    this.keys.length = depth;
  }

  clear(): void {
    this.keys.length = 0;
    this.levels.length = 0;
    this.checksumDirtyFrom = 0;
    this.viewDirtyFrom = 0;
  }

  /** The best `depth` levels as an array no later change touches. */
  viewOf(depth: number): readonly Level[] {
    if (this.viewDirtyFrom < depth) {
      this.view = this.levels.slice(0, depth);
    }
    this.viewDirtyFrom = NOT_DIRTY;
    return this.view;
  }
}

/** Both sides plus the incremental Kraken checksum. */
export class BookState {
  readonly bids = new BookSideState('BID', -1);
  readonly asks = new BookSideState('ASK', 1);
  /** CRC register after each checksummed position: asks 0..9, then bids. `registers[0]` is the start value. */
  private readonly registers = new Int32Array(2 * CHECKSUM_LEVELS + 1);
  /** How many positions of `registers` are valid. */
  private validPositions = 0;

  constructor() {
    this.registers[0] = CRC32_START;
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.validPositions = 0;
  }

  /** Kraken Spot's checksum of the current book, re-hashing only from the first changed checksummed level. */
  checksum(): number {
    const asks = this.asks;
    const bids = this.bids;
    const askCount = Math.min(asks.levels.length, CHECKSUM_LEVELS);
    const bidCount = Math.min(bids.levels.length, CHECKSUM_LEVELS);
    // A change at index ≥ 10 of a side leaves its top 10 (and their count) as they were.
    let valid = this.validPositions;
    if (asks.checksumDirtyFrom < CHECKSUM_LEVELS && asks.checksumDirtyFrom < valid) valid = asks.checksumDirtyFrom;
    if (bids.checksumDirtyFrom < CHECKSUM_LEVELS && askCount + bids.checksumDirtyFrom < valid) {
      valid = askCount + bids.checksumDirtyFrom;
    }
    const total = askCount + bidCount;
    if (valid > total) valid = total;
    const registers = this.registers;
    let register = registers[valid];
    for (let position = valid; position < total; position++) {
      const level = position < askCount ? asks.levels[position] : bids.levels[position - askCount];
      if (level.crcLength < 0) level.hashForChecksum();
      // By linearity: hashing the level's text from `register` = shifting `register` past it, xor its own CRC.
      register = crc32Shift(register, level.crcLength) ^ level.crc;
      registers[position + 1] = register;
    }
    this.validPositions = total;
    asks.checksumDirtyFrom = NOT_DIRTY;
    bids.checksumDirtyFrom = NOT_DIRTY;
    return crc32Finish(registers[total]);
  }
}

/** Deltas of one applied message. */
export function bookDeltas(
  instrumentId: InstrumentId,
  deltas: readonly OrderBookDelta[],
  isSnapshot: boolean,
  sequence: number | undefined,
  tsEvent: number,
  tsInit: number,
): OrderBookDeltas {
  return sequence === undefined
    ? { instrumentId, deltas, isSnapshot, tsEvent, tsInit }
    : { instrumentId, deltas, isSnapshot, sequence, tsEvent, tsInit };
}
