/**
 * Kraken Spot book checksums (WS v2 `book` and `level3`): CRC32 over the top 10 asks (ascending) then the top 10
 * bids (descending), each level rendered as `price + qty` with the pair's full precision, the decimal point removed
 * and leading zeros stripped. See spot-wire.md §7.2 ("Book checksum algorithm (exact)") and §7.6.
 *
 * Everything here is pure; the only module state is the constant CRC table.
 */

/** How many levels per side Kraken's checksum covers, whatever the subscribed depth. */
export const CHECKSUM_LEVELS = 10;

/** CRC-32 (IEEE 802.3 / zlib: reflected polynomial 0xEDB88320), one entry per byte value. */
const CRC_TABLE: Int32Array = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** The CRC register before any byte: feed it to {@link crc32Update}, finish with {@link crc32Finish}. */
export const CRC32_START = -1;

/**
 * Continues a CRC-32 computation over the ASCII bytes of `text`. `register` is a value from {@link CRC32_START} or a
 * previous `crc32Update`; the result is a raw register (signed 32-bit), not yet a checksum.
 */
export function crc32Update(register: number, text: string): number {
  let crc = register;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ^ (crc >>> 8);
  return crc;
}

/** Turns a raw register into the unsigned 32-bit checksum Kraken sends. */
export function crc32Finish(register: number): number {
  return ~register >>> 0;
}

/** CRC-32 (zlib variant) of ASCII text, as an unsigned 32-bit integer. */
export function crc32(text: string): number {
  return crc32Finish(crc32Update(CRC32_START, text));
}

/** One number's contribution to a checksum: `'0.00100000'` → `'100000'`, `'45285.2'` → `'452852'`, zero → `''`. */
export function checksumToken(formatted: string): string {
  const dot = formatted.indexOf('.');
  const digits = dot < 0 ? formatted : formatted.slice(0, dot) + formatted.slice(dot + 1);
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 48 /* '0' */) start++;
  return start === 0 ? digits : digits.slice(start);
}

/**
 * One level's checksum text: price then size, each with `.` and leading zeros removed. Both must already be
 * formatted with the pair's precision (`price_precision` / `qty_precision`), trailing zeros kept.
 */
export function checksumLevelText(formattedPrice: string, formattedSize: string): string {
  return checksumToken(formattedPrice) + checksumToken(formattedSize);
}

/** A level whose price and size are already formatted with the pair's precision (see {@link formatFixed}). */
export interface FormattedLevel {
  readonly price: string;
  readonly size: string;
}

/**
 * Kraken Spot's L2 book checksum: `asks` best (lowest) first, `bids` best (highest) first; only the top 10 of each
 * count. Compare the result with the `checksum` of the message (both unsigned).
 */
export function spotBookChecksum(asks: readonly FormattedLevel[], bids: readonly FormattedLevel[]): number {
  let crc = CRC32_START;
  const askCount = Math.min(asks.length, CHECKSUM_LEVELS);
  for (let i = 0; i < askCount; i++) crc = crc32Update(crc, checksumLevelText(asks[i].price, asks[i].size));
  const bidCount = Math.min(bids.length, CHECKSUM_LEVELS);
  for (let i = 0; i < bidCount; i++) crc = crc32Update(crc, checksumLevelText(bids[i].price, bids[i].size));
  return crc32Finish(crc);
}

/**
 * Kraken Spot's level-3 checksum: like {@link spotBookChecksum}, but each of the top 10 price levels per side is a
 * list of orders in queue order, and every order contributes `price + size`.
 */
export function spotLevel3Checksum(
  asks: readonly (readonly FormattedLevel[])[],
  bids: readonly (readonly FormattedLevel[])[],
): number {
  let crc = CRC32_START;
  for (const side of [asks, bids]) {
    const count = Math.min(side.length, CHECKSUM_LEVELS);
    for (let i = 0; i < count; i++) {
      for (const order of side[i]) crc = crc32Update(crc, checksumLevelText(order.price, order.size));
    }
  }
  return crc32Finish(crc);
}

const ZEROS = '00000000000000000000';

function zeros(count: number): string {
  return count <= ZEROS.length ? ZEROS.slice(0, count) : '0'.repeat(count);
}

/**
 * Renders a number decoded from JSON with exactly `precision` decimals, trailing zeros kept: `(45285.2, 1)` →
 * `'45285.2'`, `(0.001, 8)` → `'0.00100000'`, `(5.1e-5, 8)` → `'0.00005100'`.
 *
 * Exact for any value the wire wrote with at most `precision` decimals and at most 15 significant digits (the JSON
 * literal's digits are recovered from the double's shortest round-trip form, no float arithmetic). A value with more
 * decimals than `precision` is rounded like `Number.prototype.toFixed`.
 *
 * @throws RangeError for NaN, ±Infinity, or a precision outside 0..100.
 */
export function formatFixed(value: number, precision: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`formatFixed: expected a finite number, got ${value}`);
  if (!(precision >= 0 && precision <= 100) || precision % 1 !== 0) {
    throw new RangeError(`formatFixed: precision must be an integer in 0..100, got ${precision}`);
  }
  const text = String(value);
  const exponent = text.indexOf('e');
  if (exponent >= 0) {
    // |value| < 1e-6 or >= 1e21. Below 1e21 toFixed works on the exact binary value, which rounds back to the
    // literal when it has at most `precision` decimals; at or above 1e21 the double is an integer.
    if (Math.abs(value) < 1e21) return value.toFixed(precision);
    const integer = BigInt(value).toString();
    return precision === 0 ? integer : `${integer}.${zeros(precision)}`;
  }
  const dot = text.indexOf('.');
  if (dot < 0) return precision === 0 ? text : `${text}.${zeros(precision)}`;
  const decimals = text.length - dot - 1;
  if (decimals === precision) return text;
  if (decimals < precision) return text + zeros(precision - decimals);
  return value.toFixed(precision);
}
