/**
 * Kraken Futures Charts API (`/api/charts/v1/...`, futures-wire.md §7): `trade` candles from the engine's trade
 * bars, `mark` and `spot` (index) candles from the prices the futures layer records each market step (before
 * the simulation started, the backfilled trade bars stand in for them). `from`/`to` are epoch seconds, `to`
 * inclusive; at most 2000 candles per answer, `more_candles` when the range held more.
 */
import type Decimal from 'decimal.js';
import type { SimContext } from '../context';
import { MINUTE_MS } from '../engine/market';
import type { SimHttpResponse } from '../server';
import { FUTURES_CHART_RESOLUTIONS } from '../../kraken/common/intervals';
import { first, paramsOf } from './auth';
import { str } from './format';
import type { FuturesVenue } from './venue';

const TICK_TYPES = ['mark', 'spot', 'trade'] as const;
type TickType = (typeof TICK_TYPES)[number];
const MAX_CANDLES = 2000;
const RESOLUTION_MINUTES: Readonly<Record<string, number>> = {
  '1m': 1,
  '5m': 5,
  '15m': 15,
  '30m': 30,
  '1h': 60,
  '4h': 240,
  '12h': 720,
  '1d': 1440,
  '1w': 10080,
};

interface Candle {
  readonly time: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume?: Decimal;
}

export function attachFuturesCharts(ctx: SimContext, venue: FuturesVenue): void {
  const { server, engine } = ctx;
  const text = (status: number, body: string): SimHttpResponse => ({
    status,
    headers: { 'content-type': 'text/plain' },
    body,
  });

  const oneMinute = (tick: TickType, symbol: string): Candle[] => {
    const trades = engine.market(symbol)?.bars ?? [];
    if (tick === 'trade') return trades.map((b) => ({ ...b }));
    const recorded = venue.priceCandles(tick, symbol);
    const since = recorded.length > 0 ? recorded[0].time : Infinity;
    const backfill = trades
      .filter((b) => b.time < since)
      .map((b) => ({ time: b.time, open: b.open, high: b.high, low: b.low, close: b.close }));
    return [...backfill, ...recorded.map((c) => ({ ...c }))];
  };

  const handle = (segments: string[], params: Record<string, string | string[]>): SimHttpResponse => {
    if (segments.length === 0) return { body: [...TICK_TYPES] };
    const tick = segments[0] as TickType;
    if (!TICK_TYPES.includes(tick)) return text(400, 'Invalid tick type');
    if (segments.length === 1) return { body: venue.contracts.map((c) => c.symbol) };
    const contract = venue.contract(segments[1]);
    if (!contract) return text(404, 'Not Found');
    if (segments.length === 2) return { body: [...FUTURES_CHART_RESOLUTIONS] };
    if (segments.length > 3) return text(404, 'Not Found');
    const minutes = RESOLUTION_MINUTES[segments[2]];
    if (minutes === undefined) return text(400, 'Invalid resolution');
    const from = seconds(first(params.from));
    const to = seconds(first(params.to));
    const countText = first(params.count);
    const count = countText === undefined ? MAX_CANDLES : /^\d+$/.test(countText) ? Number(countText) : NaN;
    if (Number.isNaN(from) || Number.isNaN(to) || Number.isNaN(count)) return text(400, 'Invalid parameters');
    const candles = aggregate(oneMinute(tick, contract.symbol), minutes).filter(
      (c) => (from === undefined || c.time >= from * 1000) && (to === undefined || c.time <= to * 1000),
    );
    const limit = Math.min(count, MAX_CANDLES);
    const selected = from !== undefined ? candles.slice(0, limit) : candles.slice(Math.max(0, candles.length - limit));
    return {
      body: {
        candles: selected.map((c) => ({
          time: c.time,
          open: str(c.open),
          high: str(c.high),
          low: str(c.low),
          close: str(c.close),
          volume: tick === 'trade' ? str(c.volume) : '0',
        })),
        more_candles: candles.length > selected.length,
      },
    };
  };

  server.route('GET', '/api/charts/v1', () => handle([], {}));
  server.route('GET', '/api/charts/v1/*', (request) => {
    const segments = request.path
      .slice('/api/charts/v1/'.length)
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    return handle(segments, paramsOf(request));
  });
  server.route('*', '/api/charts/*', () => text(404, 'Not Found'));
}

/** Epoch seconds, `undefined` when absent, NaN when not an integer. */
function seconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return /^\d+$/.test(value) ? Number(value) : NaN;
}

/** Aggregates one-minute candles into `minutes`-long candles aligned to the epoch, oldest first. */
function aggregate(oneMinute: readonly Candle[], minutes: number): Candle[] {
  if (minutes === 1) return [...oneMinute];
  const size = minutes * MINUTE_MS;
  const out: Candle[] = [];
  for (const m of oneMinute) {
    const start = Math.floor(m.time / size) * size;
    const last = out[out.length - 1];
    if (!last || last.time !== start) {
      out.push({ ...m, time: start });
      continue;
    }
    if (m.high.gt(last.high)) last.high = m.high;
    if (m.low.lt(last.low)) last.low = m.low;
    last.close = m.close;
    if (last.volume && m.volume) last.volume = last.volume.add(m.volume);
  }
  return out;
}
