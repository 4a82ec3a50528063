/**
 * The `kraken-rx` command line, in process: argument errors (one line, exit 2), help on every command, and
 * `instruments --json` / `bars --json` against the simulator.
 */
import { DEMO_MAX_SECONDS, DEMO_MAX_SPEED, demoTimeline } from '../../src/cli/commands/demo';
import Decimal from 'decimal.js';
import { main } from '../../src/cli/main';
import { ndjson, type CliIO } from '../../src/cli/io';

jest.setTimeout(20_000);

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

async function run(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const code = await main(argv, { io });
  return {
    code,
    out: out
      .join('\n')
      .split('\n')
      .filter((l) => l !== ''),
    err,
  };
}

describe('kraken-rx arguments', () => {
  it.each([
    [[], /^kraken-rx: missing command/],
    [['trade'], /^kraken-rx: unknown command 'trade'; commands: demo, watch, bars, instruments/],
    [['--verbose'], /^kraken-rx: unknown option '--verbose'/],
    [
      ['demo', '--speed', 'fast'],
      /^kraken-rx demo: --speed expects a positive number, got 'fast' \(kraken-rx demo --help\)$/,
    ],
    [['demo', '--live'], /^kraken-rx demo: the demo places orders/],
    [['demo', '--speed', '1000'], /^kraken-rx demo: --speed is at most 120 .*, got 1000 \(kraken-rx demo --help\)$/],
    [['demo', '--seconds', '1e9'], /^kraken-rx demo: --seconds is at most 3600, got 1e9/],
    [['demo', 'now'], /^kraken-rx demo: unexpected argument 'now'/],
    [['watch'], /^kraken-rx watch: missing <instrument>/],
    [['watch', 'BTC/USD', '--channels', 'ticks'], /^kraken-rx watch: unknown channel 'ticks'/],
    [['watch', 'BTC/USD', '--channels', 'book', '--depth', '7'], /--depth for a Spot book must be one of 10, 25/],
    [['watch', 'BTC/USD', '--count', '0'], /--count expects a positive integer, got '0'/],
    [['watch', 'BTC/USD', '--bogus'], /^kraken-rx watch: Unknown option '--bogus' \(kraken-rx watch --help\)$/],
    [['bars'], /^kraken-rx bars: missing <barType>/],
    [
      ['bars', 'BTC/USD-1-MINUTE-LAST'],
      /^kraken-rx bars: BarType: expected 'INSTRUMENT-STEP-AGGREGATION-PRICETYPE-SOURCE'/,
    ],
    [['bars', 'BTC/USD-2-MINUTE-LAST-EXTERNAL'], /Kraken Spot OHLC has no 2-MINUTE bars; supported: 1-MINUTE/],
    [['bars', 'BTC/USD-1-MINUTE-LAST-INTERNAL'], /historical bars are EXTERNAL/],
    [['bars', 'BTC/USD-1-MINUTE-LAST-EXTERNAL', '--start', 'yesterday'], /--start expects an ISO time/],
    [['bars', 'BTC/USD-1-MINUTE-LAST-EXTERNAL', '--start', '-1h', '--end', '-2h'], /--start must be before --end/],
    [['bars', 'BTC/USD-1-MINUTE-LAST-EXTERNAL', '--limit'], /Option '--limit <value>' argument missing/],
    [['instruments', '--product', 'options'], /--product expects spot, futures or all, got 'options'/],
  ])('%j exits 2 with one line on stderr', async (argv, message) => {
    const { code, out, err } = await run(...argv);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).not.toContain('\n');
    expect(err[0]).toMatch(message);
  });

  it.each([['--help'], ['demo', '--help'], ['watch', '-h'], ['bars', '--help'], ['instruments', '--help']])(
    '%j prints help and exits 0',
    async (...argv) => {
      const { code, out, err } = await run(...argv);
      expect(code).toBe(0);
      expect(err).toEqual([]);
      expect(out[0]).toMatch(/^Usage: kraken-rx /);
      expect(out.join('\n')).toContain('--json');
    },
  );
});

