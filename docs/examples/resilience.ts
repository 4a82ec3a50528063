/**
 * What happens when things go wrong, shown with the simulator's faults: a dropped connection (the client
 * reconnects and resubscribes, trades missed meanwhile are fetched over REST), a corrupted book checksum (the
 * book is resubscribed, never emitted wrong), a malformed frame (reported, the streams go on) and a refused
 * subscription (that stream errors with Kraken's reason).
 *
 *   npx ts-node docs/examples/resilience.ts
 */
import { Subscription } from 'rxjs';
import { KrakenDataClient, KrakenSubscriptionError, silentLogger } from '../../src';
import { KrakenSimulator } from '../../src/sim';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function main(): Promise<void> {
  const sim = await KrakenSimulator.start({ seed: 7, clock: 'manual' });
  const data = new KrakenDataClient({
    ...sim.config(),
    productTypes: ['SPOT', 'FUTURES'],
    updateInstrumentsIntervalMins: null,
    retryDelayInitialMs: 50, // reconnect quickly in this demonstration (default 1000)
    retryDelayMaxMs: 200,
    logger: silentLogger, // this script prints errors$ and connectionState$ itself
  });
  const subscriptions = new Subscription();
  const market = async (seconds: number) => {
    for (let i = 0; i < seconds; i += 1) {
      sim.clock.advance(1_000);
      await pause(2);
    }
  };
  try {
    subscriptions.add(
      data.connectionState$.subscribe((e) =>
        console.log(`connection ${e.venue}: ${e.state}${e.reason ? ` (${e.reason})` : ''}`),
      ),
    );
    subscriptions.add(data.errors$.subscribe((err) => console.log(`reported ${err.name}: ${err.message}`)));
    let trades = 0;
    let books = 0;
    subscriptions.add(data.trades('BTC/USD.KRAKEN').subscribe(() => (trades += 1)));
    subscriptions.add(data.book('BTC/USD.KRAKEN', { depth: 10 }).subscribe(() => (books += 1)));
    await pause(200);
    await market(60);

    console.log('-- the simulator drops every connection');
    sim.faults.dropAllConnections();
    await market(30);
    await pause(500);

    console.log('-- the next book update carries a wrong checksum');
    sim.faults.corruptNextBookChecksum('BTC/USD');
    await market(10);
    await pause(200);

    console.log('-- a malformed frame');
    sim.faults.sendMalformedFrame({ group: 'spot-public' });
    await market(5);
    await pause(200);

    console.log('-- Kraken refuses a subscription');
    sim.faults.refuseNextSubscription({ group: 'futures', channel: 'trade', reason: 'Invalid product id' });
    await new Promise<void>((resolve) => {
      subscriptions.add(
        data.trades('PF_ETHUSD.KRAKEN').subscribe({
          error: (err: unknown) => {
            const reason = err instanceof KrakenSubscriptionError ? err.reason : String(err);
            console.log(`PF_ETHUSD trades errored: ${reason}`);
            resolve();
          },
        }),
      );
    });
    await market(10);
    console.log(`still streaming: ${trades} BTC/USD trades and ${books} books in all`);
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
