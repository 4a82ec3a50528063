/**
 * TradingNode: builds, starts and stops a set of Kraken data and execution clients from one configuration
 * (DESIGN.md §3.3; NautilusTrader's `TradingNode` with the Kraken factories).
 */
import { firstValueFrom, type Observable, Subject } from 'rxjs';
import {
  KrakenDataClientConfig,
  type KrakenDataClientOptions,
  KrakenExecClientConfig,
  type KrakenExecClientOptions,
} from '../config/config';
import { consoleLogger, type KrakenLogger } from '../config/logger';
import { KrakenConfigError, KrakenError } from '../errors';
import type { KrakenDataClient } from '../data/KrakenDataClient';
import type { KrakenExecutionClient } from '../execution/KrakenExecutionClient';
import type { KrakenProductType } from '../model/identifiers';
import type { Instrument } from '../model/instruments';
import type { ExecutionMassStatus } from '../model/reports';
import { checkCredentials, checkTradingPermission, requireCredentials } from './credentials';
import type { DataClientFactory, ExecClientFactory } from './factories';
import { KrakenHttpStacks, type KrakenHttpStack } from './sharedHttp';

export interface TradingNodeConfig {
  /** Names this node in logs. Default `TRADER-001`. */
  readonly traderId?: string;
  /** Data clients by name (`{ KRAKEN: { productTypes: ['SPOT', 'FUTURES'] } }`); each name needs a data factory. */
  readonly dataClients?: Readonly<Record<string, KrakenDataClientOptions | KrakenDataClientConfig>>;
  /** Execution clients by name; each name needs an execution factory. */
  readonly execClients?: Readonly<Record<string, KrakenExecClientOptions | KrakenExecClientConfig>>;
  /** Run start-up reconciliation (`massStatus`) in `start()`. Default true. */
  readonly reconciliation?: boolean;
  /** How far back start-up reconciliation asks for orders and fills, in minutes; `null` = all Kraken has. Default 1440. */
  readonly reconciliationLookbackMins?: number | null;
  /** Confirm in `start()` that every execution key may trade (a call that changes nothing). Default true. */
  readonly checkTradingPermission?: boolean;
  /** Where the node logs its own steps. Default: the console, warnings and errors only. */
  readonly logger?: KrakenLogger;
}

export type TradingNodeState = 'CREATED' | 'BUILT' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED';

export const TRADING_NODE_DEFAULTS = {
  traderId: 'TRADER-001',
  reconciliation: true,
  reconciliationLookbackMins: 1440,
  checkTradingPermission: true,
} as const;

const CONFIG_KEYS = [
  'traderId',
  'dataClients',
  'execClients',
  'reconciliation',
  'reconciliationLookbackMins',
  'checkTradingPermission',
  'logger',
];

interface Built {
  readonly stacks: KrakenHttpStacks;
  readonly data: Map<string, { client: KrakenDataClient; stack: KrakenHttpStack }>;
  readonly exec: Map<string, { client: KrakenExecutionClient; config: KrakenExecClientConfig; stack: KrakenHttpStack }>;
}

/** Re-labels a client config error with where it sits in the node config (`execClients.KRAKEN.apiKey: ...`). */
function inEntry(section: string, name: string, err: unknown): unknown {
  if (!(err instanceof KrakenConfigError)) return err;
  const message = err.message.startsWith(`${err.option}: `) ? err.message.slice(err.option.length + 2) : err.message;
  return new KrakenConfigError(`${section}.${name}.${err.option}`, message, { cause: err });
}

/**
 * Runs Kraken clients from one configuration:
 *
 * ```ts
 * const node = new TradingNode({
 *   dataClients: { KRAKEN: { productTypes: ['SPOT', 'FUTURES'] } },
 *   execClients: { KRAKEN: { productTypes: ['SPOT', 'FUTURES'] } },
 * });
 * node.addDataClientFactory(KRAKEN, KrakenLiveDataClientFactory);
 * node.addExecClientFactory(KRAKEN, KrakenLiveExecClientFactory);
 * node.build();
 * await node.start();
 * node.dataClient(KRAKEN).trades('BTC/USD.KRAKEN').subscribe(console.log);
 * // ...
 * await node.stop();
 * ```
 *
 * - `build()` validates every client config (a `KrakenConfigError` names the entry and the option) and makes the
 *   clients. Clients that use the same Kraken hosts and keys share one HTTP client, one instrument provider and so
 *   one nonce source and one set of rate counters per key.
 * - `start()` confirms every execution key with a private read (Spot `Balance`, Futures `/accounts`) and that it
 *   may trade (Spot `AddOrder` with `validate`, Futures `cancelorder` of no order), loads the instruments, opens
 *   the private streams and runs start-up reconciliation (`massStatus`). Bad keys reject with a
 *   `KrakenCredentialsError` naming the product type and the env vars. When `start()` fails, the node is stopped.
 * - `stop()` closes every client: sockets, timers, instrument reloads. The node cannot be started again.
 */
