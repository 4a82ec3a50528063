/**
 * A reconnecting WebSocket session for one endpoint URL, generic over the venue protocol.
 *
 * The connection is a cold Observable built from operators and shared:
 * `defer(connect)` → {@link heartbeatWatchdog} (ping when idle, dead when silent) → `retry` with
 * `backoffDelayMs` and `resetOnSuccess` → `repeat` (a clean server close completes the socket stream) →
 * `share()`. Whatever needs the connection (a subscription, a request, `messages$`) subscribes to it; when
 * the last one leaves the socket is closed. After every (re)connect the session runs `authenticate`, then
 * replays every live subscription.
 */
import WebSocket from 'ws';
import {
  asyncScheduler,
  defer,
  filter,
  finalize,
  from,
  Observable,
  of,
  ReplaySubject,
  repeat,
  retry,
  share,
  Subject,
  take,
  takeUntil,
  tap,
  throwError,
  throwIfEmpty,
  timer,
  type ObservableInput,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
} from 'rxjs';
import {
  KrakenApiError,
  KrakenConfigError,
  KrakenConnectionError,
  KrakenDecodeError,
  KrakenTimeoutError,
} from '../errors';
import { backoffDelayMs, isRetryableError, type BackoffOptions } from '../operators/retryBackoff';
import { heartbeatWatchdog } from './heartbeatWatchdog';
import { proxyAgent } from './proxy';
import { WsSubscriptions, type WsFrameContext, type WsProtocol } from './wsSubscriptions';

/** The socket surface the session uses; `ws` (the default) and browser sockets both provide it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** A protocol-level ping frame (`ws`); browsers have none. */
  ping?(data?: unknown): void;
  /** Drops the connection without a closing handshake (`ws`). */
  terminate?(): void;
  /** Event-emitter subscription (`ws`), used for `pong`. */
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string | Buffer; wasClean?: boolean }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket constructor compatible with `ws`: the second argument carries the proxy agent. */
export type WebSocketConstructor = new (url: string, options?: { agent?: unknown }) => WebSocketLike;

export type WsConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'reconnected' | 'closed' | 'gap';

/**
 * One change of a session's connection:
 * - `connecting` (attempt 1) when the first consumer arrives; `connected` once open and authenticated
 *   (`attempt` = tries it took);
 * - `reconnecting` after a drop or failed try, with the error's `reason`, the retry number `attempt` and the
 *   backoff `delayMs`; `reconnected` (same `attempt`) once open, authenticated and resubscribed;
 * - `gap` with the `keys` whose data has a hole: after every reconnect, and whenever a consumer reports one
 *   ({@link WsSession.reportGap}, {@link WsSession.resubscribe});
 * - `closed` when the session or the connection ends (`reason`: closed by the client, no subscribers left,
 *   or the terminal error).
 */
export interface WsConnectionEvent {
  readonly state: WsConnectionState;
  readonly url: string;
  readonly reason?: string;
  readonly attempt?: number;
  readonly delayMs?: number;
  readonly keys?: readonly string[];
  readonly error?: unknown;
}

/** A request frame, or a builder that receives the request id and the connection's auth. */
export type WsRequestMessage<Auth> = object | ((context: WsFrameContext<Auth>) => object);

/** Picks the response to a request out of the inbound messages: `undefined` = not this one; a throw fails it. */
export type WsResponseMatcher<R> = (message: unknown, reqId: number) => R | undefined;

export interface WsRequestOptions {
  /** Default: the session's `requestTimeoutMs`. Counted from subscription, connection time included. */
  timeoutMs?: number;
}

/** What `authenticate` gets: the fresh socket, usable before subscriptions are replayed. */
export interface WsAuthContext {
  readonly url: string;
  /** 1 for the first try after a healthy connection or at start, then 2, 3, ... */
  readonly attempt: number;
  send(message: object): boolean;
  /** A request on this socket only (the session is not ready yet; no waiting for it). */
  request<R>(
    message: WsRequestMessage<unknown>,
    match: WsResponseMatcher<R>,
    options?: WsRequestOptions,
  ): Observable<R>;
}

