import { VirtualTimeScheduler } from 'rxjs';
import type { FetchLike, RequestInitLike, ResponseLike } from '../../src/config';
import { KrakenConnectionError, KrakenTimeoutError } from '../../src/errors';
import { httpRequest } from '../../src/transport/http';
import { failOnUnhandledRejections } from './helpers';

/** A fetch whose answer the test controls; it rejects with an AbortError when its signal aborts, like fetch. */
function controlledFetch() {
  const calls: { url: string; init: RequestInitLike }[] = [];
  let answer: ((response: ResponseLike) => void) | undefined;
  const fetch: FetchLike = (url, init = {}) => {
    calls.push({ url, init });
    return new Promise<ResponseLike>((resolve, reject) => {
      answer = resolve;
      init.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
    });
  };
  return { fetch, calls, answer: (response: ResponseLike) => answer?.(response) };
}

function response(status: number, text: string, headers: Record<string, string> = {}): ResponseLike {
  return {
    status,
    ok: status >= 200 && status < 300,
    text: () => Promise.resolve(text),
    headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
  } as ResponseLike;
}

failOnUnhandledRejections();

const flushPromises = () => new Promise((resolve) => setImmediate(resolve));

describe('httpRequest', () => {
  it('sends nothing until subscribed and emits status, text and headers once', async () => {
    const { fetch, calls, answer } = controlledFetch();
    const request$ = httpRequest({
      method: 'POST',
      url: 'http://127.0.0.1:1/0/private/Balance',
      headers: { 'API-Key': 'k' },
      body: 'nonce=1',
      timeoutMs: 1000,
      fetch,
      scheduler: new VirtualTimeScheduler(),
    });
    expect(calls).toHaveLength(0);
    const seen: unknown[] = [];
    let completed = false;
    request$.subscribe({
      next: (r) => seen.push({ status: r.status, text: r.text, reset: r.header('rate-limit-reset') }),
      complete: () => (completed = true),
    });
    expect(calls).toHaveLength(1);
    expect(calls[0].init).toMatchObject({ method: 'POST', body: 'nonce=1', headers: { 'API-Key': 'k' } });
    answer(response(502, '<html>bad gateway</html>', { 'rate-limit-reset': '3' }));
    await flushPromises();
    expect(seen).toEqual([{ status: 502, text: '<html>bad gateway</html>', reset: '3' }]);
    expect(completed).toBe(true);
  });

  it('times out on the scheduler clock with a KrakenTimeoutError and aborts the fetch', async () => {
    const scheduler = new VirtualTimeScheduler();
    const { fetch, calls } = controlledFetch();
    let error: unknown;
    httpRequest({ method: 'GET', url: 'http://127.0.0.1:1/x?a=1', timeoutMs: 2500, fetch, scheduler }).subscribe({
      error: (err: unknown) => (error = err),
    });
    scheduler.flush();
    expect(error).toBeInstanceOf(KrakenTimeoutError);
    expect((error as KrakenTimeoutError).timeoutMs).toBe(2500);
    expect((error as Error).message).toBe('GET http://127.0.0.1:1/x timed out after 2500 ms');
    expect(scheduler.now()).toBe(2500);
    expect(calls[0].init.signal?.aborted).toBe(true);
    await flushPromises();
  });

  it('aborts the fetch when unsubscribed, without an error', async () => {
    const scheduler = new VirtualTimeScheduler();
    const { fetch, calls } = controlledFetch();
    const errors: unknown[] = [];
    const subscription = httpRequest({ method: 'GET', url: 'http://h/x', timeoutMs: 100, fetch, scheduler }).subscribe({
      error: (err: unknown) => errors.push(err),
    });
    subscription.unsubscribe();
    expect(calls[0].init.signal?.aborted).toBe(true);
    scheduler.flush(); // the timeout was cancelled too
    await flushPromises();
    expect(errors).toEqual([]);
  });

  it('turns a rejected fetch into a KrakenConnectionError with the cause', async () => {
    const cause = new Error('ECONNREFUSED');
    const fetch: FetchLike = () => Promise.reject(cause);
    let error: unknown;
    httpRequest({ method: 'GET', url: 'http://127.0.0.1:1/x', timeoutMs: 100, fetch }).subscribe({
      error: (err: unknown) => (error = err),
    });
    await flushPromises();
    expect(error).toBeInstanceOf(KrakenConnectionError);
    expect((error as KrakenConnectionError).cause).toBe(cause);
    expect((error as KrakenConnectionError).url).toBe('http://127.0.0.1:1/x');
  });

  it('turns a fetch that throws synchronously into a KrakenConnectionError', () => {
    const fetch: FetchLike = () => {
      throw new TypeError('Only absolute URLs are supported');
    };
    let error: unknown;
    httpRequest({ method: 'GET', url: 'nope', timeoutMs: 100, fetch, scheduler: new VirtualTimeScheduler() }).subscribe(
      {
        error: (err: unknown) => (error = err),
      },
    );
    expect(error).toBeInstanceOf(KrakenConnectionError);
  });

  it('turns a body that fails to read into a KrakenConnectionError', async () => {
    const fetch: FetchLike = () =>
      Promise.resolve({ status: 200, ok: true, text: () => Promise.reject(new Error('socket hang up')) });
    let error: unknown;
    httpRequest({
      method: 'GET',
      url: 'http://h/x',
      timeoutMs: 100,
      fetch,
      scheduler: new VirtualTimeScheduler(),
    }).subscribe({
      error: (err: unknown) => (error = err),
    });
    await flushPromises();
    expect(error).toBeInstanceOf(KrakenConnectionError);
    expect((error as Error).message).toContain('socket hang up');
  });
});
