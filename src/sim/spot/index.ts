import type { SimProtocolLayer } from '../context';

export const attachSpot: SimProtocolLayer = () => undefined;
