/**
 * A price-time priority order book of one instrument. Entries are the simulated market makers' quotes (account
 * `MARKET_MAKER`) and the users' resting limit orders, side by side in the same queues.
 */
import type Decimal from 'decimal.js';

export type Side = 'buy' | 'sell';

/** Account id of the synthetic liquidity (market makers and takers). Never has balances or history. */
export const MARKET_MAKER = '__market__';

export interface BookEntry {
  readonly orderId: string;
  readonly accountId: string;
  qty: Decimal;
  /** Time the entry joined the queue (epoch ms). */
  readonly time: number;
}

export interface BookLevel {
  readonly price: Decimal;
  /** Price rendered at the instrument's precision; the level's identity. */
  readonly key: string;
  readonly entries: BookEntry[];
  /** Last time the level's total changed (epoch ms). */
  updated: number;
}

/** An aggregated level as market data sees it. */
export interface LevelView {
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly time: number;
}

export class OrderBook {
  /** Best first: bids descending, asks ascending. */
  private readonly bids: BookLevel[] = [];
  private readonly asks: BookLevel[] = [];

  constructor(private readonly priceDecimals: number) {}

  /** The levels a resting order of `side` joins (buy → bids). */
  levelsOf(side: Side): BookLevel[] {
    return side === 'buy' ? this.bids : this.asks;
  }

  add(side: Side, price: Decimal, entry: BookEntry): void {
    const levels = this.levelsOf(side);
    const index = this.findIndex(side, price);
    const existing = levels[index];
    if (existing && existing.price.eq(price)) {
      existing.entries.push(entry);
      existing.updated = entry.time;
      return;
    }
    levels.splice(index, 0, { price, key: price.toFixed(this.priceDecimals), entries: [entry], updated: entry.time });
  }

  /** Removes an order's entry; returns it, or undefined if it was not resting. */
  remove(side: Side, price: Decimal, orderId: string, time: number): BookEntry | undefined {
    const levels = this.levelsOf(side);
    const index = this.findIndex(side, price);
    const level = levels[index];
    if (!level || !level.price.eq(price)) return undefined;
    const at = level.entries.findIndex((e) => e.orderId === orderId);
    if (at < 0) return undefined;
    const [entry] = level.entries.splice(at, 1);
    level.updated = time;
    if (level.entries.length === 0) levels.splice(index, 1);
    return entry;
  }

  find(side: Side, price: Decimal, orderId: string): BookEntry | undefined {
    const level = this.levelsOf(side)[this.findIndex(side, price)];
    if (!level || !level.price.eq(price)) return undefined;
    return level.entries.find((e) => e.orderId === orderId);
  }

  /** Drops empty levels after entries were consumed in place by matching. */
  prune(side: Side): void {
    const levels = this.levelsOf(side);
    for (let i = levels.length - 1; i >= 0; i--) if (levels[i].entries.length === 0) levels.splice(i, 1);
  }

  best(side: Side): BookLevel | undefined {
    return this.levelsOf(side)[0];
  }

  /** Aggregated view of the best `depth` levels of a side (`bids` for buy). */
  view(side: Side, depth = Infinity): LevelView[] {
    const levels = this.levelsOf(side);
    const out: LevelView[] = [];
    for (let i = 0; i < levels.length && out.length < depth; i++) {
      const level = levels[i];
      let qty = level.entries[0].qty;
      for (let j = 1; j < level.entries.length; j++) qty = qty.add(level.entries[j].qty);
      out.push({ price: level.price, qty, time: level.updated });
    }
    return out;
  }

  levelCount(side: Side): number {
    return this.levelsOf(side).length;
  }

  /** Index where `price` sits or would be inserted on that side. */
  private findIndex(side: Side, price: Decimal): number {
    const levels = this.levelsOf(side);
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const cmp = levels[mid].price.cmp(price);
      // bids descending: move right while level price > price; asks ascending: while level price < price
      const before = side === 'buy' ? cmp > 0 : cmp < 0;
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
