/**
 * Loopback servers for the transport tests: a CONNECT proxy that records what it is asked for, and
 * helpers to start and stop `http`/`ws` servers on 127.0.0.1 with port 0.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';

export interface ConnectProxy {
  readonly url: string;
  /** Every CONNECT target, as requested (`host:port`). */
  readonly targets: string[];
  /** The `Proxy-Authorization` header of every CONNECT, decoded from Basic when present. */
  readonly credentials: (string | undefined)[];
  close(): Promise<void>;
}

/** Starts a CONNECT proxy on 127.0.0.1; `refuse(target)` may answer a status code instead of tunnelling. */
export async function startConnectProxy(refuse?: (target: string) => number | undefined): Promise<ConnectProxy> {
  const targets: string[] = [];
  const credentials: (string | undefined)[] = [];
  const sockets = new Set<Duplex>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  server.on('connection', track);
  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    const target = req.url ?? '';
    targets.push(target);
    const auth = req.headers['proxy-authorization'];
    credentials.push(auth?.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : auth);
    const status = refuse?.(target);
    if (status !== undefined) {
      client.end(`HTTP/1.1 ${status} Refused\r\n\r\n`);
      return;
    }
    const colon = target.lastIndexOf(':');
    const host = target.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    const upstream = net.connect(Number(target.slice(colon + 1)), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    targets,
    credentials,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

/** Listens on 127.0.0.1, port 0; resolves the port. */
export function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    (server as http.Server).closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** Starts a `ws` server on 127.0.0.1 with port 0. */
export async function startWsServer(): Promise<{ wss: WebSocketServer; port: number; url: string }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', () => resolve());
    wss.once('error', reject);
  });
  const port = (wss.address() as AddressInfo).port;
  return { wss, port, url: `ws://127.0.0.1:${port}` };
}

/** Terminates every client of the server, then closes it. */
export function closeWsServer(wss: WebSocketServer): Promise<void> {
  for (const client of wss.clients) client.terminate();
  return new Promise((resolve) => wss.close(() => resolve()));
}
