/**
 * Replay of recorded frames: markets named in the file stop their random walk and follow the recording instead —
 * its book becomes the synthetic liquidity and its trades print on the tape, at the recorded pace on the sim clock.
 * User orders still rest in and match against that book.
 *
 * File: NDJSON, one frame per line, either a raw frame or `{ "t": <epoch ms>, "frame": { ... } }`. Understood:
 * Spot WS v2 `book` (snapshot/update) and `trade` frames; Futures WS v1 `book_snapshot`, `book` and `trade` feeds.
 * Other lines are skipped. Without `t`, the time comes from the frame (`timestamp`, `time`).
 */
import { readFileSync } from 'node:fs';
import Decimal from 'decimal.js';
import type { SimContext } from '../context';
import type { Side } from './book';

export interface ReplayOptions {
  /** Path of the NDJSON recording. */
  readonly file: string;
  /** Playback speed multiplier. Default 1. */
  readonly speed?: number;
  /** Start over after the last frame. Default true. */
  readonly loop?: boolean;
}

/** One replayable event, times in ms relative to the first frame. */
export type ReplayEvent =
  | {
      readonly at: number;
      readonly kind: 'book';
      readonly symbol: string;
      readonly snapshot: boolean;
      readonly bids: Level[];
      readonly asks: Level[];
    }
  | {
      readonly at: number;
      readonly kind: 'trade';
      readonly symbol: string;
      readonly price: Decimal;
      readonly qty: Decimal;
      readonly side: Side;
      readonly ordType: 'market' | 'limit';
    };

interface Level {
  readonly price: Decimal;
  readonly qty: Decimal;
}

type Json = Record<string, unknown>;
type Untimed<T> = T extends unknown ? Omit<T, 'at'> : never;

/** Quotes the number literals of price/qty fields so no digit or trailing zero is lost. */
function parseLossless(line: string): unknown {
  return JSON.parse(line.replace(/"(price|qty|size)"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g, '"$1":"$2"'));
}

function timeOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) {
      // Keep the microseconds Date.parse drops.
      const frac = /\.(\d+)Z$/.exec(value)?.[1];
      return frac && frac.length > 3 ? ms + Number(`0.${frac.slice(3)}`) : ms;
    }
  }
  return undefined;
}

const levels = (value: unknown): Level[] =>
  Array.isArray(value)
    ? value
        .filter((l): l is Json => typeof l === 'object' && l !== null)
        .map((l) => ({ price: new Decimal(String(l.price)), qty: new Decimal(String(l.qty ?? l.size)) }))
    : [];

/** Parses a recording into time-ordered events (exported for tests and tools). */
export function parseRecording(text: string): ReplayEvent[] {
  const raw: (Untimed<ReplayEvent> & { time?: number })[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = parseLossless(line);
    } catch {
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null) continue;
    const wrapper = parsed as Json;
    const frame = (wrapper.frame && typeof wrapper.frame === 'object' ? wrapper.frame : wrapper) as Json;
    const wrapperTime = timeOf(wrapper.t);
    if (frame.channel === 'book' && Array.isArray(frame.data)) {
      for (const d of frame.data as Json[]) {
        raw.push({
          kind: 'book',
          symbol: String(d.symbol),
          snapshot: frame.type === 'snapshot',
          bids: levels(d.bids),
          asks: levels(d.asks),
          time: wrapperTime ?? timeOf(d.timestamp),
        });
      }
    } else if (frame.channel === 'trade' && Array.isArray(frame.data)) {
      for (const d of frame.data as Json[]) {
        raw.push({
          kind: 'trade',
          symbol: String(d.symbol),
          price: new Decimal(String(d.price)),
          qty: new Decimal(String(d.qty)),
          side: d.side === 'sell' ? 'sell' : 'buy',
          ordType: d.ord_type === 'limit' ? 'limit' : 'market',
          time: wrapperTime ?? timeOf(d.timestamp),
        });
      }
    } else if (frame.feed === 'book_snapshot') {
      raw.push({
        kind: 'book',
        symbol: String(frame.product_id),
        snapshot: true,
        bids: levels(frame.bids),
        asks: levels(frame.asks),
        time: wrapperTime ?? timeOf(frame.timestamp),
      });
    } else if (frame.feed === 'book') {
      const level = [{ price: new Decimal(String(frame.price)), qty: new Decimal(String(frame.qty)) }];
      raw.push({
        kind: 'book',
        symbol: String(frame.product_id),
        snapshot: false,
        bids: frame.side === 'buy' ? level : [],
        asks: frame.side === 'sell' ? level : [],
        time: wrapperTime ?? timeOf(frame.timestamp),
      });
    } else if (frame.feed === 'trade' && frame.product_id !== undefined) {
      raw.push({
        kind: 'trade',
        symbol: String(frame.product_id),
        price: new Decimal(String(frame.price)),
        qty: new Decimal(String(frame.qty)),
        side: frame.side === 'sell' ? 'sell' : 'buy',
        ordType: frame.type === 'liquidation' ? 'market' : 'market',
        time: wrapperTime ?? timeOf(frame.time),
      });
    }
  }
  let last = 0;
  const first = raw.find((e) => e.time !== undefined)?.time ?? 0;
  return raw.map(({ time, ...event }) => {
    const at = time === undefined ? last : Math.max(last, time - first);
    last = at;
    return { ...event, at } as ReplayEvent;
  });
}

