/**
 * PLACEHOLDER created by sim-core so the simulator compiles before the futures layer exists. Owned by sim-futures:
 * replace this file with the real Futures REST + WS v1 layer (keep the export name `attachFutures`).
 */
import type { SimProtocolLayer } from '../context';

export const attachFutures: SimProtocolLayer = () => undefined;
