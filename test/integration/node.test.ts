/**
 * TradingNode against the simulator: build/start/stop with Spot and Futures data and execution clients, the
 * start-up credential and permission checks, and start-up reconciliation.
 */
import Decimal from 'decimal.js';
import { firstValueFrom } from 'rxjs';
import { silentLogger } from '../../src/config/logger';
import { KRAKEN } from '../../src/model/identifiers';
import { KrakenCredentialsError } from '../../src/node/credentials';
import { KrakenLiveDataClientFactory, KrakenLiveExecClientFactory } from '../../src/node/factories';
import { TradingNode, type TradingNodeConfig } from '../../src/node/TradingNode';
import type { SimServer } from '../../src/sim/server';
import { KrakenSimulator } from '../../src/sim/simulator';

jest.setTimeout(30_000);

let sim: KrakenSimulator;
let server: SimServer;
beforeAll(async () => {
  sim = await KrakenSimulator.start({ seed: 11, heartbeatMs: 0, layers: [(ctx) => (server = ctx.server)] });
});

const openSockets = () => server.socketsOf().filter((s) => s.isOpen()).length;
afterAll(() => sim.stop());
afterEach(() => sim.faults.reset());

function clients(overrides: Record<string, unknown> = {}) {
  return { ...sim.config(), productTypes: ['SPOT', 'FUTURES'] as const, logger: silentLogger, ...overrides };
}

function makeNode(config: TradingNodeConfig): TradingNode {
  return new TradingNode({ logger: silentLogger, ...config })
    .addDataClientFactory(KRAKEN, KrakenLiveDataClientFactory)
    .addExecClientFactory(KRAKEN, KrakenLiveExecClientFactory);
}

async function startFailure(node: TradingNode): Promise<KrakenCredentialsError> {
  const failure = await node.start().catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(KrakenCredentialsError);
  expect(node.state).toBe('STOPPED');
  return failure as KrakenCredentialsError;
}

