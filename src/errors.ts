/**
 * Typed errors of kraken-rx. Every error keeps the underlying `cause`; none carries a secret.
 */

export class KrakenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A bad configuration value, thrown at construction. Names the option and what is accepted. */
export class KrakenConfigError extends KrakenError {
  constructor(
    readonly option: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${option}: ${message}`, options);
  }
}

export type KrakenErrorSeverity = 'E' | 'W';

/** One Kraken error string, split: `EAPI:Invalid nonce` → category `EAPI`, message `Invalid nonce`. */
export interface ParsedKrakenError {
  readonly raw: string;
  readonly severity: KrakenErrorSeverity;
  /** Severity and category together, as Kraken writes them: `EAPI`, `EOrder`, `EService`. */
  readonly category: string;
  /** The message without the category, whitespace normalised: `Invalid nonce`, `Throttled`. */
  readonly message: string;
  /** The optional trailing detail: `volume` in `EGeneral:Invalid arguments:volume`. */
  readonly detail?: string;
}

export function parseKrakenErrorString(raw: string): ParsedKrakenError {
  const text = raw.trim();
  const colon = text.indexOf(':');
  if (colon < 0 || !/^[EW][A-Za-z]+$/.test(text.slice(0, colon))) {
    return { raw, severity: 'E', category: 'EGeneral', message: text };
  }
  const category = text.slice(0, colon);
  const rest = text
    .slice(colon + 1)
    .split(':')
    .map((part) => part.trim());
  const [message, ...detail] = rest;
  return {
    raw,
    severity: category[0] as KrakenErrorSeverity,
    category,
    message: message ?? '',
    ...(detail.length > 0 ? { detail: detail.join(':') } : {}),
  };
}

/** Category:message prefixes that are safe to retry (for idempotent calls only). */
const RETRYABLE = new Set([
  'EService:Unavailable',
  'EService:Busy',
  'EService:Throttled',
  'EGeneral:Internal error',
  'EDatabase:Internal error',
  'EAPI:Rate limit exceeded',
  'EAuth:Rate limit exceeded',
  'EGeneral:Too many requests',
  'EOrder:Rate limit exceeded',
  'EOrder:Domain rate limit exceeded',
  'EAPI:Invalid nonce',
  // Futures forms
  'apiLimitExceeded',
  'Server Error',
  'Unavailable',
  'nonceBelowThreshold',
  'nonceDuplicate',
]);

const RATE_LIMIT = new Set([
  'EAPI:Rate limit exceeded',
  'EAuth:Rate limit exceeded',
  'EGeneral:Too many requests',
  'EOrder:Rate limit exceeded',
  'EOrder:Domain rate limit exceeded',
  'EService:Throttled',
  'apiLimitExceeded',
]);

function errorKey(parsed: ParsedKrakenError): string {
  return parsed.category === 'EGeneral' && !parsed.raw.includes(':')
    ? parsed.message
    : `${parsed.category}:${parsed.message}`;
}

export function isRetryableKrakenError(raw: string): boolean {
  return RETRYABLE.has(errorKey(parseKrakenErrorString(raw)));
}

export function isRateLimitKrakenError(raw: string): boolean {
  return RATE_LIMIT.has(errorKey(parseKrakenErrorString(raw)));
}

/** An error answer from Kraken: Spot `error[]` strings, or a Futures `error`/`errors[]`/`sendStatus.status`. */
export class KrakenApiError extends KrakenError {
  readonly errors: readonly ParsedKrakenError[];
  readonly retryable: boolean;

  constructor(
    errors: readonly string[],
    readonly endpoint?: string,
    readonly httpStatus?: number,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    const parsed = errors.map(parseKrakenErrorString);
    super(`${endpoint ? `${endpoint}: ` : ''}${errors.join('; ') || `HTTP ${httpStatus ?? '?'}`}`, options);
    this.errors = parsed;
    this.retryable = options?.retryable ?? (errors.length > 0 && errors.every(isRetryableKrakenError));
  }

  /** The first error's category (`EAPI`, `EOrder`, ...), or the Futures error code. */
  get category(): string | undefined {
    return this.errors[0]?.category;
  }

  /** Kraken's reason, as sent: the first error string. */
  get reason(): string {
    return this.errors[0]?.raw ?? this.message;
  }

  /** True when any of the errors starts with `category:message` (whitespace-insensitive). */
  is(prefix: string): boolean {
    return this.errors.some((e) => errorKey(e) === prefix || e.raw.startsWith(prefix));
  }
}

/** Kraken said the rate limit was exceeded; `retryAfterMs`, when known, says when to try again. */
export class KrakenRateLimitError extends KrakenApiError {
  constructor(
    errors: readonly string[],
    endpoint?: string,
    httpStatus?: number,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(errors, endpoint, httpStatus, { ...options, retryable: true });
  }
}

/** Builds the right error for a list of Kraken error strings (rate limit or plain API error). */
export function krakenApiError(errors: readonly string[], endpoint?: string, httpStatus?: number): KrakenApiError {
  if (errors.some(isRateLimitKrakenError)) return new KrakenRateLimitError(errors, endpoint, httpStatus);
  return new KrakenApiError(errors, endpoint, httpStatus);
}

/** An inbound message that did not match its codec. `paths` are the io-ts paths that failed. */
export class KrakenDecodeError extends KrakenError {
  constructor(
    message: string,
    readonly paths: readonly string[] = [],
    /** The start of the offending input, for diagnosis (never contains request secrets). */
    readonly input?: string,
    options?: { cause?: unknown },
  ) {
    super(paths.length > 0 ? `${message} at ${paths.join(', ')}` : message, options);
  }
}

export class KrakenConnectionError extends KrakenError {
  constructor(
    message: string,
    readonly url?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Kraken refused a subscription; `reason` is Kraken's own text. */
export class KrakenSubscriptionError extends KrakenError {
  constructor(
    readonly channel: string,
    readonly symbol: string | undefined,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`subscription to ${channel}${symbol ? ` ${symbol}` : ''} refused: ${reason}`, options);
  }
}

export class KrakenTimeoutError extends KrakenError {
  constructor(
    message: string,
    readonly timeoutMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Futures order-action statuses that mean the action was carried out (futures-wire.md §5); the rest are refusals. */
export const FUTURES_ACTION_SUCCESS: ReadonlySet<string> = new Set([
  'placed',
  'partiallyFilled',
  'filled',
  'edited',
  'cancelled',
]);

/** True for a `sendStatus`/`editStatus`/`cancelStatus`/`batchStatus[i]` status that is not a refusal. */
export function isFuturesActionSuccess(status: string): boolean {
  return FUTURES_ACTION_SUCCESS.has(status);
}

/**
 * The error strings of a Futures response body in any of Kraken's forms — `{result:"error", error}`,
 * `{result:"error", errors:[{code, message}]}` (or strings), a bare `{status:"NOT_FOUND"}` with a 4xx/5xx —
 * or undefined when the body is a success. A failed answer that names nothing gives `['unknownError']`.
 * Order-action statuses (`sendStatus.status` ...) are data, not envelope errors: see `futuresActionError`.
 */
export function futuresErrorStrings(body: unknown, httpStatus?: number): string[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const failed = record.result === 'error' || (httpStatus !== undefined && httpStatus >= 400);
  if (!failed) return undefined;
  const errors: string[] = [];
  if (typeof record.error === 'string') errors.push(record.error);
  if (Array.isArray(record.errors)) {
    for (const e of record.errors) {
      if (typeof e === 'string') errors.push(e);
      else if (e !== null && typeof e === 'object') {
        const { code, message } = e as { code?: unknown; message?: unknown };
        if (typeof message === 'string') errors.push(message);
        else if (typeof code === 'string' || typeof code === 'number') errors.push(String(code));
      }
    }
  }
  if (errors.length === 0 && typeof record.status === 'string') errors.push(record.status);
  return errors.length > 0 ? errors : ['unknownError'];
}

/**
 * The envelope-level error of a Futures response body (see {@link futuresErrorStrings}) as a typed error, or
 * undefined when the body is a success. An HTTP 429 is always a rate limit (`apiLimitExceeded`).
 */
export function futuresEnvelopeError(
  body: unknown,
  endpoint?: string,
  httpStatus?: number,
): KrakenApiError | undefined {
  const messages = futuresErrorStrings(body, httpStatus);
  if (messages === undefined) return undefined;
  if (httpStatus === 429 && !messages.includes('apiLimitExceeded')) messages.unshift('apiLimitExceeded');
  return krakenApiError(messages, endpoint, httpStatus);
}

/**
 * The refusal carried by a Futures order-action answer (`sendStatus`, `editStatus`, `cancelStatus`), or
 * undefined when the action was carried out. The reason is Kraken's status word, e.g. `postWouldExecute`.
 */
export function futuresActionError(status: string, endpoint?: string): KrakenApiError | undefined {
  return isFuturesActionSuccess(status)
    ? undefined
    : new KrakenApiError([status], endpoint, undefined, { retryable: false });
}
