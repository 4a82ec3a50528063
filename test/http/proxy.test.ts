import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { KrakenRawHttpClient } from '../../src/http/KrakenRawHttpClient';
import { startRecordingServer, type RecordingServer } from '../support/httpServer';
import { fastLimits, spotSignatureValid, testConfig } from './helpers';

/** A tiny HTTP CONNECT proxy on 127.0.0.1 that records the authorities it tunnels to. */
async function startConnectProxy(): Promise<{ url: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const proxy: Server = createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    const authority = req.url ?? '';
    tunnels.push(authority);
    const [host, port] = authority.split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        proxy.close(() => resolve());
        proxy.closeAllConnections();
      }),
  };
}

let server: RecordingServer;
let proxy: Awaited<ReturnType<typeof startConnectProxy>>;

beforeAll(async () => {
  server = await startRecordingServer();
  proxy = await startConnectProxy();
});
afterAll(async () => {
  await proxy.close();
  await server.close();
});

describe('httpProxyUrl', () => {
  it('sends public and signed private calls through the CONNECT proxy', async () => {
    server.route('GET', '/0/public/Time', { body: { error: [], result: { unixtime: 5, rfc1123: 'x' } } });
    server.route('POST', '/0/private/Balance', { body: { error: [], result: { ZUSD: '1' } } });
    const http = new KrakenRawHttpClient(testConfig(server.url, { httpProxyUrl: proxy.url }), {
      limits: fastLimits(),
    });
    const time = await firstValueFrom(http.spot.time());
    const balance = await firstValueFrom(http.spot.balance());
    expect(time.unixtime).toBe(5);
    expect(balance.ZUSD.toFixed()).toBe('1');
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(new Set(proxy.tunnels)).toEqual(new Set([`127.0.0.1:${server.port}`]));
    expect(server.requests.map((r) => r.path)).toEqual(['/0/public/Time', '/0/private/Balance']);
    expect(spotSignatureValid(server.requests[1])).toBe(true);
  });

  it('goes direct when no proxy is configured', async () => {
    server.reset();
    server.route('GET', '/0/public/Time', { body: { error: [], result: { unixtime: 6, rfc1123: 'x' } } });
    const before = proxy.tunnels.length;
    const http = new KrakenRawHttpClient(testConfig(server.url), { limits: fastLimits() });
    await firstValueFrom(http.spot.time());
    expect(proxy.tunnels.length).toBe(before);
    expect(server.requests).toHaveLength(1);
  });
});
