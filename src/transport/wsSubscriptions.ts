/**
 * Ref-counted WebSocket subscriptions with acknowledgements and replay, generic over the venue protocol.
 *
 * A subscription is identified by a caller's `key` (ref counting: every subscriber with the same key shares
 * one venue subscription) and by the protocol's `route` (dispatch: which inbound data belongs to it). The
 * registry knows nothing of sockets: {@link WsSession} tells it when the connection is ready or gone and
 * hands it every classified inbound message.
 */
import type { SchedulerLike, Subscriber, Subscription } from 'rxjs';
import { KrakenSubscriptionError, KrakenTimeoutError } from '../errors';

/** One piece of data for one route (a protocol may split a frame that carries several symbols). */
export interface WsDelivery {
  readonly route: string;
  readonly message: unknown;
  /**
   * The message names no symbol to route it by (Kraken Spot's snapshot of a market without trades: `data: []`), so
   * `route` is only its channel. The venue answers each subscribe with its acknowledgement then its snapshot, in
   * order: when no subscription has `route` itself, the message goes to the earliest acknowledged subscription under
   * `route:` that has had no data yet (the one whose snapshot is due).
   */
  readonly unrouted?: boolean;
}

/** What a protocol makes of one inbound message. */
export type WsInbound =
  /** Channel data, routed. */
  | { readonly kind: 'data'; readonly deliveries: readonly WsDelivery[] }
  /** A subscription was confirmed, correlated by request id and/or routes. */
  | { readonly kind: 'subscribed'; readonly reqId?: number; readonly routes?: readonly string[] }
  /** A subscription was refused; `reason` is the venue's text. Uncorrelated refusals name neither. */
  | { readonly kind: 'refused'; readonly reqId?: number; readonly routes?: readonly string[]; readonly reason: string }
  /** An unsubscribe was confirmed (or refused: nothing to do either way). */
  | { readonly kind: 'unsubscribed'; readonly reqId?: number; readonly routes?: readonly string[] }
  /** An error the venue does not tie to a request (Futures `error`/`alert`). */
  | { readonly kind: 'error'; readonly reason: string }
  /** Anything else: heartbeats, status, pongs, responses to requests. */
  | { readonly kind: 'control' };

/** What a frame builder knows of the connection. */
export interface WsFrameContext<Auth> {
  /** A fresh request id (positive 32-bit), unique on the session. */
  readonly reqId: number;
  /** What `authenticate` produced on this connection (undefined on public sessions). */
  readonly auth: Auth | undefined;
}

/**
 * The venue-specific half of a WebSocket session: pure functions that build frames and read them.
 * `src/kraken/spot/wsProtocol.ts` and `src/kraken/futures/wsProtocol.ts` implement it for Kraken.
 */
export interface WsProtocol<Req, Auth = unknown> {
  /** Short name used in error messages (`spot`, `futures`). */
  readonly name: string;
  /** The dispatch identity of a request: data whose delivery route equals it belongs to the subscription. */
  route(request: Req): string;
  /** Channel and symbol of a request, for {@link KrakenSubscriptionError}. */
  describe(request: Req): { readonly channel: string; readonly symbol?: string };
  subscribeFrame(request: Req, context: WsFrameContext<Auth>): object;
  unsubscribeFrame(request: Req, context: WsFrameContext<Auth>): object;
  /** Classifies a parsed inbound message. May throw; the session reports the throw and goes on. */
  classify(message: unknown): WsInbound;
  /** An application-level ping (Spot's `{"method":"ping"}`). Without it the session sends protocol pings. */
  pingFrame?(reqId: number): object;
  /** Sent after each connect when no ping of either kind is possible (a browser socket on Futures). */
  keepaliveFrame?(): object;
  /**
   * Send one subscribe at a time and wait for its answer before the next: needed when refusals do not
   * say which request they answer (Futures `{"event":"error","message":"Invalid product id"}`).
   */
  readonly serialSubscribes?: boolean;
}

/** What the registry needs from the session. */
export interface WsSubscriptionsHost<Auth> {
  /** Sends a frame on the open socket; false when there is none. */
  send(frame: object): boolean;
  nextReqId(): number;
  /** True once the socket is open and authenticated. */
  isReady(): boolean;
  auth(): Auth | undefined;
  readonly scheduler: SchedulerLike;
  /** How long a subscribe may wait for its acknowledgement. */
  readonly ackTimeoutMs: number;
}

type EntryStatus = 'idle' | 'queued' | 'pending' | 'active';

interface Entry<Req> {
  readonly key: string;
  readonly request: Req;
  readonly route: string;
  readonly subscribers: Set<Subscriber<unknown>>;
  status: EntryStatus;
  reqId?: number;
  ackTimer?: Subscription;
  /** Acknowledged, no data delivered since: its snapshot is due. */
  awaitingData?: boolean;
}

