import type * as t from 'io-ts';
import { Observable, type OperatorFunction, type SchedulerLike, type Subscriber } from 'rxjs';
import type { KrakenDecodeError } from '../errors';
import { toDecodeError } from '../kraken/common/decode';

/** What a feed pipeline needs from the client: the clock and the place to report bad input. */
export interface FeedContext {
  readonly scheduler: SchedulerLike;
  /** A frame that did not decode (`frame`, as parsed): reported (on `errors$`), never fatal. */
  reportDecodeError(error: KrakenDecodeError, frame?: unknown): void;
}

/** Per-subscription handling of decoded frames (for feeds that keep state, like a trade sequencer). */
export interface FrameHandler<A> {
  handle(decoded: A, tsInit: number): void;
  dispose?(): void;
}

/**
 * Decodes each inbound message with `codec` and hands the result to the handler `setup` made for this subscription.
 * A message that does not decode is reported as a `KrakenDecodeError` and skipped; the stream goes on. A throw in
 * the handler errors the stream.
 *
 * @param codec the wire codec of the frames this subscription receives.
 * @param what names the feed in error messages (`spot trade BTC/USD`).
 * @param context clock and error sink.
 * @param setup called once per subscription with its subscriber; returns the handler of decoded frames.
 */
export function decodeFramesWith<A, B>(
  codec: t.Decoder<unknown, A>,
  what: string,
  context: FeedContext,
  setup: (subscriber: Subscriber<B>) => FrameHandler<A>,
): OperatorFunction<unknown, B> {
  return (source) =>
    new Observable<B>((subscriber) => {
      const handler = setup(subscriber);
      const subscription = source.subscribe({
        next(frame) {
          try {
            const result = codec.decode(frame);
            if (result._tag === 'Left') {
              context.reportDecodeError(toDecodeError(result.left, frame, what), frame);
              return;
            }
            handler.handle(result.right, context.scheduler.now());
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        handler.dispose?.();
        subscription.unsubscribe();
      };
    });
}

/**
 * Like {@link decodeFramesWith} for stateless feeds: `handle` gets the decoded frame, the receive time (`tsInit`)
 * and the subscriber, and emits what it makes of the frame.
 */
export function decodeFrames<A, B>(
  codec: t.Decoder<unknown, A>,
  what: string,
  context: FeedContext,
  handle: (decoded: A, tsInit: number, subscriber: Subscriber<B>) => void,
): OperatorFunction<unknown, B> {
  return decodeFramesWith<A, B>(codec, what, context, (subscriber) => ({
    handle: (decoded, tsInit) => handle(decoded, tsInit, subscriber),
  }));
}
