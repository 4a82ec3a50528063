import type { Prng } from './prng';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Kraken-style identifiers (`OQCLML-BW3P3-BUCMWZ`), drawn from a seeded stream and never repeated. */
export class IdFactory {
  private readonly issued = new Set<string>();

  constructor(private readonly prng: Prng) {}

  /** An order id: `O` + 5 chars, 5 chars, 6 chars. */
  orderId(): string {
    return this.unique('O');
  }

  /** A trade (fill) id: `T` + 5, 5, 6. */
  tradeId(): string {
    return this.unique('T');
  }

  /** A ledger id: `L` + 5, 5, 6. */
  ledgerId(): string {
    return this.unique('L');
  }

  /**
   * A UUID v4 shape, for futures order ids and fill ids. `tracked: false` (public trade uids, one per print for
   * as long as the market runs) skips the never-repeat bookkeeping, which would otherwise grow without bound; a
   * repeat would need the generator's 2^32-state cycle to come round within one stream.
   */
  uuid(tracked = true): string {
    const hex = (n: number) => Array.from({ length: n }, () => this.prng.int(0, 15).toString(16)).join('');
    for (;;) {
      const id = `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[this.prng.int(0, 3)]}${hex(3)}-${hex(12)}`;
      if (!tracked) return id;
      if (!this.issued.has(id)) {
        this.issued.add(id);
        return id;
      }
    }
  }

  /** An opaque token of the given length (WS tokens, challenges). */
  token(length: number): string {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    return Array.from({ length }, () => chars[this.prng.int(0, chars.length - 1)]).join('');
  }

  private unique(prefix: string): string {
    for (;;) {
      const part = (n: number) => Array.from({ length: n }, () => ALPHABET[this.prng.int(0, 31)]).join('');
      const id = `${prefix}${part(5)}-${part(5)}-${part(6)}`;
      if (!this.issued.has(id)) {
        this.issued.add(id);
        return id;
      }
    }
  }
}
