import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { inspect } from 'node:util';
import fetch from 'cross-fetch';
import WebSocket from 'ws';
import { KrakenConfigError, KrakenConnectionError } from '../../src/errors';
import { proxyAgent } from '../../src/transport/proxy';
import { closeServer, closeWsServer, listen, startConnectProxy, startWsServer, type ConnectProxy } from './servers';

const fixtures = path.join(__dirname, 'fixtures');
const cert = fs.readFileSync(path.join(fixtures, 'localhost-cert.pem'));
const key = fs.readFileSync(path.join(fixtures, 'localhost-key.pem'));

/** Only loopback targets are tunnelled; anything else gets a 502, so no test ever leaves the machine. */
const loopbackOnly = (target: string) =>
  target.startsWith('127.0.0.1:') || target.startsWith('localhost:') ? undefined : 502;

function wsRoundTrip(url: string, options: WebSocket.ClientOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('open', () => socket.send('hello'));
    socket.once('message', (data) => {
      socket.close();
      resolve(String(data));
    });
    socket.once('error', reject);
  });
}

function httpsGet(url: string, options: https.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(url, options, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe('proxyAgent (HTTP CONNECT tunnel)', () => {
  let proxy: ConnectProxy;
  let agent: http.Agent;

  beforeEach(async () => {
    proxy = await startConnectProxy(loopbackOnly);
    agent = proxyAgent(proxy.url);
  });

  afterEach(async () => {
    agent.destroy();
    await proxy.close();
  });

  it('carries a ws:// connection through the tunnel and asks the proxy for the target host:port', async () => {
    const { wss, port, url } = await startWsServer();
    wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo ${String(data)}`)));
    try {
      await expect(wsRoundTrip(`${url}/v2`, { agent })).resolves.toBe('echo hello');
      expect(proxy.targets).toEqual([`127.0.0.1:${port}`]);
    } finally {
      await closeWsServer(wss);
    }
  });

  it('serves cross-fetch through the tunnel', async () => {
    const server = http.createServer((req, res) => res.end(`you asked for ${req.url}`));
    const port = await listen(server);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/0/public/Time`, { agent } as RequestInit);
      await expect(response.text()).resolves.toBe('you asked for /0/public/Time');
      expect(proxy.targets).toEqual([`127.0.0.1:${port}`]);
    } finally {
      await closeServer(server);
    }
  });

  it('speaks TLS inside the tunnel to https:// and wss:// targets', async () => {
    const server = https.createServer({ cert, key }, (req, res) => res.end(`secure ${req.url}`));
    const port = await listen(server);
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`wss ${String(data)}`)));
    try {
      await expect(httpsGet(`https://localhost:${port}/x`, { agent, ca: cert })).resolves.toBe('secure /x');
      await expect(wsRoundTrip(`wss://localhost:${port}/v2`, { agent, ca: cert })).resolves.toBe('wss hello');
      expect(proxy.targets).toEqual([`localhost:${port}`, `localhost:${port}`]);
    } finally {
      await closeWsServer(wss);
      await closeServer(server);
    }
  });

  it('rejects a certificate the target cannot prove, through the tunnel', async () => {
    const server = https.createServer({ cert, key }, (_req, res) => res.end('never'));
    const port = await listen(server);
    try {
      await expect(httpsGet(`https://localhost:${port}/`, { agent })).rejects.toThrow(/TLS .*through the tunnel/);
    } finally {
      await closeServer(server);
    }
  });

  it('tunnels to port 443 when an https URL gives no port', async () => {
    await expect(fetch('https://api.kraken.invalid/0/public/Time', { agent } as RequestInit)).rejects.toThrow(
      /refused CONNECT api\.kraken\.invalid:443: HTTP\/1\.1 502/,
    );
    await expect(fetch('http://api.kraken.invalid/x', { agent } as RequestInit)).rejects.toThrow(/:80: HTTP\/1\.1 502/);
    expect(proxy.targets).toEqual(['api.kraken.invalid:443', 'api.kraken.invalid:80']);
  });

  it('sends the proxy credentials as Basic auth and keeps them out of errors', async () => {
    const secretAgent = proxyAgent(proxy.url.replace('http://', 'http://trader:s%40cret@'));
    try {
      const error = await fetch('https://futures.kraken.invalid/', { agent: secretAgent } as RequestInit).catch(
        (err: unknown) => err as Error,
      );
      expect(proxy.credentials).toEqual(['trader:s@cret']);
      expect(String(error)).not.toMatch(/s@cret|s%40cret|trader/);
      const basic = Buffer.from('trader:s@cret').toString('base64');
      for (const text of [String(secretAgent), JSON.stringify({ secretAgent }), inspect(secretAgent, { depth: 5 })]) {
        expect(text).not.toMatch(/s@cret|s%40cret|trader/);
        expect(text).not.toContain(basic);
      }
    } finally {
      secretAgent.destroy();
    }
  });

  it('fails with a KrakenConnectionError naming the proxy when the proxy is unreachable', async () => {
    const closed = await startConnectProxy();
    const deadUrl = closed.url;
    await closed.close();
    const deadAgent = proxyAgent(deadUrl);
    const error = await new Promise<Error>((resolve) =>
      http.get('http://127.0.0.1:9/', { agent: deadAgent }).on('error', resolve),
    );
    expect(error).toBeInstanceOf(KrakenConnectionError);
    expect(error.message).toContain(`proxy ${deadUrl.slice('http://'.length)}: cannot reach the proxy`);
  });

  it('refuses a proxy URL that is not http(s), without echoing it', () => {
    expect(() => proxyAgent('socks5://127.0.0.1:1080')).toThrow(KrakenConfigError);
    expect(() => proxyAgent('not a url :pw@')).toThrow(/must be a URL/);
  });
});
