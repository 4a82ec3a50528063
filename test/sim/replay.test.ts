import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KrakenSimulator } from '../../src/sim';
import { parseRecording } from '../../src/sim/engine/replay';
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
