/**
 * Small io-ts codecs for the value types Kraken puts on the wire: decimals as strings or JSON numbers,
 * RFC 3339 / ISO 8601 timestamps, Unix seconds (with fractions) and epoch milliseconds (sometimes quoted).
 * Every codec decodes `unknown` and encodes back to the wire form.
 */
import Decimal from 'decimal.js';
import * as t from 'io-ts';

function isDecimal(u: unknown): u is Decimal {
  return Decimal.isDecimal(u);
}

/** Parses decimal text (`"30010.0"`, `"-1.5e-7"`); `undefined` for empty, non-numeric or non-finite text. */
export function parseDecimalText(text: string): Decimal | undefined {
  if (text.length === 0) return undefined;
  try {
    const value = new Decimal(text);
    return value.isFinite() ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON number as a `Decimal` through its shortest string form (`0.1` stays `0.1`). */
export function decimalFromNumber(value: number): Decimal {
  return new Decimal(value);
}

/** Plain (never exponent) text of a decimal, as Kraken accepts it. */
function decimalText(value: Decimal): string {
  return value.toFixed();
}

export const DecimalFromString = new t.Type<Decimal, string, unknown>(
  'DecimalFromString',
  isDecimal,
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'expected a decimal string');
    const value = parseDecimalText(u);
    return value === undefined ? t.failure(u, c, 'expected a decimal string') : t.success(value);
  },
  decimalText,
);

export const DecimalFromNumber = new t.Type<Decimal, number, unknown>(
  'DecimalFromNumber',
  isDecimal,
  (u, c) =>
    typeof u === 'number' && Number.isFinite(u)
      ? t.success(decimalFromNumber(u))
      : t.failure(u, c, 'expected a number'),
  (value) => value.toNumber(),
);

/** Kraken sends the same field as a string in one endpoint and a number in another: accept both. */
export const DecimalFromStringOrNumber = new t.Type<Decimal, string, unknown>(
  'DecimalFromStringOrNumber',
  isDecimal,
  (u, c) => {
    if (typeof u === 'number') {
      return Number.isFinite(u) ? t.success(decimalFromNumber(u)) : t.failure(u, c, 'expected a finite number');
    }
    if (typeof u === 'string') {
      const value = parseDecimalText(u);
      if (value !== undefined) return t.success(value);
    }
    return t.failure(u, c, 'expected a decimal string or number');
  },
  decimalText,
);

