/**
 * Market data of the simulated world: the underlyings' seeded random walk, and per instrument the public trade
 * tape, one-minute bars (with a backfilled history), 24-hour statistics and the market makers' desired ladder.
 */
import Decimal from 'decimal.js';
import { OrderBook, type Side } from './book';
import type { SimInstrument, Underlying } from './instruments';
import { Prng } from './prng';

export const MINUTE_MS = 60_000;
/**
 * One-minute bars kept per instrument (one week, ~4 MB each): more than the 720-row OHLC window up to 5-minute
 * bars and the 24-hour statistics need, and a bound on a real-clock simulator left running for weeks.
 */
export const MAX_MINUTE_BARS = 7 * 24 * 60;

export interface PublicTrade {
  /** Sequential per instrument (Kraken's `trade_id`). */
  readonly id: number;
  /** A UUID, for the futures feeds. */
  readonly uid: string;
  readonly price: Decimal;
  readonly qty: Decimal;
  /** Side of the taker. */
  readonly side: Side;
  /** Taker's order type. */
  readonly ordType: 'market' | 'limit';
  readonly time: number;
  readonly makerOrderId: string;
  readonly takerOrderId: string;
}

export interface Bar {
  /** Interval start (epoch ms). */
  readonly time: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  /** Sum of price × qty, for the VWAP. */
  notional: Decimal;
  volume: Decimal;
  count: number;
}

export interface Stats24h {
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly volume: Decimal;
  readonly vwap: Decimal;
  readonly count: number;
  /** Today's (UTC) open, volume, VWAP, trade count, low and high. */
  readonly today: {
    readonly open: Decimal;
    readonly high: Decimal;
    readonly low: Decimal;
    readonly volume: Decimal;
    readonly vwap: Decimal;
    readonly count: number;
  };
}

/** Per-second volatility of the underlyings' log price. */
const VOLATILITY: Readonly<Record<Underlying, number>> = { XBT: 0.00012, ETH: 0.00015, USD: 0 };

/** The latent prices of the underlyings (USD per unit), moved by a seeded geometric random walk. */
export class World {
  private readonly prices: Map<Underlying, number>;
  private readonly prng: Prng;
  /** Underlyings whose price is driven by a replay instead of the walk. */
  readonly pinned = new Set<Underlying>();

  constructor(
    seed: number,
    initial: Readonly<Record<Underlying, number>>,
    private readonly volatilityScale = 1,
  ) {
    this.prng = Prng.derive(seed, 'world');
    this.prices = new Map(Object.entries(initial) as [Underlying, number][]);
  }

  price(u: Underlying): number {
    return this.prices.get(u) ?? 1;
  }

  set(u: Underlying, price: number): void {
    this.prices.set(u, price);
  }

  /** Moves every unpinned underlying by one step of `dtMs`. */
  step(dtMs: number): void {
    const dt = dtMs / 1000;
    for (const u of ['XBT', 'ETH'] as const) {
      const shock = this.prng.normal() * VOLATILITY[u] * this.volatilityScale * Math.sqrt(dt);
      if (!this.pinned.has(u)) this.prices.set(u, this.price(u) * Math.exp(shock));
    }
  }
}

/** State of one instrument's market. The engine owns matching; this holds everything market data needs. */
export class Market {
  readonly book: OrderBook;
  readonly prng: Prng;
  readonly trades: PublicTrade[] = [];
  /** One-minute bars, oldest first; the last one may be open. */
  readonly bars: Bar[] = [];
  /** Contract basis over the index (futures only), as a fraction. */
  basis = 0;
  /** When set (replay), the fair price is this value instead of the underlyings'. */
  pinnedFair?: number;
  private tradeSeq: number;
  readonly tick: Decimal;

  constructor(
    readonly instrument: SimInstrument,
    private readonly world: World,
    seed: number,
    private readonly maxTrades = 1000,
  ) {
    this.book = new OrderBook(instrument.priceDecimals);
    this.prng = Prng.derive(seed, `market:${instrument.symbol}`);
    this.tradeSeq = 1_000_000 + this.prng.int(0, 8_999_999);
    this.tick = instrument.tickSize;
  }

  /** Index price: the underlyings' ratio, no basis. */
  indexPrice(): number {
    if (this.pinnedFair !== undefined) return this.pinnedFair;
    return this.world.price(this.instrument.priceBase) / this.world.price(this.instrument.priceQuote);
  }

  /** Fair price: index plus the contract basis. */
  fairPrice(): number {
    return this.indexPrice() * (1 + this.basis);
  }

