/**
 * Kraken request authentication (Spot `API-Sign`, Futures `Authent`, Futures WS challenge) and the body
 * encoders whose output is what gets signed. Pure functions over `node:crypto`; no I/O.
 *
 * The one rule that matters everywhere: sign the exact string that goes on the wire. Build the body or query
 * once with the encoders below and send that same string; never let an HTTP library re-encode it.
 */
import { createHash, createHmac } from 'node:crypto';
import Decimal from 'decimal.js';
import { KrakenConfigError } from '../../errors';

// ---------------------------------------------------------------------------------------------------------------
// Secrets

// Standard alphabet, padded to a multiple of 4: a truncated copy-paste must not pass.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes a Kraken API secret (standard base64, as Kraken shows it). Surrounding whitespace from a copy-paste is
 * ignored. Throws a `KrakenConfigError` for `apiSecret` that never contains the secret or any part of it.
 */
export function decodeSecret(secretBase64: string, option = 'apiSecret'): Buffer {
  if (typeof secretBase64 !== 'string') {
    throw new KrakenConfigError(
      option,
      `must be a base64 string, got ${secretBase64 === null ? 'null' : typeof secretBase64}`,
    );
  }
  const text = secretBase64.trim();
  // Node's base64 decoder silently skips bad characters, so validate first: a mangled secret must fail loudly
  // here rather than as an `EAPI:Invalid signature` from Kraken.
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64.test(text)) {
    throw new KrakenConfigError(
      option,
      `is not valid base64 (expected the secret exactly as Kraken shows it: characters A-Z a-z 0-9 + /, ` +
        `'=' padding, length a multiple of 4); got ${text.length} characters`,
    );
  }
  const key = Buffer.from(text, 'base64');
  if (key.length === 0) throw new KrakenConfigError(option, 'decodes to zero bytes');
  return key;
}

