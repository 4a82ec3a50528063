/**
 * The Spot side of the simulator: REST (`/0/public/*`, `/0/private/*`) and WS v2 (`/v2` public, `/auth/v2`
 * authenticated).
 */
import type { SimProtocolLayer } from '../context';
import { SpotAuth } from './auth';
import { attachSpotRest } from './rest';
import { SpotTrading } from './trading';
import { attachSpotWs } from './ws';

export const attachSpot: SimProtocolLayer = (ctx) => {
  const auth = new SpotAuth(ctx);
  const trading = new SpotTrading(ctx);
  attachSpotRest(ctx, auth, trading);
  attachSpotWs(ctx, auth, trading);
};
