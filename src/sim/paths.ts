/** WebSocket paths of the simulator (same port as REST). */
export const SPOT_WS_PATH = '/v2';
export const SPOT_WS_AUTH_PATH = '/auth/v2';
export const FUTURES_WS_PATH = '/ws/v1';
