import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { KrakenConfigError } from '../errors';
import { KrakenEnvironment, KrakenProductType } from '../model/identifiers';
import { defaultBaseUrls, FUTURES_DEMO_RETIRED, isRetiredFuturesDemoUrl } from '../kraken/common/urls';
import { consoleLogger, redactingLogger, type KrakenLogger } from './logger';
import { maskApiKey, redactUrlCredentials, Secret, urlPassword } from './secret';
import type { WebSocketConstructor, WebSocketLike } from '../transport/wsSession';

/** The `fetch` kraken-rx calls (cross-fetch by default). */
export type FetchLike = (input: string, init?: RequestInitLike) => Promise<ResponseLike>;
export interface RequestInitLike {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Honoured by cross-fetch/node-fetch on Node: used for `httpProxyUrl`. */
  agent?: unknown;
}
export interface ResponseLike {
  readonly status: number;
  readonly ok: boolean;
  text(): Promise<string>;
}

/** A WebSocket constructor compatible with `ws` (the default): the transport's own type, so no client casts. */
export type WebSocketCtor = WebSocketConstructor;
export type { WebSocketLike };

/** What every WebSocket session of a client takes from its config (see `wsSessionOptions()`). */
export interface WsConnectionOptions {
  readonly WebSocket?: WebSocketCtor;
  readonly proxyUrl?: string;
  readonly scheduler: SchedulerLike;
  readonly heartbeatSecs: number;
  readonly backoff: { readonly initialDelayMs: number; readonly maxDelayMs: number };
}

export type SpotRateLimitTier = 'starter' | 'intermediate' | 'pro';

/** Options shared by the data and execution client configs (DESIGN.md §3.2). */
export interface KrakenClientOptions {
  /** Spot credentials (or Futures ones when `productTypes` is Futures only). Default: env vars. */
  apiKey?: string;
  apiSecret?: string;
  /** Futures credentials when both product types are configured. Default: env vars. */
  futuresApiKey?: string;
  futuresApiSecret?: string;
  environment?: KrakenEnvironment;
  productTypes?: readonly KrakenProductType[];
  baseUrlHttpSpot?: string;
  baseUrlHttpFutures?: string;
  baseUrlWsSpot?: string;
  baseUrlWsSpotAuth?: string;
  baseUrlWsFutures?: string;
  httpProxyUrl?: string;
  wsProxyUrl?: string;
  maxRetries?: number;
  retryDelayInitialMs?: number;
  retryDelayMaxMs?: number;
  httpTimeoutSecs?: number;
  wsHeartbeatSecs?: number;
  maxRequestsPerSecond?: number;
  /** Kraken Spot verification tier: selects the REST call-counter model (default `starter`). */
  spotRateLimitTier?: SpotRateLimitTier;
  fetch?: FetchLike;
  WebSocket?: WebSocketCtor;
  scheduler?: SchedulerLike;
  logger?: KrakenLogger;
}

export interface KrakenDataClientOptions extends KrakenClientOptions {
  /** Instrument reload period; `null` disables the reload. Default 60. */
  updateInstrumentsIntervalMins?: number | null;
}

export interface KrakenExecClientOptions extends KrakenClientOptions {
  /** Report Spot wallet balances as LONG positions. Default false. */
  useSpotPositionReports?: boolean;
  /** The quote currency of those positions. Default `USDT`. */
  spotPositionsQuoteCurrency?: string;
}

export const DEFAULTS = {
  environment: KrakenEnvironment.MAINNET,
  productTypes: [KrakenProductType.SPOT] as readonly KrakenProductType[],
  maxRetries: 3,
  retryDelayInitialMs: 1_000,
  retryDelayMaxMs: 10_000,
  httpTimeoutSecs: 10,
  wsHeartbeatSecs: 30,
  maxRequestsPerSecond: 5,
  spotRateLimitTier: 'starter' as SpotRateLimitTier,
  updateInstrumentsIntervalMins: 60,
  useSpotPositionReports: false,
  spotPositionsQuoteCurrency: 'USDT',
} as const;

/** The environment variables credentials are read from, per product type and environment. */
export const CREDENTIAL_ENV_VARS = {
  SPOT: { key: 'KRAKEN_SPOT_API_KEY', secret: 'KRAKEN_SPOT_API_SECRET' },
  FUTURES: { key: 'KRAKEN_FUTURES_API_KEY', secret: 'KRAKEN_FUTURES_API_SECRET' },
  FUTURES_DEMO: { key: 'KRAKEN_FUTURES_DEMO_API_KEY', secret: 'KRAKEN_FUTURES_DEMO_API_SECRET' },
} as const;

