/**
 * What a protocol layer (spot, futures, replay) receives from the simulator to plug itself in.
 */
import type { SimClock } from './engine/clock';
import type { MatchingEngine } from './engine/engine';
import type { SpotTier } from './engine/rateCounter';
import type { SimFaults } from './faults';
import type { SimServer } from './server';

export interface SimCredentials {
  /** Spot API key/secret (secret base64) and the engine account they trade for. */
  readonly spot: { readonly apiKey: string; readonly apiSecret: string; readonly accountId: string };
  /** Futures API key/secret and the engine account. */
  readonly futures: { readonly apiKey: string; readonly apiSecret: string; readonly accountId: string };
}

export interface SimContext {
  readonly engine: MatchingEngine;
  readonly clock: SimClock;
  readonly faults: SimFaults;
  readonly server: SimServer;
  readonly credentials: SimCredentials;
  /** Spot REST rate-limit tier. */
  readonly tier: SpotTier;
  /** Real-time heartbeat period of the WebSocket feeds (ms); 0 = none. */
  readonly heartbeatMs: number;
  /** Seed of the simulation, for layers that need their own PRNG stream (`Prng.derive(seed, 'futures')`). */
  readonly seed: number;
  /** Registers cleanup to run on `sim.stop()` (timers, subscriptions). */
  onStop(cleanup: () => void | Promise<void>): void;
}

/** A protocol layer: registers its routes and WebSocket paths on `ctx.server` and listens to `ctx.engine`. */
export type SimProtocolLayer = (ctx: SimContext) => void;
