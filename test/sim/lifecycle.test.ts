import { KrakenSimulator } from '../../src/sim';

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
});
