import * as net from 'node:net';
import { inspect } from 'node:util';
import { KrakenConfigError } from '../../src/errors';
import { KrakenSimulator } from '../../src/sim';
import { publicGet, settle, TestSocket } from './simSupport';
import { WsClient } from './futures/support';

describe('KrakenSimulator lifecycle', () => {
  it('starts on a free loopback port and reports full URLs', async () => {
    const sim = await KrakenSimulator.start({ seed: 3, clock: 'manual' });
    const config = sim.config();
    expect(config.baseUrlHttpSpot).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(config.baseUrlWsSpot).toBe(`ws://127.0.0.1:${sim.port}/v2`);
    expect(config.baseUrlWsSpotAuth).toBe(`ws://127.0.0.1:${sim.port}/auth/v2`);
    expect(config.baseUrlWsFutures).toBe(`ws://127.0.0.1:${sim.port}/ws/v1`);
    expect(Buffer.from(config.apiSecret, 'base64')).toHaveLength(64);
    expect(String(sim)).not.toContain(config.apiSecret);
    expect(JSON.stringify(sim)).not.toContain(config.apiSecret);
    expect(inspect(sim, { depth: 5 })).not.toContain(config.apiSecret);
    await sim.stop();
  });

  it('gives the same credentials and market for the same seed', async () => {
    const a = await KrakenSimulator.start({ seed: 9, clock: 'manual', startTime: Date.UTC(2024, 0, 1) });
    const b = await KrakenSimulator.start({ seed: 9, clock: 'manual', startTime: Date.UTC(2024, 0, 1) });
    a.clock.advance(30_000);
    b.clock.advance(30_000);
    expect(a.config().apiKey).toBe(b.config().apiKey);
    const tape = (sim: KrakenSimulator) =>
      sim.engine.market('BTC/USD')!.trades.map((t) => `${t.id}:${t.price.toString()}:${t.qty.toString()}`);
    expect(tape(a)).toEqual(tape(b));
    expect(tape(a).length).toBeGreaterThan(0);
    await a.stop();
    await b.stop();
  });

  it('sends byte-identical WebSocket frames for the same seed and start time', async () => {
    const frames = async () => {
      const sim = await KrakenSimulator.start({
        seed: 4,
        clock: 'manual',
        startTime: Date.UTC(2024, 0, 1),
        heartbeatMs: 0,
      });
      const ws = await TestSocket.open(sim.config().baseUrlWsSpot);
      await ws.request({ method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'], depth: 25 }, req_id: 1 });
      await ws.request({
        method: 'subscribe',
        params: { channel: 'trade', symbol: ['BTC/USD', 'ETH/BTC'] },
        req_id: 2,
      });
      for (let i = 0; i < 20; i++) sim.clock.advance(1000);
      await settle(50);
      await ws.close();
      await sim.stop();
      return ws.frames.map((f) => f.text);
    };
    const [a, b] = [await frames(), await frames()];
    expect(a.length).toBeGreaterThan(20);
    expect(a).toEqual(b);
  });

  it('sends byte-identical Futures WebSocket frames for the same seed and start time', async () => {
    const frames = async () => {
      const sim = await KrakenSimulator.start({
        seed: 4,
        clock: 'manual',
        startTime: Date.UTC(2024, 0, 1),
        heartbeatMs: 0,
      });
      const ws = await WsClient.connect(sim.config().baseUrlWsFutures);
      for (const feed of ['book', 'trade', 'ticker']) {
        ws.send({ event: 'subscribe', feed, product_ids: ['PF_XBTUSD', 'PI_XBTUSD'] });
      }
      await ws.next((m) => m.feed === 'ticker' && m.product_id === 'PI_XBTUSD');
      for (let i = 0; i < 20; i++) sim.clock.advance(1000);
      await ws.settle();
      await ws.close();
      await sim.stop();
      return ws.frames;
    };
    const [a, b] = [await frames(), await frames()];
    expect(a.filter((f) => f.includes('"feed":"book"')).length).toBeGreaterThan(20);
    expect(a.filter((f) => f.includes('"feed":"trade"')).length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });

  it('refuses options that would make the market spin or grow without bound, leaving nothing open', async () => {
    const bad = [
      { tickMs: 0 },
      { tradesPerMinute: Infinity },
      { tradesPerMinute: 1e9 },
      { historyMinutes: 1e8 },
      { heartbeatMs: 1 },
      { port: -1 },
      { replay: { file: 'unused.ndjson', speed: 0 } },
    ];
    for (const options of bad) {
      await expect(KrakenSimulator.start({ clock: 'manual', ...options })).rejects.toThrow(KrakenConfigError);
    }
  });

  it('keeps serving after a client aborts a request mid-body (no unhandled rejection)', async () => {
    const sim = await KrakenSimulator.start({ seed: 3, clock: 'manual' });
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      await new Promise<void>((resolve) => {
        const socket = net.connect(sim.port, '127.0.0.1', () => {
          socket.write('POST /0/private/Balance HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nnonce=1');
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 20);
        });
      });
      await settle(50);
      expect(rejections).toEqual([]);
      expect((await publicGet(sim, 'Time')).json.error).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await sim.stop();
    }
  });

  it('runs the market on real time by default', async () => {
    const sim = await KrakenSimulator.start({ seed: 1, tradesPerMinute: 3000, tickMs: 50 });
    const before = sim.engine.market('BTC/USD')!.trades.length;
    await settle(300);
    expect(sim.engine.market('BTC/USD')!.trades.length).toBeGreaterThan(before);
    expect(() => sim.clock.advance(1000)).toThrow(/manual/);
    await sim.stop();
  });
});
