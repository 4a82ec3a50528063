/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON is poked at freely in these tests */
/**
 * Plain clients for testing the simulator: `fetch` + an independent API-Sign (node:crypto, spot-wire.md §1.3.1),
 * a `ws` client that collects frames, and a shape comparison against the recorded-shape fixtures.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { KrakenSimulator } from '../../src/sim';

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'spot', `${name}.json.txt`), 'utf8'));
}

/** The type tree of a JSON value: objects by key, arrays as the distinct shapes of their elements. */
export function shape(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const seen = new Map<string, unknown>();
    for (const v of value) {
      const s = shape(v);
      seen.set(JSON.stringify(s), s);
    }
    return [...seen.values()];
  }
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, shape((value as Record<string, unknown>)[k])]),
    );
  }
  return typeof value;
}

/** `expect(shape(actual)).toEqual(shape(fixture))` with named keys removed from both sides first. */
export function shapeWithout(value: unknown, ...keys: string[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return shape(value);
  const copy = { ...(value as Record<string, unknown>) };
  for (const k of keys) delete copy[k];
  return shape(copy);
}

/** The first value of a map-like object (`result.XXBTZUSD`, `result.open.<txid>`). */
export function firstValue(value: unknown): unknown {
  return Object.values(value as Record<string, unknown>)[0];
}

export function apiSign(path: string, nonce: string, body: string, secret: string): string {
  const inner = createHash('sha256')
    .update(nonce + body, 'utf8')
    .digest();
  return createHmac('sha512', Buffer.from(secret, 'base64'))
    .update(Buffer.concat([Buffer.from(path, 'utf8'), inner]))
    .digest('base64');
}

let lastNonce = 0n;
export function nextNonce(): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  lastNonce = now > lastNonce ? now : lastNonce + 1n;
  return lastNonce.toString();
}

export interface SpotCall {
  readonly status: number;
  readonly json: { error: string[]; result?: any };
}

export async function publicGet(sim: KrakenSimulator, method: string, query = ''): Promise<SpotCall> {
  const res = await fetch(`${sim.config().baseUrlHttpSpot}/0/public/${method}${query ? `?${query}` : ''}`);
  return { status: res.status, json: (await res.json()) as SpotCall['json'] };
}

export interface PrivateOptions {
  readonly json?: boolean;
  readonly nonce?: string;
  readonly key?: string;
  readonly secret?: string;
  readonly signal?: AbortSignal;
}

/** A signed private call, form-encoded by default (JSON with `json: true`). */
export async function privatePost(
  sim: KrakenSimulator,
  method: string,
  params: Record<string, string | number | boolean | unknown[] | Record<string, unknown>> = {},
  options: PrivateOptions = {},
): Promise<SpotCall> {
  const { apiKey, apiSecret, baseUrlHttpSpot } = sim.config();
  const nonce = options.nonce ?? nextNonce();
  const path = `/0/private/${method}`;
  let body: string;
  if (options.json) {
    body = JSON.stringify({ nonce, ...params });
  } else {
    const form = new URLSearchParams({ nonce });
    for (const [k, v] of Object.entries(params)) form.append(k, String(v));
    body = form.toString();
  }
  const res = await fetch(baseUrlHttpSpot + path, {
    method: 'POST',
    headers: {
      'content-type': options.json ? 'application/json' : 'application/x-www-form-urlencoded',
      'api-key': options.key ?? apiKey,
      'api-sign': apiSign(path, nonce, body, options.secret ?? apiSecret),
    },
    body,
    signal: options.signal,
  });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as SpotCall['json'] };
}

/** A `ws` client that keeps every frame (raw text and parsed) and lets a test wait for one. */
export class TestSocket {
  readonly frames: { text: string; json: any }[] = [];
  private waiters: {
    test: (f: any) => boolean;
    resolve: (f: any) => void;
    reject: (e: Error) => void;
    timer: NodeJS.Timeout;
  }[] = [];
  closed = false;
  closeCode?: number;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const frame = { text, json };
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (json !== undefined && w.test(json)) {
          clearTimeout(w.timer);
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve(json);
        }
      }
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      for (const w of this.waiters) {
        clearTimeout(w.timer);
        w.reject(new Error('socket closed while waiting'));
      }
      this.waiters = [];
    });
  }

  static open(url: string): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const socket = new TestSocket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Resolves with the first frame (already received or future) matching `test`. */
  next(test: (frame: any) => boolean, timeoutMs = 2000): Promise<any> {
    const seen = this.frames.find((f) => f.json !== undefined && test(f.json) && !this.consumed.has(f));
    if (seen) {
      this.consumed.add(seen);
      return Promise.resolve(seen.json);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error('timed out waiting for a frame'));
      }, timeoutMs);
      this.waiters.push({
        test,
        resolve: (f) => {
          const frame = this.frames.find((x) => x.json === f);
          if (frame) this.consumed.add(frame);
          resolve(f);
        },
        reject,
        timer,
      });
    });
  }

  private readonly consumed = new Set<unknown>();

  /** Sends a request and waits for the response with the same req_id. */
  request(frame: { method: string; params?: unknown; req_id: number }, timeoutMs = 2000): Promise<any> {
    this.send(frame);
    return this.next((f) => f.req_id === frame.req_id && f.method !== undefined, timeoutMs);
  }

  /** Data frames of a channel received so far. */
  channel(name: string): any[] {
    return this.frames.filter((f) => f.json?.channel === name).map((f) => f.json);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** Lets pending socket and timer callbacks run. */
export function settle(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
