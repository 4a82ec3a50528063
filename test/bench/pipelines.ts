/**
 * The pipelines the benchmark hands frames to, all behind one interface ({@link FrameSink}): the real
 * `KrakenDataClient` on an in-memory socket, and the same per-frame work composed in process from the functions the
 * client uses, stage by stage:
 *
 *   text → JSON.parse + envelope check (spotFrameProblem) → classifySpotWsMessage (routing) → the channel's feed
 *   operator from src/data/spotFeeds (io-ts codec from src/kraken/spot/ws, wire→model; for trades the sequencer,
 *   for bars bufferBars) → orderBook for books → subscriber
 *
 * A sink is opened once and fed pass after pass, chunk by chunk, so every measurement is of a pipeline in steady
 * state.
 */
import { asyncScheduler, EMPTY, Observable, Subject, type OperatorFunction } from 'rxjs';
import type { KrakenDataClient } from '../../src/data/KrakenDataClient';
import type { FeedContext } from '../../src/data/decodeFrames';
import { spotFrameProblem } from '../../src/data/frameMonitor';
import { spotBars, spotBookMessages, spotTrades } from '../../src/data/spotFeeds';
import { classifySpotWsMessage } from '../../src/kraken/spot/wsProtocol';
import type { OrderBook } from '../../src/model/data';
import { BarType, InstrumentId } from '../../src/model/identifiers';
import { orderBook } from '../../src/operators/orderBook';
import type { SpotPair } from './frames';
import { InMemoryClient } from './inMemoryClient';

/** A pipeline under test, fed text frames synchronously. */
export interface FrameSink<T> {
  /** Hands `frames[from..to)` to the pipeline. */
  push(frames: readonly string[], from: number, to: number): void;
  /** Values the pipeline emitted so far. */
  readonly emitted: number;
  readonly last: T | undefined;
  /** Resyncs, reported decode errors, a failed stream: anything that should not happen on good frames. */
  readonly problems: string[];
  close(): Promise<void>;
}

/** The floor: bare `JSON.parse` of `frames[from..to)`. Returns a value that depends on every parse. */
export function parseRange(frames: readonly string[], from = 0, to = frames.length): number {
  let sink = 0;
  for (let i = from; i < to; i++) sink += (JSON.parse(frames[i]) as { channel: string }).channel.length;
  return sink;
}

// ---------------------------------------------------------------------------------------------------------
// The client

/** `KrakenDataClient` with one stream open on the in-memory socket. */
export async function clientSink<T>(
  stream: (client: KrakenDataClient) => Observable<T>,
  route: string,
): Promise<FrameSink<T>> {
  const harness = await InMemoryClient.open(stream, route);
  return {
    push: (frames, from, to) => {
      const socket = harness.socket;
      for (let i = from; i < to; i++) socket.deliver(frames[i]);
    },
    get emitted() {
      return harness.emitted;
    },
    get last() {
      return harness.last;
    },
    get problems() {
      return harness.errors > 0 ? [`${harness.errors} errors on errors$`] : [];
    },
    close: () => harness.close(),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Composed stages

/**
 * What the client's session does with a text frame before a feed sees it: parse and check the envelope (the data
 * client's `parse` hook), classify, deliver each routed message.
 */
export function parseAndRoute(): OperatorFunction<string, unknown> {
  return (source) =>
    new Observable<unknown>((subscriber) =>
      source.subscribe({
        next(text) {
          const message: unknown = JSON.parse(text);
          if (spotFrameProblem(message) !== undefined) {
            subscriber.error(new Error(`bench: a frame with a bad envelope: ${text.slice(0, 80)}`));
            return;
          }
          const inbound = classifySpotWsMessage(message);
          if (inbound.kind !== 'data') return;
          const deliveries = inbound.deliveries;
          for (let d = 0; d < deliveries.length; d++) subscriber.next(deliveries[d].message);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}

/** A composed pipeline fed through a Subject; `count` says which values count as emitted (default: all). */
function composedSink<T>(
  build: (input: Observable<unknown>, context: FeedContext, problems: string[]) => Observable<T>,
  count: (value: T) => boolean = () => true,
): FrameSink<T> {
  const input = new Subject<string>();
  const problems: string[] = [];
  const context: FeedContext = {
    scheduler: asyncScheduler,
    reportDecodeError: (error) => problems.push(`decode error: ${error.message}`),
  };
  let emitted = 0;
  let last: T | undefined;
  const subscription = build(input.pipe(parseAndRoute()), context, problems).subscribe({
    next: (value) => {
      if (!count(value)) return;
      emitted++;
      last = value;
    },
    error: (err: unknown) => problems.push(`failed: ${err instanceof Error ? err.message : String(err)}`),
  });
  return {
    push: (frames, from, to) => {
      for (let i = from; i < to; i++) input.next(frames[i]);
    },
    get emitted() {
      return emitted;
    },
    get last() {
      return last;
    },
    problems,
    close: () => {
      subscription.unsubscribe();
      return Promise.resolve();
    },
  };
}

export const instrumentIdOf = (pair: SpotPair): InstrumentId => InstrumentId.of(pair.wsSymbol);

/** The book stages: `route` (parse + envelope + routing), `decode` (+ SpotWsBookMessage → BookMessage), `book`. */
export type BookStage = 'route' | 'decode' | 'book';

export function bookStageSink(stage: BookStage, pair: SpotPair, depth: number): FrameSink<unknown> {
  const instrument = {
    id: instrumentIdOf(pair),
    pricePrecision: pair.pricePrecision,
    sizePrecision: pair.sizePrecision,
  };
  if (stage === 'route') return composedSink((input) => input);
  if (stage === 'decode') return composedSink((input, context) => input.pipe(spotBookMessages(instrument, context)));
  return composedSink(
    (input, context, problems) =>
      new Observable<OrderBook>((subscriber) =>
        input.pipe(spotBookMessages(instrument, context), orderBook(depth, { checksum: true })).subscribe({
          next: (event) => {
            if (event.type === 'book') subscriber.next(event.book);
            else problems.push(`resync (${event.reason})`);
          },
          error: (err: unknown) => subscriber.error(err),
        }),
      ),
  );
}

/** Trades: → `TradeTick`s (decoded, sequenced by `trade_id`, holes checked). */
export function tradeStageSink(pair: SpotPair): FrameSink<unknown> {
  const id = instrumentIdOf(pair);
  return composedSink((input, context, problems) =>
    input.pipe(
      spotTrades(id, context, { fetchMissing: () => EMPTY, onGap: (gap) => problems.push(`trade gap: ${gap.reason}`) }),
    ),
  );
}

/** OHLC: → final 1-minute bars (decoded, parsed, `bufferBars`). */
export function ohlcStageSink(pair: SpotPair): FrameSink<unknown> {
  const barType = BarType.from(`${pair.wsSymbol}.KRAKEN-1-MINUTE-LAST-EXTERNAL`);
  return composedSink((input, context) => input.pipe(spotBars(barType, context)));
}

/** `price@size` best first, with the pair's precision, for comparing with the generator's final book. */
export function describeBook(book: OrderBook, pair: SpotPair): { bids: string[]; asks: string[] } {
  const show = (levels: OrderBook['bids']) =>
    levels.map((l) => `${l.price.toFixed(pair.pricePrecision)}@${l.size.toFixed(pair.sizePrecision)}`);
  return { bids: show(book.bids), asks: show(book.asks) };
}
