/**
 * Shared pieces of the HTTP tests: a config pointed at a recording server, generous rate-limit buckets so the
 * tests run fast, and an independent re-implementation of Kraken's request signatures (node:crypto directly,
 * not the library's signing.ts) to check what the client sent.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KrakenExecClientConfig, type KrakenExecClientOptions, type KrakenLogger } from '../../src/config';
import { TokenBucket } from '../../src/operators/tokenBucket';
import type { KrakenHttpLimits } from '../../src/http/restCall';
import type { RecordedRequest } from '../support/httpServer';

/** Spot vector A secret (spot-wire.md §1.3.2). */
export const SPOT_KEY = 'spot-test-key';
export const SPOT_SECRET = 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==';
/** Futures vector A secret (futures-wire.md §3.3). */
export const FUTURES_KEY = 'futures-test-key';
export const FUTURES_SECRET = 'cHl0aG9uLWtyYWtlbi1zZGsgdW5pdC10ZXN0IHNlY3JldCB2YWx1ZQ==';

/** Spot API-Sign, written from spot-wire.md §1.3.1. */
export function expectedSpotSign(path: string, nonce: string, body: string, secret = SPOT_SECRET): string {
  const inner = createHash('sha256')
    .update(nonce + body, 'utf8')
    .digest();
  return createHmac('sha512', Buffer.from(secret, 'base64'))
    .update(Buffer.concat([Buffer.from(path, 'utf8'), inner]))
    .digest('base64');
}

/** Futures Authent, written from futures-wire.md §3.2. */
export function expectedFuturesAuthent(path: string, postData: string, nonce: string, secret = FUTURES_SECRET): string {
  const endpointPath = path.startsWith('/derivatives') ? path.slice('/derivatives'.length) : path;
  const digest = createHash('sha256')
    .update(postData + nonce + endpointPath, 'utf8')
    .digest();
  return createHmac('sha512', Buffer.from(secret, 'base64')).update(digest).digest('base64');
}

/** The `nonce` of a recorded Spot private request (form or JSON body). */
export function spotNonceOf(request: RecordedRequest): string {
  const json = /^\{"nonce":(\d+)/.exec(request.body);
  if (json) return json[1];
  const nonce = new URLSearchParams(request.body).get('nonce');
  if (nonce === null) throw new Error(`no nonce in ${request.body}`);
  return nonce;
}

/** True when the recorded Spot request carries a valid API-Sign for its own body. */
export function spotSignatureValid(request: RecordedRequest): boolean {
  return (
    request.headers['api-key'] === SPOT_KEY &&
    request.headers['api-sign'] === expectedSpotSign(request.path, spotNonceOf(request), request.body)
  );
}

/** True when the recorded Futures request carries a valid Authent for its query (GET) or body (POST). */
export function futuresSignatureValid(request: RecordedRequest): boolean {
  const postData = request.method === 'GET' ? request.query : request.body;
  const nonce = String(request.headers.nonce ?? '');
  return (
    request.headers.apikey === FUTURES_KEY &&
    request.headers.authent === expectedFuturesAuthent(request.path, postData, nonce)
  );
}

export interface RecordingLogger extends KrakenLogger {
  readonly lines: { level: string; message: string }[];
}

export function recordingLogger(): RecordingLogger {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A config for both venues pointed at `url`, with quick retries and no environment credentials. */
export function testConfig(url: string, options: KrakenExecClientOptions = {}): KrakenExecClientConfig {
  return new KrakenExecClientConfig(
    {
      apiKey: SPOT_KEY,
      apiSecret: SPOT_SECRET,
      futuresApiKey: FUTURES_KEY,
      futuresApiSecret: FUTURES_SECRET,
      productTypes: ['SPOT', 'FUTURES'],
      baseUrlHttpSpot: url,
      baseUrlHttpFutures: url,
      maxRetries: 2,
      retryDelayInitialMs: 1,
      retryDelayMaxMs: 5,
      httpTimeoutSecs: 5,
      logger: recordingLogger(),
      ...options,
    },
    {},
  );
}

/** Buckets large and fast enough not to slow a test down. */
export function fastLimits(): KrakenHttpLimits {
  const fast = (name: string) => new TokenBucket({ capacity: 10_000, refillPerSecond: 100_000, name });
  return {
    spotCounter: fast('spot-counter'),
    spotFlat: fast('spot-flat'),
    futuresFlat: fast('futures-flat'),
    futuresDerivatives: fast('futures-derivatives'),
    futuresHistory: fast('futures-history'),
  };
}

/** The text of a wire-reference fixture: `fixture('spot', '4.1-addorder-2')`. */
export function fixture(venue: 'spot' | 'futures', name: string): string {
  return readFileSync(join(__dirname, '..', 'fixtures', venue, `${name}.json.txt`), 'utf8');
}

/** A fixture parsed as JSON (for editing before it is served). */
export function fixtureJson<T = Record<string, unknown>>(venue: 'spot' | 'futures', name: string): T {
  return JSON.parse(fixture(venue, name)) as T;
}

/** Registers hooks that fail the file if any Promise rejection goes unhandled while its tests run. */
export function failOnUnhandledRejections(): void {
  const seen: unknown[] = [];
  const record = (reason: unknown) => seen.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', record);
  });
  afterAll(async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    process.off('unhandledRejection', record);
    expect(seen).toEqual([]);
  });
}
