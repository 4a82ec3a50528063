import { KrakenDataClientConfig, KrakenExecClientConfig } from '../../src/config/config';
import { silentLogger } from '../../src/config/logger';
import { KrakenHttpStacks } from '../../src/node/sharedHttp';

const NO_ENV = {};
const SECRET = Buffer.from('a-secret-of-some-length').toString('base64');
const hosts = { baseUrlHttpSpot: 'http://127.0.0.1:1', baseUrlHttpFutures: 'http://127.0.0.1:1', logger: silentLogger };

describe('KrakenHttpStacks', () => {
  it('gives a keyless data client and an execution client of the same hosts one stack, with both product types and the execution keys', () => {
    const data = new KrakenDataClientConfig({ ...hosts, productTypes: ['SPOT', 'FUTURES'] }, NO_ENV);
    const exec = new KrakenExecClientConfig(
      { ...hosts, productTypes: ['SPOT'], apiKey: 'spot-key', apiSecret: SECRET },
      NO_ENV,
    );
    const stacks = new KrakenHttpStacks([data, exec]);
    expect(stacks.all()).toHaveLength(1);
    const stack = stacks.for(data);
    expect(stacks.for(exec)).toBe(stack);
    expect(stack.config.productTypes).toEqual(['SPOT', 'FUTURES']);
    expect(stack.config.credentials('SPOT')?.apiKey).toBe('spot-key');
    expect(stack.config.credentials('SPOT')?.apiSecret.reveal()).toBe(SECRET);
    expect(stack.config.credentials('FUTURES')).toBeUndefined();
    expect(stack.http.raw).toBe(stack.raw);
    expect(stack.instrumentProvider.http).toBe(stack.http);
    stacks.close();
  });

  it('keeps a Futures-only key a Futures key when the stack covers both product types', () => {
    const data = new KrakenDataClientConfig({ ...hosts, productTypes: ['SPOT'] }, NO_ENV);
    const exec = new KrakenExecClientConfig(
      { ...hosts, productTypes: ['FUTURES'], apiKey: 'futures-key', apiSecret: SECRET },
      NO_ENV,
    );
    const stacks = new KrakenHttpStacks([data, exec]);
    const stack = stacks.for(exec);
    expect(stack.config.productTypes).toEqual(['SPOT', 'FUTURES']);
    expect(stack.config.credentials('FUTURES')?.apiKey).toBe('futures-key');
    expect(stack.config.credentials('SPOT')).toBeUndefined();
    stacks.close();
  });

  it('gives clients with different keys or hosts stacks of their own', () => {
    const a = new KrakenExecClientConfig({ ...hosts, apiKey: 'key-a', apiSecret: SECRET }, NO_ENV);
    const b = new KrakenExecClientConfig({ ...hosts, apiKey: 'key-b', apiSecret: SECRET }, NO_ENV);
    const c = new KrakenDataClientConfig({ ...hosts, baseUrlHttpSpot: 'http://127.0.0.1:2' }, NO_ENV);
    const stacks = new KrakenHttpStacks([a, b, c]);
    expect(stacks.all()).toHaveLength(3);
    expect(stacks.for(a).raw).not.toBe(stacks.for(b).raw);
    expect(stacks.for(a).config.credentials('SPOT')?.apiKey).toBe('key-a');
    expect(stacks.for(b).config.credentials('SPOT')?.apiKey).toBe('key-b');
    stacks.close();
  });

  it('warns, once per setting, when a client sharing the stack has other HTTP settings (the first one wins)', () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
    const exec = new KrakenExecClientConfig(
      { ...hosts, logger, apiKey: 'k', apiSecret: SECRET, maxRetries: 1, httpTimeoutSecs: 5 },
      NO_ENV,
    );
    const data = new KrakenDataClientConfig({ ...hosts, maxRetries: 3, httpTimeoutSecs: 5 }, NO_ENV);
    const data2 = new KrakenDataClientConfig({ ...hosts, maxRetries: 4, fetch: async () => new Response() }, NO_ENV);
    const stacks = new KrakenHttpStacks([data, exec, data2]);
    expect(stacks.all()).toHaveLength(1);
    expect(stacks.for(data).config.maxRetries).toBe(1);
    expect(warnings).toEqual([
      'clients that share an API key share one HTTP client: a client configured with maxRetries 3 uses 1 for its REST calls (give them the same maxRetries)',
      'clients that share an API key share one HTTP client: a client configured with httpTimeoutSecs 10 uses 5 for its REST calls (give them the same httpTimeoutSecs)',
      "clients that share an API key share one HTTP client: a client configured with another fetch uses the first one's for its REST calls (give them the same fetch)",
    ]);
    stacks.close();
  });

  it('stays quiet when the clients of a stack agree', () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
    const exec = new KrakenExecClientConfig({ ...hosts, logger, apiKey: 'k', apiSecret: SECRET }, NO_ENV);
    const stacks = new KrakenHttpStacks([new KrakenDataClientConfig(hosts, NO_ENV), exec]);
    expect(warnings).toEqual([]);
    stacks.close();
  });

  it('reloads instruments only when a data client is in the stack', () => {
    const exec = new KrakenExecClientConfig({ ...hosts, apiKey: 'k', apiSecret: SECRET }, NO_ENV);
    const data = new KrakenDataClientConfig({ ...hosts, updateInstrumentsIntervalMins: 5 }, NO_ENV);
    const execOnly = new KrakenHttpStacks([exec]);
    expect(execOnly.for(exec).config.updateInstrumentsIntervalMins).toBeNull();
    const both = new KrakenHttpStacks([exec, data]);
    expect(both.for(exec).config.updateInstrumentsIntervalMins).toBe(5);
    execOnly.close();
    both.close();
  });
});
