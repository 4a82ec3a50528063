/**
 * A minimal Kraken Spot endpoint on 127.0.0.1, run in a worker thread (so that its work is not on the client's
 * thread and its objects are not in the client's heap): `GET /0/public/AssetPairs` and WS v2 on `/v2` (status on
 * connect, acknowledgements of subscribe / unsubscribe, pong).
 *
 * - `replay`: on the `book` subscription, sends every frame of the capture, either as fast as the socket drains
 *   (`ratePerSecond` absent) or paced at `ratePerSecond`; the send time of frame `i` (ms on the monotonic clock,
 *   relative to `clockBase`) is written to `sendTimes[i]` just before the send.
 * - `cycles`: on every `book` subscription, sends the capture's first frame (the snapshot).
 *
 * Started by `loopback.ts`; posts `{ type: 'listening', port }`, then `{ type: 'replayed' }` after the last frame.
 */
import { createServer } from 'http';
import { parentPort, workerData } from 'worker_threads';
import { WebSocketServer, type WebSocket } from 'ws';

export interface LoopbackServerData {
  readonly mode: 'replay' | 'cycles';
  readonly frames: readonly string[];
  readonly ratePerSecond?: number;
  /** Float64Array over it: send time of each frame. */
  readonly sendTimes?: SharedArrayBuffer;
  /** `process.hrtime.bigint()` of the main thread at start, as a decimal string. */
  readonly clockBase: string;
  readonly assetPairsBody: string;
}

export type LoopbackServerEvent =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'replayed' }
  | { readonly type: 'stats'; readonly subscribes: number; readonly unsubscribes: number };

const data = workerData as LoopbackServerData;
const port = parentPort;
if (port === null) throw new Error('loopbackServer.ts runs as a worker thread');

const clockBase = BigInt(data.clockBase);
const nowMs = () => Number(process.hrtime.bigint() - clockBase) / 1e6;
const sendTimes = data.sendTimes ? new Float64Array(data.sendTimes) : undefined;
const post = (event: LoopbackServerEvent) => port.postMessage(event);
/** Past this much unsent data, wait for the socket to drain. */
const HIGH_WATER = 1 << 20;

let subscribes = 0;
let unsubscribes = 0;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/0/public/AssetPairs')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(data.assetPairsBody);
  } else {
    res.writeHead(404);
    res.end();
  }
});
const wss = new WebSocketServer({ server, path: '/v2' });

function replay(socket: WebSocket): void {
  const frames = data.frames;
  const rate = data.ratePerSecond;
  let next = 0;
  const sendOne = () => {
    if (sendTimes) sendTimes[next] = nowMs();
    socket.send(frames[next++]);
  };
  const finished = () => {
    if (next < frames.length) return false;
    post({ type: 'replayed' });
    return true;
  };
  if (rate === undefined) {
    const flood = () => {
      while (next < frames.length && socket.bufferedAmount < HIGH_WATER) sendOne();
      if (!finished()) setImmediate(flood);
    };
    flood();
    return;
  }
  const start = nowMs();
  const paced = () => {
    const due = Math.min(frames.length, Math.floor(((nowMs() - start) * rate) / 1000) + 1);
    while (next < due) sendOne();
    if (!finished()) setTimeout(paced, 1);
  };
  paced();
}

wss.on('connection', (socket) => {
  socket.send(
    JSON.stringify({
      channel: 'status',
      type: 'update',
      data: [{ api_version: 'v2', connection_id: 1, system: 'online', version: '2.0.10' }],
    }),
  );
  socket.on('message', (raw) => {
    const request = JSON.parse(String(raw)) as { method: string; req_id?: number; params?: Record<string, unknown> };
    const params = request.params ?? {};
    if (request.method === 'ping') {
      socket.send(JSON.stringify({ method: 'pong', req_id: request.req_id }));
      return;
    }
    const symbol = Array.isArray(params.symbol) ? String(params.symbol[0]) : undefined;
    socket.send(
      JSON.stringify({
        method: request.method,
        req_id: request.req_id,
        success: true,
        result: { channel: params.channel, symbol, ...(params.depth !== undefined ? { depth: params.depth } : {}) },
      }),
    );
    if (request.method === 'unsubscribe') unsubscribes++;
    if (request.method !== 'subscribe') return;
    subscribes++;
    if (params.channel !== 'book') return;
    if (data.mode === 'replay') replay(socket);
    else socket.send(data.frames[0]);
  });
});

port.on('message', (message: unknown) => {
  if (message === 'stats') post({ type: 'stats', subscribes, unsubscribes });
  if (message === 'stop') {
    for (const client of wss.clients) client.terminate();
    wss.close();
    server.close(() => port.close());
  }
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  post({ type: 'listening', port: typeof address === 'object' && address !== null ? address.port : 0 });
});
