/**
 * The per-frame work of the Spot data client, composed in process from the same functions (no socket): what happens
 * to one text frame between the WebSocket and the subscriber.
 *
 *   text → JSON.parse + envelope check (spotFrameProblem) → classifySpotWsMessage (routing) → the channel's feed
 *   operator from src/data/spotFeeds (io-ts codec from src/kraken/spot/ws, wire→model, and for trades the
 *   sequencer; for bars bufferBars) → orderBook for books → subscriber
 */
import { asyncScheduler, EMPTY, Observable } from 'rxjs';
import type { FeedContext } from '../../src/data/decodeFrames';
import { spotFrameProblem } from '../../src/data/frameMonitor';
import { spotBars, spotBookMessages, spotTrades } from '../../src/data/spotFeeds';
import { classifySpotWsMessage } from '../../src/kraken/spot/wsProtocol';
import type { OrderBook } from '../../src/model/data';
import { BarType, InstrumentId } from '../../src/model/identifiers';
import { orderBook } from '../../src/operators/orderBook';
import type { BookFrames, SpotPair } from './frames';

/**
 * What the client's session does with a text frame before a feed sees it: parse and check the envelope (the data
 * client's `parse` hook), classify, deliver each routed message.
 */
export function sessionDeliveries(frames: readonly string[]): Observable<unknown> {
  return new Observable<unknown>((subscriber) => {
    for (let i = 0; i < frames.length && !subscriber.closed; i++) {
      const message: unknown = JSON.parse(frames[i]);
      if (spotFrameProblem(message) !== undefined) throw new Error(`bench: frame ${i} has a bad envelope`);
      const inbound = classifySpotWsMessage(message);
      if (inbound.kind === 'data') {
        const deliveries = inbound.deliveries;
        for (let d = 0; d < deliveries.length; d++) subscriber.next(deliveries[d].message);
      }
    }
    subscriber.complete();
  });
}

/** The floor: bare `JSON.parse` of every frame. Returns a value that depends on every parse. */
export function parseAll(frames: readonly string[]): number {
  let sink = 0;
  for (let i = 0; i < frames.length; i++) sink += (JSON.parse(frames[i]) as { channel: string }).channel.length;
  return sink;
}

export interface PipelineCounts {
  emitted: number;
  resyncs: number;
  decodeErrors: number;
  /** The stream's error, if it failed. */
  failure?: unknown;
}

/** Records a stream's error instead of letting RxJS rethrow it asynchronously. */
const failed = (counts: PipelineCounts) => (err: unknown) => {
  counts.failure ??= err;
};

function feedContext(counts: PipelineCounts): FeedContext {
  return { scheduler: asyncScheduler, reportDecodeError: () => counts.decodeErrors++ };
}

export function instrumentIdOf(pair: SpotPair): InstrumentId {
  return InstrumentId.of(pair.wsSymbol);
}

/** Book: frames → maintained, checksum-verified book at the frames' depth. Returns the last book. */
export function runBookPipeline(book: BookFrames, counts: PipelineCounts): OrderBook | undefined {
  const { pair, depth } = book;
  const instrument = {
    id: instrumentIdOf(pair),
    pricePrecision: pair.pricePrecision,
    sizePrecision: pair.sizePrecision,
  };
  let last: OrderBook | undefined;
  sessionDeliveries(book.frames)
    .pipe(spotBookMessages(instrument, feedContext(counts)), orderBook(depth, { checksum: true }))
    .subscribe({
      next: (event) => {
        if (event.type === 'book') {
          counts.emitted++;
          last = event.book;
        } else counts.resyncs++;
      },
      error: failed(counts),
    });
  return last;
}

/** Trades: frames → `TradeTick`s (decoded, sequenced by `trade_id`, holes checked). */
export function runTradePipeline(frames: readonly string[], pair: SpotPair, counts: PipelineCounts): void {
  const id = instrumentIdOf(pair);
  sessionDeliveries(frames)
    .pipe(spotTrades(id, feedContext(counts), { fetchMissing: () => EMPTY, onGap: () => counts.resyncs++ }))
    .subscribe({ next: () => counts.emitted++, error: failed(counts) });
}

/** OHLC: frames → final 1-minute bars (decoded, parsed, `bufferBars`). */
export function runOhlcPipeline(frames: readonly string[], pair: SpotPair, counts: PipelineCounts): void {
  const barType = BarType.from(`${pair.wsSymbol}.KRAKEN-1-MINUTE-LAST-EXTERNAL`);
  sessionDeliveries(frames)
    .pipe(spotBars(barType, feedContext(counts)))
    .subscribe({ next: () => counts.emitted++, error: failed(counts) });
}

/** `price@size` best first, with the pair's precision, for comparing with the generator's final book. */
export function describeBook(book: OrderBook, pair: SpotPair): { bids: string[]; asks: string[] } {
  const show = (levels: OrderBook['bids']) =>
    levels.map((l) => `${l.price.toFixed(pair.pricePrecision)}@${l.size.toFixed(pair.sizePrecision)}`);
  return { bids: show(book.bids), asks: show(book.asks) };
}
