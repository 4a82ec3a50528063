import type * as t from 'io-ts';
import { Observable, type OperatorFunction, type SchedulerLike, type Subscriber } from 'rxjs';
import type { KrakenDecodeError } from '../errors';
import { toDecodeError } from '../kraken/common/decode';

/** What a feed pipeline needs from the client: the clock and the place to report bad input. */
export interface FeedContext {
  readonly scheduler: SchedulerLike;
  /** A frame that did not decode: reported (on `errors$`), never fatal. */
  reportDecodeError(error: KrakenDecodeError): void;
}

/**
 * Decodes each inbound message with `codec` and hands the result to `handle`, which emits what it makes of it. A
 * message that does not decode is reported as a `KrakenDecodeError` and skipped; the stream goes on. A throw in
 * `handle` errors the stream.
 *
 * @param codec the wire codec of the frames this subscription receives.
 * @param what names the feed in error messages (`spot trade BTC/USD`).
 * @param context clock and error sink.
 * @param handle called with the decoded frame, the receive time (`tsInit`) and the subscriber.
 */
export function decodeFrames<A, B>(
  codec: t.Decoder<unknown, A>,
  what: string,
  context: FeedContext,
  handle: (decoded: A, tsInit: number, subscriber: Subscriber<B>) => void,
): OperatorFunction<unknown, B> {
  return (source) =>
    new Observable<B>((subscriber) =>
      source.subscribe({
        next(frame) {
          try {
            const result = codec.decode(frame);
            if (result._tag === 'Left') {
              context.reportDecodeError(toDecodeError(result.left, frame, what));
              return;
            }
            handle(result.right, context.scheduler.now(), subscriber);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
