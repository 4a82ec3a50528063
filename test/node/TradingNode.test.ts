import { KrakenExecClientConfig } from '../../src/config/config';
import { silentLogger } from '../../src/config/logger';
import { KrakenConfigError } from '../../src/errors';
import { KRAKEN } from '../../src/model/identifiers';
import { KrakenCredentialsError } from '../../src/node/credentials';
import {
  type ClientFactoryContext,
  type DataClientFactory,
  type ExecClientFactory,
  KrakenLiveDataClientFactory,
  KrakenLiveExecClientFactory,
} from '../../src/node/factories';
import { TradingNode } from '../../src/node/TradingNode';

const SECRET = Buffer.from('a-secret-of-some-length').toString('base64');
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

  it('hands the data and execution clients of one key one HTTP client (so one raw client), and another key its own', async () => {
    const seen: Record<string, ClientFactoryContext | undefined> = {};
    const record = <F extends DataClientFactory | ExecClientFactory>(factory: F): F =>
      ({
        create: (name: string, config: never, context?: ClientFactoryContext) => {
          seen[name] = context;
          return factory.create(name, config, context);
        },
      }) as F;
    const keyA = { apiKey: 'key-a', apiSecret: SECRET };
    const n = new TradingNode({
      logger: silentLogger,
      dataClients: { DATA: { ...hosts, productTypes: ['SPOT', 'FUTURES'] } },
      execClients: {
        A: { ...hosts, ...keyA },
        A2: { ...hosts, ...keyA, maxRetries: 1 },
        B: { ...hosts, apiKey: 'key-b', apiSecret: SECRET },
      },
    })
      .addDataClientFactory('DATA', record(KrakenLiveDataClientFactory))
      .addExecClientFactory('A', record(KrakenLiveExecClientFactory))
      .addExecClientFactory('A2', record(KrakenLiveExecClientFactory))
      .addExecClientFactory('B', record(KrakenLiveExecClientFactory))
      .build();
    try {
      const [data, a, a2, b] = ['DATA', 'A', 'A2', 'B'].map((name) => seen[name]);
      expect(data?.httpClient).toBeDefined();
      // The keyless data client joins the first execution key's stack: one nonce source and rate counters per key.
      expect(a?.httpClient).toBe(data?.httpClient);
      expect(a2?.httpClient).toBe(data?.httpClient);
      expect(a?.instrumentProvider).toBe(data?.instrumentProvider);
      expect(n.dataClient('DATA').http).toBe(data?.httpClient);
      expect(b?.httpClient).toBeDefined();
      expect(b?.httpClient).not.toBe(a?.httpClient);
      expect(b?.httpClient?.raw).not.toBe(a?.httpClient?.raw);
    } finally {
      await n.stop();
    }
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
