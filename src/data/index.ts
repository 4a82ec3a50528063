/** Market data: `KrakenDataClient` and the pieces it is built from. */
export * from './KrakenDataClient';
export { WsTradeTick, DepthLimitedBook, limitDepth, snapshotDeltas, type SequencedTrade } from './model';
export {
  tradeGapFill,
  type TradeBatch,
  type TradeGap,
  type TradeAnchor,
  type TradeGapFillOptions,
} from './tradeBackfill';
export { BookFeed, resyncBook, type BookEventSource, type ResyncPolicy } from './bookFeed';
