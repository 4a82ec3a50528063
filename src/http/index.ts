export * from './KrakenRawHttpClient';
export * from './KrakenHttpClient';
export * from './spotRawClient';
export * from './futuresRawClient';
export { krakenHttpLimits, SerialLane, USER_AGENT, type KrakenHttpLimits, type RawClientOptions } from './restCall';
