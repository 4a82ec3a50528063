/**
 * One HTTP stack per API key: the data and execution clients of a node that talk to the same Kraken hosts with
 * the same keys share one `KrakenRawHttpClient` (one nonce source and one set of rate counters per key), one
 * `KrakenHttpClient` (one instrument cache) and one `KrakenInstrumentProvider`.
 */
import {
  KrakenDataClientConfig,
  type KrakenClientConfig,
  type KrakenDataClientOptions,
  KrakenExecClientConfig,
} from '../config/config';
import { KrakenHttpClient } from '../http/KrakenHttpClient';
import { KrakenRawHttpClient } from '../http/KrakenRawHttpClient';
import { KrakenInstrumentProvider } from '../instruments/KrakenInstrumentProvider';
import type { KrakenProductType } from '../model/identifiers';

/** The HTTP collaborators one or more clients share. */
export interface KrakenHttpStack {
  /** The config the stack was built with: the members' product types together, their keys, the first one's settings. */
  readonly config: KrakenDataClientConfig;
  readonly raw: KrakenRawHttpClient;
  readonly http: KrakenHttpClient;
  readonly instrumentProvider: KrakenInstrumentProvider;
}

const PRODUCTS: readonly KrakenProductType[] = ['SPOT', 'FUTURES'];

interface Group {
  readonly members: KrakenClientConfig[];
  readonly products: Set<KrakenProductType>;
  /** API key per product type, once a member brings one. */
  readonly keys: Map<KrakenProductType, { config: KrakenClientConfig; apiKey: string }>;
}

function sameHosts(a: KrakenClientConfig, b: KrakenClientConfig): boolean {
  return (
    a.environment === b.environment &&
    a.baseUrlHttpSpot === b.baseUrlHttpSpot &&
    a.baseUrlHttpFutures === b.baseUrlHttpFutures &&
    a.httpProxyUrl === b.httpProxyUrl
  );
}

function fits(group: Group, config: KrakenClientConfig): boolean {
  if (!sameHosts(group.members[0], config)) return false;
  for (const product of PRODUCTS) {
    const mine = config.credentials(product);
    const theirs = group.keys.get(product);
    if (mine !== undefined && theirs !== undefined && mine.apiKey !== theirs.apiKey) return false;
  }
  return true;
}

/** Settings of the shared HTTP client: within a stack, the first member's apply to every member. */
const HTTP_SETTINGS = [
  'maxRetries',
  'retryDelayInitialMs',
  'retryDelayMaxMs',
  'httpTimeoutSecs',
  'maxRequestsPerSecond',
  'spotRateLimitTier',
  'fetch',
  'scheduler',
] as const;

/** Says, once per setting, when a member's HTTP setting gives way to the stack's (it would otherwise be silent). */
function warnOverridden(group: Group, base: KrakenClientConfig): void {
  for (const name of HTTP_SETTINGS) {
    const used = base[name];
    const differs = group.members.find((member) => member[name] !== used);
    if (differs === undefined) continue;
    const other = differs[name];
    const plain = (v: unknown) => typeof v === 'number' || typeof v === 'string';
    const what =
      plain(used) && plain(other)
        ? `a client configured with ${name} ${String(other)} uses ${String(used)}`
        : `a client configured with another ${name} uses the first one's`;
    base.logger.warn(
      `clients that share an API key share one HTTP client: ${what} for its REST calls (give them the same ${name})`,
    );
  }
}

