import {
  KrakenDataClientConfig,
  KrakenExecClientConfig,
  type KrakenClientConfig,
  type KrakenDataClientOptions,
} from '../config/config';
import { FuturesRawClient } from './futuresRawClient';
import { restContext, type KrakenHttpLimits, type RawClientOptions } from './restCall';
import { SpotRawClient } from './spotRawClient';

/**
 * Kraken's REST APIs at the wire level (DESIGN.md §3.3): `.spot` and `.futures`, one method per Kraken
 * endpoint named after it in camelCase (`spot.assetPairs()`, `spot.addOrder()`, `futures.sendOrder()`,
 * `futures.historyOrders()`, ...). Each takes the endpoint's parameters (Kraken's names) as one object and
 * returns a cold Observable of the decoded Spot `result` or Futures body: nothing is sent until subscription,
 * each subscription sends (and signs) anew, and unsubscribing aborts the request in flight.
 *
 * Signing, nonces, rate limiting (Spot tier counter + flat `maxRequestsPerSecond`, Futures derivatives
 * budget and history pool), timeouts (`httpTimeoutSecs`), retries with backoff for idempotent calls
 * (`maxRetries`, `retryDelayInitialMs`, `retryDelayMaxMs`; never for order placement) and `httpProxyUrl`
 * all live here. Clients that use the same API key should share one instance, so that nonces and rate
 * counters are shared too.
 *
 * @example
 * ```ts
 * const http = new KrakenRawHttpClient({ apiKey, apiSecret });
 * http.spot.balance().subscribe((balances) => console.log(balances.XXBT?.toFixed()));
 * ```
 */
export class KrakenRawHttpClient {
  readonly config: KrakenClientConfig;
  readonly spot: SpotRawClient;
  readonly futures: FuturesRawClient;
  /** The rate-limit buckets this client charges. */
  readonly limits: KrakenHttpLimits;

  constructor(config: KrakenClientConfig | KrakenDataClientOptions = {}, options: RawClientOptions = {}) {
    this.config =
      config instanceof KrakenDataClientConfig || config instanceof KrakenExecClientConfig
        ? config
        : KrakenDataClientConfig.from(config);
    const ctx = restContext(this.config, options);
    this.limits = ctx.limits;
    this.spot = new SpotRawClient(ctx);
    this.futures = new FuturesRawClient(ctx);
  }

  toString(): string {
    return `KrakenRawHttpClient(${this.config.baseUrlHttpSpot}, ${this.config.baseUrlHttpFutures})`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** `util.inspect` shows the summary, never the internals (signers, API keys, proxy agent). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