export class TradingNode {
  readonly traderId: string;
  /** Errors the clients survived (bad frames, failed reconciliations, ...), from every client (hot). */
  readonly errors$: Observable<Error>;

  private readonly config: TradingNodeConfig;
  private readonly logger: KrakenLogger;
  private readonly dataFactories = new Map<string, DataClientFactory>();
  private readonly execFactories = new Map<string, ExecClientFactory>();
  private readonly errors = new Subject<Error>();
  private readonly massStatuses = new Map<string, ExecutionMassStatus>();
  private built?: Built;
  private current: TradingNodeState = 'CREATED';
  private starting?: Promise<void>;
  private stopping?: Promise<void>;

  constructor(config: TradingNodeConfig = {}) {
    if (config === null || typeof config !== 'object')
      throw new KrakenConfigError('TradingNode', 'expected a config object');
    for (const key of Object.keys(config)) {
      if (!CONFIG_KEYS.includes(key)) {
        throw new KrakenConfigError(key, `is not an option of TradingNodeConfig (options: ${CONFIG_KEYS.join(', ')})`);
      }
    }
    for (const section of ['dataClients', 'execClients'] as const) {
      const entries = config[section];
      if (entries !== undefined && (entries === null || typeof entries !== 'object' || Array.isArray(entries))) {
        throw new KrakenConfigError(section, `expected an object of client configs by name, e.g. { KRAKEN: {...} }`);
      }
    }
    const lookback = config.reconciliationLookbackMins;
    if (lookback !== undefined && lookback !== null && !(typeof lookback === 'number' && lookback > 0)) {
      throw new KrakenConfigError(
        'reconciliationLookbackMins',
        `expected a number > 0 or null, got ${String(lookback)}`,
      );
    }
    this.config = config;
    this.traderId = config.traderId ?? TRADING_NODE_DEFAULTS.traderId;
    this.logger = config.logger ?? consoleLogger('warn');
    this.errors$ = this.errors.asObservable();
  }

  /** `CREATED` → `BUILT` → `STARTING` → `RUNNING` → `STOPPING` → `STOPPED`. */
  get state(): TradingNodeState {
    return this.current;
  }

  /** Registers the factory of the data client configured under `name` (`KRAKEN`). Before `build()`. */
  addDataClientFactory(name: string, factory: DataClientFactory): this {
    this.requireState('addDataClientFactory', 'CREATED');
    if (typeof factory?.create !== 'function') throw new KrakenConfigError(name, 'expected a factory with create()');
    this.dataFactories.set(name, factory);
    return this;
  }

  /** Registers the factory of the execution client configured under `name` (`KRAKEN`). Before `build()`. */
  addExecClientFactory(name: string, factory: ExecClientFactory): this {
    this.requireState('addExecClientFactory', 'CREATED');
    if (typeof factory?.create !== 'function') throw new KrakenConfigError(name, 'expected a factory with create()');
    this.execFactories.set(name, factory);
    return this;
  }

