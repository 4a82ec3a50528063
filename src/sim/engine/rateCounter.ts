import type { SimClock } from './clock';

/**
 * Kraken's decaying call counter: each call adds its cost; the counter decays continuously; a call that would take
 * it above `max` is refused (and costs nothing). Time comes from the simulator's clock.
 */
export class DecayingCounter {
  private value = 0;
  private at: number;

  constructor(
    private readonly clock: SimClock,
    public max: number,
    public decayPerSecond: number,
  ) {
    this.at = clock.now();
  }

  current(): number {
    const now = this.clock.now();
    this.value = Math.max(0, this.value - ((now - this.at) / 1000) * this.decayPerSecond);
    this.at = now;
    return this.value;
  }

  /** Adds `cost` if it fits under `max`; returns whether it did. */
  tryAdd(cost: number): boolean {
    if (this.current() + cost > this.max) return false;
    this.value += cost;
    return true;
  }

  /** Adds `cost` unconditionally (costs charged even when the request fails). */
  add(cost: number): void {
    this.value = this.current() + cost;
  }
}

export type SpotTier = 'starter' | 'intermediate' | 'pro';

/** Spot REST call counter per tier (spot-wire.md §1.4). */
export const SPOT_REST_TIERS: Readonly<Record<SpotTier, { max: number; decay: number }>> = {
  starter: { max: 15, decay: 0.33 },
  intermediate: { max: 20, decay: 0.5 },
  pro: { max: 20, decay: 1 },
};

/** Spot trading-engine counter per pair and tier (spot-wire.md §1.5). */
export const SPOT_TRADING_TIERS: Readonly<Record<SpotTier, { max: number; decay: number }>> = {
  starter: { max: 60, decay: 1 },
  intermediate: { max: 125, decay: 2.34 },
  pro: { max: 180, decay: 3.75 },
};