function hmacSha512Base64(key: Buffer, message: Buffer): string {
  return createHmac('sha512', key).update(message).digest('base64');
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

const DIGITS = /^[0-9]+$/;

// ---------------------------------------------------------------------------------------------------------------
// Spot REST: API-Sign (spot-wire.md §1.3.1)

/**
 * Spot `API-Sign`: base64(HMAC-SHA512(base64Decode(secret), urlPath ‖ SHA256(nonce ‖ postData))).
 *
 * @param urlPath the path only, e.g. `/0/private/AddOrder` (no host, no query)
 * @param nonce the decimal nonce exactly as it appears in `postData`
 * @param postData the exact body as sent (form-encoded or JSON text)
 * @param secretBase64 the API secret as Kraken shows it
 */
export function spotSign(urlPath: string, nonce: string, postData: string, secretBase64: string): string {
  return spotSignWithKey(urlPath, nonce, postData, decodeSecret(secretBase64));
}

function spotSignWithKey(urlPath: string, nonce: string, postData: string, key: Buffer): string {
  if (!DIGITS.test(nonce)) throw new KrakenConfigError('nonce', `must be a decimal integer string, got '${nonce}'`);
  const inner = sha256(nonce + postData);
  return hmacSha512Base64(key, Buffer.concat([Buffer.from(urlPath, 'utf8'), inner]));
}

// ---------------------------------------------------------------------------------------------------------------
// Futures REST: Authent (futures-wire.md §3.2)

const DERIVATIVES_PREFIX = '/derivatives';

/**
 * The path Futures signs: host and query removed, a leading `/derivatives` dropped
 * (`/derivatives/api/v3/sendorder` → `/api/v3/sendorder`; `/api/history/v3/orders` unchanged).
 */
export function futuresEndpointPath(requestPath: string): string {
  let path = requestPath;
  const scheme = path.indexOf('://');
  if (scheme >= 0) {
    const slash = path.indexOf('/', scheme + 3);
    path = slash >= 0 ? path.slice(slash) : '/';
  }
  const query = path.indexOf('?');
  if (query >= 0) path = path.slice(0, query);
  if (path === DERIVATIVES_PREFIX || path.startsWith(`${DERIVATIVES_PREFIX}/`)) {
    path = path.slice(DERIVATIVES_PREFIX.length);
  }
  return path;
}

/**
 * Futures `Authent`: base64(HMAC-SHA512(base64Decode(secret), SHA256(postData ‖ nonce ‖ endpointPath))).
 *
 * @param requestPath e.g. `/derivatives/api/v3/sendorder`; the `/derivatives` prefix is dropped here
 * @param postData the exact URL-encoded query (GET) or form body (POST) as sent; `''` if none
 * @param nonce the `Nonce` header value, or `''` when no `Nonce` header is sent
 * @param secretBase64 the API secret as Kraken shows it
 */
export function futuresAuthent(requestPath: string, postData: string, nonce: string, secretBase64: string): string {
  return futuresAuthentWithKey(requestPath, postData, nonce, decodeSecret(secretBase64));
}

function futuresAuthentWithKey(requestPath: string, postData: string, nonce: string, key: Buffer): string {
  if (nonce !== '' && !DIGITS.test(nonce)) {
    throw new KrakenConfigError('nonce', `must be a decimal integer string or '', got '${nonce}'`);
  }
  return hmacSha512Base64(key, sha256(postData + nonce + futuresEndpointPath(requestPath)));
}

// ---------------------------------------------------------------------------------------------------------------
// Futures WS v1: challenge (futures-wire.md §12.3)

/** Futures WS `signed_challenge`: base64(HMAC-SHA512(base64Decode(secret), SHA256(challenge))). */
export function futuresWsChallengeSign(challenge: string, secretBase64: string): string {
  return hmacSha512Base64(decodeSecret(secretBase64), sha256(challenge));
}

// ---------------------------------------------------------------------------------------------------------------
// Signers that decode (and validate) the secret once, e.g. at client construction.

export interface SpotSigner {
  sign(urlPath: string, nonce: string, postData: string): string;
}

export interface FuturesSigner {
  authent(requestPath: string, postData: string, nonce: string): string;
  challenge(challenge: string): string;
}

const REDACTED = '[KrakenSigner: secret redacted]';

/** Validates the secret now (throws `KrakenConfigError`) and returns a signer that never reveals it. */
export function spotSigner(secretBase64: string, option = 'apiSecret'): SpotSigner {
  const key = decodeSecret(secretBase64, option);
  return Object.freeze({
    sign: (urlPath: string, nonce: string, postData: string) => spotSignWithKey(urlPath, nonce, postData, key),
    toString: () => REDACTED,
    toJSON: () => REDACTED,
  });
}

/** Validates the secret now (throws `KrakenConfigError`) and returns a signer that never reveals it. */
export function futuresSigner(secretBase64: string, option = 'apiSecret'): FuturesSigner {
  const key = decodeSecret(secretBase64, option);
  return Object.freeze({
    authent: (requestPath: string, postData: string, nonce: string) =>
      futuresAuthentWithKey(requestPath, postData, nonce, key),
    challenge: (challenge: string) => hmacSha512Base64(key, sha256(challenge)),
    toString: () => REDACTED,
    toJSON: () => REDACTED,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Body and query encoders (the signed string)

/** One form value. `Decimal`s and numbers are written in plain notation, never `1e-7`. */
export type FormScalar = string | number | boolean | Decimal;
export type FormValue = FormScalar | readonly (string | number | Decimal)[] | undefined;
export type FormParams = Readonly<Record<string, FormValue>>;

export interface EncodeFormOptions {
  /**
   * How an array value is written:
   * - `'repeat'` (default; Futures convention, futures-wire.md §3.2 rule 3): `orderIds=a&orderIds=b`
   * - `'comma'` (Spot convention for list parameters such as `pair`, `txid`, `asset`): `txid=a%2Cb`
   */
  readonly arrays?: 'repeat' | 'comma';
}

/** Writes a number or Decimal in plain decimal notation. Non-finite values are a caller bug. */
export function plainNumber(value: number | Decimal, key = 'value'): string {
  if (Decimal.isDecimal(value)) {
    if (!value.isFinite()) throw new KrakenConfigError(key, `must be a finite number, got ${value.toString()}`);
    return value.toFixed();
  }
  if (!Number.isFinite(value)) throw new KrakenConfigError(key, `must be a finite number, got ${String(value)}`);
  const text = String(value);
  return /e/i.test(text) ? new Decimal(value).toFixed() : text;
}

function scalarText(value: FormScalar, key: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return plainNumber(value, key);
}

/**
 * URL-encodes parameters as `application/x-www-form-urlencoded` (WHATWG `URLSearchParams` rules: space → `+`,
 * `+` → `%2B`), keeping insertion order and dropping `undefined` values. The result is both the body/query
 * that is sent and the `postData` that is signed (Spot §1.3.1, Futures §3.2).
 *
 * Nested structures are not form-encoded here: Spot `AddOrderBatch`/`CancelOrderBatch` go as JSON
 * ({@link spotJsonBody}) and the Futures `batchorder` as a `json=` field ({@link futuresBatchOrderBody}).
 */
export function encodeForm(params: FormParams, options: EncodeFormOptions = {}): string {
  const arrays = options.arrays ?? 'repeat';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      const items = (value as readonly (string | number | Decimal)[]).map((item) => scalarText(item, key));
      if (arrays === 'comma') {
        if (items.length > 0) search.append(key, items.join(','));
      } else {
        for (const item of items) search.append(key, item);
      }
    } else {
      search.append(key, scalarText(value as FormScalar, key));
    }
  }
  return search.toString();
}

/** Spot form body / query: arrays as comma lists (`pair=XBTUSD%2CETHUSD`). */
export function encodeSpotForm(params: FormParams): string {
  return encodeForm(params, { arrays: 'comma' });
}

/** Futures form body / query: arrays as repeated keys (`orderIds=a&orderIds=b`). */
export function encodeFuturesForm(params: FormParams): string {
  return encodeForm(params, { arrays: 'repeat' });
}

/**
 * Parses a form body or query string (the simulator's side of {@link encodeForm}). A key seen more than once
 * becomes an array, in order.
 */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text.startsWith('?') ? text.slice(1) : text)) {
    const seen = out[key];
    if (seen === undefined) out[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[key] = [seen, value];
  }
  return out;
}

