/**
 * Deterministic Kraken Spot WS v2 frames, as text, in the shape Kraken sends (spot-wire.md §7.2–§7.4).
 *
 * - `book`: a snapshot of `depth` levels per side, then updates of 1–3 levels: a size change inside the window, a
 *   new level inside the window (the level it pushes out gets no delete, as on Kraken), or a delete plus the level
 *   that re-enters the window. Prices and sizes are written with the pair's precision and their trailing zeros
 *   (`45281.0`, `0.10000000`); sizes under 1e-4 in exponent form (`5.1e-05`), as Kraken writes them. Every frame
 *   carries the correct CRC32, computed here with `zlib.crc32` (independently of the library) over the top 10
 *   levels per side formatted with the pair's precision.
 * - `trade`: 1–3 trades per frame, `trade_id` increasing by one.
 * - `ohlc`: a snapshot of past candles, then the current candle re-sent after every trade; a new `interval_begin`
 *   every few dozen frames.
 *
 * Everything is integer arithmetic (ticks of 10^-pricePrecision, units of 10^-sizePrecision) from a seeded PRNG.
 */
import { crc32 } from 'zlib';

/** The pair's WS v2 symbol and its `price_precision` / `qty_precision`. */
export interface SpotPair {
  readonly wsSymbol: string;
  readonly pricePrecision: number;
  readonly sizePrecision: number;
}

export const BTC_USD: SpotPair = { wsSymbol: 'BTC/USD', pricePrecision: 1, sizePrecision: 8 };

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `integer` units of 10^-decimals as text with exactly `decimals` decimals: (452835, 1) → `45283.5`. */
export function fixedText(integer: number, decimals: number): string {
  if (decimals === 0) return String(integer);
  const scale = 10 ** decimals;
  const whole = Math.trunc(integer / scale);
  return `${whole}.${String(integer - whole * scale).padStart(decimals, '0')}`;
}

/**
 * A size as Kraken's JSON writes it: full precision with trailing zeros, but exponent form below 1e-4
 * (`0.00005100` → `5.1e-05`).
 */
export function sizeLiteral(units: number, decimals: number): string {
  if (units === 0 || units >= 10 ** (decimals - 4)) return fixedText(units, decimals);
  const digits = String(units).replace(/0+$/, '');
  const exponent = String(units).length - 1 - decimals;
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${mantissa}e-${String(-exponent).padStart(2, '0')}`;
}

/** The checksum token: `.` and leading zeros removed (spot-wire.md §7.2 step 3). */
function token(formatted: string): string {
  return formatted.replace('.', '').replace(/^0+/, '');
}

/** RFC 3339 with microseconds, from epoch µs: `2023-10-06T17:35:55.440295Z`. */
export function rfc3339Micros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micros - ms * 1000).padStart(3, '0')}Z`;
}

// ---------------------------------------------------------------------------------------------------------
// Book

interface GenLevel {
  readonly ticks: number;
  readonly units: number;
  /** Checksum token of price + size, formatted with the pair's precision. */
  readonly token: string;
}

class GenSide {
  levels: GenLevel[] = [];
  constructor(readonly isBid: boolean) {}