/** A number that may arrive quoted (`"12"` or `12`); decodes to a JS number. */
export const NumberFromStringOrNumber = new t.Type<number, number, unknown>(
  'NumberFromStringOrNumber',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    if (typeof u === 'number' && Number.isFinite(u)) return t.success(u);
    if (typeof u === 'string' && u.trim().length > 0) {
      const value = Number(u);
      if (Number.isFinite(value)) return t.success(value);
    }
    return t.failure(u, c, 'expected a number or numeric string');
  },
  (value) => value,
);

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})?$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1–12), without allocating a Date. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `n` decimal digits of `s` at `i`, or -1. */
function digitsAt(s: string, i: number, n: number): number {
  let value = 0;
  for (let k = 0; k < n; k++) {
    const d = s.charCodeAt(i + k) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** The common `YYYY-MM-DDTHH:MM:SS[.f…]Z` form, parsed without a regex (book and trade frames carry one each). */
function fastRfc3339(text: string): number | undefined {
  const len = text.length;
  if (len < 20 || text.charCodeAt(len - 1) !== 90 /* Z */) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23) return undefined;
  if (minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  let ms = ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000;
  if (len === 20) return ms;
  if (text[19] !== '.' || len === 21) return undefined;
  const digits = len - 21;
  const whole = Math.min(digits, 3);
  const millis = digitsAt(text, 20, whole);
  if (millis < 0) return undefined;
  ms += millis * POW10[3 - whole];
  if (digits > 3) {
    const extra = Math.min(digits - 3, 9);
    const sub = digitsAt(text, 23, extra);
    if (sub < 0 || (digits - 3 > 9 && digitsAt(text, 32, digits - 12) < 0)) return undefined;
    ms += sub / POW10[extra];
  }
  return ms;
}

/**
 * RFC 3339 / ISO 8601 text → epoch milliseconds, keeping sub-millisecond digits as a fraction
 * (`2023-10-06T18:20:27.383408052Z` → `1696616427383.408`). A missing offset means UTC (Kraken
 * sends `2022-06-13T08:09:10.7890123` in one place). `undefined` when the text is not a timestamp.
 */
export function rfc3339ToEpochMs(text: string): number | undefined {
  const fast = fastRfc3339(text);
  if (fast !== undefined) return fast;
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  let ms = ((daysFromCivil(Number(m[1]), month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000;
  const fraction = m[7];
  if (fraction !== undefined) {
    ms +=
      fraction.length <= 3
        ? Number(fraction.padEnd(3, '0'))
        : Number(fraction.slice(0, 3)) + Number(`0.${fraction.slice(3)}`);
  }
  const offset = m[8];
  if (offset !== undefined && offset !== 'Z' && offset !== 'z') {
    const sign = offset[0] === '-' ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

/** Epoch ms → RFC 3339 text with microseconds when the value has a fraction. */
export function epochMsToRfc3339(ms: number): string {
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString();
  const micros = Math.min(999, Math.round((ms - whole) * 1000));
  return micros > 0 ? `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z` : iso;
}

export const EpochMsFromRfc3339 = new t.Type<number, string, unknown>(
  'EpochMsFromRfc3339',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'expected an RFC 3339 timestamp');
    const ms = rfc3339ToEpochMs(u);
    return ms === undefined ? t.failure(u, c, 'expected an RFC 3339 timestamp') : t.success(ms);
  },
  epochMsToRfc3339,
);

/** RFC 3339 text, or `"0"` / `0` for "disarmed" → epoch ms (0 when disarmed). */
export const EpochMsFromRfc3339OrZero = new t.Type<number, string, unknown>(
  'EpochMsFromRfc3339OrZero',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    if (u === 0 || u === '0' || u === '') return t.success(0);
    if (typeof u === 'string') {
      const ms = rfc3339ToEpochMs(u);
      if (ms !== undefined) return t.success(ms);
    }
    return t.failure(u, c, 'an RFC 3339 timestamp or "0"');
  },
  (ms) => (ms === 0 ? '0' : epochMsToRfc3339(ms)),
);

/** Unix seconds text (`"1688669597.8277369"`) → epoch ms without going through a float multiply. */
export function unixSecondsTextToEpochMs(text: string): number | undefined {
  const m = /^(-?\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (m === null) return undefined;
  const fraction = m[2] ?? '';
  const seconds = Number(m[1]);
  const negative = m[1].startsWith('-');
  const fractionMs =
    fraction.length <= 3
      ? Number(fraction.padEnd(3, '0'))
      : Number(fraction.slice(0, 3)) + Number(`0.${fraction.slice(3)}`);
  return seconds * 1000 + (negative ? -fractionMs : fractionMs);
}

/** Kraken REST times: Unix seconds as a (float) number or a numeric string → epoch ms. */
export const EpochMsFromUnixSeconds = new t.Type<number, number, unknown>(
  'EpochMsFromUnixSeconds',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    if (typeof u === 'number' && Number.isFinite(u)) return t.success(u * 1000);
    if (typeof u === 'string') {
      const ms = unixSecondsTextToEpochMs(u);
      if (ms !== undefined) return t.success(ms);
    }
    return t.failure(u, c, 'expected Unix seconds');
  },
  (ms) => ms / 1000,
);

/** Epoch milliseconds as a number or a numeric string (Futures WS and History API). */
export const EpochMsFromNumberOrString = new t.Type<number, number, unknown>(
  'EpochMsFromNumberOrString',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    if (typeof u === 'number' && Number.isFinite(u)) return t.success(u);
    if (typeof u === 'string' && /^-?\d+(\.\d+)?$/.test(u)) return t.success(Number(u));
    return t.failure(u, c, 'expected epoch milliseconds');
  },
  (ms) => ms,
);

/**
 * An enum-like string from Kraken. Decodes any string so that a value Kraken adds later is kept,
 * not fatal; the type still lists the known values for autocompletion.
 */
export function openEnum<K extends string>(name: string, _known: readonly K[]): t.Type<K | (string & {}), string> {
  return new t.Type<K | (string & {}), string, unknown>(
    name,
    (u): u is K | (string & {}) => typeof u === 'string',
    (u, c) => (typeof u === 'string' ? t.success(u) : t.failure(u, c, `expected a ${name} string`)),
    (value) => value,
  );
}

/** `X | null`, for fields Kraken sends as null when unset. */
export function nullable<C extends t.Mixed>(codec: C, name?: string) {
  return t.union([codec, t.null], name ?? `${codec.name} | null`);
}

/** A boolean that may arrive as the text `"true"` / `"false"`. */
export const BooleanFromStringOrBoolean = new t.Type<boolean, boolean, unknown>(
  'BooleanFromStringOrBoolean',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => {
    if (typeof u === 'boolean') return t.success(u);
    if (u === 'true') return t.success(true);
    if (u === 'false') return t.success(false);
    return t.failure(u, c, 'expected a boolean');
  },
  (value) => value,
);

/**
 * A number, or numeric text converted to a number. Used for values kept as JSON numbers on hot paths
 * (book levels), where a pre-quoting parser may have turned literals into strings.
 */
export function numberFromUnknown(u: unknown): number | undefined {
  if (typeof u === 'number') return Number.isFinite(u) ? u : undefined;
  if (typeof u === 'string' && u.length > 0) {
    const value = Number(u);
    return Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}