/**
 * Compact JSON in insertion order, like `JSON.stringify`, except that numbers never use exponent notation
 * (`1e-7` → `0.0000001`, futures-wire.md §2), `Decimal`s are written in plain notation either as JSON strings
 * (`decimals: 'string'`, Spot's convention: `"volume":"1.25"`) or as bare JSON numbers (`'number'`, Futures
 * batch instructions: `"size":0.001`), and a `bigint` is written as a bare integer.
 */
export function krakenJson(value: unknown, decimals: 'string' | 'number' = 'string'): string {
  const out = writeJson(value, decimals, '$');
  return out ?? 'null';
}

function writeJson(value: unknown, decimals: 'string' | 'number', at: string): string | undefined {
  if (value === null) return 'null';
  if (Decimal.isDecimal(value)) {
    const text = plainNumber(value as Decimal, at);
    return decimals === 'string' ? JSON.stringify(text) : text;
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return plainNumber(value, at);
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, i) => writeJson(item, decimals, `${at}[${i}]`) ?? 'null').join(',')}]`;
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return writeJson(withToJson.toJSON(), decimals, at);
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const text = writeJson(item, decimals, `${at}.${key}`);
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * A Spot JSON body (used for `AddOrderBatch` and `CancelOrderBatch`, spot-wire.md §1.3.4/§4.2/§4.8):
 * `{"nonce":<digits>, ...params}` with the nonce first, as an unquoted JSON integer (its digits spliced in, so
 * 19-digit nonces survive), and the rest as {@link krakenJson} with `Decimal`s as strings. Sign and send this
 * exact text with `Content-Type: application/json`.
 */
export function spotJsonBody(nonce: string, params: Readonly<Record<string, unknown>>): string {
  if (!DIGITS.test(nonce)) throw new KrakenConfigError('nonce', `must be a decimal integer string, got '${nonce}'`);
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) if (key !== 'nonce') rest[key] = value;
  const restJson = krakenJson(rest, 'string');
  return restJson === '{}' ? `{"nonce":${nonce}}` : `{"nonce":${nonce},${restJson.slice(1)}`;
}

/**
 * The Futures `batchorder` form body (futures-wire.md §8.6): one field `json` holding the compact JSON
 * `{"batchOrder":[...]}` (instruction keys in the given order; numbers and `Decimal`s as bare plain-notation
 * JSON numbers), URL-encoded as a whole, plus an optional `processBefore`. This is the exact `postData` to
 * sign (vector G).
 */
export function futuresBatchOrderBody(
  instructions: readonly Readonly<Record<string, unknown>>[],
  options: { processBefore?: string } = {},
): string {
  return encodeForm({
    json: krakenJson({ batchOrder: instructions }, 'number'),
    processBefore: options.processBefore,
  });
}
