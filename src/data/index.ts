/** Market data: `KrakenDataClient`. */
export {
  KrakenDataClient,
  type BookOptions,
  type DataConnectionEvent,
  type DataConnectionState,
  type DataVenue,
  type KrakenDataClientDeps,
} from './KrakenDataClient';
export type { TradeGap } from './tradeBackfill';