export interface WsSessionOptions<Req, Auth> {
  /** The full endpoint URL (`wss://ws.kraken.com/v2`, `wss://futures.kraken.com/ws/v1`). */
  url: string;
  protocol: WsProtocol<Req, Auth>;
  /** Default `ws`. */
  WebSocket?: WebSocketConstructor;
  /** `wsProxyUrl`: connect through this HTTP CONNECT proxy (see {@link proxyAgent}). */
  proxyUrl?: string;
  /** An agent to pass to the constructor instead (wins over `proxyUrl`). */
  agent?: unknown;
  /** Every timer and clock read. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** `wsHeartbeatSecs`: silence after which the connection is dead (default 30); pings go out at half. */
  heartbeatSecs?: number;
  /** Reconnect backoff. Default 1 s doubling to 30 s, jitter 0.5. */
  backoff?: BackoffOptions;
  /** Consecutive failed tries before the session gives up and errors every stream. Default unlimited. */
  maxReconnectAttempts?: number;
  /** Which connection errors are worth a reconnect. Default: all but non-retryable Kraken and config errors. */
  isRetryable?: (error: unknown) => boolean;
  /** Runs on every fresh socket before subscriptions are replayed; its value is the connection's auth. */
  authenticate?: (context: WsAuthContext) => ObservableInput<Auth>;
  /** Turns a text frame into a message. Default `JSON.parse`. A throw is reported on `errors$`. */
  parse?: (text: string) => unknown;
  /** How long a subscribe waits for its acknowledgement. Default 10 000 ms. */
  ackTimeoutMs?: number;
  /** Default timeout of {@link WsSession.request}. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** After a polite close, how long to wait for the server's close frame before dropping. Default 1 000 ms. */
  closeGraceMs?: number;
}

/** What the connection Observable emits; only `ready` leaves the pipeline. */
type SocketActivity = 'open' | 'message' | 'pong' | 'ready';

interface LiveSocket<Auth> {
  readonly socket: WebSocketLike;
  /** Failed tries before this one. */
  readonly retry: number;
  ready: boolean;
  gone: boolean;
  auth: Auth | undefined;
}

interface PendingRequest<Auth> {
  readonly build: WsRequestMessage<Auth>;
  readonly match: WsResponseMatcher<unknown>;
  readonly subscriber: Subscriber<unknown>;
  /** Set once sent: the socket it went out on. */
  socket?: LiveSocket<Auth>;
  reqId?: number;
}

const CONNECTING = 0;
const OPEN = 1;
const MAX_REQ_ID = 2 ** 31 - 1;
const noop = () => undefined;

/** The reconnecting session. Construction does no I/O; subscribing does. */
export class WsSession<Req, Auth = unknown> {
  readonly url: string;
  /** Every connection change (hot; subscribing does not connect). */
  readonly connectionState$: Observable<WsConnectionEvent>;
  /** Malformed frames, unreadable messages and errors the venue did not tie to a request (hot). */
  readonly errors$: Observable<Error>;
  /** Every text frame as received, before parsing. Subscribing holds the connection open. */
  readonly frames$: Observable<string>;
  /** Every parsed message. Subscribing holds the connection open. */
  readonly messages$: Observable<unknown>;

  private readonly protocol: WsProtocol<Req, Auth>;
  private readonly WebSocketCtor: WebSocketConstructor;
  private readonly agent: unknown;
  private readonly ownAgent?: { destroy(): void };
  private readonly scheduler: SchedulerLike;
  private readonly heartbeatMs: number;
  private readonly backoff: BackoffOptions;
  private readonly maxReconnectAttempts: number;
  private readonly isRetryable: (error: unknown) => boolean;
  private readonly authenticate?: (context: WsAuthContext) => ObservableInput<Auth>;
  private readonly parse: (text: string) => unknown;
  private readonly requestTimeoutMs: number;
  private readonly closeGraceMs: number;