  /** Index where `ticks` is or would go, best first. */
  position(ticks: number): number {
    let lo = 0;
    let hi = this.levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.levels[mid].ticks;
      if (this.isBid ? t > ticks : t < ticks) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export interface BookFrames {
  readonly pair: SpotPair;
  readonly depth: number;
  /** `frames[0]` is the snapshot. */
  readonly frames: string[];
  /** The book level count carried by each update (1–3), for the summary. */
  readonly levelsPerUpdate: number;
  /** Epoch-ms `timestamp` of every frame as the codec decodes it (unique, increasing): frame index by book. */
  readonly timestamps: Float64Array;
  /** The generator's book after the last frame, `price@size` best first, for a correctness check. */
  readonly finalBids: string[];
  readonly finalAsks: string[];
}

export interface BookFrameOptions {
  readonly pair?: SpotPair;
  readonly depth: number;
  readonly updates: number;
  readonly seed: number;
  /** Mid price in ticks at the start. Default 452 840 (45 284.0 for BTC/USD). */
  readonly startTicks?: number;
  /** Epoch ms of the first frame. Default 2023-10-06T17:35:55Z. */
  readonly startMs?: number;
}

/** Snapshot + `updates` book frames for one pair at one subscribed depth. */
export function generateBookFrames(options: BookFrameOptions): BookFrames {
  const pair = options.pair ?? BTC_USD;
  const { depth, updates } = options;
  const random = seededRandom(options.seed);
  const priceText = (ticks: number) => fixedText(ticks, pair.pricePrecision);
  const level = (ticks: number, units: number): GenLevel => ({
    ticks,
    units,
    token: token(priceText(ticks)) + token(fixedText(units, pair.sizePrecision)),
  });
  // Sizes from 1 unit to ~3 whole coins, most small (cubed uniform).
  const units = () => 1 + Math.floor(random() ** 3 * 3 * 10 ** pair.sizePrecision);

  const bids = new GenSide(true);
  const asks = new GenSide(false);
  const fullDepth = depth + 40;
  const mid = options.startTicks ?? 452_840;
  for (let i = 0, bid = mid - 5, ask = mid + 12; i < fullDepth; i++) {
    bids.levels.push(level(bid, units()));
    asks.levels.push(level(ask, units()));
    bid -= 1 + Math.floor(random() * 3);
    ask += 1 + Math.floor(random() * 3);
  }

  let micros = (options.startMs ?? Date.UTC(2023, 9, 6, 17, 35, 55)) * 1000;
  const timestamps = new Float64Array(updates + 1);
  const checksum = () => {
    let crc = 0;
    for (let i = 0; i < Math.min(10, asks.levels.length); i++) crc = crc32(asks.levels[i].token, crc);
    for (let i = 0; i < Math.min(10, bids.levels.length); i++) crc = crc32(bids.levels[i].token, crc);
    return crc >>> 0;
  };
  const literal = (l: GenLevel) => `{"price":${priceText(l.ticks)},"qty":${sizeLiteral(l.units, pair.sizePrecision)}}`;
  const deleted = (ticks: number) => `{"price":${priceText(ticks)},"qty":${fixedText(0, pair.sizePrecision)}}`;
  const frame = (type: string, bidText: readonly string[], askText: readonly string[], index: number) => {
    micros += 1 + Math.floor(random() * 900);
    // The codec's value: whole ms from the date, plus the µs fraction.
    timestamps[index] = Math.floor(micros / 1000) + (micros % 1000) / 1000;
    return (
      `{"channel":"book","type":"${type}","data":[{"symbol":"${pair.wsSymbol}",` +
      `"bids":[${bidText.join(',')}],"asks":[${askText.join(',')}],` +
      `"checksum":${checksum()},"timestamp":"${rfc3339Micros(micros)}"}]}`
    );
  };

  const frames: string[] = [
    frame('snapshot', bids.levels.slice(0, depth).map(literal), asks.levels.slice(0, depth).map(literal), 0),
  ];
  const visibleIndex = (length: number) => Math.floor(random() ** 2 * Math.min(length, depth));

  /** One change on one side; returns the level literals Kraken would send for it, in order. */
  const change = (side: GenSide, maxLevels: number): string[] => {
    const other = side === bids ? asks : bids;
    const levels = side.levels;
    const r = random();
    if (r < 0.55 || (maxLevels < 2 && r >= 0.8)) {
      // A size change inside the window.
      const i = visibleIndex(levels.length);
      levels[i] = level(levels[i].ticks, units());
      return [literal(levels[i])];
    }
    if (r < 0.8 || levels.length < depth + 20) {
      // A new level inside the window, never crossing the other side; the last one falls out (no delete sent).
      const best = levels[0].ticks;
      const offset = Math.floor(random() ** 2 * Math.min(levels.length, depth) * 3) - 1;
      let ticks = side.isBid ? best - offset : best + offset;
      const otherBest = other.levels[0].ticks;
      if (side.isBid ? ticks >= otherBest : ticks <= otherBest) ticks = side.isBid ? otherBest - 1 : otherBest + 1;
      const at = side.position(ticks);
      if (at >= depth) return [];
      if (at < levels.length && levels[at].ticks === ticks) levels[at] = level(ticks, units());
      else levels.splice(at, 0, level(ticks, units()));
      if (levels.length > fullDepth + 20) levels.length = fullDepth + 20;
      return [literal(levels[at])];
    }
    // A delete inside the window; the next level below re-enters it and is sent too.
    const i = visibleIndex(levels.length);
    const [gone] = levels.splice(i, 1);
    const sent = [deleted(gone.ticks)];
    if (levels.length >= depth) sent.push(literal(levels[depth - 1]));
    return sent;
  };

  let levelCount = 0;
  while (frames.length <= updates) {
    const r = random();
    const target = r < 0.6 ? 1 : r < 0.88 ? 2 : 3;
    const bidText: string[] = [];
    const askText: string[] = [];
    let sent = 0;
    for (let attempts = 0; sent < target && attempts < 8; attempts++) {
      const isBid = random() < 0.5;
      const levels = change(isBid ? bids : asks, target - sent);
      (isBid ? bidText : askText).push(...levels);
      sent += levels.length;
    }
    if (sent === 0) continue;
    levelCount += sent;
    frames.push(frame('update', bidText, askText, frames.length));
  }
  const show = (side: GenSide) =>
    side.levels.slice(0, depth).map((l) => `${priceText(l.ticks)}@${fixedText(l.units, pair.sizePrecision)}`);
  return {
    pair,
    depth,
    frames,
    levelsPerUpdate: levelCount / updates,
    timestamps,
    finalBids: show(bids),
    finalAsks: show(asks),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Trades

export interface TradeFrames {
  readonly frames: string[];
  readonly trades: number;
  /** Where a following frame set continues (`TradeFrameOptions.after`). */
  readonly end: TradeCursor;
}

/** The state a trade frame set continues from: next `trade_id`, time (µs), price (ticks). */
export interface TradeCursor {
  readonly tradeId: number;
  readonly micros: number;
  readonly ticks: number;
}

/** `frameCount` trade update frames with 1–3 trades each, continuing `after` when given. */
export function generateTradeFrames(
  frameCount: number,
  seed: number,
  after?: TradeCursor,
  pair: SpotPair = BTC_USD,
): TradeFrames {
  const random = seededRandom(seed);
  let ticks = after?.ticks ?? 452_840;
  let tradeId = after?.tradeId ?? 81_433_021;
  let micros = after?.micros ?? Date.UTC(2023, 9, 6, 17, 35, 55) * 1000;
  let trades = 0;
  const frames: string[] = [];
  for (let f = 0; f < frameCount; f++) {
    const r = random();
    const count = r < 0.8 ? 1 : r < 0.95 ? 2 : 3;
    const items: string[] = [];
    micros += 1 + Math.floor(random() * 5000);
    const side = random() < 0.5 ? 'buy' : 'sell';
    for (let i = 0; i < count; i++) {
      ticks += Math.floor(random() * 5) - 2;
      const units = 1 + Math.floor(random() ** 4 * 2 * 10 ** pair.sizePrecision);
      items.push(
        `{"symbol":"${pair.wsSymbol}","side":"${side}","price":${fixedText(ticks, pair.pricePrecision)},` +
          `"qty":${sizeLiteral(units, pair.sizePrecision)},"ord_type":"${random() < 0.7 ? 'market' : 'limit'}",` +
          `"trade_id":${tradeId++},"timestamp":"${rfc3339Micros(micros)}"}`,
      );
    }
    trades += count;
    frames.push(`{"channel":"trade","type":"update","data":[${items.join(',')}]}`);
  }
  return { frames, trades, end: { tradeId, micros, ticks } };
}

// ---------------------------------------------------------------------------------------------------------
// OHLC

export interface OhlcFrames {
  readonly frames: string[];
  /**
   * Final bars a subscriber gets from these frames: every candle that closes within them, plus the one held from
   * before (the snapshot's open candle, or the previous frame set's current candle).
   */
  readonly finalBars: number;
  /** Where a following frame set continues (`after`). */
  readonly end: OhlcCursor;
}

/** The state an OHLC frame set continues from: the next candle's start (ms) and the price (ticks). */
export interface OhlcCursor {
  readonly beginMs: number;
  readonly ticks: number;
}

/** RFC 3339 with nanoseconds, as Kraken writes `interval_begin`: `2023-10-04T16:25:00.000000000Z`. */
function rfc3339Nanos(ms: number, extraNanos = 0): string {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(extraNanos).padStart(6, '0')}Z`;
}

/**
 * A snapshot of 60 one-minute candles, then `frameCount` updates of the current candle (one per trade), with a new
 * candle every 5–60 frames. With `after`, no snapshot: the updates continue a previous frame set.
 */
export function generateOhlcFrames(
  frameCount: number,
  seed: number,
  after?: OhlcCursor,
  pair: SpotPair = BTC_USD,
): OhlcFrames {
  const random = seededRandom(seed);
  const intervalMs = 60_000;
  const history = after === undefined ? 60 : 0;
  let begin = after?.beginMs ?? Date.UTC(2023, 9, 4, 16, 25);
  let ticks = after?.ticks ?? 275_100;
  const candle = (
    beginMs: number,
    open: number,
    high: number,
    low: number,
    close: number,
    trades: number,
    units: number,
  ) => {
    const vwap = fixedText(Math.round((open + high + low + close) * 250), pair.pricePrecision + 3);
    return (
      `{"symbol":"${pair.wsSymbol}","open":${fixedText(open, pair.pricePrecision)},` +
      `"high":${fixedText(high, pair.pricePrecision)},"low":${fixedText(low, pair.pricePrecision)},` +
      `"close":${fixedText(close, pair.pricePrecision)},"trades":${trades},` +
      `"volume":${fixedText(units, pair.sizePrecision)},"vwap":${vwap},` +
      `"interval_begin":"${rfc3339Nanos(beginMs)}","interval":1,"timestamp":"${rfc3339Micros((beginMs + intervalMs) * 1000)}"}`
    );
  };
  const published = (ms: number) =>
    `${new Date(Math.floor(ms)).toISOString().slice(0, 19)}.${String(Math.floor(random() * 1e9)).padStart(9, '0')}Z`;

  const snapshot: string[] = [];
  for (let i = 0; i < history; i++) {
    const open = ticks;
    const close = ticks + Math.floor(random() * 41) - 20;
    const high = Math.max(open, close) + Math.floor(random() * 10);
    const low = Math.min(open, close) - Math.floor(random() * 10);
    snapshot.push(candle(begin, open, high, low, close, 1 + Math.floor(random() * 80), Math.floor(random() * 4e8)));
    ticks = close;
    begin += intervalMs;
  }
  // The snapshot's last candle is Kraken's open one: it closes when the first update (a new candle) arrives.
  const frames =
    history > 0
      ? [`{"channel":"ohlc","type":"snapshot","timestamp":"${published(begin)}","data":[${snapshot.join(',')}]}`]
      : [];
  let open = ticks;
  let high = ticks;
  let low = ticks;
  let trades = 0;
  let units = 0;
  let left = 5 + Math.floor(random() * 56);
  let closedBars = 0;
  for (let f = 0; f < frameCount; f++) {
    if (left === 0) {
      begin += intervalMs;
      open = high = low = ticks;
      trades = 0;
      units = 0;
      left = 5 + Math.floor(random() * 56);
      closedBars++;
    }
    left--;
    ticks += Math.floor(random() * 7) - 3;
    high = Math.max(high, ticks);
    low = Math.min(low, ticks);
    trades++;
    units += 1 + Math.floor(random() ** 3 * 5e7);
    const at = begin + Math.floor(((60 - left) / 61) * intervalMs);
    frames.push(
      `{"channel":"ohlc","type":"update","timestamp":"${published(at)}","data":[${candle(begin, open, high, low, ticks, trades, units)}]}`,
    );
  }
  return { frames, finalBars: closedBars + 1, end: { beginMs: begin + intervalMs, ticks } };
}
