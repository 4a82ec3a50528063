/**
 * Throughput of KrakenDataClient's hot paths without a network: text frames handed to the client's WebSocket
 * `onmessage` (in-memory socket) → session (JSON.parse, route) → decode → book maintained and checksummed (or trade
 * gap check) → subscriber; against bare JSON.parse of the same frames.
 *
 *   npx ts-node --transpile-only test/data/dataClient.bench.ts [--book 300000] [--trades 600000]
 *
 * Not part of `npm test`. (The end-to-end figure over a loopback socket is measured elsewhere.)
 */
import type { KrakenHttpClient } from '../../src/http/KrakenHttpClient';
import { KrakenDataClient } from '../../src/data/KrakenDataClient';
import { formatFixed, spotBookChecksum } from '../../src/kraken/common/checksum';
import { BTC_USD, fakeOptions, fakeProvider, FakeHttp, FakeVenue } from './fakeVenue';

const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};

function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Lv {
  ticks: number;
  units: number;
}

const price = (l: Lv) => formatFixed(l.ticks / 10, 1);
const size = (l: Lv) => formatFixed(l.units / 1e8, 8);

/** A 10-level BTC/USD book: size changes, inserts at the top, deletes (the next level re-enters from below). */
function bookFrames(count: number): string[] {
  const next = random(42);
  const units = () => 1 + Math.floor(next() ** 3 * 300_000_000);
  const bids: Lv[] = [];
  const asks: Lv[] = [];
  for (let i = 0; i < 60; i++) {
    bids.push({ ticks: 452_835 - i * 2, units: units() });
    asks.push({ ticks: 452_852 + i * 2, units: units() });
  }
  const top = (side: Lv[]) => side.slice(0, 10).map((l) => ({ price: price(l), size: size(l) }));
  const literal = (l: Lv) => `{"price":${price(l)},"qty":${size(l)}}`;
  const frame = (type: string, b: string[], a: string[]) =>
    `{"channel":"book","type":"${type}","data":[{"symbol":"BTC/USD","bids":[${b.join(',')}],"asks":[${a.join(',')}],"checksum":${spotBookChecksum(top(asks), top(bids))},"timestamp":"2023-10-06T17:35:55.440295Z"}]}`;
  const frames = [frame('snapshot', bids.slice(0, 10).map(literal), asks.slice(0, 10).map(literal))];
  while (frames.length <= count) {
    const isBid = next() < 0.5;
    const side = isBid ? bids : asks;
    const i = Math.floor(next() ** 2 * 10);
    const r = next();
    const sent: string[] = [];
    if (r < 0.6) {
      side[i] = { ticks: side[i].ticks, units: units() };
      sent.push(literal(side[i]));
    } else if (r < 0.8 && side.length > 20) {
      const [gone] = side.splice(i, 1);
      sent.push(`{"price":${price(gone)},"qty":0.00000000}`, literal(side[9]));
    } else {
      const ticks = isBid ? side[0].ticks + 1 : side[0].ticks - 1;
      const other = isBid ? asks[0].ticks : bids[0].ticks;
      if (isBid ? ticks >= other : ticks <= other) continue;
      side.unshift({ ticks, units: units() });
      sent.push(literal(side[0]));
      if (side.length > 60) side.length = 60;
    }
    frames.push(isBid ? frame('update', sent, []) : frame('update', [], sent));
  }
  return frames;
}

function tradeFrames(count: number): string[] {
  const frames: string[] = [];
  for (let i = 1; i <= count; i++) {
    frames.push(
      `{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"${i % 3 ? 'buy' : 'sell'}","price":${45000 + (i % 100) / 10},"qty":0.${String(i % 99999999).padStart(8, '0')},"ord_type":"market","trade_id":${i},"timestamp":"2023-09-25T07:49:37.708706Z"}]}`,
    );
  }
  return frames;
}

function seconds(run: () => void): number {
  const t0 = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

interface Measured {
  parse: number;
  client: number;
  emitted: number;
  heapMb: number;
}

/** One run: a fresh client on an in-memory socket; JSON.parse of the frames timed right before the client. */
function measure(frames: string[], subscribe: (client: KrakenDataClient) => { count(): number }): Measured {
  const venue = new FakeVenue();
  const http = new FakeHttp();
  const client = new KrakenDataClient(fakeOptions(venue), {
    httpClient: http as unknown as KrakenHttpClient,
    instrumentProvider: fakeProvider(http),
  });
  const counter = subscribe(client);
  venue.advance(0);
  const onmessage = venue.live('spot')!.onmessage!;
  let sink = 0;
  const parse = seconds(() => {
    for (let i = 0; i < frames.length; i++) sink += (JSON.parse(frames[i]) as { data: unknown[] }).data.length;
  });
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const elapsed = seconds(() => {
    for (let i = 0; i < frames.length; i++) onmessage({ data: frames[i] });
  });
  global.gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  void client.close();
  venue.advance(5_000);
  if (sink < 0) console.log(sink);
  return { parse, client: elapsed, emitted: counter.count(), heapMb };
}

function report(label: string, frames: string[], runs: Measured[]) {
  const n = frames.length;
  const ratios = runs.map((r) => r.client / r.parse).sort((a, b) => a - b);
  const best = runs.reduce((a, b) => (a.client < b.client ? a : b));
  console.log(
    `${label}: ${n} frames, ${best.emitted} emitted; client best ${Math.round(n / best.client)}/s ` +
      `(JSON.parse ${Math.round(n / best.parse)}/s); ratio to JSON.parse best ${ratios[0].toFixed(2)}x, ` +
      `median ${ratios[Math.floor(ratios.length / 2)].toFixed(2)}x; heap after run ${Math.max(...runs.map((r) => r.heapMb)).toFixed(1)} MB`,
  );
}

const bookCount = argument('--book', 300_000);
const tradeCount = argument('--trades', 600_000);
const rounds = argument('--rounds', 5);
const book = bookFrames(bookCount);
const trades = tradeFrames(tradeCount);
const bookRuns: Measured[] = [];
const tradeRuns: Measured[] = [];

for (let round = 0; round < rounds; round++) {
  bookRuns.push(
    measure(book, (client) => {
      let count = 0;
      client.book(BTC_USD.id, { depth: 10 }).subscribe(() => count++);
      return { count: () => count };
    }),
  );
  tradeRuns.push(
    measure(trades, (client) => {
      let count = 0;
      client.trades(BTC_USD.id).subscribe(() => count++);
      return { count: () => count };
    }),
  );
}
report('book(BTC/USD, depth 10)', book, bookRuns);
report('trades(BTC/USD)', trades, tradeRuns);