  private readonly states = new Subject<WsConnectionEvent>();
  private readonly errors = new Subject<Error>();
  private readonly frames = new Subject<string>();
  private readonly messages = new Subject<unknown>();
  private readonly closed$ = new ReplaySubject<void>(1);
  private readonly terminalErrors = new WeakSet<object>();
  private readonly pendingRequests = new Set<PendingRequest<Auth>>();
  private readonly closing = new Set<Promise<void>>();
  private readonly subscriptions: WsSubscriptions<Req, Auth>;
  private readonly connection$: Observable<SocketActivity>;

  private live: LiveSocket<Auth> | undefined;
  private running = false;
  private connectedInRun = false;
  private failures = 0;
  private endReason: string | undefined;
  private closedByClient = false;
  private lastReqId = 0;

  constructor(options: WsSessionOptions<Req, Auth>) {
    this.url = options.url;
    this.protocol = options.protocol;
    this.WebSocketCtor = options.WebSocket ?? (WebSocket as unknown as WebSocketConstructor);
    if (options.agent !== undefined) {
      this.agent = options.agent;
    } else if (options.proxyUrl) {
      const agent = proxyAgent(options.proxyUrl);
      this.agent = agent;
      this.ownAgent = agent;
    }
    this.scheduler = options.scheduler ?? asyncScheduler;
    const heartbeatSecs = options.heartbeatSecs ?? 30;
    if (!(Number.isFinite(heartbeatSecs) && heartbeatSecs > 0)) {
      throw new KrakenConfigError('wsHeartbeatSecs', `must be a number of seconds > 0, got ${String(heartbeatSecs)}`);
    }
    this.heartbeatMs = heartbeatSecs * 1000;
    this.backoff = options.backoff ?? { initialDelayMs: 1_000, maxDelayMs: 30_000 };
    this.maxReconnectAttempts = options.maxReconnectAttempts ?? Infinity;
    const isRetryable = options.isRetryable ?? isRetryableError;
    this.isRetryable = (error) => !(error instanceof Object && this.terminalErrors.has(error)) && isRetryable(error);
    this.authenticate = options.authenticate;
    this.parse = options.parse ?? ((text) => JSON.parse(text) as unknown);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.closeGraceMs = options.closeGraceMs ?? 1_000;

    this.subscriptions = new WsSubscriptions<Req, Auth>(this.protocol, {
      send: (frame) => (this.live?.ready ? this.sendOn(this.live, frame) : false),
      nextReqId: () => this.nextReqId(),
      isReady: () => this.live?.ready === true,
      auth: () => this.live?.auth,
      scheduler: this.scheduler,
      ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
    });

    this.connection$ = defer(() => this.connectOnce()).pipe(
      heartbeatWatchdog<SocketActivity>({
        timeoutMs: this.heartbeatMs,
        idleMs: this.heartbeatMs / 2,
        onIdle: () => this.keepAlive(),
        scheduler: this.scheduler,
        error: (silentForMs) =>
          new KrakenConnectionError(
            `${this.protocol.name}: no message for ${silentForMs} ms from ${this.url}; connection presumed dead`,
            this.url,
          ),
      }),
      retry({ delay: (error: unknown) => this.reconnectDelay(error), resetOnSuccess: true }),
      repeat({ delay: () => this.reconnectDelay(undefined) }),
      takeUntil(this.closed$),
      tap({ error: (error: unknown) => (this.endReason = messageOf(error)) }),
      finalize(() => this.connectionEnded()),
      filter((activity) => activity === 'ready'),
      share(),
    );

    this.connectionState$ = this.states.asObservable();
    this.errors$ = this.errors.asObservable();
    this.frames$ = this.holdingConnection(this.frames);
    this.messages$ = this.holdingConnection(this.messages);
  }

  /** True while a socket is open and authenticated. */
  get ready(): boolean {
    return this.live?.ready === true;
  }

  /** Keys of the live subscriptions. */
  subscriptionKeys(): string[] {
    return this.subscriptions.keys();
  }

