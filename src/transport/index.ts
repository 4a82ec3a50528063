/** I/O only: HTTP, WebSocket sessions and the proxy tunnel. Knows no domain type. */
export * from './heartbeatWatchdog';
export * from './http';
export * from './proxy';
export * from './wsSession';
export * from './wsSubscriptions';
