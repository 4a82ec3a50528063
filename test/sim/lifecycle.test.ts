import { inspect } from 'node:util';
import { KrakenSimulator } from '../../src/sim';
import { settle, TestSocket } from './simSupport';

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

  it('runs the market on real time by default', async () => {
    const sim = await KrakenSimulator.start({ seed: 1, tradesPerMinute: 3000, tickMs: 50 });
    const before = sim.engine.market('BTC/USD')!.trades.length;
    await settle(300);
    expect(sim.engine.market('BTC/USD')!.trades.length).toBeGreaterThan(before);
    expect(() => sim.clock.advance(1000)).toThrow(/manual/);
    await sim.stop();
  });
});
