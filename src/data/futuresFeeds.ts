/**
 * Kraken Futures WS v1 frames → model, one operator per feed. One subscription receives both the snapshot feed and
 * the update feed (`book_snapshot` + `book`, `trade_snapshot` + `trade`), so frames are dispatched on `feed` with
 * `FuturesWsMessage` (one map lookup; book deltas and trades use the hand-written validators).
 */
import type { OperatorFunction } from 'rxjs';
import type { TradeTick } from '../model/data';
import type { InstrumentId } from '../model/identifiers';
import {
  futuresWsBookSnapshotMessage,
  futuresWsBookUpdateMessage,
  parseFuturesWsTicker,
  type FuturesTickerUpdates,
} from '../kraken/futures/parsers';
import { FuturesWsMessage, isFuturesWsEvent, type FuturesWsInbound, type FuturesWsTrade } from '../kraken/futures/ws';
import type { FuturesWsSubscription } from '../kraken/futures/wsProtocol';
import type { BookMessage } from '../operators/orderBook';
import { decodeFrames, decodeFramesWith, type FeedContext } from './decodeFrames';
import { aggressorOf, WsTradeTick } from './model';
import { TradeSequencer, type TradeGapFillOptions } from './tradeBackfill';

export function futuresTradeSubscription(productId: string): FuturesWsSubscription {
  return { feed: 'trade', productId };
}

export function futuresTickerSubscription(productId: string): FuturesWsSubscription {
  return { feed: 'ticker', productId };
}

export function futuresBookSubscription(productId: string): FuturesWsSubscription {
  return { feed: 'book', productId };
}

function tick(instrumentId: InstrumentId, trade: FuturesWsTrade, tsInit: number): WsTradeTick {
  return new WsTradeTick(
    instrumentId,
    trade.price,
    trade.qty,
    aggressorOf(trade.side),
    trade.uid,
    trade.time,
    tsInit,
    trade.seq,
  );
}

/** `trade_snapshot` / `trade` → trades, each once and in order (`seq` is the sequence; see {@link TradeSequencer}). */
export function futuresTrades(
  instrumentId: InstrumentId,
  context: FeedContext,
  gapFill: TradeGapFillOptions,
): OperatorFunction<unknown, TradeTick> {
  return decodeFramesWith<FuturesWsInbound, TradeTick>(
    FuturesWsMessage,
    `futures trade ${instrumentId.symbol}`,
    context,
    (subscriber) => {
      const sequencer = new TradeSequencer((trade) => subscriber.next(trade), gapFill);
      return {
        handle(message, tsInit) {
          if (isFuturesWsEvent(message)) return;
          if (message.feed === 'trade') sequencer.accept(tick(instrumentId, message, tsInit));
          else if (message.feed === 'trade_snapshot') {
            sequencer.snapshot(message.trades.map((trade) => tick(instrumentId, trade, tsInit)));
          }
        },
        dispose: () => sequencer.dispose(),
      };
    },
  );
}

/** `ticker` → mark, index, funding and quote updates. */
export function futuresTickers(
  instrumentId: InstrumentId,
  context: FeedContext,
): OperatorFunction<unknown, FuturesTickerUpdates> {
  return decodeFrames(
    FuturesWsMessage,
    `futures ticker ${instrumentId.symbol}`,
    context,
    (message, tsInit, subscriber) => {
      if (!isFuturesWsEvent(message) && message.feed === 'ticker')
        subscriber.next(parseFuturesWsTicker(message, tsInit));
    },
  );
}

/** The precision used to render book levels (optional on Futures: no checksum to verify). */
export interface FuturesBookInstrument {
  readonly id: InstrumentId;
  readonly pricePrecision?: number;
  readonly sizePrecision?: number;
}

/** `book_snapshot` / `book` → the `orderBook` operator's input (`seq` as the sequence). */
export function futuresBookMessages(
  instrument: FuturesBookInstrument,
  context: FeedContext,
): OperatorFunction<unknown, BookMessage> {
  return decodeFrames(
    FuturesWsMessage,
    `futures book ${instrument.id.symbol}`,
    context,
    (message, tsInit, subscriber) => {
      if (isFuturesWsEvent(message)) return;
      if (message.feed === 'book') subscriber.next(futuresWsBookUpdateMessage(message, instrument.id, tsInit));
      else if (message.feed === 'book_snapshot') {
        subscriber.next(futuresWsBookSnapshotMessage(message, instrument, tsInit));
      }
    },
  );
}
