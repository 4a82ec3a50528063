import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KrakenSimulator, type SimClock, type SimContext } from '../../src/sim';
import { MatchingEngine } from '../../src/sim/engine';
import { attachReplay, parseRecording } from '../../src/sim/engine/replay';
import { feed, WsClient } from './futures/support';
import { publicGet, TestSocket } from './simSupport';

const START = Date.UTC(2024, 0, 2, 12, 0, 0);

/** Kraken's published BTC/USD snapshot (checksum 3310070434), a level update and two trades, 1 s apart. */
function recording(): string {
  const snapshot = readFileSync(
    join(__dirname, '..', 'fixtures', 'spot', '7.2-book-level-2-aggregated-3.json.txt'),
    'utf8',
  );
  const lines = [
    JSON.stringify({ t: 1_000, frame: '__SNAPSHOT__' }).replace('"__SNAPSHOT__"', snapshot.replace(/\s*\n\s*/g, ' ')),
    JSON.stringify({
      t: 2_000,
      frame: {
        channel: 'trade',
        type: 'update',
        data: [
          {
            symbol: 'BTC/USD',
            side: 'buy',
            price: 45285.2,
            qty: 0.001,
            ord_type: 'market',
            trade_id: 1,
            timestamp: '2023-10-06T17:35:56.000000Z',
          },
        ],
      },
    }),
    '{"t": 3000, "frame": {"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[{"price":45285.2,"qty":0}],"checksum":0,"timestamp":"2023-10-06T17:35:57.000000Z"}]}}',
    'not json at all',
    JSON.stringify({
      t: 4_000,
      frame: {
        channel: 'trade',
        type: 'update',
        data: [
          {
            symbol: 'BTC/USD',
            side: 'sell',
            price: 45283.5,
            qty: 0.05,
            ord_type: 'limit',
            trade_id: 2,
            timestamp: '2023-10-06T17:35:58.000000Z',
          },
        ],
      },
    }),
  ];
  return lines.join('\n');
}

describe('KrakenSimulator replay', () => {
  let dir: string;
  let file: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kraken-sim-'));
    file = join(dir, 'btcusd.ndjson');
    writeFileSync(file, recording());
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses WS v2 and futures v1 frames into timed events, skipping junk', () => {
    const events = parseRecording(
      recording() +
        '\n{"feed":"book_snapshot","product_id":"PF_XBTUSD","timestamp":1001,"bids":[{"price":100,"qty":1}],"asks":[{"price":101,"qty":2}]}' +
        '\n{"feed":"trade","product_id":"PF_XBTUSD","side":"sell","qty":0.5,"price":100,"time":1500,"type":"fill"}',
    );
    expect(events.map((e) => [e.kind, e.symbol, e.at])).toEqual([
      ['book', 'BTC/USD', 0],
      ['trade', 'BTC/USD', 1000],
      ['book', 'BTC/USD', 2000],
      ['trade', 'BTC/USD', 3000],
      ['book', 'PF_XBTUSD', 3000],
      ['trade', 'PF_XBTUSD', 3000],
    ]);
    const first = events[0];
    expect(first.kind === 'book' && first.bids[0].qty.toFixed()).toBe('0.1');
  });

  it('drives the replayed market from the recording, on the sim clock, and leaves the others walking', async () => {
    const sim = await KrakenSimulator.start({
      seed: 2,
      clock: 'manual',
      startTime: START,
      heartbeatMs: 0,
      replay: { file, loop: false },
    });
    try {
      const depth = await publicGet(sim, 'Depth', 'pair=XBTUSD&count=2');
      expect(depth.json.result.XXBTZUSD.asks.map((l: unknown[]) => l.slice(0, 2))).toEqual([
        ['45285.2', '0.00100000'],
        ['45286.4', '1.54571953'],
      ]);
      const ws = await TestSocket.open(sim.config().baseUrlWsSpot);
      await ws.request({ method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'] }, req_id: 1 });
      const snapshot = await ws.next((f) => f.channel === 'book' && f.type === 'snapshot');
      expect(snapshot.data[0].checksum).toBe(3310070434); // Kraken's own checksum for this book
      sim.clock.advance(1000);
      let trades = (await publicGet(sim, 'Trades', 'pair=XBTUSD')).json.result.XXBTZUSD as unknown[][];
      expect(trades.at(-1)!.slice(0, 4)).toEqual(['45285.2', '0.00100000', START / 1000 + 1, 'b']);
      sim.clock.advance(1000);
      const update = await ws.next((f) => f.channel === 'book' && f.type === 'update');
      expect(update.data[0].asks).toEqual([{ price: 45285.2, qty: 0 }]);
      sim.clock.advance(1000);
      trades = (await publicGet(sim, 'Trades', 'pair=XBTUSD')).json.result.XXBTZUSD as unknown[][];
      expect(trades.at(-1)!.slice(0, 5)).toEqual(['45283.5', '0.05000000', START / 1000 + 3, 's', 'l']);
      sim.clock.advance(60_000);
      expect((await publicGet(sim, 'Trades', 'pair=XBTUSD')).json.result.XXBTZUSD).toHaveLength(2);
      expect(sim.engine.market('ETH/USD')!.trades.length).toBeGreaterThan(0);
      await ws.close();
    } finally {
      await sim.stop();
    }
  });

  it('loops the recording by default', async () => {
    const sim = await KrakenSimulator.start({
      seed: 2,
      clock: 'manual',
      startTime: START,
      heartbeatMs: 0,
      replay: { file },
    });
    try {
      sim.clock.advance(8_500); // frames at 0–3 s, again at 4–7 s, the third round starts at 8 s
      expect(sim.engine.market('BTC/USD')!.trades.map((t) => t.price.toString())).toEqual([
        '45285.2',
        '45283.5',
        '45285.2',
        '45283.5',
      ]);
    } finally {
      await sim.stop();
    }
  });
});

