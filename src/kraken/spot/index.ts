/** Kraken Spot wire knowledge: REST and WS v2 codecs, wire → model parsers. No I/O. */
export * from './rest';
export * from './ws';
export * from './parsers';
