/**
 * Quick start: a TradingNode with Spot and Futures market data and order entry, against the embedded
 * KrakenSimulator (no network, no credentials).
 *
 *   npx ts-node docs/examples/quickstart.ts
 *
 * Against Kraken itself: drop the simulator and its `sim.config()`, and set KRAKEN_SPOT_API_KEY /
 * KRAKEN_SPOT_API_SECRET and KRAKEN_FUTURES_API_KEY / KRAKEN_FUTURES_API_SECRET.
 */
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { KRAKEN, KrakenLiveDataClientFactory, KrakenLiveExecClientFactory, TradingNode } from '../../src';
import { KrakenSimulator } from '../../src/sim';

export async function main(): Promise<void> {
  const sim = await KrakenSimulator.start({ seed: 7 });
  const clientConfig = { ...sim.config(), productTypes: ['SPOT', 'FUTURES'] as const };
  const node = new TradingNode({
    dataClients: { KRAKEN: clientConfig },
    execClients: { KRAKEN: clientConfig },
  });
  node.addDataClientFactory(KRAKEN, KrakenLiveDataClientFactory);
  node.addExecClientFactory(KRAKEN, KrakenLiveExecClientFactory);

  try {
    // Confirms the keys and that they may trade, loads instruments, opens the private streams, reconciles.
    await node.start();
    const reconciled = node.reconciliation(KRAKEN);
    console.log(
      `running: ${node.instruments().length} instruments, ${reconciled?.orderReports.length} orders at start`,
    );

    const data = node.dataClient(KRAKEN);
    const book = await firstValueFrom(data.book('BTC/USD.KRAKEN', { depth: 10 }));
    console.log(`BTC/USD   bid ${book.bestBid?.price.toFixed()}  ask ${book.bestAsk?.price.toFixed()}`);

    const quotes = await lastValueFrom(data.quotes('PF_XBTUSD.KRAKEN').pipe(take(3), toArray()));
    for (const q of quotes) console.log(`PF_XBTUSD bid ${q.bidPrice.toFixed()}  ask ${q.askPrice.toFixed()}`);

    // A post-only limit buy 5% under the market, then its cancellation: each command emits its events.
    const exec = node.execClient(KRAKEN);
    const price = book.bestBid?.price.mul(0.95).toDecimalPlaces(1) ?? '50000';
    const submitted = await lastValueFrom(
      exec
        .submitOrder({
          clientOrderId: 'quickstart-1',
          instrumentId: 'BTC/USD.KRAKEN',
          side: 'BUY',
          type: 'LIMIT',
          quantity: '0.01',
          price,
          postOnly: true,
        })
        .pipe(toArray()),
    );
    console.log(submitted.map((e) => e.type).join(' → '));
    const canceled = await lastValueFrom(
      exec.cancelOrder({ clientOrderId: 'quickstart-1', instrumentId: 'BTC/USD.KRAKEN' }).pipe(toArray()),
    );
    console.log(canceled.map((e) => e.type).join(' → '));
  } finally {
    await node.stop(); // closes every socket, timer and instrument reload
    await sim.stop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
