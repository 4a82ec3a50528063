/**
 * Test support for the simulator's Futures layer: plain `fetch` and `ws` clients that sign with `node:crypto`
 * on their own (not the library's signer), fixtures from futures-wire.md, and a JSON shape comparator.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { KrakenSimulator, type KrakenSimulatorOptions } from '../../../src/sim';

export const START = Date.UTC(2024, 0, 1, 0, 0, 0);

export function startSim(options: KrakenSimulatorOptions = {}): Promise<KrakenSimulator> {
  return KrakenSimulator.start({
    seed: 11,
    clock: 'manual',
    startTime: START,
    historyMinutes: 180,
    heartbeatMs: 0,
    ...options,
  });
}

/** futures-wire.md §3.2, written independently of src/kraken/common/signing.ts. */
export function authent(secretBase64: string, path: string, postData: string, nonce: string): string {
  const endpoint = path.startsWith('/derivatives') ? path.slice('/derivatives'.length) : path;
  const digest = createHash('sha256')
    .update(postData + nonce + endpoint, 'utf8')
    .digest();
  return createHmac('sha512', Buffer.from(secretBase64, 'base64')).update(digest).digest('base64');
}

export function signChallenge(secretBase64: string, challenge: string): string {
  const digest = createHash('sha256').update(challenge, 'utf8').digest();
  return createHmac('sha512', Buffer.from(secretBase64, 'base64')).update(digest).digest('base64');
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

export interface SignOptions {
  nonce?: string | null;
  secret?: string;
  key?: string;
  /** Sign this instead of what is sent. */
  signedData?: string;
  signal?: AbortSignal;
}

/** A REST client for the simulator's Futures endpoints. */
export class FuturesRest {
  private nonce = 1_700_000_000_000;

  constructor(private readonly sim: KrakenSimulator) {}

  get base(): string {
    return this.sim.config().baseUrlHttpFutures;
  }

  nextNonce(): string {
    this.nonce += 1;
    return String(this.nonce);
  }

  async get(path: string, query = ''): Promise<RawResponse> {
    return this.raw('GET', path + (query ? `?${query}` : ''), {});
  }

  /** A signed call: GET/PUT with the parameters in the query, POST with them as the form body. */
  async priv(method: 'GET' | 'POST' | 'PUT', path: string, data = '', options: SignOptions = {}): Promise<RawResponse> {
    const config = this.sim.config();
    const nonce = options.nonce === null ? undefined : (options.nonce ?? this.nextNonce());
    const headers: Record<string, string> = {
      APIKey: options.key ?? config.futuresApiKey,
      Authent: authent(options.secret ?? config.futuresApiSecret, path, options.signedData ?? data, nonce ?? ''),
    };
    if (nonce !== undefined) headers.Nonce = nonce;
    if (method === 'POST') {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      return this.raw(method, path, { headers, body: data, signal: options.signal });
    }
    return this.raw(method, path + (data ? `?${data}` : ''), { headers, signal: options.signal });
  }

  private async raw(method: string, target: string, init: RequestInit): Promise<RawResponse> {
    const res = await fetch(this.base + target, { method, ...init });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }
}

/** `URLSearchParams` form text of an object (the exact string that is sent and signed). */
export function form(params: Record<string, string | number | boolean>): string {
  return new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = any;

/** A raw WebSocket client that queues every frame it receives. */
export class WsClient {
  readonly frames: string[] = [];
  private readonly waiters: { test: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  readonly closed: Promise<number>;
  private cursor = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.frames.push(text);
      let message: Msg;
      try {
        message = JSON.parse(text);
      } catch {
        return;
      }
      for (const w of [...this.waiters]) {
        if (w.test(message)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  static async connect(url: string): Promise<WsClient> {
    const ws = new WebSocket(url);
    const client = new WsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Parsed frames received so far. */
  messages(): Msg[] {
    return this.frames.flatMap((f) => {
      try {
        return [JSON.parse(f)];
      } catch {
        return [];
      }
    });
  }

  /** Frames received since the last `drain`. */
  drain(): Msg[] {
    const all = this.messages();
    const out = all.slice(this.cursor);
    this.cursor = all.length;
    return out;
  }

  /** The first message (already received or to come) matching `test`. */
  next(test: (m: Msg) => boolean, timeoutMs = 3000): Promise<Msg> {
    const seen = this.messages().find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return this.wait(test, timeoutMs);
  }

  /** The next message still to come matching `test`. */
  wait(test: (m: Msg) => boolean, timeoutMs = 3000): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching message within ${timeoutMs} ms; got ${this.frames.slice(-5).join('\n')}`));
      }, timeoutMs);
      const waiter = {
        test,
        resolve: (m: Msg) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Lets frames in flight arrive: waits until nothing new came for 50 ms (at most 3 s). */
  async settle(): Promise<void> {
    for (let i = 0; i < 60; i++) {
      const seen = this.frames.length;
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (this.frames.length === seen) return;
    }
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}

export const feed = (name: string) => (m: Msg) => m?.feed === name && m.event === undefined;
export const event = (name: string) => (m: Msg) => m?.event === name;

/** Authenticates a WS client and returns the challenge fields for private subscriptions. */
export async function challengeFields(
  client: WsClient,
  sim: KrakenSimulator,
): Promise<{ api_key: string; original_challenge: string; signed_challenge: string }> {
  const config = sim.config();
  client.send({ event: 'challenge', api_key: config.futuresApiKey });
  const answer = await client.wait(event('challenge'));
  return {
    api_key: config.futuresApiKey,
    original_challenge: answer.message,
    signed_challenge: signChallenge(config.futuresApiSecret, answer.message),
  };
}

// ---- fixtures and shapes -----------------------------------------------------------------------------------------

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'futures');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fixture(name: string): any {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json.txt`), 'utf8'));
}

export interface ShapeOptions {
  /** Paths (`a.b[].c`) the fixture has and the actual message may lack. */
  readonly optional?: readonly string[];
  /** Paths the actual message may have beyond the fixture. */
  readonly extra?: readonly string[];
  /** Paths of objects keyed by data (currencies, symbols): each value is compared with the fixture's first. */
  readonly maps?: readonly string[];
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Differences in keys and JSON value types between `actual` and `expected` (a fixture). A `null` in the fixture
 * accepts any value (nullable fields); arrays are compared element-wise against the fixture's first element.
 */
export function shapeDiff(actual: unknown, expected: unknown, options: ShapeOptions = {}, path = ''): string[] {
  if (expected === null) return [];
  const a = kind(actual);
  const e = kind(expected);
  if (a !== e) return [`${path || '<root>'}: expected ${e}, got ${a} (${JSON.stringify(actual)?.slice(0, 80)})`];
  if (e === 'array') {
    const exp = expected as unknown[];
    if (exp.length === 0) return [];
    // Fixture arrays may mix variants (limit and stop orders): each element is held to its closest variant.
    return (actual as unknown[]).flatMap((item) =>
      exp
        .map((variant) => shapeDiff(item, variant, options, `${path}[]`))
        .reduce((best, diff) => (diff.length < best.length ? diff : best)),
    );
  }
  if (e !== 'object') return [];
  const act = actual as Record<string, unknown>;
  const exp = expected as Record<string, unknown>;
  if (options.maps?.includes(path)) {
    const sample = Object.values(exp)[0];
    if (sample === undefined) return [];
    return Object.entries(act).flatMap(([key, value]) => shapeDiff(value, sample, options, `${path}.${key}`));
  }
  const problems: string[] = [];
  const at = (key: string) => (path ? `${path}.${key}` : key);
  for (const key of Object.keys(exp)) {
    if (!(key in act)) {
      if (!options.optional?.includes(at(key))) problems.push(`${at(key)}: missing`);
      continue;
    }
    problems.push(...shapeDiff(act[key], exp[key], options, at(key)));
  }
  for (const key of Object.keys(act)) {
    if (!(key in exp) && !options.extra?.includes(at(key))) problems.push(`${at(key)}: not in the fixture`);
  }
  return problems;
}

/** Asserts `actual` has the fixture's keys and value types. */
export function expectShape(actual: unknown, expected: unknown, options: ShapeOptions = {}): void {
  expect(shapeDiff(actual, expected, options)).toEqual([]);
}