  /**
   * The data of one venue subscription. Subscribers with the same `key` share it: the first one sends the
   * subscribe (now or on connect), the last one to leave sends the unsubscribe. It is replayed after every
   * reconnect. A refusal errors the stream with a `KrakenSubscriptionError` carrying the venue's reason; no
   * acknowledgement within `ackTimeoutMs` errors it with a `KrakenTimeoutError`. `close()` completes it.
   *
   * @param key The sharing identity (include everything that makes two requests different, e.g. depth).
   * @param request The protocol's subscription request; `protocol.route(request)` decides which data it gets.
   */
  subscribe(key: string, request: Req): Observable<unknown> {
    return new Observable<unknown>((subscriber) => {
      this.subscriptions.add(key, request, subscriber);
      const connection = this.connection$.subscribe({
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        this.subscriptions.remove(key, subscriber);
        connection.unsubscribe();
      };
    });
  }

  /**
   * Sends a request once the session is ready and emits the first message `match` accepts, then completes.
   * Never re-sent: if the connection drops after sending, it errors with a `KrakenConnectionError` (the
   * outcome is unknown); after `timeoutMs` it errors with a `KrakenTimeoutError`.
   *
   * @example
   * ```ts
   * session.request(({ reqId, auth }) => ({ method: 'add_order', params: { ...params, token: auth?.token }, req_id: reqId }),
   *   matchSpotResponse('add_order'));
   * ```
   */
  request<R>(message: WsRequestMessage<Auth>, match: WsResponseMatcher<R>, options?: WsRequestOptions): Observable<R> {
    return new Observable<R>((subscriber) => {
      const pending: PendingRequest<Auth> = { build: message, match, subscriber: subscriber as Subscriber<unknown> };
      this.pendingRequests.add(pending);
      const timeout = this.requestTimeout(pending, options);
      const connection = this.connection$.subscribe({
        error: (err: unknown) => subscriber.error(err),
        complete: () =>
          subscriber.error(
            new KrakenConnectionError(`${this.protocol.name}: session closed before a response`, this.url),
          ),
      });
      if (this.live?.ready && !pending.socket) this.sendRequest(pending, this.live);
      return () => {
        timeout.unsubscribe();
        this.pendingRequests.delete(pending);
        connection.unsubscribe();
      };
    });
  }

  /** Sends a frame on the ready socket now; false when there is none (nothing is queued). */
  send(message: object): boolean {
    return this.live?.ready ? this.sendOn(this.live, message) : false;
  }

  /** Tells `connectionState$` listeners that the data of `keys` has a hole (a sequence gap, a bad checksum). */
  reportGap(keys: string | readonly string[], reason: string): void {
    this.emitState({ state: 'gap', keys: typeof keys === 'string' ? [keys] : keys, reason });
  }

  /**
   * Unsubscribes and subscribes `key` again on the live socket, for a fresh snapshot, and reports a gap.
   * Returns false when the key is unknown or the session is not ready (a reconnect will replay it anyway).
   */
  resubscribe(key: string, reason = 'resubscribed'): boolean {
    const done = this.subscriptions.resubscribe(key);
    if (done) this.reportGap(key, reason);
    return done;
  }

  /**
   * Closes the session: every stream completes (pending requests error), the socket is closed politely, no
   * reconnect follows, and the hot streams complete. Resolves once the socket is closed.
   */
  close(): Promise<void> {
    if (!this.closedByClient) {
      this.closedByClient = true;
      const wasRunning = this.running;
      this.closed$.next();
      this.closed$.complete();
      if (!wasRunning) this.emitState({ state: 'closed', reason: 'closed by the client' });
      this.states.complete();
      this.errors.complete();
      this.frames.complete();
      this.messages.complete();
      this.ownAgent?.destroy();
    }
    return Promise.all([...this.closing]).then(() => undefined);
  }

  // --- connection -------------------------------------------------------------------------------------------

  private connectOnce(): Observable<SocketActivity> {
    return new Observable<SocketActivity>((subscriber) => {
      this.running = true;
      if (this.failures === 0 && !this.connectedInRun) this.emitState({ state: 'connecting', attempt: 1 });
      let socket: WebSocketLike;
      try {
        socket =
          this.agent !== undefined
            ? new this.WebSocketCtor(this.url, { agent: this.agent })
            : new this.WebSocketCtor(this.url);
      } catch (err) {
        // The constructor throws on what no retry can fix (a malformed URL, bad options): give up.
        const error = new KrakenConnectionError(
          `${this.protocol.name}: cannot open ${this.url}: ${messageOf(err)}`,
          this.url,
          { cause: err },
        );
        this.terminalErrors.add(error);
        subscriber.error(error);
        return undefined;
      }
      const live: LiveSocket<Auth> = { socket, retry: this.failures, ready: false, gone: false, auth: undefined };
      this.live = live;
      let lastError: unknown;
      let authentication: Subscription | undefined;

      socket.onopen = () => {
        subscriber.next('open');
        authentication = this.authenticateOn(live).subscribe({
          next: (auth) => {
            live.auth = auth;
            this.becomeReady(live);
            subscriber.next('ready');
          },
          error: (err: unknown) => subscriber.error(err),
        });
      };
      socket.onmessage = (event) => {
        subscriber.next('message');
        this.receive(textOf(event.data), live);
      };
      socket.onerror = (event) => {
        lastError = errorOf(event);
      };
      socket.onclose = (event) => {
        const reason = String(event.reason ?? '');
        const detail = `code ${event.code}${reason ? `: ${reason}` : ''}${lastError ? `; ${messageOf(lastError)}` : ''}`;
        if (event.code === 1008) {
          // Policy violation: Kraken will not take this connection back; reconnecting would only hammer it.
          const error = new KrakenConnectionError(
            `${this.protocol.name}: ${this.url} refused the connection (${detail})`,
            this.url,
            {
              cause: lastError,
            },
          );
          this.terminalErrors.add(error);
          subscriber.error(error);
        } else if (event.wasClean ?? event.code === 1000) {
          subscriber.complete();
        } else {
          subscriber.error(
            new KrakenConnectionError(`${this.protocol.name}: connection to ${this.url} lost (${detail})`, this.url, {
              cause: lastError,
            }),
          );
        }
      };
      socket.on?.('pong', () => {
        if (!live.gone) subscriber.next('pong');
      });

      return () => {
        live.gone = true;
        authentication?.unsubscribe();
        this.socketGone(live);
        this.release(socket);
      };
    });
  }

  private authenticateOn(live: LiveSocket<Auth>): Observable<Auth | undefined> {
    const authenticate = this.authenticate;
    if (!authenticate) return of(undefined);
    const context: WsAuthContext = {
      url: this.url,
      attempt: live.retry + 1,
      send: (message) => this.sendOn(live, message),
      request: <R>(message: WsRequestMessage<unknown>, match: WsResponseMatcher<R>, options?: WsRequestOptions) =>
        this.requestOn(live, message, match, options),
    };
    return defer(() => from(authenticate(context))).pipe(
      take(1),
      throwIfEmpty(
        () => new KrakenConnectionError(`${this.protocol.name}: authentication on ${this.url} gave nothing`, this.url),
      ),
    );
  }

  private becomeReady(live: LiveSocket<Auth>): void {
    if (this.live !== live || live.gone) return;
    live.ready = true;
    const reconnected = this.connectedInRun;
    this.connectedInRun = true;
    this.failures = 0;
    this.emitState(
      reconnected ? { state: 'reconnected', attempt: live.retry } : { state: 'connected', attempt: live.retry + 1 },
    );
    if (!this.protocol.pingFrame && typeof live.socket.ping !== 'function' && this.protocol.keepaliveFrame) {
      this.sendOn(live, this.protocol.keepaliveFrame());
    }
    const keys = this.subscriptions.replayAll();
    for (const pending of [...this.pendingRequests]) {
      if (!pending.socket) this.sendRequest(pending, live);
    }
    if (reconnected && keys.length > 0) {
      this.emitState({
        state: 'gap',
        keys,
        reason: 'reconnected: messages between the drop and the resubscription are lost',
      });
    }
  }

  private reconnectDelay(error: unknown): Observable<unknown> {
    this.failures += 1;
    if (error !== undefined && !this.isRetryable(error)) return throwError(() => error);
    if (this.failures > this.maxReconnectAttempts) {
      return throwError(
        () =>
          error ??
          new KrakenConnectionError(
            `${this.protocol.name}: ${this.url} closed the connection ${this.failures} times in a row`,
            this.url,
          ),
      );
    }
    const delayMs = backoffDelayMs(this.failures, this.backoff);
    this.emitState({
      state: 'reconnecting',
      attempt: this.failures,
      delayMs,
      reason: error === undefined ? 'closed by the server' : messageOf(error),
      ...(error !== undefined ? { error } : {}),
    });
    return timer(delayMs, this.scheduler);
  }

  private connectionEnded(): void {
    const reason = this.closedByClient ? 'closed by the client' : (this.endReason ?? 'no subscribers left');
    this.running = false;
    this.connectedInRun = false;
    this.failures = 0;
    this.endReason = undefined;
    this.emitState({ state: 'closed', reason });
  }

  /** Idle: provoke traffic so a live connection proves it is alive before the watchdog gives up on it. */
  private keepAlive(): void {
    const live = this.live;
    if (!live || live.gone || live.socket.readyState !== OPEN) return;
    if (this.protocol.pingFrame) {
      this.sendOn(live, this.protocol.pingFrame(this.nextReqId()));
    } else if (typeof live.socket.ping === 'function') {
      try {
        live.socket.ping();
      } catch (err) {
        this.report(new KrakenConnectionError(`${this.protocol.name}: ping failed: ${messageOf(err)}`, this.url));
      }
    }
  }

  private socketGone(live: LiveSocket<Auth>): void {
    live.ready = false;
    if (this.live === live) {
      this.live = undefined;
      this.subscriptions.disconnected();
    }
    for (const pending of [...this.pendingRequests]) {
      if (pending.socket === live) {
        pending.subscriber.error(
          new KrakenConnectionError(
            `${this.protocol.name}: connection lost before the response to request ${pending.reqId}; its outcome is unknown`,
            this.url,
          ),
        );
      }
    }
  }

  /** Stops listening and closes: politely when open (with a grace period), abruptly when still connecting. */
  private release(socket: WebSocketLike): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = noop; // `ws` throws on an 'error' event nobody listens to
    try {
      if (socket.readyState === CONNECTING) {
        if (socket.terminate) socket.terminate();
        else socket.close();
      } else if (socket.readyState === OPEN) {
        const terminate = socket.terminate?.bind(socket);
        socket.close(1000);
        if (terminate) {
          const closed = new Promise<void>((resolve) => {
            const grace = this.scheduler.schedule(() => {
              terminate();
              resolve();
            }, this.closeGraceMs);
            socket.onclose = () => {
              grace.unsubscribe();
              resolve();
            };
          });
          this.closing.add(closed);
          void closed.then(() => this.closing.delete(closed));
        }
      }
    } catch (err) {
      this.report(new KrakenConnectionError(`${this.protocol.name}: closing failed: ${messageOf(err)}`, this.url));
    }
  }

