/**
 * One HTTP exchange as a cold Observable: no Kraken knowledge and no domain type here (signing, decoding,
 * rate limiting and retries are the REST clients' business, in `src/http`).
 *
 * - Cold: nothing is sent until subscription; each subscription sends one request.
 * - Timeout: an `AbortController` aborted by an action scheduled on the injected scheduler, so virtual time
 *   (`TestScheduler.run`) drives it in tests; it covers the headers and the body.
 * - Unsubscribing aborts the request in flight.
 * - Every Promise is handled: a failed `fetch` becomes an Observable error, never an unhandled rejection.
 */
import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';
import type { FetchLike, RequestInitLike, ResponseLike } from '../config/config';
import { KrakenConnectionError, KrakenTimeoutError } from '../errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  readonly method: HttpMethod;
  /** The full URL, query included, exactly as it must be sent. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The body text, sent byte for byte (never re-encoded). */
  readonly body?: string;
  /** Abort after this many milliseconds (> 0). */
  readonly timeoutMs: number;
  /** Default: cross-fetch. */
  readonly fetch?: FetchLike;
  /** A Node `http.Agent` (e.g. a proxy tunnel), passed to fetch as `agent`. */
  readonly agent?: unknown;
  /** Clock for the timeout; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

export interface HttpResponse {
  readonly status: number;
  readonly text: string;
  /** A response header by (case-insensitive) name, when the fetch implementation exposes headers. */
  header(name: string): string | undefined;
}

let crossFetch: FetchLike | undefined;

/**
 * cross-fetch, loaded on first use (no import-time work). Required rather than imported so that its type
 * declarations, which pull the DOM lib into the whole program, stay out of the build.
 */
export function defaultFetch(): FetchLike {
  if (crossFetch === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('cross-fetch') as { fetch: FetchLike };
    crossFetch = mod.fetch;
  }
  return crossFetch;
}

/** `METHOD origin/path` without the query, for error messages. */
export function describeRequest(method: string, url: string): string {
  const q = url.indexOf('?');
  return `${method} ${q < 0 ? url : url.slice(0, q)}`;
}

type HeaderSource = { get?: (name: string) => string | null | undefined } | undefined;

function headerReader(response: ResponseLike): (name: string) => string | undefined {
  const headers = (response as { headers?: HeaderSource }).headers;
  return (name) => {
    try {
      return headers?.get?.(name) ?? undefined;
    } catch {
      return undefined;
    }
  };
}

/**
 * Sends one HTTP request on subscription and emits `{ status, text, header() }` once, then completes, for any
 * HTTP status (interpreting a 502 is the caller's job). Errors: `KrakenTimeoutError` after `timeoutMs`,
 * `KrakenConnectionError` when the request could not be made or the body could not be read.
 */
export function httpRequest(request: HttpRequest): Observable<HttpResponse> {
  return new Observable<HttpResponse>((subscriber) => {
    const { method, url, timeoutMs } = request;
    const scheduler = request.scheduler ?? asyncScheduler;
    const what = describeRequest(method, url);
    const controller = new AbortController();
    let timedOut = false;
    let settled = false;

    const timer = scheduler.schedule(() => {
      timedOut = true;
      controller.abort();
      if (!settled) {
        settled = true;
        subscriber.error(new KrakenTimeoutError(`${what} timed out after ${timeoutMs} ms`, timeoutMs));
      }
    }, timeoutMs);

    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      timer.unsubscribe();
      if (timedOut) {
        subscriber.error(new KrakenTimeoutError(`${what} timed out after ${timeoutMs} ms`, timeoutMs, { cause: err }));
        return;
      }
      const reason = err instanceof Error ? err.message : String(err);
      subscriber.error(new KrakenConnectionError(`${what} failed: ${reason}`, url, { cause: err }));
    };

    const init: RequestInitLike = {
      method,
      headers: { ...request.headers },
      signal: controller.signal,
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(request.agent !== undefined ? { agent: request.agent } : {}),
    };

    let pending: Promise<ResponseLike>;
    try {
      pending = (request.fetch ?? defaultFetch())(url, init);
    } catch (err) {
      fail(err);
      return () => timer.unsubscribe();
    }
    pending
      .then((response) =>
        response.text().then((text) => {
          if (settled) return;
          settled = true;
          timer.unsubscribe();
          const header = headerReader(response);
          subscriber.next({ status: response.status, text, header });
          subscriber.complete();
        }),
      )
      .then(undefined, fail);

    return () => {
      timer.unsubscribe();
      if (!settled) {
        settled = true;
        controller.abort();
      }
    };
  });
}