  roundToTick(price: number): Decimal {
    const ticks = Math.max(1, Math.round(price / this.tick.toNumber()));
    return this.tick.mul(ticks);
  }

  roundQty(qty: number): Decimal {
    const step = this.instrument.qtyStep;
    const units = Math.max(1, Math.round(qty / step.toNumber()));
    return step.mul(units);
  }

  /** Moves the futures basis by a small mean-reverting step. */
  stepBasis(): void {
    if (this.instrument.venue !== 'futures') return;
    this.basis = this.basis * 0.98 + this.prng.normal() * 0.00005;
  }

  /** The price of `ticks` ticks, cached (the ladder reuses the same few hundred prices). */
  priceAt(ticks: number): { readonly price: Decimal; readonly key: string } {
    let cached = this.prices.get(ticks);
    if (!cached) {
      const price = this.tick.mul(ticks);
      cached = { price, key: price.toFixed(this.instrument.priceDecimals) };
      if (this.prices.size > 20_000) this.prices.clear();
      this.prices.set(ticks, cached);
    }
    return cached;
  }

  private readonly prices = new Map<number, { readonly price: Decimal; readonly key: string }>();

  /**
   * The ladder the market makers want now: `levels` prices per side on a fixed grid (multiples of the level step)
   * outside the half-spread around the fair price, so a small move only changes the levels at the edges.
   */
  desiredLadder(
    levels: number,
    currentQty: (side: Side, key: string) => Decimal | undefined,
  ): { buy: Map<string, { price: Decimal; qty: Decimal }>; sell: Map<string, { price: Decimal; qty: Decimal }> } {
    const { levelStepTicks, halfSpreadTicks, levelSize } = this.instrument.profile;
    const fairTicks = this.fairPrice() / this.tick.toNumber();
    const out = {
      buy: new Map<string, { price: Decimal; qty: Decimal }>(),
      sell: new Map<string, { price: Decimal; qty: Decimal }>(),
    };
    const step = levelStepTicks;
    const bestBidTicks = Math.floor((fairTicks - halfSpreadTicks) / step) * step;
    const bestAskTicks = Math.ceil((fairTicks + halfSpreadTicks) / step) * step;
    for (const side of ['buy', 'sell'] as const) {
      for (let i = 0; i < levels; i++) {
        const ticks = side === 'buy' ? bestBidTicks - i * step : bestAskTicks + i * step;
        if (ticks <= 0) break;
        const { price, key } = this.priceAt(ticks);
        const current = currentQty(side, key);
        // Keep most sizes from one requote to the next so book updates stay small, as on a real book.
        const qty =
          current && !this.prng.chance(0.1)
            ? current
            : this.roundQty(this.prng.uniform(levelSize[0], levelSize[1]) * (1 + i / levels));
        out[side].set(key, { price, qty });
      }
    }
    return out;
  }

  /** Size of the next synthetic taker trade. */
  syntheticTradeSize(): Decimal {
    const [lo, hi] = this.instrument.profile.tradeSize;
    // Skewed towards small trades.
    const u = this.prng.next();
    return this.roundQty(lo + (hi - lo) * u * u);
  }

  nextTradeId(): number {
    return ++this.tradeSeq;
  }

  lastTrade(): PublicTrade | undefined {
    return this.trades[this.trades.length - 1];
  }

  /** Last traded price, or the fair price before any trade. */
  lastPrice(): Decimal {
    return this.lastTrade()?.price ?? this.roundToTick(this.fairPrice());
  }

  recordTrade(trade: PublicTrade): void {
    this.trades.push(trade);
    if (this.trades.length > this.maxTrades) this.trades.splice(0, this.trades.length - this.maxTrades);
    const start = Math.floor(trade.time / MINUTE_MS) * MINUTE_MS;
    let bar = this.bars[this.bars.length - 1];
    if (!bar || bar.time < start) {
      bar = {
        time: start,
        open: trade.price,
        high: trade.price,
        low: trade.price,
        close: trade.price,
        notional: new Decimal(0),
        volume: new Decimal(0),
        count: 0,
      };
      this.bars.push(bar);
      // Trimmed in steps of 1000 bars, not one splice per new minute.
      if (this.bars.length > MAX_MINUTE_BARS + 1000) this.bars.splice(0, this.bars.length - MAX_MINUTE_BARS);
    }
    if (trade.price.gt(bar.high)) bar.high = trade.price;
    if (trade.price.lt(bar.low)) bar.low = trade.price;
    bar.close = trade.price;
    bar.notional = bar.notional.add(trade.price.mul(trade.qty));
    bar.volume = bar.volume.add(trade.qty);
    bar.count += 1;
  }