  // --- frames -----------------------------------------------------------------------------------------------

  private receive(text: string, live: LiveSocket<Auth>): void {
    if (live.gone) return;
    this.frames.next(text);
    let message: unknown;
    try {
      message = this.parse(text);
    } catch (err) {
      this.report(
        new KrakenDecodeError(`${this.protocol.name}: malformed frame (${messageOf(err)})`, [], text.slice(0, 200), {
          cause: err,
        }),
      );
      return;
    }
    this.messages.next(message);
    if (this.pendingRequests.size > 0) {
      for (const pending of [...this.pendingRequests]) {
        if (pending.socket === live && pending.reqId !== undefined) this.matchResponse(pending, message, pending.reqId);
      }
    }
    let inbound;
    try {
      inbound = this.protocol.classify(message);
    } catch (err) {
      this.report(
        new KrakenDecodeError(`${this.protocol.name}: unreadable message (${messageOf(err)})`, [], undefined, {
          cause: err,
        }),
      );
      return;
    }
    if (!this.subscriptions.handle(inbound) && inbound.kind === 'error') {
      this.report(new KrakenApiError([inbound.reason], `${this.protocol.name} websocket`));
    }
  }

  private matchResponse(pending: PendingRequest<Auth>, message: unknown, reqId: number): void {
    let response: unknown;
    try {
      response = pending.match(message, reqId);
    } catch (err) {
      pending.subscriber.error(err);
      return;
    }
    if (response === undefined) return;
    pending.subscriber.next(response);
    pending.subscriber.complete();
  }

