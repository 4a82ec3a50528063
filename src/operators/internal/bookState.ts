/**
 * The maintained L2 book behind `orderBook()`. Hot path: no Decimal, no sorting, minimal allocation and copying.
 *
 * Each side is a list of chunks (≤ 64 levels each, best first) of immutable {@link Level}s carrying the price and
 * size text formatted once, on insert or change, with the instrument's precision, next to internal chunks of sort
 * keys (the price for asks, minus the price for bids) searched by bisection. Emitted books share the level chunks:
 * after an emission a chunk is copied before its next write (copy-on-write), so an update costs a chunk and the chunk
 * directory, not the whole depth, and a book is flattened into an array only when `bids`/`asks` is read.
 *
 * Decimals are made on first read. For the Kraken checksum each level hashes its own text once; the checksum folds
 * the 20 levels' CRCs by linearity (four table lookups per level) and keeps the register after each of them, so an
 * update only re-folds from the first checksummed level it touched.
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

/** The first `depth` levels of a chunk list, as one array (the chunk itself when it holds them all). */
function flatten(chunks: readonly (readonly Level[])[], depth: number): readonly Level[] {
  if (chunks.length === 0) return [];
  const first = chunks[0];
  if (first.length >= depth) return first.length === depth ? first : first.slice(0, depth);
  // Only the chunks that reach into the first `depth` levels; `concat` copies them natively.
  let count = first.length;
  let end = 1;
  while (end < chunks.length && count < depth) count += chunks[end++].length;
  if (end === 1) return first;
  const out = first.concat(...chunks.slice(1, end));
  if (out.length > depth) out.length = depth;
  return out;
}

/**
 * The last flattened level array of one side, by chunk list. Chunk lists handed to views are never written again,
 * so the same list means the same levels: consecutive books share the array of a side that did not change.
 */
export interface FlatCache {
  chunks: readonly (readonly Level[])[] | undefined;
  levels: readonly Level[];
}

function flattenCached(cache: FlatCache, chunks: readonly (readonly Level[])[], depth: number): readonly Level[] {
  if (cache.chunks !== chunks) {
    cache.levels = flatten(chunks, depth);
    cache.chunks = chunks;
  }
  return cache.levels;
}

/** An immutable view of the book at one moment; level arrays, `spread` and `mid` are built on first read. */
export class BookView implements OrderBook {
  private bidLevels: readonly Level[] | undefined = undefined;
  private askLevels: readonly Level[] | undefined = undefined;
  private spreadValue: Decimal | null | undefined = undefined;
  private midValue: Decimal | null | undefined = undefined;

  constructor(
    readonly instrumentId: InstrumentId,
    private readonly bidChunks: readonly (readonly Level[])[],
    private readonly askChunks: readonly (readonly Level[])[],
    /** The most levels per side this view shows (the `orderBook` depth). */
    readonly depth: number,
    private readonly bidCache: FlatCache,
    private readonly askCache: FlatCache,
    readonly sequence: number | undefined,
    readonly tsEvent: number,
    readonly tsInit: number,
  ) {}

  get bids(): readonly Level[] {
    return (this.bidLevels ??= flattenCached(this.bidCache, this.bidChunks, this.depth));
  }

  get asks(): readonly Level[] {
    return (this.askLevels ??= flattenCached(this.askCache, this.askChunks, this.depth));
  }

  get bestBid(): Level | undefined {
    return this.bidChunks.length === 0 ? undefined : this.bidChunks[0][0];
  }

  get bestAsk(): Level | undefined {
    return this.askChunks.length === 0 ? undefined : this.askChunks[0][0];
  }

  get spread(): Decimal | undefined {
    if (this.spreadValue === undefined) {
      const bid = this.bestBid;
      const ask = this.bestAsk;
      this.spreadValue = bid === undefined || ask === undefined ? null : ask.price.minus(bid.price);
    }
    return this.spreadValue ?? undefined;
  }