/** The live subscriptions of one session. */
export class WsSubscriptions<Req, Auth = unknown> {
  private readonly entries = new Map<string, Entry<Req>>();
  private readonly byRoute = new Map<string, Set<Entry<Req>>>();
  private readonly queue: Entry<Req>[] = [];
  private inFlight: Entry<Req> | undefined;
  /** Acknowledged subscriptions that have had no data yet, in acknowledgement order (see {@link WsDelivery.unrouted}). */
  private readonly awaitingData: Entry<Req>[] = [];

  constructor(
    private readonly protocol: WsProtocol<Req, Auth>,
    private readonly host: WsSubscriptionsHost<Auth>,
  ) {}

  /** Keys with at least one subscriber. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Adds a subscriber to `key`. The first subscriber of a key makes the venue subscription (now, or when
   * the connection is ready); later ones share it. A later `request` for an existing key is ignored.
   */
  add(key: string, request: Req, subscriber: Subscriber<unknown>): void {
    const existing = this.entries.get(key);
    if (existing) {
      existing.subscribers.add(subscriber);
      return;
    }
    const entry: Entry<Req> = {
      key,
      request,
      route: this.protocol.route(request),
      subscribers: new Set([subscriber]),
      status: 'idle',
    };
    this.entries.set(key, entry);
    let routeEntries = this.byRoute.get(entry.route);
    if (!routeEntries) this.byRoute.set(entry.route, (routeEntries = new Set()));
    routeEntries.add(entry);
    if (this.host.isReady()) this.subscribe(entry);
  }

  /** Removes a subscriber; the last one to leave sends the venue `unsubscribe`. */
  remove(key: string, subscriber: Subscriber<unknown>): void {
    const entry = this.entries.get(key);
    if (!entry || !entry.subscribers.delete(subscriber) || entry.subscribers.size > 0) return;
    const wasSubscribed = entry.status === 'pending' || entry.status === 'active';
    this.forget(entry);
    if (wasSubscribed && this.host.isReady()) this.sendUnsubscribe(entry);
    this.pump();
  }

  /** After (re)connect and authentication: subscribes every live key again. Returns the keys. */
  replayAll(): string[] {
    const keys: string[] = [];
    for (const entry of this.entries.values()) {
      keys.push(entry.key);
      this.subscribe(entry);
    }
    return keys;
  }

  /** The socket is gone: nothing is subscribed any more, nothing awaits an answer. */
  disconnected(): void {
    for (const entry of this.entries.values()) this.reset(entry);
    this.queue.length = 0;
    this.inFlight = undefined;
    this.awaitingData.length = 0;
  }

