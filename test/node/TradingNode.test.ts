import { KrakenExecClientConfig } from '../../src/config/config';
import { silentLogger } from '../../src/config/logger';
import { KrakenConfigError } from '../../src/errors';
import { KRAKEN } from '../../src/model/identifiers';
import { KrakenCredentialsError } from '../../src/node/credentials';
import { KrakenLiveDataClientFactory, KrakenLiveExecClientFactory } from '../../src/node/factories';
import { TradingNode } from '../../src/node/TradingNode';

const hosts = { baseUrlHttpSpot: 'http://127.0.0.1:1', baseUrlHttpFutures: 'http://127.0.0.1:1', logger: silentLogger };

function node(config: ConstructorParameters<typeof TradingNode>[0]): TradingNode {
  return new TradingNode({ logger: silentLogger, ...config })
    .addDataClientFactory(KRAKEN, KrakenLiveDataClientFactory)
    .addExecClientFactory(KRAKEN, KrakenLiveExecClientFactory);
}

describe('TradingNode configuration', () => {
  it('refuses an unknown option, naming it', () => {
    expect(() => new TradingNode({ dataClient: {} } as never)).toThrow(
      /dataClient: is not an option of TradingNodeConfig/,
    );
  });

  it('refuses a client entry without a registered factory, saying which call is missing', () => {
    const n = new TradingNode({ dataClients: { KRAKEN: hosts } });
    expect(() => n.build()).toThrow(KrakenConfigError);
    expect(() => n.build()).toThrow(/dataClients\.KRAKEN: .*addDataClientFactory\('KRAKEN'/);
  });

  it('names the entry and the option of a bad client config', () => {
    const n = node({ execClients: { KRAKEN: { ...hosts, maxRetries: -1 } } });
    expect(() => n.build()).toThrow(/^execClients\.KRAKEN\.maxRetries: expected an integer >= 0, got -1$/);
  });

  it('refuses a node with no clients', () => {
    expect(() => node({}).build()).toThrow(/no clients configured/);
  });

  it('builds clients that share one instrument provider and HTTP client', async () => {
    const n = node({
      dataClients: { KRAKEN: { ...hosts, productTypes: ['SPOT', 'FUTURES'] } },
      execClients: { KRAKEN: { ...hosts, productTypes: ['SPOT', 'FUTURES'] } },
    }).build();
    expect(n.state).toBe('BUILT');
    const data = n.dataClient(KRAKEN);
    const exec = n.execClient(KRAKEN);
    expect(exec.instrumentSource).toBe(data.instrumentProvider);
    expect(data.instrumentProvider.http).toBe(data.http);
    expect(() => n.dataClient('BINANCE')).toThrow(/no data client 'BINANCE' \(configured: KRAKEN\)/);
    await n.stop();
    expect(n.state).toBe('STOPPED');
  });

  it('rejects start() with a KrakenCredentialsError naming the env vars when an execution client has no key', async () => {
    const config = new KrakenExecClientConfig({ ...hosts, productTypes: ['FUTURES'] }, {});
    const n = node({ execClients: { KRAKEN: config } });
    const failure = await n.start().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(KrakenCredentialsError);
    const err = failure as KrakenCredentialsError;
    expect(err.productType).toBe('FUTURES');
    expect(err.problem).toBe('missing');
    expect(err.envVars).toEqual(['KRAKEN_FUTURES_API_KEY', 'KRAKEN_FUTURES_API_SECRET']);
    expect(err.message).toMatch(
      /Kraken Futures \(FUTURES\) has no API key: set KRAKEN_FUTURES_API_KEY and KRAKEN_FUTURES_API_SECRET/,
    );
    expect(n.state).toBe('STOPPED');
    await expect(n.start()).rejects.toThrow(/cannot be started again/);
  });
});