describe('NDJSON lines', () => {
  it('print Decimals as plain decimal text at any depth, and bigints as text', () => {
    expect(ndjson({ size: new Decimal('1e-8'), levels: [{ price: new Decimal('1.5e21') }], n: 10n, s: 'x' })).toBe(
      '{"size":"0.00000001","levels":[{"price":"1500000000000000000000"}],"n":"10","s":"x"}',
    );
    expect(ndjson(new Decimal('-1e-9'))).toBe('"-0.000000001"');
  });
});

describe('kraken-rx demo timeline', () => {
  const now = Date.UTC(2026, 10, 30, 6, 35, 47);
  it.each([
    [12, 30],
    [60, 60],
    [DEMO_MAX_SECONDS, DEMO_MAX_SPEED],
    [0.5, 1],
  ])('--seconds %p --speed %p: the simulated clock stays behind the real one, and the lookback covers it', (s, x) => {
    const { startTime, lookbackMins } = demoTimeline(now, s, x);
    expect(startTime % 60_000).toBe(0);
    expect(startTime).toBeLessThanOrEqual(now - 20 * 60_000);
    // Simulated time after the run (and a minute of overrun) at full speed is still before the real end.
    expect(startTime + (s + 60) * x * 1000).toBeLessThanOrEqual(now + s * 1000);
    // The reconciliation, asked at the real end, reaches back before the simulated start.
    expect(now + (s + 60) * 1000 - lookbackMins * 60_000).toBeLessThan(startTime);
  });
});

describe('kraken-rx against the simulator', () => {
  it('instruments --json prints one instrument per line as NDJSON', async () => {
    const { code, out, err } = await run('instruments', '--json');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const instruments = out.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(instruments.map((i) => i.id)).toEqual(
      expect.arrayContaining(['BTC/USD.KRAKEN', 'ETH/BTC.KRAKEN', 'PI_XBTUSD.KRAKEN', 'PF_XBTUSD.KRAKEN']),
    );
    const pf = instruments.find((i) => i.id === 'PF_XBTUSD.KRAKEN');
    expect(pf).toMatchObject({ kind: 'CryptoPerpetual', priceIncrement: '1', isInverse: false });
    // Plain decimal text, not decimal.js's exponent form ('1e-8').
    expect(instruments.find((i) => i.id === 'BTC/USD.KRAKEN')).toMatchObject({ sizeIncrement: '0.00000001' });
  });

  it('instruments prints a table', async () => {
    const { code, out } = await run('instruments', '--product', 'spot');
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^3 instruments from the embedded KrakenSimulator/);
    expect(out[1]).toMatch(/^ID\s+KIND/);
    expect(out.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['BTC/USD.KRAKEN', 'ETH/USD.KRAKEN', 'ETH/BTC.KRAKEN']);
  });

  it('bars --json prints closed bars as NDJSON, oldest first', async () => {
    const { code, out } = await run('bars', 'PF_XBTUSD-1-MINUTE-MARK-EXTERNAL', '--limit', '5', '--json');
    expect(code).toBe(0);
    const bars = out.map((line) => JSON.parse(line) as { type: string; barType: string; tsEvent: number });
    expect(bars).toHaveLength(5);
    expect(bars.every((b) => b.type === 'bar' && b.barType === 'PF_XBTUSD.KRAKEN-1-MINUTE-MARK-EXTERNAL')).toBe(true);
    expect(bars.map((b) => b.tsEvent)).toEqual([...bars.map((b) => b.tsEvent)].sort((a, b) => a - b));
  });

  it('watch exits 2 for an instrument the venue does not list', async () => {
    const { code, err } = await run('watch', 'DOGE/EUR', '--count', '1');
    expect(code).toBe(2);
    expect(err).toEqual([
      "kraken-rx watch: unknown instrument 'DOGE/EUR.KRAKEN' (kraken-rx instruments lists them) (kraken-rx watch --help)",
    ]);
  });

  it('watch --json --count streams NDJSON lines and stops', async () => {
    const { code, out } = await run('watch', 'PF_XBTUSD', '--channels', 'quotes', '--json', '--count', '3');
    expect(code).toBe(0);
    expect(out).toHaveLength(3);
    for (const line of out) {
      expect(JSON.parse(line)).toMatchObject({ type: 'quote', instrumentId: 'PF_XBTUSD.KRAKEN' });
    }
  });
});
