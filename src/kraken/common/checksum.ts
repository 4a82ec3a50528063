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

/**
 * `A^length · register`, where A is one CRC step over a zero byte. CRC-32 is linear, so for any texts `a`, `b`:
 * `crc32Update(r, a + b) === crc32Shift(crc32Update(r, a), b.length) ^ crc32Update(0, b)`. This lets a book keep
 * each level's own CRC (`crc32Update(0, levelText)`) and fold the 20 checksummed levels with four table lookups
 * each instead of re-hashing their text.
 */
export function crc32Shift(register: number, length: number): number {
  const table = SHIFT_TABLES[length] ?? shiftTable(length);
  return (
    table[register & 0xff] ^
    table[256 | ((register >>> 8) & 0xff)] ^
    table[512 | ((register >>> 16) & 0xff)] ^
    table[768 | (register >>> 24)]
  );
}

/**
 * Memo of `crc32Shift` tables by length (4 × 256 entries each: the shifted value of every byte in every position).
 * A pure cache of constants, filled on first use of a length.
 */
const SHIFT_TABLES: Int32Array[] = [];

function shiftTable(length: number): Int32Array {
  if (!(length >= 0 && length % 1 === 0)) throw new RangeError(`crc32Shift: bad length ${length}`);
  // The image of each of the 32 unit registers after `length` zero bytes...
  const basis = new Int32Array(32);
  for (let bit = 0; bit < 32; bit++) {
    let register = 1 << bit;
    for (let i = 0; i < length; i++) register = CRC_TABLE[register & 0xff] ^ (register >>> 8);
    basis[bit] = register;
  }
  // ...combined by linearity into one entry per byte value and byte position.
  const table = new Int32Array(1024);
  for (let position = 0; position < 4; position++) {
    const offset = position << 8;
    for (let value = 1; value < 256; value++) {
      const low = value & -value;
      table[offset | value] = table[offset | (value ^ low)] ^ basis[(position << 3) + 31 - Math.clz32(low)];
    }
  }
  SHIFT_TABLES[length] = table;
  return table;
}

/**
 * The raw CRC register, from a zero register, of one level's checksum text (`checksumLevelText(price, size)`),
 * computed straight from the formatted texts without building the stripped string.
 */
export function levelCrc(formattedPrice: string, formattedSize: string): number {
  return tokenCrc(formattedSize, tokenCrc(formattedPrice, 0));
}

/** `checksumLevelText(formattedPrice, formattedSize).length`, without building the string. */
export function levelTextLength(formattedPrice: string, formattedSize: string): number {
  return tokenLength(formattedPrice) + tokenLength(formattedSize);
}

function tokenCrc(text: string, register: number): number {
  let crc = register;
  let i = 0;
  // Skip the leading zeros (and a '.' among them), then hash every character but the '.'.
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 48 /* '0' */ && code !== 46 /* '.' */) break;
  }
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 46) crc = CRC_TABLE[(crc ^ code) & 0xff] ^ (crc >>> 8);
  }
  return crc;
}

function tokenLength(text: string): number {
  let i = 0;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 48 && code !== 46) break;
  }
  const dot = text.indexOf('.', i);
  return text.length - i - (dot < 0 ? 0 : 1);
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

/** 10^0 … 10^15, all exact doubles. */
const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Renders a number decoded from JSON with exactly `precision` decimals, trailing zeros kept: `(45285.2, 1)` →
 * `'45285.2'`, `(0.001, 8)` → `'0.00100000'`, `(5.1e-5, 8)` → `'0.00005100'`.
 *
 * Exact for any value the wire wrote with at most `precision` decimals and at most 15 significant digits: the
 * result is the JSON literal's text, zero-padded (where `toFixed` could print binary noise: `79388659.719461` with 8
 * decimals). A value with more decimals than `precision` is rounded like `toFixed` (from its binary value).
 *
 * @throws RangeError for NaN, ±Infinity, or a precision outside 0..100.
 */
export function formatFixed(value: number, precision: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`formatFixed: expected a finite number, got ${value}`);
  if (!(precision >= 0 && precision <= 100) || precision % 1 !== 0) {
    throw new RangeError(`formatFixed: precision must be an integer in 0..100, got ${precision}`);
  }
  if (precision < POWERS_OF_TEN.length) {
    // Fast path: when `units / 10^precision` (both exact doubles, at most 15 digits) rounds back to the value, that
    // decimal is the nearest one with `precision` decimals, i.e. exactly what toFixed would print.
    const scale = POWERS_OF_TEN[precision];
    const magnitude = value < 0 ? -value : value;
    const units = Math.round(magnitude * scale);
    if (units <= 1e15 && units / scale === magnitude) {
      const sign = value < 0 && units !== 0 ? '-' : '';
      if (precision === 0) return sign + units;
      const fraction = units % scale;
      const integer = (units - fraction) / scale;
      const fractionText = String(fraction);
      return `${sign}${integer}.${fractionText.length === precision ? fractionText : zeros(precision - fractionText.length) + fractionText}`;
    }
  }
  // Slow path (more than 15 digits, or more decimals than `precision`): the shortest round-trip text is the JSON
  // literal's digits when the literal had at most 15 significant digits; pad it rather than print binary noise.
  const text = String(value);
  if (text.indexOf('e') < 0) {
    const dot = text.indexOf('.');
    if (dot < 0) return precision === 0 ? text : `${text}.${zeros(precision)}`;
    const decimals = text.length - dot - 1;
    if (decimals <= precision) return text + zeros(precision - decimals);
    return value.toFixed(precision);
  }
  if (value < 1e21 && value > -1e21) return value.toFixed(precision);
  // |value| ≥ 1e21 is an integer; toFixed would switch to exponent notation.
  const integer = BigInt(value).toString();
  return precision === 0 ? integer : `${integer}.${zeros(precision)}`;
}