/** An API key and its secret. Prints the key masked and the secret as `***`. */
export class KrakenCredentials {
  readonly apiSecret: Secret;

  constructor(
    readonly apiKey: string,
    apiSecret: string | Secret,
    /** Where they came from: `config` or the env var name. */
    readonly source: string,
  ) {
    this.apiSecret = apiSecret instanceof Secret ? apiSecret : new Secret(apiSecret);
  }

  toString(): string {
    return `KrakenCredentials(${maskApiKey(this.apiKey)}, from ${this.source})`;
  }

  toJSON(): Record<string, string> {
    return { apiKey: maskApiKey(this.apiKey), apiSecret: '***', source: this.source };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

const COMMON_KEYS: readonly (keyof KrakenClientOptions)[] = [
  'apiKey',
  'apiSecret',
  'futuresApiKey',
  'futuresApiSecret',
  'environment',
  'productTypes',
  'baseUrlHttpSpot',
  'baseUrlHttpFutures',
  'baseUrlWsSpot',
  'baseUrlWsSpotAuth',
  'baseUrlWsFutures',
  'httpProxyUrl',
  'wsProxyUrl',
  'maxRetries',
  'retryDelayInitialMs',
  'retryDelayMaxMs',
  'httpTimeoutSecs',
  'wsHeartbeatSecs',
  'maxRequestsPerSecond',
  'spotRateLimitTier',
  'fetch',
  'WebSocket',
  'scheduler',
  'logger',
];
const DATA_KEYS: readonly string[] = [...COMMON_KEYS, 'updateInstrumentsIntervalMins'];
const EXEC_KEYS: readonly string[] = [...COMMON_KEYS, 'useSpotPositionReports', 'spotPositionsQuoteCurrency'];

type Env = Readonly<Record<string, string | undefined>>;

function fail(option: string, message: string): never {
  throw new KrakenConfigError(option, message);
}

function checkKnownKeys(options: object, known: readonly string[], kind: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase() || k.startsWith(key) || key.startsWith(k));
    fail(key, `is not an option of ${kind}${near ? ` (did you mean '${near}'?)` : ''}`);
  }
}

function numberOption(
  options: Record<string, unknown>,
  name: string,
  fallback: number,
  rule: { integer?: boolean; min: number; exclusiveMin?: boolean },
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  const accepted = `${rule.integer ? 'an integer' : 'a number'} ${rule.exclusiveMin ? '>' : '>='} ${rule.min}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(name, `expected ${accepted}, got ${String(value)}`);
  if (rule.integer && !Number.isInteger(value)) fail(name, `expected ${accepted}, got ${value}`);
  if (rule.exclusiveMin ? value <= rule.min : value < rule.min) fail(name, `expected ${accepted}, got ${value}`);
  return value;
}

function urlOption(options: Record<string, unknown>, name: string, fallback: string, schemes: string[]): string {
  const value = options[name];
  if (value === undefined) return fallback;
  const accepted = `a ${schemes.join(':// or ')}:// URL`;
  if (typeof value !== 'string') fail(name, `expected ${accepted}, got ${typeof value}`);
  const shown = redactUrlCredentials(value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(name, `expected ${accepted}, got '${shown}'`);
  }
  if (!schemes.includes(url.protocol.replace(/:$/, ''))) fail(name, `expected ${accepted}, got '${shown}'`);
  return value.replace(/\/+$/, '');
}

function optionalUrl(options: Record<string, unknown>, name: string, schemes: string[]): string | undefined {
  return options[name] === undefined ? undefined : urlOption(options, name, '', schemes);
}

function functionOption<T>(options: Record<string, unknown>, name: string): T | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'function') fail(name, `expected a function, got ${typeof value}`);
  return value as T;
}

