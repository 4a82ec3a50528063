/**
 * Client factories: what `TradingNode` calls to make the clients of its `dataClients` and `execClients` entries
 * (NautilusTrader's `KrakenLiveDataClientFactory` / `KrakenLiveExecClientFactory`).
 */
import type {
  KrakenDataClientConfig,
  KrakenDataClientOptions,
  KrakenExecClientConfig,
  KrakenExecClientOptions,
} from '../config/config';
import { KrakenDataClient } from '../data/KrakenDataClient';
import { KrakenExecutionClient } from '../execution/KrakenExecutionClient';
import type { KrakenHttpClient } from '../http/KrakenHttpClient';
import type { KrakenInstrumentProvider } from '../instruments/KrakenInstrumentProvider';

/** What the node hands a factory: the HTTP client and instrument provider the new client shares with others. */
export interface ClientFactoryContext {
  readonly httpClient?: KrakenHttpClient;
  readonly instrumentProvider?: KrakenInstrumentProvider;
}

/** Makes a data client for one `dataClients` entry. */
export interface DataClientFactory {
  create(
    name: string,
    config: KrakenDataClientOptions | KrakenDataClientConfig,
    context?: ClientFactoryContext,
  ): KrakenDataClient;
}

/** Makes an execution client for one `execClients` entry. */
export interface ExecClientFactory {
  create(
    name: string,
    config: KrakenExecClientOptions | KrakenExecClientConfig,
    context?: ClientFactoryContext,
  ): KrakenExecutionClient;
}

/**
 * Makes a `KrakenDataClient`. Register it with `node.addDataClientFactory(KRAKEN, KrakenLiveDataClientFactory)`;
 * called without a context it makes a client with HTTP collaborators of its own.
 */
export const KrakenLiveDataClientFactory: DataClientFactory = Object.freeze({
  create(
    _name: string,
    config: KrakenDataClientOptions | KrakenDataClientConfig,
    context: ClientFactoryContext = {},
  ): KrakenDataClient {
    return new KrakenDataClient(config, {
      ...(context.httpClient !== undefined ? { httpClient: context.httpClient } : {}),
      ...(context.instrumentProvider !== undefined ? { instrumentProvider: context.instrumentProvider } : {}),
    });
  },
});

/**
 * Makes a `KrakenExecutionClient`. Register it with `node.addExecClientFactory(KRAKEN, KrakenLiveExecClientFactory)`;
 * called without a context it makes a client with HTTP collaborators of its own.
 */
export const KrakenLiveExecClientFactory: ExecClientFactory = Object.freeze({
  create(
    _name: string,
    config: KrakenExecClientOptions | KrakenExecClientConfig,
    context: ClientFactoryContext = {},
  ): KrakenExecutionClient {
    return new KrakenExecutionClient(config, {
      ...(context.httpClient !== undefined ? { httpClient: context.httpClient } : {}),
      ...(context.instrumentProvider !== undefined ? { instrumentProvider: context.instrumentProvider } : {}),
    });
  },
});
