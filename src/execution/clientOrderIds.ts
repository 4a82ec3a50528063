import { krakenClientOrderId } from '../kraken/spot/orderParams';

/**
 * The caller's client order ids and what was sent to Kraken for them. An id Kraken would refuse is replaced by a
 * UUID derived from it (`krakenClientOrderId`); this registry turns what Kraken sends back into the caller's id.
 * It lives as long as the client: after a restart an id mapped in an earlier run reads back as the UUID unless
 * the caller registers the original again ({@link ClientOrderIds.register}).
 */
export class ClientOrderIds {
  private readonly originals = new Map<string, string>();

  /** The id to send for `original` (remembered for the way back). */
  toVenue(original: string): string {
    const venue = krakenClientOrderId(original);
    if (venue !== original) this.originals.set(venue, original);
    return venue;
  }

  /** Teaches the registry ids from an earlier run, so reports and events carry them. */
  register(...originals: readonly string[]): void {
    for (const original of originals) this.toVenue(original);
  }

  /** The caller's id for what Kraken sent back (itself when it was never mapped). */
  toOriginal(venue: string): string {
    return this.originals.get(venue) ?? this.originals.get(venue.toLowerCase()) ?? venue;
  }
}