function readCredentials(
  options: KrakenClientOptions,
  productType: KrakenProductType,
  environment: KrakenEnvironment,
  onlyProduct: boolean,
  env: Env,
): KrakenCredentials | undefined {
  const [keyOption, secretOption] =
    productType === 'SPOT' || (onlyProduct && options.futuresApiKey === undefined)
      ? (['apiKey', 'apiSecret'] as const)
      : (['futuresApiKey', 'futuresApiSecret'] as const);
  const key = options[keyOption];
  const secret = options[secretOption];
  if (key !== undefined || secret !== undefined) {
    if (typeof key !== 'string' || key === '') fail(keyOption, `required when ${secretOption} is given`);
    if (typeof secret !== 'string' || secret === '') fail(secretOption, `required when ${keyOption} is given`);
    return new KrakenCredentials(key, secret, 'config');
  }
  const vars =
    productType === 'SPOT'
      ? CREDENTIAL_ENV_VARS.SPOT
      : environment === 'demo'
        ? CREDENTIAL_ENV_VARS.FUTURES_DEMO
        : CREDENTIAL_ENV_VARS.FUTURES;
  const envKey = env[vars.key];
  const envSecret = env[vars.secret];
  if (envKey && envSecret) return new KrakenCredentials(envKey, envSecret, vars.key);
  return undefined;
}

/** The fields both resolved configs share. */
abstract class KrakenClientConfigBase {
  readonly environment: KrakenEnvironment;
  readonly productTypes: readonly KrakenProductType[];
  readonly baseUrlHttpSpot: string;
  readonly baseUrlHttpFutures: string;
  readonly baseUrlWsSpot: string;
  readonly baseUrlWsSpotAuth: string;
  readonly baseUrlWsFutures: string;
  readonly httpProxyUrl?: string;
  readonly wsProxyUrl?: string;
  readonly maxRetries: number;
  readonly retryDelayInitialMs: number;
  readonly retryDelayMaxMs: number;
  readonly httpTimeoutSecs: number;
  readonly wsHeartbeatSecs: number;
  readonly maxRequestsPerSecond: number;
  readonly spotRateLimitTier: SpotRateLimitTier;
  readonly fetch?: FetchLike;
  readonly WebSocket?: WebSocketCtor;
  readonly scheduler: SchedulerLike;
  /** The configured logger, wrapped so that no secret of this config can reach it. */
  readonly logger: KrakenLogger;
  readonly #credentials: Partial<Record<KrakenProductType, KrakenCredentials>>;

  protected constructor(options: KrakenClientOptions, knownKeys: readonly string[], kind: string, env: Env) {
    if (options === null || typeof options !== 'object') fail(kind, 'expected an options object');
    checkKnownKeys(options, knownKeys, kind);
    const raw = options as Record<string, unknown>;

    const environment = options.environment ?? DEFAULTS.environment;
    if (!Object.values(KrakenEnvironment).includes(environment)) {
      fail(
        'environment',
        `expected one of ${Object.values(KrakenEnvironment).join(', ')}, got '${String(environment)}'`,
      );
    }
    this.environment = environment;

    const productTypes = options.productTypes ?? DEFAULTS.productTypes;
    const accepted = Object.values(KrakenProductType).join(', ');
    if (!Array.isArray(productTypes) || productTypes.length === 0) {
      fail('productTypes', `expected a non-empty list of ${accepted}`);
    }
    for (const p of productTypes) {
      if (!Object.values(KrakenProductType).includes(p))
        fail('productTypes', `expected ${accepted}, got '${String(p)}'`);
    }
    if (new Set(productTypes).size !== productTypes.length) fail('productTypes', 'lists a product type twice');
    if (environment === 'demo' && productTypes.includes('SPOT')) {
      fail(
        'environment',
        "'demo' exists only for FUTURES (Kraken Spot has no demo environment); use 'mainnet' for SPOT",
      );
    }
    this.productTypes = Object.freeze([...productTypes]);

    const urls = defaultBaseUrls(environment);
    this.baseUrlHttpSpot = urlOption(raw, 'baseUrlHttpSpot', urls.httpSpot, ['http', 'https']);
    this.baseUrlHttpFutures = urlOption(raw, 'baseUrlHttpFutures', urls.httpFutures, ['http', 'https']);
    this.baseUrlWsSpot = urlOption(raw, 'baseUrlWsSpot', urls.wsSpot, ['ws', 'wss']);
    this.baseUrlWsSpotAuth = urlOption(raw, 'baseUrlWsSpotAuth', urls.wsSpotAuth, ['ws', 'wss']);
    this.baseUrlWsFutures = urlOption(raw, 'baseUrlWsFutures', urls.wsFutures, ['ws', 'wss']);
    const httpProxyUrl = optionalUrl(raw, 'httpProxyUrl', ['http', 'https']);
    const wsProxyUrl = optionalUrl(raw, 'wsProxyUrl', ['http', 'https']);
    if (httpProxyUrl) this.httpProxyUrl = httpProxyUrl;
    if (wsProxyUrl) this.wsProxyUrl = wsProxyUrl;

    this.maxRetries = numberOption(raw, 'maxRetries', DEFAULTS.maxRetries, { integer: true, min: 0 });
    this.retryDelayInitialMs = numberOption(raw, 'retryDelayInitialMs', DEFAULTS.retryDelayInitialMs, { min: 0 });
    this.retryDelayMaxMs = numberOption(raw, 'retryDelayMaxMs', DEFAULTS.retryDelayMaxMs, { min: 0 });
    if (this.retryDelayMaxMs < this.retryDelayInitialMs) {
      fail(
        'retryDelayMaxMs',
        `expected >= retryDelayInitialMs (${this.retryDelayInitialMs}), got ${this.retryDelayMaxMs}`,
      );
    }
    const positive = { min: 0, exclusiveMin: true };
    this.httpTimeoutSecs = numberOption(raw, 'httpTimeoutSecs', DEFAULTS.httpTimeoutSecs, positive);
    this.wsHeartbeatSecs = numberOption(raw, 'wsHeartbeatSecs', DEFAULTS.wsHeartbeatSecs, positive);
    this.maxRequestsPerSecond = numberOption(raw, 'maxRequestsPerSecond', DEFAULTS.maxRequestsPerSecond, positive);
    const tier = options.spotRateLimitTier ?? DEFAULTS.spotRateLimitTier;
    if (!['starter', 'intermediate', 'pro'].includes(tier)) {
      fail('spotRateLimitTier', `expected one of starter, intermediate, pro, got '${String(tier)}'`);
    }
    this.spotRateLimitTier = tier;

    const fetchFn = functionOption<FetchLike>(raw, 'fetch');
    const wsCtor = functionOption<WebSocketCtor>(raw, 'WebSocket');
    if (fetchFn) this.fetch = fetchFn;
    if (wsCtor) this.WebSocket = wsCtor;
    const scheduler = options.scheduler ?? asyncScheduler;
    if (typeof scheduler.now !== 'function' || typeof scheduler.schedule !== 'function') {
      fail('scheduler', 'expected an RxJS SchedulerLike (with now() and schedule())');
    }
    this.scheduler = scheduler;
    const logger = options.logger ?? consoleLogger('warn');
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      if (typeof logger[level] !== 'function')
        fail('logger', `expected an object with debug/info/warn/error functions`);
    }