  /** Validates the configuration and makes the clients (nothing is connected yet). */
  build(): this {
    this.requireState('build', 'CREATED');
    const dataEntries = Object.entries(this.config.dataClients ?? {});
    const execEntries = Object.entries(this.config.execClients ?? {});
    if (dataEntries.length === 0 && execEntries.length === 0) {
      throw new KrakenConfigError('dataClients', 'no clients configured: give dataClients and/or execClients');
    }
    const dataConfigs = dataEntries.map(([name, options]) => {
      const factory = this.dataFactories.get(name);
      if (factory === undefined) {
        throw new KrakenConfigError(
          `dataClients.${name}`,
          `no data client factory for '${name}': call addDataClientFactory('${name}', KrakenLiveDataClientFactory) before build()`,
        );
      }
      try {
        return { name, factory, config: KrakenDataClientConfig.from(options) };
      } catch (err) {
        throw inEntry('dataClients', name, err);
      }
    });
    const execConfigs = execEntries.map(([name, options]) => {
      const factory = this.execFactories.get(name);
      if (factory === undefined) {
        throw new KrakenConfigError(
          `execClients.${name}`,
          `no execution client factory for '${name}': call addExecClientFactory('${name}', KrakenLiveExecClientFactory) before build()`,
        );
      }
      try {
        return { name, factory, config: KrakenExecClientConfig.from(options) };
      } catch (err) {
        throw inEntry('execClients', name, err);
      }
    });

    const stacks = new KrakenHttpStacks([...dataConfigs.map((d) => d.config), ...execConfigs.map((e) => e.config)]);
    const built: Built = { stacks, data: new Map(), exec: new Map() };
    try {
      for (const { name, factory, config } of dataConfigs) {
        const stack = stacks.for(config);
        const client = factory.create(name, config, {
          httpClient: stack.http,
          instrumentProvider: stack.instrumentProvider,
        });
        built.data.set(name, { client, stack });
        client.errors$.subscribe((error) => this.errors.next(error));
      }
      for (const { name, factory, config } of execConfigs) {
        const stack = stacks.for(config);
        const client = factory.create(name, config, {
          httpClient: stack.http,
          instrumentProvider: stack.instrumentProvider,
        });
        built.exec.set(name, { client, config, stack });
        client.errors$.subscribe((error) => this.errors.next(error));
      }
    } catch (err) {
      void this.closeAll(built);
      throw err;
    }
    this.built = built;
    this.current = 'BUILT';
    return this;
  }

  /**
   * Builds if needed, then: confirms the execution keys (and their trading permission), loads the instruments,
   * opens the private streams and runs start-up reconciliation. Resolves when the node is running; on failure the
   * node is stopped and the promise rejects with the first error.
   */
  start(): Promise<void> {
    if (this.current === 'RUNNING') return Promise.resolve();
    if (this.starting !== undefined && this.current === 'STARTING') return this.starting;
    if (this.current === 'STOPPING' || this.current === 'STOPPED') {
      return Promise.reject(new KrakenError('TradingNode: stopped; a stopped node cannot be started again'));
    }
    try {
      if (this.current === 'CREATED') this.build();
    } catch (err) {
      return Promise.reject(err);
    }
    this.current = 'STARTING';
    this.starting = this.run().then(
      () => {
        this.current = 'RUNNING';
        this.logger.info(`${this.traderId}: running`);
      },
      async (err: unknown) => {
        this.logger.info(`${this.traderId}: start failed: ${err instanceof Error ? err.message : String(err)}`);
        await this.stop();
        throw err;
      },
    );
    return this.starting;
  }

