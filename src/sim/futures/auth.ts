/**
 * Verification of Kraken Futures REST authentication (futures-wire.md §3): `APIKey`, `Authent` over
 * postData + nonce + path (the `/derivatives` prefix dropped), and a strictly increasing `Nonce` per key.
 * The signature itself is computed by the library's one signer (`futuresAuthent`), so the client and the
 * simulator cannot disagree on the algorithm while each checks the other's inputs.
 */
import { timingSafeEqual } from 'node:crypto';
import { futuresAuthent, parseForm } from '../../kraken/common/signing';
import type { SimHttpRequest } from '../server';

export type AuthFailure = 'authenticationError' | 'nonceBelowThreshold' | 'nonceDuplicate';

const DIGITS = /^[0-9]{1,30}$/;

function header(request: SimHttpRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The exact string Kraken hashes: the query as sent followed by the body as sent (one is normally empty). */
export function postDataOf(request: SimHttpRequest): string {
  return request.rawQuery + request.rawBody;
}

/** Request parameters from the query and (for POST/PUT) the form body; repeated keys become arrays. */
export function paramsOf(request: SimHttpRequest): Record<string, string | string[]> {
  const fromQuery = parseForm(request.rawQuery);
  if (request.method === 'GET' || request.method === 'DELETE' || request.rawBody === '') return fromQuery;
  return { ...fromQuery, ...parseForm(request.rawBody) };
}

/** First value of a parameter. */
export function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** All values of a repeatable parameter. */
export function all(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export class FuturesRestAuth {
  private lastNonce: bigint | undefined;
  private readonly recentNonces: string[] = [];

  constructor(
    private readonly apiKey: string,
    private readonly apiSecret: string,
  ) {}

  /** Checks key, signature and nonce; consumes the nonce when everything else is right. */
  verify(request: SimHttpRequest): AuthFailure | undefined {
    const key = header(request, 'APIKey');
    const authent = header(request, 'Authent');
    const nonce = header(request, 'Nonce') ?? '';
    if (!key || !authent || key !== this.apiKey) return 'authenticationError';
    if (nonce !== '' && !DIGITS.test(nonce)) return 'authenticationError';
    const expected = futuresAuthent(request.path, postDataOf(request), nonce, this.apiSecret);
    const a = Buffer.from(expected);
    const b = Buffer.from(authent);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return 'authenticationError';
    if (nonce === '') return undefined;
    const value = BigInt(nonce);
    if (this.lastNonce !== undefined && value <= this.lastNonce) {
      return this.recentNonces.includes(nonce) || value === this.lastNonce ? 'nonceDuplicate' : 'nonceBelowThreshold';
    }
    this.lastNonce = value;
    this.recentNonces.push(nonce);
    if (this.recentNonces.length > 256) this.recentNonces.shift();
    return undefined;
  }
}
