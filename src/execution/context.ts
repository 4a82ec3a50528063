/**
 * What the Spot and Futures halves of the execution client share: config, HTTP client, order tracker, client
 * order ids, instruments, clock, and the error channel. Plus the small decisions both halves need the same way
 * (is a failed placement's outcome unknown? how long to wait for the stream?).
 */
import Decimal from 'decimal.js';
import {
  catchError,
  defer,
  EMPTY,
  map,
  mergeMap,
  type Observable,
  of,
  shareReplay,
  type SchedulerLike,
  tap,
  timer,
} from 'rxjs';
import type { KrakenExecClientConfig } from '../config/config';
import type { KrakenLogger } from '../config/logger';
import {
  KrakenApiError,
  KrakenConfigError,
  KrakenConnectionError,
  KrakenDecodeError,
  KrakenRateLimitError,
  KrakenTimeoutError,
} from '../errors';
import type { KrakenRawHttpClient } from '../http/KrakenRawHttpClient';
import { instrumentFinder } from '../kraken/common/symbols';
import type { InstrumentIdLike } from '../model/identifiers';
import type { Instrument } from '../model/instruments';
import type { ClientOrderIds } from './clientOrderIds';
import type { ModifyOrder } from '../model/orders';
import type { OrderTracker, TrackedOrder } from './orderTracker';

/** Where instruments come from: a `KrakenInstrumentProvider` (or anything shaped like one). */
export interface InstrumentSource {
  loadAll(): Observable<readonly Instrument[]>;
  list(): readonly Instrument[];
}

/**
 * The instruments the execution client maps orders and reports with: loaded once on first need, looked up by
 * any name Kraken uses (pair key, altname, wsname, v2 symbol, Futures symbol in any case).
 */
export class InstrumentBook {
  private finderFor?: { readonly list: readonly Instrument[]; readonly find: (name: string) => Instrument | undefined };
  private readonly load$: Observable<void>;

  constructor(private readonly source: InstrumentSource) {
    this.load$ = defer(() => (this.source.list().length > 0 ? of(undefined) : this.source.loadAll())).pipe(
      map(() => undefined),
      shareReplay({ bufferSize: 1, refCount: false }),
    );
  }

  /** Loads the instruments if none are loaded yet (once; later callers share the result). */
  ensureLoaded(): Observable<void> {
    return this.source.list().length > 0 ? of(undefined) : this.load$;
  }

  find(name: InstrumentIdLike): Instrument | undefined {
    const list = this.source.list();
    if (this.finderFor?.list !== list) this.finderFor = { list, find: instrumentFinder(list) };
    return this.finderFor.find(typeof name === 'string' ? name : name.toString());
  }

  /** The instrument, loading instruments first when needed; errors with a KrakenConfigError if Kraken has none. */
  require(id: InstrumentIdLike): Observable<Instrument> {
    return defer(() => {
      const found = this.find(id);
      if (found) return of(found);
      return this.ensureLoaded().pipe(
        map(() => {
          const loaded = this.find(id);
          if (loaded === undefined) {
            throw new KrakenConfigError(
              'instrumentId',
              `Kraken lists no instrument '${String(id)}' (ids look like 'BTC/USD.KRAKEN' or 'PF_XBTUSD.KRAKEN')`,
            );
          }
          return loaded;
        }),
      );
    });
  }
}

export interface ExecContext {
  readonly config: KrakenExecClientConfig;
  readonly raw: KrakenRawHttpClient;
  readonly tracker: OrderTracker;
  readonly ids: ClientOrderIds;
  readonly instruments: InstrumentBook;
  readonly accountId: string;
  readonly scheduler: SchedulerLike;
  readonly logger: KrakenLogger;
  /** How long a placement may go unanswered before it is resolved by lookup (the HTTP timeout). */
  readonly requestTimeoutMs: number;
  /** How long to wait for the live stream to confirm what a command's answer said, before asking REST. */
  readonly streamGraceMs: number;
  /** Reports an error on the client's `errors$` (and the log). */
  reportError(error: unknown, context?: string): void;
  /** Runs work owned by the client (not by a caller's subscription): it survives unsubscribing, ends on close. */
  detach(work: Observable<unknown>, what: string): void;
  now(): number;
}

const MAYBE_EXECUTED = ['EGeneral:Internal error', 'EDatabase:Internal error', 'EService:'];

