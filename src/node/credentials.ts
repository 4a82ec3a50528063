/**
 * Start-up checks of a node's API keys: does Kraken accept the key (a private REST read), and may it trade (an
 * order-entry call that cannot change anything)? A refusal becomes a `KrakenCredentialsError` that names the
 * product type, the options and the environment variables to fix — at `start()`, not at the first order.
 */
import { catchError, map, type Observable, of, throwError } from 'rxjs';
import { CREDENTIAL_ENV_VARS, type KrakenClientConfig } from '../config/config';
import { KrakenApiError, KrakenConfigError } from '../errors';
import type { KrakenRawHttpClient } from '../http/KrakenRawHttpClient';
import type { KrakenProductType } from '../model/identifiers';
import type { CurrencyPair, Instrument } from '../model/instruments';

/**
 * What a start-up credentials check found wrong: no key, a key Kraken refuses, a key without the permission to
 * read the account, a key without the permission to trade.
 */
export type CredentialsProblem = 'missing' | 'rejected' | 'cannot-query' | 'cannot-trade';

const PRODUCT_NAME: Record<KrakenProductType, string> = { SPOT: 'Kraken Spot', FUTURES: 'Kraken Futures' };

/**
 * The credentials of one product type are missing, were rejected by Kraken, or may not trade. The message names
 * the product type, Kraken's answer, the config options and the environment variables to set; never a secret. It
 * is the sentence alone: unlike other `KrakenConfigError`s it does not start with `option: ` (the sentence names
 * the options and variables already); `option` still holds where the key came from.
 */
export class KrakenCredentialsError extends KrakenConfigError {
  constructor(
    readonly productType: KrakenProductType,
    readonly problem: CredentialsProblem,
    /** The environment variables the credentials are read from: `[key, secret]`. */
    readonly envVars: readonly [string, string],
    /** Kraken's answer (`EAPI:Invalid key`, `authenticationError`), when Kraken gave one. */
    readonly reason: string | undefined,
    option: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(option, message, options);
    this.message = message;
    Error.captureStackTrace?.(this, KrakenCredentialsError);
  }
}

/** The env vars a config reads the credentials of a product type from. */
export function credentialEnvVars(config: KrakenClientConfig, productType: KrakenProductType): [string, string] {
  const vars =
    productType === 'SPOT'
      ? CREDENTIAL_ENV_VARS.SPOT
      : config.environment === 'demo'
        ? CREDENTIAL_ENV_VARS.FUTURES_DEMO
        : CREDENTIAL_ENV_VARS.FUTURES;
  return [vars.key, vars.secret];
}

/** The config options that hold a product type's credentials. */
function credentialOptions(config: KrakenClientConfig, productType: KrakenProductType): string {
  if (productType === 'SPOT') return 'apiKey/apiSecret';
  return config.productTypes.length === 1
    ? 'apiKey/apiSecret (or futuresApiKey/futuresApiSecret)'
    : 'futuresApiKey/futuresApiSecret';
}

function credentialsError(
  config: KrakenClientConfig,
  productType: KrakenProductType,
  problem: CredentialsProblem,
  reason?: string,
  cause?: unknown,
): KrakenCredentialsError {
  const [keyVar, secretVar] = credentialEnvVars(config, productType);
  const options = credentialOptions(config, productType);
  const source = config.credentials(productType)?.source;
  const key = source === undefined ? '' : source === 'config' ? ` given in ${options}` : ` from ${source}`;
  const what = {
    missing: 'has no API key',
    rejected: `refused the API key${key}`,
    'cannot-query': `does not let the API key${key} read the account`,
    'cannot-trade': `does not let the API key${key} trade`,
  }[problem];
  const fix =
    problem === 'cannot-trade'
      ? productType === 'SPOT'
        ? `give the key the permission "Orders and trades: Create & modify orders", or set ${keyVar}/${secretVar} to a key that has it`
        : `use a key with full access (order entry) in ${keyVar}/${secretVar}`
      : problem === 'cannot-query'
        ? `give the key the permissions "Funds: Query" and "Orders and trades: Query open orders & trades / Query closed orders & trades", or set ${keyVar}/${secretVar} to a key that has them`
        : `set ${keyVar} and ${secretVar}, or ${options}, to a valid ${PRODUCT_NAME[productType]} API key and secret`;
  const message = `${PRODUCT_NAME[productType]} (${productType}) ${what}${reason ? ` (${reason})` : ''}: ${fix}`;
  return new KrakenCredentialsError(
    productType,
    problem,
    [keyVar, secretVar],
    reason,
    source !== undefined && source !== 'config' ? source : options.split(' ')[0],
    message,
    cause !== undefined ? { cause } : undefined,
  );
}