  /** Closes every client (sockets, timers, instrument reloads). Idempotent; waits for the sockets to close. */
  stop(): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    if (this.current === 'CREATED') {
      this.current = 'STOPPED';
      this.errors.complete();
      return Promise.resolve();
    }
    this.current = 'STOPPING';
    this.stopping = (async () => {
      if (this.built !== undefined) await this.closeAll(this.built);
      this.current = 'STOPPED';
      this.errors.complete();
      this.logger.info(`${this.traderId}: stopped`);
    })();
    return this.stopping;
  }

  /** The data client configured under `name`. After `build()`. */
  dataClient(name: string): KrakenDataClient {
    const entry = this.requireBuilt('dataClient').data.get(name);
    if (entry === undefined) {
      throw new KrakenConfigError('dataClients', `no data client '${name}' (configured: ${this.names('data')})`);
    }
    return entry.client;
  }

  /** The execution client configured under `name`. After `build()`. */
  execClient(name: string): KrakenExecutionClient {
    const entry = this.requireBuilt('execClient').exec.get(name);
    if (entry === undefined) {
      throw new KrakenConfigError('execClients', `no execution client '${name}' (configured: ${this.names('exec')})`);
    }
    return entry.client;
  }

  /** Names of the configured data clients. */
  dataClientNames(): string[] {
    return [...(this.built?.data.keys() ?? [])];
  }

  /** Names of the configured execution clients. */
  execClientNames(): string[] {
    return [...(this.built?.exec.keys() ?? [])];
  }

  /** The start-up reconciliation of an execution client (after `start()`), or undefined if none ran. */
  reconciliation(name: string): ExecutionMassStatus | undefined {
    return this.massStatuses.get(name);
  }

  /** Every instrument loaded by the node's clients (after `start()`), Spot first. */
  instruments(): readonly Instrument[] {
    return (this.built?.stacks.all() ?? []).flatMap((stack) => stack.instrumentProvider.list());
  }

  toString(): string {
    return `TradingNode(${this.traderId}, ${this.current}, data: ${this.names('data')}, exec: ${this.names('exec')})`;
  }

  // ----- start-up --------------------------------------------------------------------------------------------------

  private async run(): Promise<void> {
    const built = this.requireBuilt('start');
    const stacks = built.stacks.all();
    const checks = new Map<
      string,
      { stack: KrakenHttpStack; config: KrakenExecClientConfig; product: KrakenProductType }
    >();
    for (const { config, stack } of built.exec.values()) {
      for (const product of config.productTypes) {
        requireCredentials(config, product);
        const key = `${stacks.indexOf(stack)}:${product}`;
        if (!checks.has(key)) checks.set(key, { stack, config, product });
      }
    }

    // 1. Kraken accepts the keys.
    await Promise.all(
      [...checks.values()].map(({ stack, config, product }) =>
        firstValueFrom(checkCredentials(stack.raw, config, product), { defaultValue: undefined }),
      ),
    );
    this.step('credentials accepted');

    // 2. Instruments, once per shared stack.
    await Promise.all(stacks.map((stack) => firstValueFrom(stack.instrumentProvider.loadAll())));
    this.step(`${this.instruments().length} instruments loaded`);

    // 3. The keys may trade.
    if (this.config.checkTradingPermission ?? TRADING_NODE_DEFAULTS.checkTradingPermission) {
      await Promise.all(
        [...checks.values()].map(({ stack, config, product }) =>
          firstValueFrom(checkTradingPermission(stack.raw, config, product, stack.instrumentProvider.list()), {
            defaultValue: undefined,
          }),
        ),
      );
      this.step('trading permission confirmed');
    }

    // 4. Private streams.
    await Promise.all([...built.exec.values()].map(({ client }) => client.connect()));
    this.step('execution clients connected');

    // 5. Start-up reconciliation.
    if (this.config.reconciliation ?? TRADING_NODE_DEFAULTS.reconciliation) {
      const lookback =
        this.config.reconciliationLookbackMins === undefined
          ? TRADING_NODE_DEFAULTS.reconciliationLookbackMins
          : this.config.reconciliationLookbackMins;
      await Promise.all(
        [...built.exec.entries()].map(async ([name, { client }]) => {
          const status = await firstValueFrom(client.massStatus(lookback === null ? {} : { lookbackMins: lookback }));
          this.massStatuses.set(name, status);
          this.logger.info(
            `${this.traderId}: ${name} reconciled: ${status.orderReports.length} orders, ${status.fillReports.length} fills, ${status.positionReports.length} positions`,
          );
        }),
      );
      this.step('reconciled');
    }
  }

  /** Logs a start-up step, and stops the start when `stop()` was called meanwhile. */
  private step(what: string): void {
    if (this.current !== 'STARTING') throw new KrakenError(`TradingNode: stopped while starting (after: ${what})`);
    this.logger.info(`${this.traderId}: ${what}`);
  }

  // ----- machinery -------------------------------------------------------------------------------------------------

  private async closeAll(built: Built): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const { client } of built.exec.values()) closing.push(client.close());
    for (const { client } of built.data.values()) closing.push(client.close());
    const results = await Promise.allSettled(closing);
    built.stacks.close();
    for (const result of results) {
      if (result.status === 'rejected') {
        this.logger.warn(`${this.traderId}: a client did not close cleanly: ${String(result.reason)}`);
      }
    }
  }

  private requireBuilt(what: string): Built {
    if (this.built === undefined) throw new KrakenError(`TradingNode.${what}: call build() (or start()) first`);
    return this.built;
  }

  private requireState(what: string, state: TradingNodeState): void {
    if (this.current !== state) throw new KrakenError(`TradingNode.${what}: not allowed in state ${this.current}`);
  }

  private names(kind: 'data' | 'exec'): string {
    const names = kind === 'data' ? this.dataClientNames() : this.execClientNames();
    return names.length > 0 ? names.join(', ') : 'none';
  }
}
