/**
 * Kraken Spot WS v2 frames → model, one operator per channel. The book and trade operators are hot paths: the
 * hand-written validators of `kraken/spot/ws`, one loop per frame, no Decimal.
 */
import { defer, map, type OperatorFunction } from 'rxjs';
import type { Bar, QuoteTick, TradeTick } from '../model/data';
import type { BarType, InstrumentId } from '../model/identifiers';
import { parseSpotWsOhlc, parseSpotWsTicker } from '../kraken/spot/parsers';
import {
  SpotWsBookMessage,
  SpotWsOhlcMessage,
  SpotWsTickerMessage,
  type SpotWsOhlc,
  SpotWsTradeMessage,
  type SpotWsBookLevel,
  type SpotWsTrade,
} from '../kraken/spot/ws';
import type { SpotWsSubscription } from '../kraken/spot/wsProtocol';
import type { BookLevelInput, BookMessage } from '../operators/orderBook';
import { bufferBars, type IntervalKeyed } from '../operators/bufferBars';
import { decodeFrames, decodeFramesWith, type FeedContext } from './decodeFrames';
import { aggressorOf, WsTradeTick } from './model';
import { TradeSequencer, type TradeGapFillOptions } from './tradeBackfill';

/** The Spot v2 book depths. */
export const SPOT_BOOK_DEPTHS: readonly number[] = Object.freeze([10, 25, 100, 500, 1000]);

export function spotTradeSubscription(wsSymbol: string): SpotWsSubscription {
  // The snapshot (Kraken's 50 latest trades) is what lets a resubscription close the hole left by a drop.
  return { channel: 'trade', symbol: wsSymbol, params: { snapshot: true } };
}

export function spotQuoteSubscription(wsSymbol: string): SpotWsSubscription {
  return { channel: 'ticker', symbol: wsSymbol, params: { event_trigger: 'bbo' } };
}

export function spotBookSubscription(wsSymbol: string, depth: number): SpotWsSubscription {
  return { channel: 'book', symbol: wsSymbol, params: { depth } };
}

export function spotOhlcSubscription(wsSymbol: string, intervalMinutes: number): SpotWsSubscription {
  return { channel: 'ohlc', symbol: wsSymbol, params: { interval: intervalMinutes } };
}

/**
 * `trade` frames → trades, each once and in order (`trade_id` is the sequence; holes are filled through
 * `gapFill`, see {@link TradeSequencer}).
 */
export function spotTrades(
  instrumentId: InstrumentId,
  context: FeedContext,
  gapFill: TradeGapFillOptions,
): OperatorFunction<unknown, TradeTick> {
  return decodeFramesWith<SpotWsTradeMessage, TradeTick>(
    SpotWsTradeMessage,
    `spot trade ${instrumentId.symbol}`,
    context,
    (subscriber) => {
      const sequencer = new TradeSequencer((trade) => subscriber.next(trade), gapFill);
      return {
        handle(frame, tsInit) {
          const data = frame.data;
          if (frame.type === 'snapshot') {
            const trades = new Array<WsTradeTick>(data.length);
            for (let i = 0; i < data.length; i++) trades[i] = spotTick(instrumentId, data[i], tsInit);
            sequencer.snapshot(trades);
          } else {
            for (let i = 0; i < data.length; i++) sequencer.accept(spotTick(instrumentId, data[i], tsInit));
          }
        },
        dispose: () => sequencer.dispose(),
      };
    },
  );
}

function spotTick(instrumentId: InstrumentId, trade: SpotWsTrade, tsInit: number): WsTradeTick {
  return new WsTradeTick(
    instrumentId,
    trade.price,
    trade.qty,
    aggressorOf(trade.side),
    trade.trade_id,
    trade.timestamp,
    tsInit,
    trade.trade_id,
  );
}

/** `ticker` frames (`event_trigger: bbo`) → quotes. A ticker without both sides is skipped. */
export function spotQuotes(instrumentId: InstrumentId, context: FeedContext): OperatorFunction<unknown, QuoteTick> {
  return decodeFrames(
    SpotWsTickerMessage,
    `spot ticker ${instrumentId.symbol}`,
    context,
    (frame, tsInit, subscriber) => {
      for (const ticker of frame.data) {
        const quote = parseSpotWsTicker(ticker, instrumentId, tsInit);
        if (quote !== undefined) subscriber.next(quote);
      }
    },
  );
}

function levelsOf(levels: readonly SpotWsBookLevel[]): BookLevelInput[] {
  const out = new Array<BookLevelInput>(levels.length);
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    out[i] = { price: level.price, size: level.qty };
  }
  return out;
}

/** The precision the book checksum needs. */
export interface SpotBookInstrument {
  readonly id: InstrumentId;
  readonly pricePrecision: number;
  readonly sizePrecision: number;
}

/** `book` frames → the `orderBook` operator's input, with the pair's precision for the checksum. */
export function spotBookMessages(
  instrument: SpotBookInstrument,
  context: FeedContext,
): OperatorFunction<unknown, BookMessage> {
  const { id, pricePrecision, sizePrecision } = instrument;
  return decodeFrames(SpotWsBookMessage, `spot book ${id.symbol}`, context, (frame, tsInit, subscriber) => {
    const kind = frame.type;
    const data = frame.data;
    for (let i = 0; i < data.length; i++) {
      const entry = data[i];
      subscriber.next({
        kind,
        instrumentId: id,
        bids: levelsOf(entry.bids),
        asks: levelsOf(entry.asks),
        checksum: entry.checksum,
        pricePrecision,
        sizePrecision,
        tsEvent: entry.timestamp ?? tsInit,
        tsInit,
      });
    }
  });
}

const byIntervalBegin = (a: SpotWsOhlc, b: SpotWsOhlc) => a.interval_begin - b.interval_begin;

interface CandleUpdate extends IntervalKeyed {
  readonly bar: Bar;
}

/**
 * `ohlc` frames → final bars: the candle Kraken re-sends on every trade is held by `bufferBars` and emitted once the
 * next interval starts. The first snapshot's history is skipped (a subscriber gets the bars that close after it
 * subscribed) except the open candle; a later snapshot (after a resubscription) is applied in full, so a bar that
 * closed while the connection was down is still emitted.
 */
export function spotBars(barType: BarType, context: FeedContext): OperatorFunction<unknown, Bar> {
  const what = `spot ohlc ${barType.instrumentId.symbol}`;
  return (source) =>
    defer(() => {
      let seenSnapshot = false;
      return source.pipe(
        decodeFrames<SpotWsOhlcMessage, CandleUpdate>(SpotWsOhlcMessage, what, context, (frame, tsInit, subscriber) => {
          const data = frame.data;
          // Updates carry one candle: sorted (a copy) only when there are several, with no closure per frame.
          const candles = data.length > 1 ? [...data].sort(byIntervalBegin) : data;
          const first = frame.type === 'snapshot' && !seenSnapshot ? Math.max(candles.length - 1, 0) : 0;
          if (frame.type === 'snapshot') seenSnapshot = true;
          for (let i = first; i < candles.length; i++) {
            const candle = candles[i];
            subscriber.next({ intervalBegin: candle.interval_begin, bar: parseSpotWsOhlc(candle, barType, tsInit) });
          }
        }),
        bufferBars(),
        map((update) => update.bar),
      );
    });
}
