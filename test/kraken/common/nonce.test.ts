import { KrakenConfigError } from '../../../src/errors';
import { NonceSource } from '../../../src/kraken/common/nonce';

function expectStrictlyIncreasing(nonces: readonly string[]): void {
  for (let i = 1; i < nonces.length; i++) {
    expect(BigInt(nonces[i]) > BigInt(nonces[i - 1])).toBe(true);
  }
}

describe('NonceSource', () => {
  it('uses the clock in microseconds', () => {
    const source = new NonceSource({ now: () => 1_700_000_000_000 });
    expect(source.next()).toBe('1700000000000000');
  });

  it('keeps the sub-millisecond part of a fractional clock', () => {
    const source = new NonceSource({ now: () => 1_700_000_000_000.25 });
    expect(source.next()).toBe('1700000000000250');
  });

  it('10,000 calls in one clock tick are strictly increasing and unique', () => {
    const source = new NonceSource({ now: () => 1_700_000_000_000 });
    const nonces = Array.from({ length: 10_000 }, () => source.next());
    expectStrictlyIncreasing(nonces);
    expect(new Set(nonces).size).toBe(10_000);
    expect(nonces[0]).toBe('1700000000000000');
    expect(nonces[9_999]).toBe('1700000000009999');
  });

  it('10,000 concurrent async callers in one tick get strictly increasing nonces in call order', async () => {
    const source = new NonceSource({ now: () => 1_700_000_000_000 });
    const nonces = await Promise.all(Array.from({ length: 10_000 }, () => Promise.resolve().then(() => source.next())));
    expectStrictlyIncreasing(nonces);
  });

  it('still increases when the wall clock goes backwards', () => {
    const readings = [1_700_000_000_000, 1_700_000_000_005, 1_699_999_000_000, 1_600_000_000_000, 1_700_000_000_005];
    let i = 0;
    const source = new NonceSource({ now: () => readings[Math.min(i++, readings.length - 1)] });
    const nonces = readings.map(() => source.next());
    expectStrictlyIncreasing(nonces);
    expect(nonces).toEqual([
      '1700000000000000',
      '1700000000005000',
      '1700000000005001',
      '1700000000005002',
      '1700000000005003',
    ]);
  });

  it('follows the clock again once it passes the last nonce', () => {
    let now = 1_700_000_000_000;
    const source = new NonceSource({ now: () => now });
    source.next();
    now -= 1000;
    expect(source.next()).toBe('1700000000000001');
    now += 2000;
    expect(source.next()).toBe('1700000001000000');
  });

  it('survives a broken clock (NaN, negative) by counting up', () => {
    const readings = [Number.NaN, -5, 0];
    let i = 0;
    const source = new NonceSource({ now: () => readings[i++] });
    expect([source.next(), source.next(), source.next()]).toEqual(['0', '1', '2']);
  });

  it('two sources are independent', () => {
    const clock = () => 1_700_000_000_000;
    const a = new NonceSource({ now: clock });
    const b = new NonceSource({ now: clock });
    a.next();
    a.next();
    a.next();
    expect(b.next()).toBe('1700000000000000');
    expect(a.next()).toBe('1700000000000003');
  });

  it('stays within Number.MAX_SAFE_INTEGER at the default scale for realistic clocks', () => {
    const source = new NonceSource({ now: () => Date.UTC(2200, 0, 1) });
    expect(Number.isSafeInteger(Number(source.next()))).toBe(true);
  });

  it('supports millisecond and nanosecond scales', () => {
    expect(new NonceSource({ now: () => 1_700_000_000_000, unitsPerMs: 1 }).next()).toBe('1700000000000');
    expect(new NonceSource({ now: () => 1_700_000_000_000, unitsPerMs: 1_000_000 }).next()).toBe('1700000000000000000');
  });

  it('starts above a persisted floor', () => {
    const source = new NonceSource({ now: () => 1_700_000_000_000, floor: '1700000000000000000' });
    expect(source.peek()).toBe('1700000000000000000');
    expect(source.next()).toBe('1700000000000000001');
  });

  it('rejects a bad floor or scale with a KrakenConfigError', () => {
    expect(() => new NonceSource({ floor: '-1' })).toThrow(KrakenConfigError);
    expect(() => new NonceSource({ unitsPerMs: 10 as never })).toThrow(KrakenConfigError);
  });

  it('defaults to the wall clock', () => {
    const before = BigInt(Date.now()) * 1000n;
    const nonce = BigInt(new NonceSource().next());
    expect(nonce >= before).toBe(true);
    expect(nonce <= BigInt(Date.now() + 1) * 1000n).toBe(true);
  });
});
