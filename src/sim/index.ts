export { KrakenSimulator, type KrakenSimulatorConfig, type KrakenSimulatorOptions } from './simulator';
export {
  SimFaults,
  type RestFault,
  type SocketGroup,
  type SubscriptionRefusal,
  type OrderTimeoutFault,
} from './faults';
export type { SimClock } from './engine/clock';
export type { SimContext, SimCredentials, SimProtocolLayer } from './context';
export type { ReplayOptions } from './engine/replay';
export { InstrumentTable, DEFAULT_SPOT_PAIRS, DEFAULT_FUTURES_CONTRACTS, SPOT_ASSETS } from './engine/instruments';
