/**
 * Order entry with a KrakenExecutionClient: submit, amend and cancel a limit order on Spot and on Futures, fill a
 * market order, see an order refused locally (`OrderDenied`, never sent), then the reports Kraken keeps.
 *
 *   npx ts-node docs/examples/orders.ts
 */
import { firstValueFrom, lastValueFrom, Subscription, toArray } from 'rxjs';
import { isOrderEvent, KrakenExecutionClient, type OrderEvent } from '../../src';
import { KrakenSimulator } from '../../src/sim';

function show(events: readonly OrderEvent[]): string {
  return events.map((e) => ('reason' in e && e.reason ? `${e.type} (${e.reason})` : e.type)).join(' → ');
}

export async function main(): Promise<void> {
  const sim = await KrakenSimulator.start({ seed: 7 });
  const exec = new KrakenExecutionClient({ ...sim.config(), productTypes: ['SPOT', 'FUTURES'] });
  const subscriptions = new Subscription();
  try {
    // Every order event and account update, from the private WebSocket streams (hot).
    subscriptions.add(
      exec.events$.subscribe((e) => {
        if (isOrderEvent(e) && e.type === 'OrderFilled') {
          console.log(`  fill ${e.clientOrderId}: ${e.lastQty.toFixed()} @ ${e.lastPx.toFixed()} (${e.liquiditySide})`);
        }
      }),
    );
    await exec.connect();

    for (const [instrumentId, price] of [
      ['BTC/USD.KRAKEN', '55000.0'],
      ['PF_XBTUSD.KRAKEN', '55000'],
    ] as const) {
      const id = `ex-${instrumentId.slice(0, 2).toLowerCase()}`;
      const submit = exec.submitOrder({
        clientOrderId: `${id}-1`,
        instrumentId,
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.01',
        price,
        postOnly: true,
      });
      console.log(`${instrumentId} submit: ${show(await lastValueFrom(submit.pipe(toArray())))}`);
      const amend = exec.modifyOrder({ clientOrderId: `${id}-1`, instrumentId, price: '55500' });
      console.log(`${instrumentId} amend:  ${show(await lastValueFrom(amend.pipe(toArray())))}`);
      const cancel = exec.cancelOrder({ clientOrderId: `${id}-1`, instrumentId });
      console.log(`${instrumentId} cancel: ${show(await lastValueFrom(cancel.pipe(toArray())))}`);
      const market = exec.submitOrder({
        clientOrderId: `${id}-2`,
        instrumentId,
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.01',
      });
      console.log(`${instrumentId} market: ${show(await lastValueFrom(market.pipe(toArray())))}`);
    }

    // Refused before anything is sent: Kraken Futures orders have no GTD.
    const denied = exec.submitOrder({
      clientOrderId: 'ex-gtd',
      instrumentId: 'PF_XBTUSD.KRAKEN',
      side: 'SELL',
      type: 'LIMIT',
      quantity: '0.01',
      price: '70000',
      timeInForce: 'GTD',
      expireTime: Date.now() + 60_000,
    });
    console.log(`GTD on Futures: ${show(await lastValueFrom(denied.pipe(toArray())))}`);

    await new Promise((resolve) => setTimeout(resolve, 500)); // let the fills arrive on the streams
    const status = await firstValueFrom(exec.massStatus({ lookbackMins: 60 }));
    console.log(
      `reports: ${status.orderReports.length} orders, ${status.fillReports.length} fills, ${status.positionReports.length} positions`,
    );
    for (const p of status.positionReports) {
      console.log(`  position ${p.instrumentId.toString()} ${p.positionSide} ${p.quantity.toFixed()}`);
    }
  } finally {
    subscriptions.unsubscribe();
    await exec.close();
    await sim.stop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
