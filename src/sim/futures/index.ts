/**
 * The Kraken Futures side of the simulator: derivatives REST v3 (public and private), the History API, the
 * Charts API and WebSocket v1, all over the shared matching engine. See futures-wire.md for every shape.
 */
import type { SimProtocolLayer } from '../context';
import { FuturesRestAuth } from './auth';
import { attachFuturesCharts } from './charts';
import { attachFuturesHistory } from './history';
import { attachFuturesRest } from './rest';
import { FuturesVenue } from './venue';
import { attachFuturesWs } from './ws';

export const attachFutures: SimProtocolLayer = (ctx) => {
  const venue = new FuturesVenue(ctx);
  // One nonce sequence per API key, shared by the derivatives and History APIs.
  const auth = new FuturesRestAuth(ctx.credentials.futures.apiKey, ctx.credentials.futures.apiSecret);
  const market = attachFuturesRest(ctx, venue, auth);
  attachFuturesHistory(ctx, venue, auth);
  attachFuturesCharts(ctx, venue);
  attachFuturesWs(ctx, venue, market);
};
