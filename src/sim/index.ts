/**
 * `kraken-rx/sim`: an embedded Kraken exchange on loopback (Spot REST + WS v2, Futures REST + WS v1).
 *
 * @module kraken-rx/sim
 */
export {
  KrakenSimulator,
  FUTURES_WS_PATH,
  SPOT_WS_AUTH_PATH,
  SPOT_WS_PATH,
  type KrakenSimulatorConfig,
  type KrakenSimulatorOptions,
} from './simulator';
export {
  SimFaults,
  type FaultAction,
  type OrderTimeoutFault,
  type RestFault,
  type SocketGroup,
  type SubscriptionRefusal,
  type Venue,
} from './faults';
export { HANG, type SimHttpRequest, type SimHttpResponse, type SimServer, type SimSocket } from './server';
export type { SimContext, SimCredentials, SimProtocolLayer } from './context';
export { ManualClock, RealClock, type SimClock, type SimTimer } from './engine/clock';
export { Prng } from './engine/prng';
export type { MatchingEngine, EngineEvent, EngineOrder, EngineFill, SubmitOrderRequest } from './engine/engine';
export { parseRecording, type ReplayEvent, type ReplayOptions } from './engine/replay';
export {
  InstrumentTable,
  DEFAULT_FUTURES_CONTRACTS,
  DEFAULT_SPOT_PAIRS,
  DEFAULT_UNDERLYING_PRICES,
  SPOT_ASSETS,
  type FuturesContractDef,
  type SimInstrument,
  type SpotAssetDef,
  type SpotPairDef,
  type Underlying,
} from './engine/instruments';
export type { SpotTier } from './engine/rateCounter';