    const only = this.productTypes.length === 1;
    const credentials: Partial<Record<KrakenProductType, KrakenCredentials>> = {};
    for (const productType of this.productTypes) {
      const found = readCredentials(options, productType, environment, only, env);
      if (found) credentials[productType] = found;
    }
    this.#credentials = credentials;
    this.logger = redactingLogger(logger, [
      ...Object.values(credentials).map((c) => c.apiSecret),
      urlPassword(this.httpProxyUrl),
      urlPassword(this.wsProxyUrl),
    ]);
    if (this.has('FUTURES') && isRetiredFuturesDemoUrl(this.baseUrlHttpFutures)) {
      this.logger.warn(FUTURES_DEMO_RETIRED);
    }
  }

  /** The credentials for a product type, or undefined when none were configured or found in the environment. */
  credentials(productType: KrakenProductType): KrakenCredentials | undefined {
    return this.#credentials[productType];
  }

  /** Like `credentials`, but throws a KrakenConfigError naming the options and env vars to set. */
  requireCredentials(productType: KrakenProductType): KrakenCredentials {
    const found = this.#credentials[productType];
    if (found) return found;
    const vars =
      productType === 'SPOT'
        ? CREDENTIAL_ENV_VARS.SPOT
        : this.environment === 'demo'
          ? CREDENTIAL_ENV_VARS.FUTURES_DEMO
          : CREDENTIAL_ENV_VARS.FUTURES;
    const options =
      productType === 'SPOT' || this.productTypes.length === 1 ? 'apiKey/apiSecret' : 'futuresApiKey/futuresApiSecret';
    return fail(
      options,
      `no ${productType} credentials: set ${options} or the env vars ${vars.key} and ${vars.secret}`,
    );
  }

  /** The connection settings every WebSocket session of a client uses: constructor, proxy, clock, heartbeat, backoff. */
  wsSessionOptions(): WsConnectionOptions {
    return {
      ...(this.WebSocket ? { WebSocket: this.WebSocket } : {}),
      ...(this.wsProxyUrl ? { proxyUrl: this.wsProxyUrl } : {}),
      scheduler: this.scheduler,
      heartbeatSecs: this.wsHeartbeatSecs,
      backoff: { initialDelayMs: this.retryDelayInitialMs, maxDelayMs: this.retryDelayMaxMs },
    };
  }

  /** The product types configured, in order. */
  has(productType: KrakenProductType): boolean {
    return this.productTypes.includes(productType);
  }

  protected describe(): Record<string, unknown> {
    const credentials = Object.fromEntries(
      Object.entries(this.#credentials).map(([product, c]) => [product, c.toJSON()]),
    );
    return {
      environment: this.environment,
      productTypes: this.productTypes,
      credentials,
      baseUrlHttpSpot: this.baseUrlHttpSpot,
      baseUrlHttpFutures: this.baseUrlHttpFutures,
      baseUrlWsSpot: this.baseUrlWsSpot,
      baseUrlWsSpotAuth: this.baseUrlWsSpotAuth,
      baseUrlWsFutures: this.baseUrlWsFutures,
      httpProxyUrl: this.httpProxyUrl && redactUrlCredentials(this.httpProxyUrl),
      wsProxyUrl: this.wsProxyUrl && redactUrlCredentials(this.wsProxyUrl),
      maxRetries: this.maxRetries,
      retryDelayInitialMs: this.retryDelayInitialMs,
      retryDelayMaxMs: this.retryDelayMaxMs,
      httpTimeoutSecs: this.httpTimeoutSecs,
      wsHeartbeatSecs: this.wsHeartbeatSecs,
      maxRequestsPerSecond: this.maxRequestsPerSecond,
      spotRateLimitTier: this.spotRateLimitTier,
    };
  }

  toJSON(): Record<string, unknown> {
    return this.describe();
  }

  toString(): string {
    return `${this.constructor.name}(${JSON.stringify(this.describe())})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The validated configuration of a `KrakenDataClient`. Throws `KrakenConfigError` on a bad value. */
export class KrakenDataClientConfig extends KrakenClientConfigBase {
  readonly updateInstrumentsIntervalMins: number | null;

  constructor(options: KrakenDataClientOptions = {}, env: Env = process.env) {
    super(options, DATA_KEYS, 'KrakenDataClientConfig', env);
    const interval = options.updateInstrumentsIntervalMins;
    this.updateInstrumentsIntervalMins =
      interval === null
        ? null
        : numberOption(
            options as Record<string, unknown>,
            'updateInstrumentsIntervalMins',
            DEFAULTS.updateInstrumentsIntervalMins,
            {
              min: 0,
              exclusiveMin: true,
            },
          );
  }

  static from(options: KrakenDataClientOptions | KrakenDataClientConfig = {}): KrakenDataClientConfig {
    return options instanceof KrakenDataClientConfig ? options : new KrakenDataClientConfig(options);
  }

  protected override describe(): Record<string, unknown> {
    return { ...super.describe(), updateInstrumentsIntervalMins: this.updateInstrumentsIntervalMins };
  }
}

/** The validated configuration of a `KrakenExecutionClient`. Throws `KrakenConfigError` on a bad value. */
export class KrakenExecClientConfig extends KrakenClientConfigBase {
  readonly useSpotPositionReports: boolean;
  readonly spotPositionsQuoteCurrency: string;

  constructor(options: KrakenExecClientOptions = {}, env: Env = process.env) {
    super(options, EXEC_KEYS, 'KrakenExecClientConfig', env);
    const use = options.useSpotPositionReports ?? DEFAULTS.useSpotPositionReports;
    if (typeof use !== 'boolean') fail('useSpotPositionReports', `expected true or false, got ${String(use)}`);
    this.useSpotPositionReports = use;
    const quote = options.spotPositionsQuoteCurrency ?? DEFAULTS.spotPositionsQuoteCurrency;
    if (typeof quote !== 'string' || !/^[A-Z0-9]{2,10}$/.test(quote)) {
      fail('spotPositionsQuoteCurrency', `expected a currency code like 'USDT' or 'USD', got '${String(quote)}'`);
    }
    this.spotPositionsQuoteCurrency = quote;
  }

  static from(options: KrakenExecClientOptions | KrakenExecClientConfig = {}): KrakenExecClientConfig {
    return options instanceof KrakenExecClientConfig ? options : new KrakenExecClientConfig(options);
  }

  protected override describe(): Record<string, unknown> {
    return {
      ...super.describe(),
      useSpotPositionReports: this.useSpotPositionReports,
      spotPositionsQuoteCurrency: this.spotPositionsQuoteCurrency,
    };
  }
}

export type KrakenClientConfig = KrakenDataClientConfig | KrakenExecClientConfig;
