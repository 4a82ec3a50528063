/**
 * Fault injection. Tests call the public methods (`sim.faults.failNextRest(...)`); protocol layers consume the
 * armed faults through the `take*`/query hooks at the point where the fault applies, so a fault fires exactly once
 * (or until cleared) and only where it was aimed.
 */
import { Subject, type Observable } from 'rxjs';

/** The simulator's connection families. */
export type SocketGroup = 'spot-public' | 'spot-auth' | 'futures';
export type Venue = 'spot' | 'futures';

export interface RestFault {
  /** Only requests whose path equals this, or starts with it when it ends in `*`. Default: any path. */
  readonly path?: string;
  /** Answer with this Kraken error string (rendered in the venue's envelope, HTTP 200 unless `status`). */
  readonly krakenError?: string;
  /** HTTP status. Without `krakenError`/`body`, a 5xx gets an HTML gateway page like Cloudflare's. */
  readonly status?: number;
  /** Raw body to send instead. */
  readonly body?: string;
  readonly contentType?: string;
  /** How many requests it applies to. Default 1. */
  readonly times?: number;
}

export interface SubscriptionRefusal {
  readonly group?: SocketGroup;
  /** Only this channel (spot) or feed (futures). */
  readonly channel?: string;
  /** Kraken's refusal text. Default: `Subscription refused by simulator fault`. */
  readonly reason?: string;
}

/** Actions the protocol layers perform when told (they own the subscriptions). */
export type FaultAction =
  | { readonly type: 'dropChannel'; readonly group?: SocketGroup; readonly channel: string; readonly symbol?: string }
  | { readonly type: 'dropConnections'; readonly group?: SocketGroup; readonly code?: number; readonly reason?: string }
  | { readonly type: 'malformedFrame'; readonly group?: SocketGroup; readonly frame: string };

export interface OrderTimeoutFault {
  readonly venue?: Venue;
  readonly transport?: 'rest' | 'ws';
}

export const DEFAULT_MALFORMED_FRAME = '{"channel":"book","type":"update","data":[{"symbol":';

export class SimFaults {
  private readonly restFaults: (RestFault & { times: number })[] = [];
  private readonly refusals: SubscriptionRefusal[] = [];
  private readonly checksumCorruptions: (string | undefined)[] = [];
  private readonly seqSkips: (string | undefined)[] = [];
  private readonly orderTimeouts: OrderTimeoutFault[] = [];
  private readonly heartbeatStops = new Set<SocketGroup | 'all'>();
  private restDelay: { ms: number; path?: string } | undefined;
  private wsDelayMs = 0;
  private readonly actions = new Subject<FaultAction>();
  /** Actions for the protocol layers (drop a channel, drop connections, send a malformed frame). */
  readonly actions$: Observable<FaultAction> = this.actions.asObservable();

  // ---- what tests call -------------------------------------------------------------------------------------------

  /** Closes every WebSocket connection (of one group), as a network drop would (code 1006-like terminate). */
  dropAllConnections(options: { group?: SocketGroup; code?: number; reason?: string } = {}): void {
    this.actions.next({ type: 'dropConnections', ...options });
  }

  /** Silently stops one channel's feed on every connection (the server forgets the subscription; no message). */
  dropChannel(channel: string, options: { symbol?: string; group?: SocketGroup } = {}): void {
    this.actions.next({ type: 'dropChannel', channel, ...options });
  }

  /** The next matching subscribe is answered with `success: false` and the reason. */
  refuseNextSubscription(refusal: SubscriptionRefusal = {}): void {
    this.refusals.push(refusal);
  }

