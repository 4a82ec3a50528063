/**
 * Keeps a trade stream whole across reconnects and silent holes.
 *
 * Kraken numbers trades per book: Spot's `trade_id` and Futures' `seq` go up by one per trade. A trade whose number
 * skips ahead of the last one emitted means trades were missed (a dropped connection, a lost frame); the missing
 * ones are fetched over REST and emitted first, in order, then the trades that arrived meanwhile. Trades at or below
 * the last number are duplicates (a snapshot re-sent after a resubscription) and dropped. What REST cannot supply is
 * reported through `onGap`, and the stream goes on.
 */
import type { Observable, Subscription } from 'rxjs';
import type { TradeTick } from '../model/data';
import type { SequencedTrade } from './model';

/** Where a stream stands: the number, time and id of the last trade emitted. */
export type TradeAnchor = Pick<SequencedTrade, 'sequence' | 'tsEvent' | 'tradeId'>;

/**
 * An unrepaired hole: trades numbered `fromSequence`..`toSequence` were missed and REST gave only `recovered`
 * (`missing` is known when the numbering is contiguous).
 */
export interface TradeGap {
  readonly fromSequence: number;
  readonly toSequence: number;
  readonly missing?: number;
  readonly recovered: number;
  readonly reason: string;
  readonly error?: unknown;
}

export interface TradeGapFillOptions {
  /**
   * The trades strictly between `after` (the last trade emitted) and `before` (the first trade after the hole),
   * oldest first, without duplicates. Emits once (an array) then completes, or errors.
   */
  fetchMissing(after: TradeAnchor, before: SequencedTrade): Observable<readonly TradeTick[]>;
  /** Called for a hole REST could not (fully) fill. */
  onGap(gap: TradeGap): void;
  /**
   * Whether the sequence goes up by exactly one per trade (Spot `trade_id`: documented as sequential). Default true.
   * When false (Futures `seq`: documented only as a per-product counter), a jump in a live stream is not taken for a
   * hole; holes are looked for only when a resubscription's snapshot no longer reaches back to the last trade
   * emitted, and what REST returns is de-duplicated by trade id.
   */
  readonly contiguous?: boolean;
}

/** How many emitted trade ids a non-contiguous sequencer remembers, to de-duplicate what REST returns. */
const RECENT_IDS = 512;

const bySequence = (a: SequencedTrade, b: SequencedTrade) => a.sequence - b.sequence;

function ascending(trades: readonly SequencedTrade[]): boolean {
  for (let i = 1; i < trades.length; i++) if (trades[i].sequence < trades[i - 1].sequence) return false;
  return true;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The state machine of a trade feed, handed trades one by one by the feed's decode step (the hot path: no batch
 * objects, no extra subscriber).
 *
 * - The first snapshot, when it comes before any trade, only sets the starting point: a subscriber gets the trades
 *   that happen after it subscribed.
 * - While a hole is being filled, live trades are held and emitted after the recovered ones.
 */
export class TradeSequencer {
  private started = false;
  private last: TradeAnchor | undefined = undefined;
  private filling: Subscription | undefined = undefined;
  private fillPending = false;
  private held: SequencedTrade[] = [];
  private disposed = false;
  private readonly contiguous: boolean;
  /** Non-contiguous mode: ids of the trades emitted last (a ring), for de-duplicating REST answers. */
  private readonly recent = new Set<string>();
  private readonly recentOrder: string[] = [];

  constructor(
    private readonly emit: (trade: TradeTick) => void,
    private readonly options: TradeGapFillOptions,
  ) {
    this.contiguous = options.contiguous !== false;
  }

  /** Kraken's replay of recent trades (any order). */
  snapshot(trades: readonly SequencedTrade[]): void {
    const sorted = ascending(trades) ? trades : [...trades].sort(bySequence);
    if (!this.started) {
      this.started = true;
      if (sorted.length > 0) this.last = sorted[sorted.length - 1];
      return;
    }
    const last = this.last;
    if (!this.contiguous && !this.fillPending && last !== undefined) {
      // The replay should reach back to the last trade emitted; if it does not, trades were missed in between.
      const newer = sorted.filter((trade) => trade.sequence > last.sequence);
      const reaches = sorted.length === 0 || sorted[0].sequence <= last.sequence;
      if (newer.length > 0 && !reaches) {
        this.held.push(...newer);
        this.fill(last, newer[0]);
        return;
      }
    }
    for (let i = 0; i < sorted.length; i++) this.accept(sorted[i]);
  }

  /** One live trade. */
  accept(trade: SequencedTrade): void {
    this.started = true;
    if (this.fillPending) {
      this.held.push(trade);
      return;
    }
    const last = this.last;
    if (
      last === undefined ||
      trade.sequence === last.sequence + 1 ||
      (!this.contiguous && trade.sequence > last.sequence)
    ) {
      this.last = trade;
      this.emitted(trade);
      return;
    }
    if (trade.sequence <= last.sequence) return; // already emitted
    this.held.push(trade);
    this.fill(last, trade);
  }

  dispose(): void {
    this.disposed = true;
    this.filling?.unsubscribe();
    this.filling = undefined;
    this.held = [];
  }

  private emitted(trade: TradeTick): void {
    if (!this.contiguous) {
      const id = trade.tradeId;
      this.recent.add(id);
      this.recentOrder.push(id);
      if (this.recentOrder.length > RECENT_IDS) this.recent.delete(this.recentOrder.shift() as string);
    }
    this.emit(trade);
  }

  /** What REST returned, minus what was (or is about to be) emitted from the feed. */
  private fresh(fetched: readonly TradeTick[]): readonly TradeTick[] {
    if (this.contiguous) return fetched;
    const held = new Set(this.held.map((trade) => trade.tradeId));
    return fetched.filter((trade) => !this.recent.has(trade.tradeId) && !held.has(trade.tradeId));
  }

  private fill(after: TradeAnchor, before: SequencedTrade): void {
    this.fillPending = true;
    let fetched: readonly TradeTick[] = [];
    let done = false;
    const finish = (error?: unknown): void => {
      if (done || this.disposed) return;
      done = true;
      fetched = this.fresh(fetched);
      const missing = this.contiguous ? before.sequence - after.sequence - 1 : undefined;
      if (error !== undefined || (missing !== undefined && fetched.length < missing)) {
        this.options.onGap({
          fromSequence: after.sequence + 1,
          toSequence: before.sequence - 1,
          ...(missing !== undefined ? { missing } : {}),
          recovered: fetched.length,
          reason:
            error !== undefined
              ? `could not fetch the missed trades: ${messageOf(error)}`
              : `${(missing ?? 0) - fetched.length} of ${missing ?? 0} missed trades could not be recovered`,
          ...(error !== undefined ? { error } : {}),
        });
      }
      for (const trade of fetched) this.emitted(trade);
      // Everything up to the first trade after the hole is now settled.
      const newest = fetched.length > 0 ? fetched[fetched.length - 1] : after;
      const settled = this.contiguous ? before.sequence - 1 : Math.max(after.sequence, before.sequence - 1);
      this.last = { sequence: settled, tsEvent: newest.tsEvent, tradeId: newest.tradeId };
      this.fillPending = false;
      this.filling = undefined;
      const queued = this.held.sort(bySequence);
      this.held = [];
      for (const trade of queued) this.accept(trade);
    };
    const subscription = this.options.fetchMissing(after, before).subscribe({
      next: (trades) => (fetched = trades),
      error: (err: unknown) => finish(err),
      complete: () => finish(),
    });
    if (!done) this.filling = subscription;
  }
}