/** Throws a `KrakenCredentialsError` when the config has no credentials for the product type. */
export function requireCredentials(config: KrakenClientConfig, productType: KrakenProductType): void {
  if (config.credentials(productType) !== undefined) return;
  throw credentialsError(config, productType, 'missing');
}

/** Spot errors that say the key itself is wrong. */
const SPOT_KEY_ERRORS = ['EAPI:Invalid key', 'EAPI:Invalid signature', 'EGeneral:Temporary lockout'];
/** Spot errors that say the key may not do this. */
const SPOT_PERMISSION_ERRORS = [
  'EGeneral:Permission denied',
  'EAPI:Permission denied',
  'EAccount:Invalid permissions',
  'EAuth:Account temporary disabled',
  'EAuth:Account unconfirmed',
];

function spotReason(err: unknown, prefixes: readonly string[]): string | undefined {
  if (!(err instanceof KrakenApiError)) return undefined;
  return prefixes.some((prefix) => err.is(prefix)) ? err.reason : undefined;
}

function futuresReason(err: unknown): string | undefined {
  if (!(err instanceof KrakenApiError)) return undefined;
  const hit = err.errors.find((e) => /authenticationError|apiKey|permission|unauthori[sz]ed/i.test(e.raw));
  return hit?.raw;
}

/**
 * Asks Kraken a private read with the product type's key: Spot `Balance`, Futures `/accounts`. Completes when the
 * key is accepted; errors with a `KrakenCredentialsError` when Kraken refuses it (other errors pass through).
 */
export function checkCredentials(
  raw: KrakenRawHttpClient,
  config: KrakenClientConfig,
  productType: KrakenProductType,
): Observable<void> {
  requireCredentials(config, productType);
  const call: Observable<unknown> = productType === 'SPOT' ? raw.spot.balance() : raw.futures.accounts();
  return call.pipe(
    map(() => undefined),
    catchError((err: unknown) => {
      const rejected = productType === 'SPOT' ? spotReason(err, SPOT_KEY_ERRORS) : futuresReason(err);
      if (rejected !== undefined) {
        return throwError(() => credentialsError(config, productType, 'rejected', rejected, err));
      }
      const denied = productType === 'SPOT' ? spotReason(err, SPOT_PERMISSION_ERRORS) : undefined;
      if (denied !== undefined) {
        return throwError(() => credentialsError(config, productType, 'cannot-query', denied, err));
      }
      return throwError(() => err);
    }),
  );
}

/** A client order id that can match no order (for the Futures probe). */
function probeClientOrderId(now: number): string {
  return `kraken-rx-probe-${now.toString(36)}`;
}

/**
 * Confirms that the key may trade, with a call that cannot change anything: Spot `AddOrder` with `validate=true`
 * (checked, never placed), Futures `cancelorder` for a client order id no order has (answers `notFound`). A
 * permission refusal errors with a `KrakenCredentialsError`; any other answer (an order-rule refusal, `notFound`)
 * means the key may trade.
 */
export function checkTradingPermission(
  raw: KrakenRawHttpClient,
  config: KrakenClientConfig,
  productType: KrakenProductType,
  instruments: readonly Instrument[],
): Observable<void> {
  if (productType === 'SPOT') {
    const pair = instruments.find((i): i is CurrencyPair => i.kind === 'CurrencyPair');
    if (pair === undefined) return of(undefined);
    const volume = (pair.minQuantity ?? pair.sizeIncrement).toFixed(pair.sizePrecision);
    return raw.spot
      .addOrder({
        pair: pair.rawSymbol,
        type: 'buy',
        ordertype: 'limit',
        volume,
        price: pair.priceIncrement.toFixed(pair.pricePrecision),
        oflags: 'post',
        validate: true,
      })
      .pipe(
        map(() => undefined),
        catchError((err: unknown) => {
          if (!(err instanceof KrakenApiError)) return throwError(() => err);
          const reason = spotReason(err, [...SPOT_PERMISSION_ERRORS, ...SPOT_KEY_ERRORS]);
          if (reason === undefined) return of(undefined);
          return throwError(() => credentialsError(config, productType, 'cannot-trade', reason, err));
        }),
      );
  }
  return raw.futures.cancelOrder({ cliOrdId: probeClientOrderId(config.scheduler.now()) }).pipe(
    map(() => undefined),
    catchError((err: unknown) => {
      if (!(err instanceof KrakenApiError)) return throwError(() => err);
      const reason = futuresReason(err);
      if (reason === undefined) return of(undefined);
      return throwError(() => credentialsError(config, productType, 'cannot-trade', reason, err));
    }),
  );
}