describe('TradingNode against the simulator', () => {
  it('starts Spot and Futures clients, reconciles at start, streams, and stops', async () => {
    // An order resting at the venue before the node starts: start-up reconciliation must report it.
    const resting = sim.engine.submitOrder(sim.accounts().spot, {
      symbol: 'BTC/USD',
      side: 'buy',
      type: 'limit',
      qty: new Decimal('0.01'),
      limitPrice: new Decimal('30000'),
      clOrdId: 'before-start',
    });
    expect(resting.ok).toBe(true);

    const node = makeNode({
      dataClients: { KRAKEN: clients({ updateInstrumentsIntervalMins: null }) },
      execClients: { KRAKEN: clients() },
    });
    await node.start();
    try {
      expect(node.state).toBe('RUNNING');
      expect(node.instruments().map((i) => i.id.toString())).toEqual(
        expect.arrayContaining(['BTC/USD.KRAKEN', 'PF_XBTUSD.KRAKEN', 'PI_XBTUSD.KRAKEN']),
      );

      const reconciliation = node.reconciliation(KRAKEN);
      expect(reconciliation).toBeDefined();
      const report = reconciliation?.orderReports.find((r) => r.clientOrderId === 'before-start');
      expect(report?.orderStatus).toBe('ACCEPTED');
      expect(report?.price?.toFixed()).toBe('30000');

      const data = node.dataClient(KRAKEN);
      expect(node.execClient(KRAKEN).instrumentSource).toBe(data.instrumentProvider);
      const [spotBook, futuresTrade] = await Promise.all([
        firstValueFrom(data.book('BTC/USD.KRAKEN', { depth: 10 })),
        firstValueFrom(data.quotes('PF_XBTUSD.KRAKEN')),
      ]);
      expect(spotBook.bids.length).toBeGreaterThan(0);
      expect(futuresTrade.bidPrice.lt(futuresTrade.askPrice)).toBe(true);
      // Spot public, Spot authenticated, Futures (public and private on one socket per client).
      expect(openSockets()).toBeGreaterThanOrEqual(3);
    } finally {
      await node.stop();
      if (resting.ok) sim.engine.cancelOrder(sim.accounts().spot, resting.order.id);
    }
    expect(node.state).toBe('STOPPED');
    const until = Date.now() + 2_000;
    while (openSockets() > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(openSockets()).toBe(0);
  });

  it('rejects a bad Spot key at start with an error naming SPOT and its env vars', async () => {
    const node = makeNode({ execClients: { KRAKEN: clients({ apiKey: 'not-a-key' }) } });
    const err = await startFailure(node);
    expect(err.productType).toBe('SPOT');
    expect(err.problem).toBe('rejected');
    expect(err.reason).toBe('EAPI:Invalid key');
    expect(err.message).toBe(
      'Kraken Spot (SPOT) refused the API key given in apiKey/apiSecret (EAPI:Invalid key): set KRAKEN_SPOT_API_KEY and KRAKEN_SPOT_API_SECRET, or apiKey/apiSecret, to a valid Kraken Spot API key and secret',
    );
    expect(String(err.stack).split('\n')[0]).toBe(`KrakenCredentialsError: ${err.message}`);
    expect(err.message).not.toContain(sim.config().apiSecret);
  });

  it('rejects a bad Futures key at start with an error naming FUTURES and its env vars', async () => {
    const node = makeNode({
      execClients: { KRAKEN: clients({ productTypes: ['FUTURES'], futuresApiKey: 'not-a-key' }) },
    });
    const err = await startFailure(node);
    expect(err.productType).toBe('FUTURES');
    expect(err.reason).toBe('authenticationError');
    expect(err.envVars).toEqual(['KRAKEN_FUTURES_API_KEY', 'KRAKEN_FUTURES_API_SECRET']);
    expect(err.message).toMatch(/Kraken Futures \(FUTURES\) refused the API key .*KRAKEN_FUTURES_API_KEY/);
  });

  it('rejects a Spot key that may not trade (EGeneral:Permission denied on a validate-only AddOrder)', async () => {
    sim.faults.failNextRest({ path: '/0/private/AddOrder', krakenError: 'EGeneral:Permission denied' });
    const node = makeNode({ execClients: { KRAKEN: clients({ productTypes: ['SPOT'] }) } });
    const err = await startFailure(node);
    expect(err.productType).toBe('SPOT');
    expect(err.problem).toBe('cannot-trade');
    expect(err.message).toMatch(/does not let the API key .* trade \(EGeneral:Permission denied\)/);
    expect(err.message).toContain('KRAKEN_SPOT_API_KEY');
  });

  it('rejects a Futures key that may not trade (authenticationError on the cancelorder probe)', async () => {
    sim.faults.failNextRest({ path: '/derivatives/api/v3/cancelorder', krakenError: 'authenticationError' });
    const node = makeNode({ execClients: { KRAKEN: clients({ productTypes: ['FUTURES'] }) } });
    const err = await startFailure(node);
    expect(err.productType).toBe('FUTURES');
    expect(err.problem).toBe('cannot-trade');
    expect(err.reason).toBe('authenticationError');
    expect(err.envVars).toEqual(['KRAKEN_FUTURES_API_KEY', 'KRAKEN_FUTURES_API_SECRET']);
    expect(err.message).toMatch(
      /^Kraken Futures \(FUTURES\) does not let the API key .* trade \(authenticationError\): use a key with full access \(order entry\) in KRAKEN_FUTURES_API_KEY\/KRAKEN_FUTURES_API_SECRET$/,
    );
    expect(err.message).not.toContain(sim.config().futuresApiSecret);
  });

  it('rejects a Spot key that may not read the account (EGeneral:Permission denied on Balance)', async () => {
    sim.faults.failNextRest({ path: '/0/private/Balance', krakenError: 'EGeneral:Permission denied' });
    const node = makeNode({ execClients: { KRAKEN: clients({ productTypes: ['SPOT'] }) } });
    const err = await startFailure(node);
    expect(err.problem).toBe('cannot-query');
    expect(err.message).toMatch(
      /does not let the API key .* read the account \(EGeneral:Permission denied\): .*"Funds: Query"/,
    );
  });

  it('places nothing when it checks the trading permission', async () => {
    const before = sim.engine.accountOrders(sim.accounts().spot).length;
    const node = makeNode({ execClients: { KRAKEN: clients({ productTypes: ['SPOT'] }) }, reconciliation: false });
    await node.start();
    await node.stop();
    expect(sim.engine.accountOrders(sim.accounts().spot)).toHaveLength(before);
    expect(node.reconciliation(KRAKEN)).toBeUndefined();
  });
});
