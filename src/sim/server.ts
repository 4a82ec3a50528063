/**
 * The simulator's one loopback HTTP server: REST routes for every venue, and WebSocket paths upgraded on the same
 * port. Protocol layers register routes and paths here; generic faults (REST failures and delays, dropped
 * connections, malformed frames) are applied here so every layer gets them for free.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { gatewayErrorPage, type SimFaults, type SocketGroup, type Venue } from './faults';

/** Returned by a handler to leave the request unanswered until the client gives up (or the simulator stops). */
export const HANG: unique symbol = Symbol('hang');

export interface SimHttpRequest {
  readonly method: string;
  /** Path without the query: `/0/private/AddOrder`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The query string exactly as received, without the `?` (`''` if none); Futures signs over it. */
  readonly rawQuery: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The body exactly as received (signatures are computed over it). */
  readonly rawBody: string;
}

export interface SimHttpResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as is; anything else as JSON. */
  readonly body: unknown;
}

export type SimHttpHandler = (
  request: SimHttpRequest,
) => SimHttpResponse | typeof HANG | Promise<SimHttpResponse | typeof HANG>;

interface Route {
  readonly method: string;
  readonly path: string;
  readonly handler: SimHttpHandler;
}

interface Family {
  readonly prefix: string;
  readonly venue: Venue;
  readonly errorBody: (krakenError: string) => unknown;
}

/** A server-side WebSocket connection. */
export interface SimSocket {
  readonly id: number;
  readonly group: SocketGroup;
  /** Objects are sent as JSON; strings as raw text (for hand-built frames). */
  send(frame: unknown): void;
  /** Sends a response to a request; honours `faults.delayResponses(ms, { ws: true })`. */
  reply(frame: unknown): void;
  close(code?: number, reason?: string): void;
  /** Drops the TCP connection without a close handshake. */
  terminate(): void;
  isOpen(): boolean;
  onMessage(listener: (text: string) => void): void;
  onClose(listener: () => void): void;
}

type ConnectionHandler = (socket: SimSocket, request: http.IncomingMessage) => void;

export class SimServer {
  private readonly server: http.Server;
  private readonly routes: Route[] = [];
  private readonly families: Family[] = [];
  private readonly wsPaths = new Map<
    string,
    { group: SocketGroup; server: WebSocketServer; handler: ConnectionHandler }
  >();
  private readonly sockets = new Set<SimSocketImpl>();
  private readonly hanging = new Set<http.ServerResponse>();
  private readonly delays = new Set<NodeJS.Timeout>();
  private nextSocketId = 1;
  private stopped = false;