  /** Unsubscribes and subscribes `key` again on the live socket (to get a fresh snapshot). */
  resubscribe(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry || !this.host.isReady()) return false;
    if (entry.status === 'pending' || entry.status === 'active') this.sendUnsubscribe(entry);
    if (entry.status === 'queued') return true;
    this.reset(entry);
    this.subscribe(entry);
    return true;
  }

  /** Applies one classified inbound message. Returns false for an error nothing could be blamed for. */
  handle(inbound: WsInbound): boolean {
    switch (inbound.kind) {
      case 'data':
        for (const delivery of inbound.deliveries) this.deliver(delivery);
        return true;
      case 'subscribed':
        for (const entry of this.correlate(inbound.reqId, inbound.routes)) this.confirm(entry);
        return true;
      case 'refused': {
        const entries = this.correlate(inbound.reqId, inbound.routes);
        const blamed = entries.length > 0 ? entries : this.inFlight ? [this.inFlight] : this.soleAwaiting();
        for (const entry of blamed) this.refuse(entry, inbound.reason);
        return blamed.length > 0;
      }
      case 'error': {
        if (!this.inFlight) return false;
        this.refuse(this.inFlight, inbound.reason);
        return true;
      }
      default:
        return true;
    }
  }

  /**
   * Hands the message to every subscriber of the route. The sets are copied first (a subscriber may leave or join
   * while it is being served), except in the usual case of one entry with one subscriber: no copy per frame.
   */
  private deliver(delivery: WsDelivery): void {
    const entries = this.byRoute.get(delivery.route);
    const message = delivery.message;
    if (!entries) {
      if (delivery.unrouted) this.deliverUnrouted(delivery.route, message);
      return;
    }
    if (entries.size === 1) {
      for (const entry of entries) {
        if (entry.awaitingData) this.hadData(entry);
        deliverTo(entry.subscribers, message);
        break;
      }
      return;
    }
    for (const entry of [...entries]) {
      if (entry.awaitingData) this.hadData(entry);
      deliverTo(entry.subscribers, message);
    }
  }

  private deliverUnrouted(channel: string, message: unknown): void {
    const prefix = `${channel}:`;
    const entry = this.awaitingData.find((candidate) => candidate.route.startsWith(prefix));
    if (entry === undefined) return;
    this.hadData(entry);
    deliverTo(entry.subscribers, message);
  }

  private hadData(entry: Entry<Req>): void {
    entry.awaitingData = false;
    const index = this.awaitingData.indexOf(entry);
    if (index >= 0) this.awaitingData.splice(index, 1);
  }

  private subscribe(entry: Entry<Req>): void {
    if (this.protocol.serialSubscribes && this.inFlight && this.inFlight !== entry) {
      entry.status = 'queued';
      if (!this.queue.includes(entry)) this.queue.push(entry);
      return;
    }
    const reqId = this.host.nextReqId();
    const frame = this.protocol.subscribeFrame(entry.request, { reqId, auth: this.host.auth() });
    // The entry awaits its answer before the frame leaves: a socket may deliver the answer inside `send`.
    entry.status = 'pending';
    entry.reqId = reqId;
    entry.ackTimer?.unsubscribe();
    entry.ackTimer = this.host.scheduler.schedule(() => this.ackTimedOut(entry), this.host.ackTimeoutMs);
    if (this.protocol.serialSubscribes) this.inFlight = entry;
    if (!this.host.send(frame) && entry.status === 'pending' && entry.reqId === reqId) this.reset(entry);
  }

  private sendUnsubscribe(entry: Entry<Req>): void {
    const frame = this.protocol.unsubscribeFrame(entry.request, {
      reqId: this.host.nextReqId(),
      auth: this.host.auth(),
    });
    this.host.send(frame);
  }

  private correlate(reqId: number | undefined, routes: readonly string[] | undefined): Entry<Req>[] {
    const found: Entry<Req>[] = [];
    if (reqId !== undefined) {
      for (const entry of this.entries.values()) {
        if (entry.status === 'pending' && entry.reqId === reqId) found.push(entry);
      }
      if (found.length > 0) return found;
    }
    for (const route of routes ?? []) {
      for (const entry of this.byRoute.get(route) ?? []) {
        if (entry.status === 'pending' && !found.includes(entry)) found.push(entry);
      }
    }
    return found;
  }

  /** With nothing else to go by, an uncorrelated refusal belongs to the only subscription awaiting one. */
  private soleAwaiting(): Entry<Req>[] {
    const awaiting = [...this.entries.values()].filter((entry) => entry.status === 'pending');
    return awaiting.length === 1 ? awaiting : [];
  }

  private confirm(entry: Entry<Req>): void {
    entry.status = 'active';
    if (!entry.awaitingData) {
      entry.awaitingData = true;
      this.awaitingData.push(entry);
    }
    entry.ackTimer?.unsubscribe();
    entry.ackTimer = undefined;
    this.settled(entry);
  }

  private refuse(entry: Entry<Req>, reason: string): void {
    const { channel, symbol } = this.protocol.describe(entry.request);
    this.fail(entry, new KrakenSubscriptionError(channel, symbol, reason));
  }

  private ackTimedOut(entry: Entry<Req>): void {
    if (entry.status !== 'pending' || this.entries.get(entry.key) !== entry) return;
    // Kraken may still subscribe late: unsubscribe so no orphan stream keeps flowing.
    if (this.host.isReady()) this.sendUnsubscribe(entry);
    const { channel, symbol } = this.protocol.describe(entry.request);
    const what = `${channel}${symbol ? ` ${symbol}` : ''}`;
    this.fail(
      entry,
      new KrakenTimeoutError(
        `${this.protocol.name}: no answer to the subscription to ${what} within ${this.host.ackTimeoutMs} ms`,
        this.host.ackTimeoutMs,
      ),
    );
  }

  /** Errors every subscriber of the entry and drops it (the venue holds no subscription for it). */
  private fail(entry: Entry<Req>, error: Error): void {
    this.forget(entry);
    for (const subscriber of [...entry.subscribers]) subscriber.error(error);
    this.pump();
  }

  private forget(entry: Entry<Req>): void {
    entry.ackTimer?.unsubscribe();
    entry.ackTimer = undefined;
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    const routeEntries = this.byRoute.get(entry.route);
    routeEntries?.delete(entry);
    if (routeEntries?.size === 0) this.byRoute.delete(entry.route);
    const queued = this.queue.indexOf(entry);
    if (queued >= 0) this.queue.splice(queued, 1);
    if (this.inFlight === entry) this.inFlight = undefined;
    if (entry.awaitingData) this.hadData(entry);
  }

  private reset(entry: Entry<Req>): void {
    entry.ackTimer?.unsubscribe();
    entry.ackTimer = undefined;
    entry.reqId = undefined;
    entry.status = 'idle';
    if (this.inFlight === entry) this.inFlight = undefined;
    if (entry.awaitingData) this.hadData(entry);
  }

  private settled(entry: Entry<Req>): void {
    if (this.inFlight === entry) this.inFlight = undefined;
    this.pump();
  }

  /** Serial protocols: sends the next queued subscribe once nothing is in flight. */
  private pump(): void {
    if (!this.protocol.serialSubscribes || this.inFlight || !this.host.isReady()) return;
    const next = this.queue.shift();
    if (next) this.subscribe(next);
  }
}

function deliverTo(subscribers: ReadonlySet<Subscriber<unknown>>, message: unknown): void {
  if (subscribers.size === 1) {
    for (const subscriber of subscribers) {
      subscriber.next(message);
      break;
    }
    return;
  }
  for (const subscriber of [...subscribers]) subscriber.next(message);
}
