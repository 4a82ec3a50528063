/**
 * An HTTP CONNECT tunnel agent: `wsProxyUrl` for `ws`, `httpProxyUrl` for cross-fetch/node-fetch.
 *
 * The agent opens a TCP connection to the proxy, asks it to `CONNECT host:port`, and on `200` hands the
 * tunnelled socket to the request — wrapped in TLS first when the target is `https:`/`wss:`. One agent
 * serves both plain and TLS targets, so its `protocol` is left unset (Node would otherwise refuse an
 * `https:` request through an `http.Agent`).
 */
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { KrakenConfigError, KrakenConnectionError } from '../errors';

/**
 * Node fills a missing request port with `agent.defaultPort`, which cannot be right for both `http:` and
 * `https:` targets. This impossible port marks "no port given", and {@link ProxyAgent.createConnection}
 * replaces it with 443 or 80 from the request's protocol.
 */
const UNSET_PORT = -1;

/** TLS options of a request that are passed on to the TLS session inside the tunnel. */
const TLS_OPTION_NAMES = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'ciphers',
  'rejectUnauthorized',
  'checkServerIdentity',
  'minVersion',
  'maxVersion',
  'secureContext',
  'servername',
  'ALPNProtocols',
  'session',
] as const;

/** The largest CONNECT response header the agent reads before giving up on the proxy. */
const MAX_RESPONSE_HEADER_BYTES = 16 * 1024;

type CreateConnectionCallback = (err: Error | null, stream: Duplex) => void;

class ProxyAgent extends http.Agent {
  private readonly proxyHost: string;
  private readonly proxyPort: number;
  private readonly proxyTls: boolean;
  /** `Basic <base64 user:pass>`: a true private field, so neither `util.inspect` nor JSON ever shows it. */
  readonly #proxyAuthorization?: string;

