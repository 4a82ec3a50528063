/**
 * Market data with a KrakenDataClient on its own: trades, quotes, a maintained book and final one-minute bars of
 * a Spot pair, then historical bars of a Futures perpetual from the charts API. The simulator runs on a manual
 * clock, advanced here, so five simulated minutes take a few seconds.
 *
 *   npx ts-node docs/examples/market-data.ts
 */
import { lastValueFrom, Subscription, toArray } from 'rxjs';
import { type Bar, KrakenDataClient, type OrderBook, type TradeTick } from '../../src';
import { KrakenSimulator } from '../../src/sim';

/** Advances the simulated clock five seconds at a time, letting the sockets deliver in between. */
async function runMarket(sim: KrakenSimulator, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i += 5) {
    sim.clock.advance(5_000);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function main(): Promise<void> {
  const startTime = Date.UTC(2026, 0, 5, 12, 0);
  const sim = await KrakenSimulator.start({ seed: 7, clock: 'manual', startTime });
  const data = new KrakenDataClient({
    ...sim.config(),
    productTypes: ['SPOT', 'FUTURES'],
    updateInstrumentsIntervalMins: null, // no periodic instrument reload in a short script
  });
  const subscriptions = new Subscription();
  const trades: TradeTick[] = [];
  const bars: Bar[] = [];
  let book: OrderBook | undefined;
  let quotes = 0;
  try {
    subscriptions.add(data.trades('BTC/USD.KRAKEN').subscribe((t) => trades.push(t)));
    subscriptions.add(data.quotes('BTC/USD.KRAKEN').subscribe(() => (quotes += 1)));
    subscriptions.add(data.book('BTC/USD.KRAKEN', { depth: 10 }).subscribe((b) => (book = b)));
    // EXTERNAL: Kraken's OHLC channel, each bar emitted once, final, when the next minute's first update arrives.
    subscriptions.add(data.bars('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL').subscribe((b) => bars.push(b)));
    subscriptions.add(data.errors$.subscribe((err) => console.warn(`reported: ${err.message}`)));

    await new Promise((resolve) => setTimeout(resolve, 200)); // let the subscriptions be acknowledged
    await runMarket(sim, 300);

    console.log(`${trades.length} trades, ${quotes} quotes; last ${trades.at(-1)?.price.toFixed()}`);
    console.log(`book: ${book?.bids.length}x${book?.asks.length} levels, spread ${book?.spread?.toFixed()}`);
    for (const b of bars) {
      const close = new Date(b.tsEvent).toISOString().slice(11, 16);
      console.log(
        `bar ${close}  O ${b.open.toFixed()} H ${b.high.toFixed()} L ${b.low.toFixed()} C ${b.close.toFixed()}`,
      );
    }

    // Futures bars come from the charts API (the Futures WebSocket has no bar feed); MARK = mark-price candles.
    const markBars = await lastValueFrom(
      data
        .requestBars('PF_XBTUSD.KRAKEN-5-MINUTE-MARK-EXTERNAL', { start: startTime, end: sim.clock.now() })
        .pipe(toArray()),
    );
    console.log(`PF_XBTUSD 5-minute mark bars: ${markBars.map((b) => b.close.toFixed()).join(', ')}`);
  } finally {
    subscriptions.unsubscribe();
    await data.close();
    await sim.stop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