/** The settings a stack is built with: the first member's, every member's product types and keys. */
function stackOptions(group: Group): KrakenDataClientOptions {
  const base = group.members.find((c) => c instanceof KrakenExecClientConfig) ?? group.members[0];
  warnOverridden(group, base);
  const data = group.members.find((c): c is KrakenDataClientConfig => c instanceof KrakenDataClientConfig);
  const productTypes = PRODUCTS.filter((p) => group.products.has(p));
  const options: Record<string, unknown> = {
    environment: base.environment,
    productTypes,
    baseUrlHttpSpot: base.baseUrlHttpSpot,
    baseUrlHttpFutures: base.baseUrlHttpFutures,
    baseUrlWsSpot: base.baseUrlWsSpot,
    baseUrlWsSpotAuth: base.baseUrlWsSpotAuth,
    baseUrlWsFutures: base.baseUrlWsFutures,
    httpProxyUrl: base.httpProxyUrl,
    wsProxyUrl: base.wsProxyUrl,
    maxRetries: base.maxRetries,
    retryDelayInitialMs: base.retryDelayInitialMs,
    retryDelayMaxMs: base.retryDelayMaxMs,
    httpTimeoutSecs: base.httpTimeoutSecs,
    wsHeartbeatSecs: base.wsHeartbeatSecs,
    maxRequestsPerSecond: base.maxRequestsPerSecond,
    spotRateLimitTier: base.spotRateLimitTier,
    fetch: base.fetch,
    WebSocket: base.WebSocket,
    scheduler: base.scheduler,
    logger: base.logger,
    // Only data clients reload instruments periodically.
    updateInstrumentsIntervalMins: data !== undefined ? data.updateInstrumentsIntervalMins : null,
  };
  for (const product of productTypes) {
    const owner = group.keys.get(product);
    const credentials = owner?.config.credentials(product);
    if (credentials === undefined) continue;
    // Always the futures* options for Futures: with one product type the config then still reads them as Futures.
    const [key, secret] = product === 'SPOT' ? ['apiKey', 'apiSecret'] : ['futuresApiKey', 'futuresApiSecret'];
    options[key] = credentials.apiKey;
    options[secret] = credentials.apiSecret.reveal();
  }
  for (const name of Object.keys(options)) if (options[name] === undefined) delete options[name];
  return options as KrakenDataClientOptions;
}

/**
 * Groups client configs by Kraken hosts and API keys (execution clients first, so their keys decide), and builds
 * one stack per group. A config whose key differs from its group's gets a stack of its own.
 */
export class KrakenHttpStacks {
  private readonly byConfig = new Map<KrakenClientConfig, KrakenHttpStack>();
  private readonly stacks: KrakenHttpStack[] = [];

  constructor(configs: readonly KrakenClientConfig[]) {
    const ordered = [
      ...configs.filter((c) => c instanceof KrakenExecClientConfig),
      ...configs.filter((c) => !(c instanceof KrakenExecClientConfig)),
    ];
    const groups: Group[] = [];
    for (const config of ordered) {
      let group = groups.find((g) => fits(g, config));
      if (group === undefined) {
        group = { members: [], products: new Set(), keys: new Map() };
        groups.push(group);
      }
      group.members.push(config);
      for (const product of config.productTypes) group.products.add(product);
      for (const product of PRODUCTS) {
        const credentials = config.credentials(product);
        if (credentials !== undefined && !group.keys.has(product)) {
          group.keys.set(product, { config, apiKey: credentials.apiKey });
        }
      }
    }
    for (const group of groups) {
      // The env is not read again: the members have resolved their credentials already.
      const config = new KrakenDataClientConfig(stackOptions(group), {});
      const raw = new KrakenRawHttpClient(config);
      const http = new KrakenHttpClient(config, { raw });
      const instrumentProvider = new KrakenInstrumentProvider(config, { http });
      const stack: KrakenHttpStack = { config, raw, http, instrumentProvider };
      this.stacks.push(stack);
      for (const member of group.members) this.byConfig.set(member, stack);
    }
  }

  /** The stack of a config passed to the constructor. */
  for(config: KrakenClientConfig): KrakenHttpStack {
    const stack = this.byConfig.get(config);
    if (stack === undefined) throw new Error('KrakenHttpStacks: unknown config');
    return stack;
  }

  /** Every stack, once. */
  all(): readonly KrakenHttpStack[] {
    return this.stacks;
  }

  /** Stops every instrument reload. */
  close(): void {
    for (const stack of this.stacks) stack.instrumentProvider.close();
  }
}