  /**
   * Fills the one-minute history before `now` with `minutes` bars from a seeded walk that ends at the current fair
   * price, so `OHLC` and charts have history from the first second.
   */
  backfill(now: number, minutes: number): void {
    if (minutes <= 0) return;
    const currentStart = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const vol = 0.00012 * Math.sqrt(60);
    const closes: number[] = [];
    let logPrice = 0;
    for (let i = 0; i < minutes; i++) {
      logPrice += this.prng.normal() * vol;
      closes.push(logPrice);
    }
    const shift = Math.log(this.fairPrice()) - closes[closes.length - 1];
    const [lo, hi] = this.instrument.profile.tradeSize;
    let prevClose = Math.exp(closes[0] + shift - this.prng.normal() * vol);
    for (let i = 0; i < minutes; i++) {
      const close = Math.exp(closes[i] + shift);
      const open = prevClose;
      const wiggle = Math.abs(this.prng.normal()) * vol * 0.5;
      const high = Math.max(open, close) * (1 + wiggle);
      const low = Math.min(open, close) * (1 - wiggle);
      const count = this.prng.int(5, 40);
      const volume = this.roundQty(count * (lo + (hi - lo) * 0.3) * this.prng.uniform(0.5, 1.5));
      const o = this.roundToTick(open);
      const c = this.roundToTick(close);
      const h = Decimal.max(this.roundToTick(high), o, c);
      const l = Decimal.min(this.roundToTick(low), o, c);
      const vwap = this.roundToTick((open + close + high + low) / 4);
      this.bars.push({
        time: currentStart - (minutes - i) * MINUTE_MS,
        open: o,
        high: h,
        low: l,
        close: c,
        notional: vwap.mul(volume),
        volume,
        count,
      });
      prevClose = close;
    }
  }

  /**
   * Bars of `intervalMinutes` aggregated from the one-minute bars, oldest first, aligned to the epoch (as Kraken's
   * are); the last one may be open. Only intervals with trades appear.
   */
  barsOf(intervalMinutes: number, sinceMs = -Infinity): Bar[] {
    const size = intervalMinutes * MINUTE_MS;
    const out: Bar[] = [];
    // A bar whose interval starts at or after `sinceMs` starts there itself: skip the older ones.
    for (let i = this.firstBarAtOrAfter(sinceMs); i < this.bars.length; i++) {
      const m = this.bars[i];
      const start = Math.floor(m.time / size) * size;
      if (start < sinceMs) continue;
      const last = out[out.length - 1];
      if (!last || last.time !== start) {
        out.push({ ...m, time: start });
      } else {
        if (m.high.gt(last.high)) last.high = m.high;
        if (m.low.lt(last.low)) last.low = m.low;
        last.close = m.close;
        last.notional = last.notional.add(m.notional);
        last.volume = last.volume.add(m.volume);
        last.count += m.count;
      }
    }
    return out;
  }

  /** Index of the first one-minute bar starting at or after `time` (bisection; the bars are in time order). */
  private firstBarAtOrAfter(time: number): number {
    let lo = 0;
    let hi = this.bars.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bars[mid].time < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  stats(now: number): Stats24h {
    const dayAgo = now - 24 * 60 * MINUTE_MS;
    const midnight = Math.floor(now / (24 * 60 * MINUTE_MS)) * 24 * 60 * MINUTE_MS;
    const summarise = (bars: Bar[]) => {
      const fallback = this.lastPrice();
      if (bars.length === 0) {
        return { open: fallback, high: fallback, low: fallback, volume: new Decimal(0), vwap: fallback, count: 0 };
      }
      let high = bars[0].high;
      let low = bars[0].low;
      let volume = new Decimal(0);
      let notional = new Decimal(0);
      let count = 0;
      for (const b of bars) {
        if (b.high.gt(high)) high = b.high;
        if (b.low.lt(low)) low = b.low;
        volume = volume.add(b.volume);
        notional = notional.add(b.notional);
        count += b.count;
      }
      const vwap = volume.isZero() ? fallback : notional.div(volume);
      return { open: bars[0].open, high, low, volume, vwap, count };
    };
    const recent = this.bars.slice(this.firstBarAtOrAfter(dayAgo));
    const last24 = summarise(recent);
    return { ...last24, today: summarise(recent.filter((b) => b.time >= midnight)) };
  }
}