  get mid(): Decimal | undefined {
    if (this.midValue === undefined) {
      const bid = this.bestBid;
      const ask = this.bestAsk;
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

/** Chunks grow to this many levels, then split in two. */
const MAX_CHUNK = 64;
/** A chunk that shrinks below this many levels merges with a neighbour when they fit in one. */
const MIN_CHUNK = 16;

/** One side of the book, best first, in copy-on-write chunks. */
export class BookSideState {
  /** Level chunks, best first, never empty. Shared with views: written only when stamped with `generation`. */
  private chunks: Level[][] = [];
  /** Sort keys, chunk by chunk (ascending). Internal: written in place. */
  private readonly keyChunks: number[][] = [];
  /** The generation in which each chunk was copied (or made); only then may it be written. */
  private readonly chunkStamps: number[] = [];
  /** The generation in which the directory `chunks` was copied (or made). */
  private directoryStamp = 0;
  /** Bumped when a view takes the chunks: everything made before is then frozen. */
  private generation = 0;
  /** Something changed since the last view. */
  private changed = true;
  /** Total number of levels. */
  length = 0;
  /** The views' flattened levels of this side (see {@link FlatCache}). */
  readonly flatCache: FlatCache = { chunks: undefined, levels: [] };
  /** Lowest index (capped) changed since the last checksum. */
  checksumDirtyFrom = NOT_DIRTY;

  constructor(
    readonly side: BookSide,
    /** +1 for asks (ascending price), −1 for bids (descending price). */
    readonly direction: 1 | -1,
  ) {}

  /** The chunks for a view: frozen from now on (later writes copy them first). */
  view(): readonly (readonly Level[])[] {
    if (this.changed) {
      this.generation++;
      this.changed = false;
    }
    return this.chunks;
  }

  /** Every level, best first (a copy). */
  toArray(): Level[] {
    const out: Level[] = [];
    for (const chunk of this.chunks) for (const level of chunk) out.push(level);
    return out;
  }

  /** The level at `index` (< length), walking the chunks (the first one usually holds the top 10). */
  levelAt(index: number): Level {
    const chunks = this.chunks;
    let c = 0;
    while (index >= chunks[c].length) index -= chunks[c++].length;
    return chunks[c][index];
  }

  clear(): void {
    this.chunks = [];
    this.keyChunks.length = 0;
    this.chunkStamps.length = 0;
    this.directoryStamp = this.generation;
    this.length = 0;
    this.changed = true;
    this.checksumDirtyFrom = 0;
  }

  private writableDirectory(): Level[][] {
    if (this.directoryStamp !== this.generation) {
      this.chunks = this.chunks.slice();
      this.directoryStamp = this.generation;
    }
    return this.chunks;
  }

  private writableChunk(c: number): Level[] {
    if (this.chunkStamps[c] !== this.generation) {
      const directory = this.writableDirectory();
      directory[c] = directory[c].slice();
      this.chunkStamps[c] = this.generation;
    }
    return this.chunks[c];
  }

  private insertChunk(c: number, levels: Level[], keys: number[]): void {
    this.writableDirectory().splice(c, 0, levels);
    this.keyChunks.splice(c, 0, keys);
    this.chunkStamps.splice(c, 0, this.generation);
  }

  private removeChunk(c: number): void {
    this.writableDirectory().splice(c, 1);
    this.keyChunks.splice(c, 1);
    this.chunkStamps.splice(c, 1);
  }

  /** The chunk that holds `key` or where it goes: the first whose worst key is ≥ `key`, else the last. */
  private findChunk(key: number): number {
    const keyChunks = this.keyChunks;
    let lo = 0;
    let hi = keyChunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const keys = keyChunks[mid];
      if (keys[keys.length - 1] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first level of chunk `c`, counted only until it reaches 10 (all the checksum needs to know). */
  private firstIndexOf(c: number): number {
    let index = 0;
    for (let i = 0; i < c && index < CHECKSUM_LEVELS; i++) index += this.keyChunks[i].length;
    return index;
  }

  private touched(c: number, i: number): void {
    this.changed = true;
    const index = (c === 0 ? 0 : this.firstIndexOf(c)) + i;
    if (index < this.checksumDirtyFrom) this.checksumDirtyFrom = index;
  }

  /** Sets (size > 0) or deletes (size 0) the level at `price`; records what changed in `deltas`. */
  apply(price: number, size: number, formatPrice: Formatter, formatSize: Formatter, deltas: Delta[]): void {
    const key = this.direction === 1 ? price : -price;
    if (this.keyChunks.length === 0) {
      if (size === 0) return;
      const level = new Level(formatPrice(price), formatSize(size));
      this.insertChunk(0, [level], [key]);
      this.length = 1;
      this.touched(0, 0);
      deltas.push(new Delta('ADD', this.side, level));
      return;
    }
    const c = this.findChunk(key);
    const keys = this.keyChunks[c];
    const length = keys.length;
    let lo = 0;
    let hi = length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    const index = lo;
    const found = index < length && keys[index] === key;
    if (size === 0) {
      if (!found) return; // a delete for a level we do not hold (e.g. beyond our depth): nothing changes
      this.touched(c, index);
      const chunk = this.writableChunk(c);
      const removed = chunk[index];
      for (let i = index + 1; i < length; i++) {
        keys[i - 1] = keys[i];
        chunk[i - 1] = chunk[i];
      }
      keys.pop();
      chunk.pop();
      this.length--;
      if (length === 1) this.removeChunk(c);
      else if (length - 1 < MIN_CHUNK) this.mergeAround(c);
      deltas.push(new Delta('DELETE', this.side, removed));
      return;
    }
    if (found) {
      const chunk = this.writableChunk(c);
      const level = new Level(chunk[index].priceText, formatSize(size));
      chunk[index] = level;
      this.touched(c, index);
      deltas.push(new Delta('UPDATE', this.side, level));
      return;
    }
    const level = new Level(formatPrice(price), formatSize(size));
    const chunk = this.writableChunk(c);
    keys.push(key);
    chunk.push(level);
    for (let i = length; i > index; i--) {
      keys[i] = keys[i - 1];
      chunk[i] = chunk[i - 1];
    }
    keys[index] = key;
    chunk[index] = level;
    this.length++;
    this.touched(c, index);
    if (length + 1 > MAX_CHUNK) this.split(c);
    deltas.push(new Delta('ADD', this.side, level));
  }

  private split(c: number): void {
    const chunk = this.writableChunk(c);
    const keys = this.keyChunks[c];
    const half = chunk.length >>> 1;
    const tailLevels = chunk.slice(half);
    const tailKeys = keys.slice(half);
    chunk.length = half;
    keys.length = half;
    this.insertChunk(c + 1, tailLevels, tailKeys);
  }

  /** Merges chunk `c` into a neighbour when both fit in one chunk. */
  private mergeAround(c: number): void {
    const keyChunks = this.keyChunks;
    let into = -1;
    if (c + 1 < keyChunks.length && keyChunks[c].length + keyChunks[c + 1].length <= MAX_CHUNK) into = c;
    else if (c > 0 && keyChunks[c - 1].length + keyChunks[c].length <= MAX_CHUNK) into = c - 1;
    if (into < 0) return;
    const target = this.writableChunk(into);
    const targetKeys = keyChunks[into];
    const source = this.chunks[into + 1];
    const sourceKeys = keyChunks[into + 1];
    for (let i = 0; i < source.length; i++) {
      target.push(source[i]);
      targetKeys.push(sourceKeys[i]);
    }
    this.removeChunk(into + 1);
  }

  /** Drops the levels beyond `depth` (Kraken Spot sends no deletes for levels that leave the window). */
  truncate(depth: number, deltas: Delta[]): void {
    if (this.length <= depth) return;
    // Find the chunk holding index `depth`, then drop from there on, reporting the dropped levels best first.
    let c = 0;
    let first = 0;
    while (first + this.keyChunks[c].length <= depth) first += this.keyChunks[c++].length;
    for (let k = c; k < this.chunks.length; k++) {
      const chunk = this.chunks[k];
      for (let i = k === c ? depth - first : 0; i < chunk.length; i++) {
        deltas.push(new Delta('DELETE', this.side, chunk[i]));
      }
    }
    const keep = depth - first;
    while (this.keyChunks.length > c + (keep > 0 ? 1 : 0)) this.removeChunk(this.keyChunks.length - 1);
    if (keep > 0) {
      this.writableChunk(c).length = keep;
      this.keyChunks[c].length = keep;
    }
    this.length = depth;
    this.changed = true;
    if (depth < this.checksumDirtyFrom) this.checksumDirtyFrom = depth;
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

  /** Kraken Spot's checksum of the current book, re-folding only from the first changed checksummed level. */
  checksum(): number {
    const asks = this.asks;
    const bids = this.bids;
    const askCount = Math.min(asks.length, CHECKSUM_LEVELS);
    const bidCount = Math.min(bids.length, CHECKSUM_LEVELS);
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
      const level = position < askCount ? asks.levelAt(position) : bids.levelAt(position - askCount);
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
