/** Kraken Futures wire knowledge: REST v3 / History / Charts and WS v1 codecs, wire → model parsers. No I/O. */
export * from './rest';
export * from './ws';
export * from './parsers';