export function attachReplay(ctx: SimContext, options: ReplayOptions): void {
  const events = parseRecording(readFileSync(options.file, 'utf8'));
  const { engine, clock } = ctx;
  const speed = options.speed ?? 1;
  if (!(Number.isFinite(speed) && speed > 0)) throw new RangeError(`replay speed must be positive, got ${speed}`);
  const symbols = [...new Set(events.map((e) => e.symbol))].filter((s) => engine.market(s) !== undefined);
  if (events.length === 0 || symbols.length === 0) return;
  for (const symbol of symbols) engine.takeOverMarket(symbol);
  const books = new Map<string, { bids: Map<string, Level>; asks: Map<string, Level> }>();
  const duration = events[events.length - 1].at;

  const apply = (event: ReplayEvent) => {
    const market = engine.market(event.symbol);
    if (!market) return;
    if (event.kind === 'trade') {
      engine.printTrade(event.symbol, event.price, event.qty, event.side, event.ordType);
      return;
    }
    let book = books.get(event.symbol);
    if (!book || event.snapshot) {
      book = { bids: new Map(), asks: new Map() };
      books.set(event.symbol, book);
    }
    for (const [list, map] of [
      [event.bids, book.bids],
      [event.asks, book.asks],
    ] as const) {
      for (const level of list) {
        if (level.qty.isZero()) map.delete(level.price.toString());
        else map.set(level.price.toString(), level);
      }
    }
    const bids = [...book.bids.values()].sort((a, b) => b.price.cmp(a.price));
    const asks = [...book.asks.values()].sort((a, b) => a.price.cmp(b.price));
    engine.setSyntheticBook(event.symbol, bids, asks);
    if (bids[0] && asks[0]) market.pinnedFair = bids[0].price.add(asks[0].price).div(2).toNumber();
  };

  let cancelled = false;
  let timer: { cancel(): void } | undefined;
  let index = 0;
  let base = clock.now();
  const cycle = duration / speed + 1000;
  const pump = () => {
    timer = undefined;
    while (!cancelled) {
      if (index >= events.length) {
        if (options.loop === false) return;
        // Loop: the recording starts again one second after its end. Rounds that lie wholly in the past (a real
        // clock after the event loop was blocked) are skipped rather than replayed in one burst.
        index = 0;
        base += cycle;
        const behind = clock.now() - base;
        if (behind > cycle) base += Math.floor(behind / cycle) * cycle;
      }
      const due = base + events[index].at / speed;
      if (due > clock.now()) {
        timer = clock.setTimeout(pump, due - clock.now());
        return;
      }
      apply(events[index++]);
    }
  };
  pump();
  ctx.onStop(() => {
    cancelled = true;
    timer?.cancel();
  });
}
