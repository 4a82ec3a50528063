/**
 * The runnable examples in docs/examples run to the end against the simulator and print what they promise.
 */
import { main as marketData } from '../../docs/examples/market-data';
import { main as orders } from '../../docs/examples/orders';
import { main as quickstart } from '../../docs/examples/quickstart';
import { main as resilience } from '../../docs/examples/resilience';

jest.setTimeout(30_000);

async function output(run: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
  const warn = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
  try {
    await run();
  } finally {
    log.mockRestore();
    warn.mockRestore();
  }
  return lines.join('\n');
}

describe('docs/examples', () => {
  it('quickstart: starts a node, reads a book and quotes, submits and cancels an order', async () => {
    const text = await output(quickstart);
    expect(text).toMatch(/^running: 6 instruments, 0 orders at start$/m);
    expect(text).toMatch(/^BTC\/USD {3}bid \d+/m);
    expect(text).toMatch(/^OrderSubmitted → OrderAccepted$/m);
    expect(text).toMatch(/^OrderCanceled$/m);
  });

  it('market-data: trades, book and five final one-minute bars, then Futures mark bars', async () => {
    const text = await output(marketData);
    expect(text).toMatch(/^[1-9]\d* trades, [1-9]\d* quotes/m);
    expect(text).toMatch(/^book: 10x10 levels/m);
    expect(text.match(/^bar \d\d:\d\d /gm)?.length).toBeGreaterThanOrEqual(4);
    expect(text).toMatch(/^PF_XBTUSD 5-minute mark bars: \d+/m);
  });

  it('orders: the order life cycles, a local denial, and the reports', async () => {
    const text = await output(orders);
    expect(text).toMatch(/^BTC\/USD\.KRAKEN amend: {2}OrderUpdated$/m);
    expect(text).toMatch(/^PF_XBTUSD\.KRAKEN cancel: OrderCanceled/m);
    expect(text).toMatch(/^GTD on Futures: OrderDenied \(timeInForce GTD is not supported on Kraken Futures/m);
    expect(text).toMatch(/^ {2}position PF_XBTUSD\.KRAKEN LONG 0\.01$/m);
  });

  it('resilience: reconnects, resyncs a corrupted book, reports a malformed frame, surfaces a refusal', async () => {
    const text = await output(resilience);
    expect(text).toMatch(/^connection spot: reconnected$/m);
    expect(text).toMatch(/checksum mismatch/);
    expect(text).toMatch(/^reported KrakenDecodeError: spot: malformed frame/m);
    expect(text).toMatch(/^PF_ETHUSD trades errored: Invalid product id$/m);
    expect(text).toMatch(/^still streaming: [1-9]\d* BTC\/USD trades/m);
  });
});