  // --- requests ---------------------------------------------------------------------------------------------

  /** A request on one socket, sent at once: for `authenticate`, before the session is ready. */
  private requestOn<R>(
    live: LiveSocket<Auth>,
    message: WsRequestMessage<unknown>,
    match: WsResponseMatcher<R>,
    options?: WsRequestOptions,
  ): Observable<R> {
    return new Observable<R>((subscriber) => {
      const pending: PendingRequest<Auth> = { build: message, match, subscriber: subscriber as Subscriber<unknown> };
      this.pendingRequests.add(pending);
      const timeout = this.requestTimeout(pending, options);
      if (live.gone) {
        subscriber.error(new KrakenConnectionError(`${this.protocol.name}: connection lost`, this.url));
      } else if (!this.sendRequest(pending, live)) {
        subscriber.error(new KrakenConnectionError(`${this.protocol.name}: cannot send on ${this.url}`, this.url));
      }
      return () => {
        timeout.unsubscribe();
        this.pendingRequests.delete(pending);
      };
    });
  }

  private requestTimeout(pending: PendingRequest<Auth>, options: WsRequestOptions | undefined): Subscription {
    const timeoutMs = options?.timeoutMs ?? this.requestTimeoutMs;
    return this.scheduler.schedule(
      () =>
        pending.subscriber.error(
          new KrakenTimeoutError(
            `${this.protocol.name}: no response${pending.reqId !== undefined ? ` to request ${pending.reqId}` : ''} within ${timeoutMs} ms`,
            timeoutMs,
          ),
        ),
      timeoutMs,
    );
  }