describe('KrakenSimulator replay: futures, crossing books, a clock that jumps', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kraken-sim-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, lines: unknown[]) => {
    const file = join(dir, name);
    writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
    return file;
  };

  it('drives a futures market from recorded v1 frames: the WS book and trade feeds and REST follow it', async () => {
    const file = write('pf.ndjson', [
      {
        t: 0,
        frame: {
          feed: 'book_snapshot',
          product_id: 'PF_XBTUSD',
          timestamp: 0,
          seq: 1,
          bids: [
            { price: 50000, qty: 1.5 },
            { price: 49999, qty: 2 },
          ],
          asks: [
            { price: 50001, qty: 0.25 },
            { price: 50002, qty: 3 },
          ],
        },
      },
      { t: 1000, frame: { feed: 'book', product_id: 'PF_XBTUSD', side: 'sell', seq: 2, price: 50001, qty: 0 } },
      {
        t: 2000,
        frame: { feed: 'trade', product_id: 'PF_XBTUSD', side: 'sell', type: 'fill', seq: 9, qty: 0.1, price: 50000 },
      },
    ]);
    const sim = await KrakenSimulator.start({
      seed: 2,
      clock: 'manual',
      startTime: START,
      heartbeatMs: 0,
      tradesPerMinute: 0,
      replay: { file, loop: false },
    });
    const ws = await WsClient.connect(sim.config().baseUrlWsFutures);
    try {
      ws.send({ event: 'subscribe', feed: 'book', product_ids: ['PF_XBTUSD'] });
      ws.send({ event: 'subscribe', feed: 'trade', product_ids: ['PF_XBTUSD'] });
      const snapshot = await ws.next((m) => m.feed === 'book_snapshot');
      expect(snapshot.bids).toEqual([
        { price: 50000, qty: 1.5 },
        { price: 49999, qty: 2 },
      ]);
      expect(snapshot.asks).toEqual([
        { price: 50001, qty: 0.25 },
        { price: 50002, qty: 3 },
      ]);
      await ws.next((m) => m.feed === 'trade_snapshot');
      sim.clock.advance(1000);
      const delta = await ws.next(feed('book'));
      expect(delta).toMatchObject({ side: 'sell', price: 50001, qty: 0, seq: snapshot.seq + 1 });
      sim.clock.advance(1000);
      const trade = await ws.next(feed('trade'));
      expect(trade).toMatchObject({
        product_id: 'PF_XBTUSD',
        side: 'sell',
        qty: 0.1,
        price: 50000,
        time: START + 2000,
      });
      const history = await fetch(`${sim.config().baseUrlHttpFutures}/derivatives/api/v3/history?symbol=PF_XBTUSD`);
      expect(((await history.json()) as { history: unknown[] }).history).toEqual([
        expect.objectContaining({ price: 50000, size: 0.1, side: 'sell' }),
      ]);
      // The walk no longer requotes the replayed market: its book changed once, by the recording.
      sim.clock.advance(60_000);
      await ws.settle();
      expect(ws.messages().filter(feed('book'))).toHaveLength(1);
    } finally {
      await ws.close();
      await sim.stop();
    }
  });

  it('prints no trade of its own when the recorded book moves through the previous one', async () => {
    const book = (t: number, bid: number, ask: number) => ({
      t,
      frame: {
        channel: 'book',
        type: 'snapshot',
        data: [{ symbol: 'ETH/USD', bids: [{ price: bid, qty: 1 }], asks: [{ price: ask, qty: 1 }] }],
      },
    });
    // The second book's bid is above the first book's ask, the third's ask below the second's bid.
    const file = write('jump.ndjson', [book(0, 3000, 3001), book(1000, 3010, 3011), book(2000, 2990, 2991)]);
    const sim = await KrakenSimulator.start({
      seed: 2,
      clock: 'manual',
      startTime: START,
      heartbeatMs: 0,
      tradesPerMinute: 0,
      replay: { file, loop: false },
    });
    try {
      const tape = sim.engine.market('ETH/USD')!.trades.length;
      sim.clock.advance(3000);
      expect(sim.engine.market('ETH/USD')!.trades.length).toBe(tape);
      const top = sim.engine.market('ETH/USD')!.book;
      expect([top.best('buy')!.price.toNumber(), top.best('sell')!.price.toNumber()]).toEqual([2990, 2991]);
    } finally {
      await sim.stop();
    }
  });

  it('skips the rounds of a looped recording that a jump of the clock left wholly in the past', () => {
    let now = START;
    const pending: { due: number; run: () => void }[] = [];
    const clock: SimClock = {
      mode: 'real',
      now: () => now,
      setTimeout: (run, delay) => {
        const entry = { due: now + delay, run };
        pending.push(entry);
        return { cancel: () => pending.splice(pending.indexOf(entry), 1) };
      },
      setInterval: () => ({ cancel: () => undefined }),
      advance: () => undefined,
      dispose: () => undefined,
    };
    const engine = new MatchingEngine({ seed: 1, clock, tradesPerMinute: 0, historyMinutes: 0 });
    const trade = (t: number) => ({
      t,
      frame: {
        channel: 'trade',
        data: [{ symbol: 'BTC/USD', side: 'buy', price: 60000, qty: 0.001, ord_type: 'market' }],
      },
    });
    const file = write('loop.ndjson', [trade(0), trade(100)]);
    const stops: (() => void)[] = [];
    const printed: number[] = [];
    engine.events$.subscribe((e) => {
      if (e.type === 'trade') printed.push(e.time);
    });
    attachReplay({ engine, clock, onStop: (f: () => void) => stops.push(f) } as unknown as SimContext, { file });
    expect(printed).toEqual([START]);
    // The event loop was blocked for an hour: the pump wakes once, far behind its schedule.
    now += 3_600_000;
    pending.shift()!.run();
    // Without the skip it would replay ~3270 rounds (1.1 s each) at once.
    expect(printed.length).toBeLessThanOrEqual(4);
    expect(pending).toHaveLength(1);
    expect(pending[0].due).toBeGreaterThan(now);
    expect(pending[0].due - now).toBeLessThanOrEqual(1100);
    for (const stop of stops) stop();
    engine.stop();
  });
});