  /** The next matching REST call(s) get this answer instead of the real one. */
  failNextRest(fault: RestFault): void {
    this.restFaults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Delays every REST response (optionally one path) by `ms` of real time; 0 clears. */
  delayResponses(ms: number, options: { path?: string; ws?: boolean } = {}): void {
    this.restDelay = ms > 0 ? { ms, path: options.path } : undefined;
    if (options.ws) this.wsDelayMs = ms;
    if (ms <= 0) this.wsDelayMs = 0;
  }

  /** Sends a frame that is not valid JSON (or the given text) on every connection of the group, now. */
  sendMalformedFrame(options: { group?: SocketGroup; frame?: string } = {}): void {
    this.actions.next({
      type: 'malformedFrame',
      group: options.group,
      frame: options.frame ?? DEFAULT_MALFORMED_FRAME,
    });
  }

  /** The next book message (of this symbol) carries a wrong checksum. */
  corruptNextBookChecksum(symbol?: string): void {
    this.checksumCorruptions.push(symbol);
  }

  /** The next futures book message (of this product) skips one `seq` number. */
  skipNextFuturesSeq(productId?: string): void {
    this.seqSkips.push(productId);
  }

  /** Stops heartbeats (of one group, default all) until `resumeHeartbeats`. */
  stopHeartbeats(group?: SocketGroup): void {
    this.heartbeatStops.add(group ?? 'all');
  }

  resumeHeartbeats(): void {
    this.heartbeatStops.clear();
  }

  /**
   * The next order placement is executed by the engine, but its answer never comes: the REST request hangs until
   * the client gives up (or the simulator stops), the WS response is not sent.
   */
  timeoutNextOrderPlacement(fault: OrderTimeoutFault = {}): void {
    this.orderTimeouts.push(fault);
  }

  /** Disarms every fault. */
  reset(): void {
    this.restFaults.length = 0;
    this.refusals.length = 0;
    this.checksumCorruptions.length = 0;
    this.seqSkips.length = 0;
    this.orderTimeouts.length = 0;
    this.heartbeatStops.clear();
    this.restDelay = undefined;
    this.wsDelayMs = 0;
  }

  // ---- hooks for protocol layers ---------------------------------------------------------------------------------

  /** Consumes one armed REST fault that applies to `path`. */
  takeRestFault(path: string): RestFault | undefined {
    const index = this.restFaults.findIndex((f) => pathMatches(f.path, path));
    if (index < 0) return undefined;
    const fault = this.restFaults[index];
    const left = fault.times - 1;
    if (left <= 0) this.restFaults.splice(index, 1);
    else this.restFaults[index] = { ...fault, times: left };
    return fault;
  }

  /** Real-time delay before answering a REST request on `path`. */
  restDelayMs(path: string): number {
    return this.restDelay && pathMatches(this.restDelay.path, path) ? this.restDelay.ms : 0;
  }

  /** Real-time delay before answering a WebSocket request. */
  wsResponseDelayMs(): number {
    return this.wsDelayMs;
  }

  /** Consumes a subscription refusal for this group and channel; returns the reason, if one was armed. */
  takeSubscriptionRefusal(group: SocketGroup, channel: string): string | undefined {
    const index = this.refusals.findIndex(
      (r) => (r.group === undefined || r.group === group) && (r.channel === undefined || r.channel === channel),
    );
    if (index < 0) return undefined;
    const [refusal] = this.refusals.splice(index, 1);
    return refusal.reason ?? 'Subscription refused by simulator fault';
  }

  takeChecksumCorruption(symbol: string): boolean {
    const index = this.checksumCorruptions.findIndex((s) => s === undefined || s === symbol);
    if (index < 0) return false;
    this.checksumCorruptions.splice(index, 1);
    return true;
  }

  takeSeqSkip(productId: string): boolean {
    const index = this.seqSkips.findIndex((s) => s === undefined || s.toUpperCase() === productId.toUpperCase());
    if (index < 0) return false;
    this.seqSkips.splice(index, 1);
    return true;
  }

  heartbeatsStopped(group: SocketGroup): boolean {
    return this.heartbeatStops.has('all') || this.heartbeatStops.has(group);
  }

  takeOrderTimeout(venue: Venue, transport: 'rest' | 'ws'): boolean {
    const index = this.orderTimeouts.findIndex(
      (f) => (f.venue === undefined || f.venue === venue) && (f.transport === undefined || f.transport === transport),
    );
    if (index < 0) return false;
    this.orderTimeouts.splice(index, 1);
    return true;
  }

  /** Called by the simulator on stop. */
  dispose(): void {
    this.reset();
    this.actions.complete();
  }
}

function pathMatches(pattern: string | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}

/** The HTML page a gateway (Cloudflare) answers with when the origin is down. */
export function gatewayErrorPage(status: number): string {
  return (
    `<!DOCTYPE html>\n<html><head><title>${status} Bad Gateway</title></head>` +
    `<body><center><h1>${status} Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>\n`
  );
}