  private sendRequest(pending: PendingRequest<Auth>, live: LiveSocket<Auth>): boolean {
    const reqId = this.nextReqId();
    let frame: object;
    try {
      frame = typeof pending.build === 'function' ? pending.build({ reqId, auth: live.auth }) : pending.build;
    } catch (err) {
      pending.subscriber.error(err);
      return false;
    }
    // Awaiting before sending: a socket may deliver the response inside `send`.
    pending.socket = live;
    pending.reqId = reqId;
    if (this.sendOn(live, frame)) return true;
    if (pending.reqId === reqId) {
      pending.socket = undefined;
      pending.reqId = undefined;
    }
    return false;
  }

  // --- plumbing ---------------------------------------------------------------------------------------------

  private sendOn(live: LiveSocket<Auth>, frame: object): boolean {
    if (live.gone || live.socket.readyState !== OPEN) return false;
    try {
      live.socket.send(JSON.stringify(frame));
      return true;
    } catch (err) {
      this.report(new KrakenConnectionError(`${this.protocol.name}: send failed: ${messageOf(err)}`, this.url));
      return false;
    }
  }

  private nextReqId(): number {
    this.lastReqId = this.lastReqId >= MAX_REQ_ID ? 1 : this.lastReqId + 1;
    return this.lastReqId;
  }

  private holdingConnection<T>(source: Subject<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      const inner = source.subscribe(subscriber);
      const connection = this.connection$.subscribe({
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        inner.unsubscribe();
        connection.unsubscribe();
      };
    });
  }

  private emitState(event: Omit<WsConnectionEvent, 'url'>): void {
    this.states.next({ url: this.url, ...event });
  }

  private report(error: Error): void {
    this.errors.next(error);
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'unknown error';
}

function errorOf(event: unknown): unknown {
  if (event && typeof event === 'object') {
    const { error, message } = event as { error?: unknown; message?: unknown };
    if (error !== undefined) return error;
    if (typeof message === 'string' && message) return new Error(message);
  }
  return new Error('WebSocket error');
}

const utf8 = new TextDecoder();

function textOf(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return utf8.decode(new Uint8Array(data));
  if (ArrayBuffer.isView(data)) return utf8.decode(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (Array.isArray(data)) return data.map(textOf).join('');
  return String(data);
}
