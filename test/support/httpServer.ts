/**
 * A recording HTTP server for tests: a real `node:http` server on 127.0.0.1 (port 0, so the OS picks a free
 * port) that records every request it receives and answers from routes the test sets up.
 *
 * ```ts
 * const server = await startRecordingServer();
 * server.route('GET', '/0/public/Time', { body: { error: [], result: { unixtime: 1 } } });   // every call
 * server.once('POST', '/0/private/AddOrder', { status: 502, body: '<html>Bad gateway</html>' }); // next call only
 * server.route('POST', '/0/private/Balance', (req) => ({ body: { error: [], result: { ZUSD: '1' } } }));
 * // ... point a client at server.url, run it ...
 * expect(server.requestsTo('/0/private/AddOrder')).toHaveLength(1);
 * expect(server.requests[0].body).toBe('nonce=...&pair=XBTUSD');
 * await server.close();
 * ```
 *
 * - A request is recorded (method, path, raw query without `?`, lower-cased headers, the exact body text)
 *   before it is answered, so a test can assert on requests that timed out or hung.
 * - Replies: `once` replies queue per route and are used first (in order); then the `route` reply (a value
 *   or a function of the request, possibly async). With neither, the server answers 404 with a JSON body.
 * - A reply `body` that is not a string is sent as JSON; a string is sent verbatim (HTML error pages,
 *   truncated JSON). `delayMs` waits before answering; `hang: true` never answers (the connection stays open
 *   until the client aborts or the server closes); `destroy: true` drops the socket without an answer.
 * - `close()` ends every open connection (keep-alive or hanging) so Jest exits cleanly.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** The path without the query string: `/0/private/AddOrder`. */
  readonly path: string;
  /** The raw query string without `?` (`''` when none), exactly as sent. */
  readonly query: string;
  /** Headers with lower-cased names. */
  readonly headers: IncomingHttpHeaders;
  /** The body text exactly as received (`''` when none). */
  readonly body: string;
  /** Order of arrival, from 0. */
  readonly index: number;
}

export interface ServerReply {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. Default `''`. */
  body?: unknown;
  /** Wait this long (real ms) before answering. */
  delayMs?: number;
  /** Never answer. */
  hang?: boolean;
  /** Drop the connection without an answer. */
  destroy?: boolean;
}

export type RouteReply = ServerReply | ((request: RecordedRequest) => ServerReply | Promise<ServerReply>);

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order of arrival. */
  readonly requests: RecordedRequest[];
  /** Sets the standing reply of a route (replaces a previous one). */
  route(method: string, path: string, reply: RouteReply): RecordingServer;
  /** Queues a reply for the next request to a route only; several calls queue in order. */
  once(method: string, path: string, reply: RouteReply): RecordingServer;
  /** The recorded requests whose path is `path` (and method, when given). */
  requestsTo(path: string, method?: string): RecordedRequest[];
  /** Forgets recorded requests and every route. */
  reset(): void;
  /** Closes the server and every open connection. */
  close(): Promise<void>;
}

function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

async function send(res: ServerResponse, reply: ServerReply): Promise<void> {
  if (reply.delayMs !== undefined && reply.delayMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
  }
  if (reply.hang) return;
  if (reply.destroy) {
    res.socket?.destroy();
    return;
  }
  const isText = typeof reply.body === 'string' || reply.body === undefined;
  const text = isText ? ((reply.body as string | undefined) ?? '') : JSON.stringify(reply.body);
  const headers: Record<string, string> = {
    'content-type': isText ? 'text/html; charset=utf-8' : 'application/json',
    ...reply.headers,
  };
  if (!res.writableEnded && !res.destroyed) {
    res.writeHead(reply.status ?? 200, headers);
    res.end(text);
  }
}

/** Starts a recording server on 127.0.0.1 with an OS-assigned port. */
export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const standing = new Map<string, RouteReply>();
  const queued = new Map<string, RouteReply[]>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: q < 0 ? rawUrl : rawUrl.slice(0, q),
      query: q < 0 ? '' : rawUrl.slice(q + 1),
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      index: requests.length,
    };
    requests.push(recorded);
    const key = routeKey(recorded.method, recorded.path);
    const reply = queued.get(key)?.shift() ?? standing.get(key);
    if (reply === undefined) {
      await send(res, { status: 404, body: { error: [`test server: no route for ${key}`] } });
      return;
    }
    await send(res, typeof reply === 'function' ? await reply(recorded) : reply);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`test server handler failed: ${String(err)}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const self: RecordingServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    route(method, path, reply) {
      standing.set(routeKey(method, path), reply);
      return self;
    },
    once(method, path, reply) {
      const key = routeKey(method, path);
      const list = queued.get(key) ?? [];
      list.push(reply);
      queued.set(key, list);
      return self;
    },
    requestsTo(path, method) {
      return requests.filter((r) => r.path === path && (method === undefined || r.method === method.toUpperCase()));
    },
    reset() {
      requests.length = 0;
      standing.clear();
      queued.clear();
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return self;
}