  constructor(proxy: URL, options?: http.AgentOptions) {
    super(options);
    this.proxyHost = proxy.hostname.replace(/^\[(.*)\]$/, '$1');
    this.proxyTls = proxy.protocol === 'https:';
    this.proxyPort = proxy.port ? Number(proxy.port) : this.proxyTls ? 443 : 80;
    if (proxy.username || proxy.password) {
      const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
      this.#proxyAuthorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    // See the module comment and UNSET_PORT: this agent serves http: and https: targets alike.
    Object.assign(this, { protocol: undefined, defaultPort: UNSET_PORT });
  }

  /** Where the proxy is, without credentials (for error messages). */
  get proxyAddress(): string {
    return `${this.proxyHost.includes(':') ? `[${this.proxyHost}]` : this.proxyHost}:${this.proxyPort}`;
  }

  override toString(): string {
    return `ProxyAgent(${this.proxyAddress})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  override createConnection(options: http.ClientRequestArgs, callback?: CreateConnectionCallback): undefined {
    if (!callback) throw new Error('ProxyAgent.createConnection needs a callback: the tunnel opens asynchronously');
    // `ws` leaves `protocol` unset and calls https.request, which always names its default agent.
    const defaultAgent = (options as { _defaultAgent?: { protocol?: string } })._defaultAgent;
    const protocol = options.protocol ?? defaultAgent?.protocol;
    const secureTarget = protocol === 'https:' || protocol === 'wss:';
    const host = String(options.hostname ?? options.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    const requestedPort = Number(options.port);
    const port = !requestedPort || requestedPort === UNSET_PORT ? (secureTarget ? 443 : 80) : requestedPort;
    const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;

    let settled = false;
    const finish = (err: Error | null, socket?: Duplex) => {
      if (settled) return;
      settled = true;
      callback(err, socket as Duplex);
    };
    const fail = (message: string, cause?: unknown) =>
      finish(new KrakenConnectionError(`proxy ${this.proxyAddress}: ${message}`, authority, { cause }));

    const proxySocket: net.Socket = this.proxyTls
      ? tls.connect({ host: this.proxyHost, port: this.proxyPort, servername: this.proxyHost })
      : net.connect({ host: this.proxyHost, port: this.proxyPort });

    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      proxySocket.removeListener('data', onData);
      proxySocket.removeListener('error', onError);
      proxySocket.removeListener('end', onEnd);
      proxySocket.removeListener('close', onEnd);
    };
    const onError = (err: Error) => {
      cleanup();
      proxySocket.destroy();
      fail(`cannot reach the proxy (${err.message})`, err);
    };
    const onEnd = () => {
      cleanup();
      proxySocket.destroy();
      fail(`closed the connection before answering CONNECT ${authority}`);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      const buffered = Buffer.concat(chunks, received);
      const headerEnd = buffered.indexOf('\r\n\r\n');
      if (headerEnd < 0) {
        if (received > MAX_RESPONSE_HEADER_BYTES) onError(new Error('CONNECT response header too large'));
        return;
      }
      cleanup();
      const statusLine = buffered.subarray(0, buffered.indexOf('\r\n')).toString('latin1');
      const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine)?.[1]);
      if (status !== 200) {
        proxySocket.destroy();
        fail(`refused CONNECT ${authority}: ${statusLine || 'no status line'}`);
        return;
      }
      const rest = buffered.subarray(headerEnd + 4);
      if (rest.length > 0) proxySocket.unshift(rest);
      if (!secureTarget) {
        finish(null, proxySocket);
        return;
      }
      const requestOptions = options as Record<string, unknown>;
      const tlsOptions: tls.ConnectionOptions = {};
      for (const name of TLS_OPTION_NAMES) {
        if (requestOptions[name] !== undefined) Object.assign(tlsOptions, { [name]: requestOptions[name] });
      }
      const serverName = (requestOptions.servername as string | undefined) || host;
      const secureSocket = tls.connect({
        ...tlsOptions,
        socket: proxySocket,
        servername: net.isIP(serverName) ? undefined : serverName, // SNI takes host names only
      });
      // Errors after the handshake belong to the request; errors during it fail the connection.
      const onTlsError = (err: Error) => {
        secureSocket.destroy();
        fail(`TLS to ${authority} through the tunnel failed (${err.message})`, err);
      };
      secureSocket.once('error', onTlsError);
      secureSocket.once('secureConnect', () => {
        secureSocket.removeListener('error', onTlsError);
        finish(null, secureSocket);
      });
    };

    proxySocket.on('data', onData);
    proxySocket.once('error', onError);
    proxySocket.once('end', onEnd);
    proxySocket.once('close', onEnd);

    const headers = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
    if (this.#proxyAuthorization) headers.push(`Proxy-Authorization: ${this.#proxyAuthorization}`);
    proxySocket.write(`${headers.join('\r\n')}\r\n\r\n`);
    return undefined;
  }
}

/**
 * An `http.Agent` that reaches every target through an HTTP CONNECT tunnel at `proxyUrl`
 * (`http://[user:pass@]host:port`, or `https://` for a TLS proxy). Use it as `new WebSocket(url, { agent })`
 * and as the `agent` option of cross-fetch/node-fetch; `https:`/`wss:` targets get TLS inside the tunnel.
 *
 * @param proxyUrl The proxy's URL; its credentials, if any, are sent as `Proxy-Authorization: Basic`.
 * @param options `http.Agent` options (keep-alive and the like).
 * @returns The agent; errors name the proxy address and the target, never the credentials.
 * @throws KrakenConfigError when `proxyUrl` is not an `http:`/`https:` URL.
 */
export function proxyAgent(proxyUrl: string, options?: http.AgentOptions): http.Agent {
  let proxy: URL;
  try {
    proxy = new URL(proxyUrl);
  } catch {
    // No cause: Node's URL error quotes the input, which may hold the proxy password.
    throw new KrakenConfigError('proxyUrl', 'must be a URL such as http://proxy.example:3128');
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new KrakenConfigError('proxyUrl', `must use http: or https:, got ${proxy.protocol}`);
  }
  return new ProxyAgent(proxy, options);
}
