import { krakenClientOrderId } from '../kraken/spot/orderParams';

/**
 * The caller's client order ids and what was sent to Kraken for them. An id Kraken would refuse (more than 18
 * characters, or not printable ASCII, and not a UUID) is replaced by a UUID derived from it by hashing
 * (`krakenClientOrderId`); this registry turns what Kraken sends back into the caller's id.
 *
 * Why a memory, and what survives a restart: Kraken echoes nothing of an order but its `cl_ord_id` / `cliOrdId`
 * (Spot's numeric `userref` cannot be sent together with a `cl_ord_id`, and holds 32 bits). A UUID has 122 free
 * bits, and ids of 19 printable characters already need about 125 (95^19 ≈ 2^124.8), so no mapping can be
 * reversed from what Kraken returns alone. The mapping is deterministic instead: the same id always gives the same
 * UUID, so the reverse map is rebuilt from the original ids alone — {@link register} them after a restart (from
 * the caller's own order store) and reports and events carry them again; orders already seen under their UUID are
 * relabelled. Until then, an order of an earlier run reads back with the UUID as its client order id; addressing
 * it by the original id (cancel, modify) finds it, since that id maps to the same UUID.
 */
export class ClientOrderIds {
  private readonly originals = new Map<string, string>();

  /** The id to send for `original` (remembered for the way back). */
  toVenue(original: string): string {
    const venue = krakenClientOrderId(original);
    if (venue !== original) this.originals.set(venue, original);
    return venue;
  }

  /** Teaches the registry ids from an earlier run; returns those that were mapped, with the id sent for each. */
  register(...originals: readonly string[]): { original: string; venue: string }[] {
    const mapped: { original: string; venue: string }[] = [];
    for (const original of originals) {
      const venue = this.toVenue(original);
      if (venue !== original) mapped.push({ original, venue });
    }
    return mapped;
  }

  /** The caller's id for what Kraken sent back (itself when it was never mapped). */
  toOriginal(venue: string): string {
    return this.originals.get(venue) ?? this.originals.get(venue.toLowerCase()) ?? venue;
  }
}