/**
 * True when a failed order placement may nevertheless have been executed, so its outcome must be found out by
 * looking the order up: no answer (timeout, dropped connection), an unreadable answer, a gateway failure with
 * no Kraken body, or an internal/service error. A Kraken refusal (`EOrder:Insufficient funds`,
 * `EGeneral:Invalid arguments`, rate limits, ...) is definite: nothing was placed.
 */
export function isOutcomeUnknown(err: unknown): boolean {
  if (err instanceof KrakenTimeoutError || err instanceof KrakenConnectionError) return true;
  if (err instanceof KrakenDecodeError) return true;
  if (err instanceof KrakenRateLimitError) return false;
  if (err instanceof KrakenApiError) {
    if (err.errors.length === 0) return true;
    const squeeze = (text: string) => text.replace(/\s+/g, '');
    return err.errors.some((e) => MAYBE_EXECUTED.some((prefix) => squeeze(e.raw).startsWith(squeeze(prefix))));
  }
  return !(err instanceof KrakenConfigError);
}

/** Kraken's reason for a refusal, or the error's message. */
export function reasonOf(err: unknown): string {
  if (err instanceof KrakenApiError) return err.reason;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Looks for an order whose placement answer was lost: `lookOnce` up to `attempts` times, `retryDelayInitialMs × n`
 * apart (a just-placed order may show with a delay), until it says found. A failed look is reported and counts as
 * not found. Emits whether the order was found.
 */
export function lookUpRepeatedly(
  ctx: ExecContext,
  lookOnce: () => Observable<boolean>,
  what: string,
  attempts = 3,
): Observable<boolean> {
  const attempt = (n: number): Observable<boolean> =>
    lookOnce().pipe(
      catchError((err: unknown) => {
        ctx.reportError(err, what);
        return of(false);
      }),
      mergeMap((found) => {
        if (found || n >= attempts) return of(found);
        return timer(ctx.config.retryDelayInitialMs * n, ctx.scheduler).pipe(mergeMap(() => attempt(n + 1)));
      }),
    );
  return attempt(1);
}

/** Whether the tracked order now carries every value an amendment asked for. */
export function carriesAmendment(order: TrackedOrder, cmd: ModifyOrder): boolean {
  const same = (value: unknown, current: Decimal | undefined) =>
    value === undefined || (current !== undefined && current.eq(new Decimal(String(value))));
  return (
    same(cmd.quantity, order.quantity) && same(cmd.price, order.price) && same(cmd.triggerPrice, order.triggerPrice)
  );
}

/**
 * Resolves a modify command that failed. A definite refusal is `OrderModifyRejected` with Kraken's reason. When the
 * outcome is unknown (no answer), the order is read back with `readBack` first — an amendment that took effect
 * comes back as `OrderUpdated` through the tracker — and only if the order does not carry the amendment then is it
 * reported as rejected. `what` names the command in that reason (`edit`, `amendment`).
 */
export function resolveModifyFailure(
  ctx: ExecContext,
  order: TrackedOrder,
  cmd: ModifyOrder,
  err: unknown,
  readBack: () => Observable<unknown>,
  what: string,
): Observable<unknown> {
  if (!isOutcomeUnknown(err)) {
    ctx.tracker.apply(order, { kind: 'modifyRejected', reason: reasonOf(err), ts: ctx.now() });
    return EMPTY;
  }
  return readBack().pipe(
    tap({
      complete: () => {
        if (carriesAmendment(order, cmd)) return;
        ctx.tracker.apply(order, {
          kind: 'modifyRejected',
          reason: `no answer to the ${what} (${reasonOf(err)}); the order at Kraken is unchanged`,
          ts: ctx.now(),
        });
      },
    }),
  );
}

/**
 * Applies one inbound message (or one entry of it). A message that decoded but cannot be applied (an empty symbol,
 * a value no model type takes) is reported on `errors$` as a `KrakenDecodeError`; the stream and the other entries
 * go on — a throw here would otherwise end the subscription.
 */
export function applySafely(ctx: ExecContext, what: string, input: unknown, apply: () => void): void {
  try {
    apply();
  } catch (err) {
    let text: string | undefined;
    try {
      text = JSON.stringify(input)?.slice(0, 200);
    } catch {
      text = undefined;
    }
    ctx.reportError(new KrakenDecodeError(`${what}: cannot apply (${reasonOf(err)})`, [], text, { cause: err }));
  }
}