  constructor(private readonly faults: SimFaults) {
    this.server = http.createServer((req, res) => {
      // A client that goes away mid-request (aborted body, reset socket) must not become an unhandled rejection.
      this.onRequest(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) res.destroy();
      });
    });
    this.server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const target = this.wsPaths.get(path);
      if (!target || this.stopped) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      target.server.handleUpgrade(req, socket, head, (ws) => {
        const sim = new SimSocketImpl(this.nextSocketId++, target.group, ws, faults);
        this.sockets.add(sim);
        ws.on('close', () => this.sockets.delete(sim));
        target.handler(sim, req);
      });
    });
    faults.actions$.subscribe((action) => {
      if (action.type === 'dropConnections') {
        for (const s of this.socketsOf(action.group)) {
          if (action.code !== undefined) s.close(action.code, action.reason);
          else s.terminate();
        }
      } else if (action.type === 'malformedFrame') {
        for (const s of this.socketsOf(action.group)) s.sendRaw(action.frame);
      }
    });
  }

  /** Starts listening; resolves with the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /**
   * Registers a REST route. `path` is exact, or a prefix when it ends with `*`. Routes are tried in registration
   * order; `method` `*` matches any method.
   */
  route(method: 'GET' | 'POST' | 'PUT' | 'DELETE' | '*', path: string, handler: SimHttpHandler): void {
    this.routes.push({ method, path, handler });
  }

  /** Declares how a venue's error envelope looks, so `faults.failNextRest({ krakenError })` renders it right. */
  family(prefix: string, venue: Venue, errorBody: (krakenError: string) => unknown): void {
    this.families.push({ prefix, venue, errorBody });
  }

  /** Accepts WebSocket connections on `path` (e.g. `/v2`); connections belong to `group` for faults. */
  websocket(path: string, group: SocketGroup, handler: ConnectionHandler): void {
    this.wsPaths.set(path, { group, server: new WebSocketServer({ noServer: true }), handler });
  }

  /** Open connections, optionally of one group. */
  socketsOf(group?: SocketGroup): SimSocketImpl[] {
    return [...this.sockets].filter((s) => group === undefined || s.group === group);
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const t of this.delays) clearTimeout(t);
    this.delays.clear();
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    for (const s of this.sockets) s.terminate();
    this.sockets.clear();
    for (const { server } of this.wsPaths.values()) server.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const request: SimHttpRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      rawQuery: rawQueryOf(req.url ?? ''),
      headers: req.headers,
      rawBody: Buffer.concat(chunks).toString('utf8'),
    };
    const delay = this.faults.restDelayMs(request.path);
    if (delay > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.delays.delete(t);
          resolve();
        }, delay);
        this.delays.add(t);
      });
      if (this.stopped) return;
    }
    const fault = this.faults.takeRestFault(request.path);
    if (fault) {
      this.respondFault(request, res, fault);
      return;
    }
    const route = this.routes.find(
      (r) =>
        (r.method === '*' || r.method === request.method) &&
        (r.path.endsWith('*') ? request.path.startsWith(r.path.slice(0, -1)) : r.path === request.path),
    );
    if (!route) {
      send(res, { status: 404, body: { error: ['EGeneral:Unknown method'] } });
      return;
    }
    let response: SimHttpResponse | typeof HANG;
    try {
      response = await route.handler(request);
    } catch (err) {
      response = { status: 500, body: { error: [`EGeneral:Internal error:${(err as Error).message}`] } };
    }
    if (response === HANG) {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (!this.stopped) send(res, response);
  }

  private respondFault(
    request: SimHttpRequest,
    res: http.ServerResponse,
    fault: { krakenError?: string; status?: number; body?: string; contentType?: string },
  ): void {
    if (fault.body !== undefined) {
      send(res, {
        status: fault.status ?? 200,
        headers: { 'content-type': fault.contentType ?? 'text/plain' },
        body: fault.body,
      });
      return;
    }
    if (fault.krakenError !== undefined) {
      const family = this.families.find((f) => request.path.startsWith(f.prefix));
      const body = family ? family.errorBody(fault.krakenError) : { error: [fault.krakenError] };
      send(res, { status: fault.status ?? 200, body });
      return;
    }
    const status = fault.status ?? 502;
    send(res, { status, headers: { 'content-type': 'text/html' }, body: gatewayErrorPage(status) });
  }
}

/** The query part of a request target as sent (no re-encoding: signatures are computed over these bytes). */
function rawQueryOf(target: string): string {
  const at = target.indexOf('?');
  if (at < 0) return '';
  const hash = target.indexOf('#', at);
  return hash < 0 ? target.slice(at + 1) : target.slice(at + 1, hash);
}

function send(res: http.ServerResponse, response: SimHttpResponse): void {
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  const headers: Record<string, string> = {
    'content-type': typeof response.body === 'string' ? 'text/plain' : 'application/json',
    ...response.headers,
  };
  res.writeHead(response.status ?? 200, headers);
  res.end(text);
}

export class SimSocketImpl implements SimSocket {
  /**
   * Frames waiting behind a delayed reply (`faults.delayResponses(ms, { ws: true })`): a reply is due `ms` after
   * it was made, and every frame sent after it waits in line, so the connection's order is kept as a slow server
   * keeps it (an ack never overtakes its snapshot, a snapshot never comes after later updates).
   */
  private readonly queue: { readonly text: string; readonly due: number }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    readonly id: number,
    readonly group: SocketGroup,
    private readonly ws: WebSocket,
    private readonly faults: SimFaults,
  ) {
    ws.on('close', () => this.dropQueue());
  }

  send(frame: unknown): void {
    this.enqueue(typeof frame === 'string' ? frame : JSON.stringify(frame), 0);
  }

  sendRaw(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  /** Sends a response to a request, after the armed WS response delay (real time). */
  reply(frame: unknown): void {
    const delay = this.faults.wsResponseDelayMs();
    this.enqueue(typeof frame === 'string' ? frame : JSON.stringify(frame), delay > 0 ? Date.now() + delay : 0);
  }

  close(code = 1000, reason = ''): void {
    this.dropQueue();
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  terminate(): void {
    this.dropQueue();
    this.ws.terminate();
  }

  isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  onMessage(listener: (text: string) => void): void {
    this.ws.on('message', (data: RawData) => listener(rawToString(data)));
  }

  onClose(listener: () => void): void {
    this.ws.on('close', listener);
  }

  private enqueue(text: string, due: number): void {
    if (this.queue.length === 0 && due === 0) {
      this.sendRaw(text);
      return;
    }
    this.queue.push({ text, due });
    this.drain();
  }

  private drain(): void {
    if (this.timer) return;
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0].due <= now)
      this.sendRaw((this.queue.shift() as { text: string }).text);
    if (this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, this.queue[0].due - now);
  }

  private dropQueue(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
