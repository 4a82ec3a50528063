/**
 * Checks of the envelope of every inbound frame, for what no feed would ever see: a frame the session cannot route
 * (an unknown channel, feed, method or event; a data entry without a symbol) would otherwise be dropped in silence.
 * The feeds validate the content of the frames routed to them. One Set lookup per frame on the hot path.
 */
import { KrakenDecodeError } from '../errors';
import { inputExcerpt } from '../kraken/common/decode';
import { FUTURES_WS_EVENTS, FUTURES_WS_FEEDS } from '../kraken/futures/ws';
import { FUTURES_PRIVATE_FEEDS } from '../kraken/futures/wsProtocol';
import { SPOT_WS_CHANNELS, SPOT_WS_METHODS } from '../kraken/spot/ws';

const SPOT_CHANNELS: ReadonlySet<string> = new Set(SPOT_WS_CHANNELS);
/** Spot answers: one per request method, `pong` for `ping`. */
const SPOT_METHODS: ReadonlySet<string> = new Set(SPOT_WS_METHODS);
/** Spot channels whose data entries each name their symbol (the route). */
const SPOT_SYMBOL_CHANNELS: ReadonlySet<string> = new Set(['book', 'trade', 'ticker', 'ohlc', 'level3']);

const FUTURES_FEEDS: ReadonlySet<string> = new Set(FUTURES_WS_FEEDS);
const FUTURES_EVENTS: ReadonlySet<string> = new Set(FUTURES_WS_EVENTS);
/** Public feeds, routed by `product_id`. */
const FUTURES_PRODUCT_FEEDS: ReadonlySet<string> = new Set(
  FUTURES_WS_FEEDS.filter((feed) => feed !== 'heartbeat' && !FUTURES_PRIVATE_FEEDS.has(feed.replace(/_snapshot$/, ''))),
);

type JsonObject = Record<string, unknown>;

function problem(venue: string, detail: string, path: string, message: unknown): KrakenDecodeError {
  return new KrakenDecodeError(`${venue} websocket: ${detail}`, path ? [path] : [], inputExcerpt(message));
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'` : typeof value;
}

/** What is wrong with the envelope of a Spot v2 frame, or `undefined`. */
export function spotFrameProblem(message: unknown): KrakenDecodeError | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return problem(
      'spot',
      `expected a JSON object frame, got ${Array.isArray(message) ? 'an array' : typeof message}`,
      '',
      message,
    );
  }
  const frame = message as JsonObject;
  const channel = frame.channel;
  if (typeof channel === 'string') {
    if (!SPOT_CHANNELS.has(channel)) return problem('spot', `unknown channel ${describe(channel)}`, 'channel', message);
    if (SPOT_SYMBOL_CHANNELS.has(channel)) {
      const data = frame.data;
      if (!Array.isArray(data)) return problem('spot', `${channel} frame without a data array`, 'data', message);
      for (let i = 0; i < data.length; i++) {
        const entry = data[i] as JsonObject | null;
        if (typeof entry !== 'object' || entry === null || typeof entry.symbol !== 'string') {
          return problem('spot', `${channel} entry without a symbol`, `data.${i}.symbol`, message);
        }
      }
    }
    return undefined;
  }
  const method = frame.method;
  if (typeof method === 'string') {
    return SPOT_METHODS.has(method)
      ? undefined
      : problem('spot', `unknown method ${describe(method)}`, 'method', message);
  }
  return problem('spot', 'frame with neither a channel nor a method', 'channel', message);
}

/** What is wrong with the envelope of a Futures v1 frame, or `undefined`. */
export function futuresFrameProblem(message: unknown): KrakenDecodeError | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return problem(
      'futures',
      `expected a JSON object frame, got ${Array.isArray(message) ? 'an array' : typeof message}`,
      '',
      message,
    );
  }
  const frame = message as JsonObject;
  const event = frame.event;
  if (event !== undefined) {
    return typeof event === 'string' && FUTURES_EVENTS.has(event.trim())
      ? undefined
      : problem('futures', `unknown event ${describe(event)}`, 'event', message);
  }
  const feed = frame.feed;
  if (typeof feed !== 'string' || !FUTURES_FEEDS.has(feed)) {
    return problem('futures', `unknown feed ${describe(feed)}`, 'feed', message);
  }
  if (FUTURES_PRODUCT_FEEDS.has(feed) && typeof frame.product_id !== 'string') {
    return problem('futures', `${feed} message without a product_id`, 'product_id', message);
  }
  return undefined;
}
