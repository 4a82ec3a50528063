import { Observable, type Subscription } from 'rxjs';

/** One page of a paged HTTP answer. */
export interface Page<T, C> {
  /** The page's items, in order. */
  items: readonly T[];
  /** The cursor (or offset) of the next page; `undefined` on the last page. */
  next?: C;
}

/**
 * Turns offset- or cursor-paged HTTP into one cold stream of items.
 *
 * On subscription it calls `fetchPage(undefined)`, emits the page's items, and, when that page's
 * Observable completes with a `next` cursor, calls `fetchPage(next)`; it completes after the page
 * whose `next` is `undefined`. Pages are fetched strictly one after another, and only while someone
 * listens: once the subscriber unsubscribes (for example through `take(n)`), no further page is
 * requested and the request in flight is unsubscribed. An error from any page ends the stream.
 *
 * `fetchPage` should return an Observable of exactly one page (an HTTP call); if it emits several,
 * all their items are emitted and the last `next` is followed; if it emits none, the stream ends.
 *
 * ```
 * fetchPage(undefined): --P|          P = { items: [a, b], next: 2 }
 * fetchPage(2):            --Q|       Q = { items: [c] }
 * paginate(fetchPage):  --(ab)(c|)
 * ```
 *
 * @example
 * ```ts
 * // Kraken Futures history: cursor paging with continuationToken
 * const orders$ = paginate((token?: string) =>
 *   http.historyOrders({ sort: 'asc', continuation_token: token }).pipe(
 *     map((body) => ({ items: body.elements, next: body.continuationToken })),
 *   ),
 * );
 * // Kraken Spot ClosedOrders: offset paging, 50 per page
 * const closed$ = paginate((ofs = 0) =>
 *   http.closedOrders({ ofs }).pipe(
 *     map((r) => {
 *       const items = Object.values(r.closed);
 *       return { items, next: ofs + items.length < r.count && items.length > 0 ? ofs + items.length : undefined };
 *     }),
 *   ),
 * );
 * ```
 *
 * @param fetchPage Returns the page at a cursor (`undefined` for the first page).
 * @returns A cold Observable of every item of every page, in order.
 */
export function paginate<T, C>(fetchPage: (cursor: C | undefined) => Observable<Page<T, C>>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let inFlight: Subscription | undefined;
    let cursor: C | undefined;
    let fetchRequested = true;
    let fetching = false;

    // A loop rather than recursion, so thousands of synchronously answered pages cannot blow the stack.
    const fetchPages = (): void => {
      fetching = true;
      while (fetchRequested && !subscriber.closed) {
        fetchRequested = false;
        let lastPage: Page<T, C> | undefined;
        let page$: Observable<Page<T, C>>;
        try {
          page$ = fetchPage(cursor);
        } catch (err) {
          subscriber.error(err);
          break;
        }
        inFlight = page$.subscribe({
          next: (page) => {
            lastPage = page;
            for (const item of page.items) {
              if (subscriber.closed) return;
              subscriber.next(item);
            }
          },
          error: (err) => subscriber.error(err),
          complete: () => {
            if (lastPage?.next === undefined) {
              subscriber.complete();
              return;
            }
            cursor = lastPage.next;
            fetchRequested = true;
            if (!fetching) fetchPages(); // the page answered asynchronously: start the loop again
          },
        });
      }
      fetching = false;
    };

    fetchPages();
    return () => inFlight?.unsubscribe();
  });
}
