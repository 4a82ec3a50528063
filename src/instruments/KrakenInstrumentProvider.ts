import { defer, map, type Observable, ReplaySubject, type Subscription, tap } from 'rxjs';
import { KrakenDataClientConfig, type KrakenClientConfig, type KrakenDataClientOptions } from '../config/config';
import { KrakenHttpClient, type KrakenHttpClientOptions } from '../http/KrakenHttpClient';
import type { InstrumentIdLike } from '../model/identifiers';
import type { Instrument } from '../model/instruments';

export interface KrakenInstrumentProviderOptions extends KrakenHttpClientOptions {
  /** Share an existing HTTP client (and its instrument cache). */
  readonly http?: KrakenHttpClient;
}

/**
 * Kraken's instruments for the configured product types (Spot `AssetPairs`, Futures `/instruments`), kept
 * fresh (DESIGN.md §3.3).
 *
 * - `loadAll()` loads them all (cold: each subscription asks Kraken again) and publishes the list on
 *   `instruments$`; `load(id)` loads one (from the cache when it is there); `find(id)` looks in the cache only.
 * - `instruments$` replays the latest full list and re-emits it after every load and every periodic reload.
 *   Subscribing to it starts the first load if none has happened yet.
 * - After the first load, the list is reloaded every `updateInstrumentsIntervalMins` (default 60; `null`
 *   disables it) on the config's scheduler. A failed reload is logged and the previous list kept. A failed
 *   background first load (started by subscribing to `instruments$`) is logged and tried again after
 *   `retryDelayMaxMs` (at least 1 s) until one succeeds, so subscribers are not left waiting a whole period.
 * - `close()` stops the reload and completes `instruments$`.
 */
export class KrakenInstrumentProvider {
  readonly http: KrakenHttpClient;
  /** The full list after every (re)load; replays the latest to new subscribers. */
  readonly instruments$: Observable<readonly Instrument[]>;
  private readonly published = new ReplaySubject<readonly Instrument[]>(1);
  private readonly intervalMins: number | null;
  private reloadTimer?: Subscription;
  private firstLoadRetry?: Subscription;
  private reloadInFlight?: Subscription;
  private hasPublished = false;
  private started = false;
  private closed = false;

  constructor(
    config: KrakenClientConfig | KrakenDataClientOptions = {},
    options: KrakenInstrumentProviderOptions = {},
  ) {
    this.http = options.http ?? new KrakenHttpClient(config, options);
    const resolved = this.http.config;
    this.intervalMins = resolved instanceof KrakenDataClientConfig ? resolved.updateInstrumentsIntervalMins : null;
    this.instruments$ = defer(() => {
      if (!this.started && !this.closed) this.reload();
      return this.published.asObservable();
    });
  }

  /** Loads every instrument of the configured product types, publishes the list, and arms the periodic reload. */
  loadAll(): Observable<readonly Instrument[]> {
    return this.http.instruments().pipe(tap((list) => this.publish(list)));
  }

  /** The instrument from the cache, or loaded (with its product type) when it is not there yet. */
  load(id: InstrumentIdLike): Observable<Instrument> {
    return defer(() => {
      const cached = this.http.cachedInstrument(id);
      if (cached !== undefined) return [cached];
      return this.http.instrument(id).pipe(
        map((instrument) => {
          this.publish(this.http.cachedInstruments());
          return instrument;
        }),
      );
    });
  }

  /** The cached instrument, or undefined (no request). */
  find(id: InstrumentIdLike): Instrument | undefined {
    return this.http.cachedInstrument(id);
  }

  /** Every cached instrument. */
  list(): readonly Instrument[] {
    return this.http.cachedInstruments();
  }

  /** Stops the periodic reload and completes `instruments$`. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reloadTimer?.unsubscribe();
    this.firstLoadRetry?.unsubscribe();
    this.reloadInFlight?.unsubscribe();
    this.published.complete();
  }

  toString(): string {
    return `KrakenInstrumentProvider(${this.list().length} instruments, reload ${
      this.intervalMins === null ? 'off' : `every ${this.intervalMins} min`
    })`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** `util.inspect` shows the summary, never the internals (signers, API keys, proxy agent). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  private publish(list: readonly Instrument[]): void {
    this.started = true;
    if (this.closed) return;
    this.hasPublished = true;
    this.published.next(list);
    this.armReload();
  }

  private armReload(): void {
    if (this.reloadTimer !== undefined || this.intervalMins === null || this.closed) return;
    const periodMs = this.intervalMins * 60_000;
    const scheduler = this.http.config.scheduler;
    const reload = () => this.reload();
    this.reloadTimer = scheduler.schedule(function tick() {
      reload();
      this.schedule(undefined, periodMs);
    }, periodMs);
  }

  /** One background load; errors are logged, not thrown (the previous list stays valid). */
  private reload(): void {
    if (this.closed) return;
    this.started = true;
    if (this.reloadInFlight !== undefined && !this.reloadInFlight.closed) return;
    this.reloadInFlight = this.loadAll().subscribe({
      error: (err: unknown) => {
        const reason = err instanceof Error ? err.message : String(err);
        const { logger, scheduler, retryDelayMaxMs } = this.http.config;
        if (this.hasPublished) {
          logger.warn(`instrument reload failed, keeping ${this.list().length} instruments: ${reason}`, { error: err });
          this.armReload();
          return;
        }
        // Nothing published yet: subscribers of instruments$ are waiting, so try again soon rather than after a
        // whole reload period (or never, with the reload disabled).
        const delayMs = Math.max(retryDelayMaxMs, 1000);
        logger.warn(`instrument load failed, trying again in ${delayMs} ms: ${reason}`, { error: err });
        this.firstLoadRetry?.unsubscribe();
        this.firstLoadRetry = scheduler.schedule(() => this.reload(), delayMs);
      },
    });
  }
}
