import { startConnectProxy, type ConnectProxy } from '../transport/servers';
import { acks, collect, startHarness, until, type Harness } from './dataSupport';

describe('KrakenDataClient through wsProxyUrl', () => {
  let proxy: ConnectProxy;
  let h: Harness;

  beforeEach(async () => {
    proxy = await startConnectProxy();
    h = await startHarness({ tradesPerMinute: 120, client: { wsProxyUrl: proxy.url } });
  });

  afterEach(async () => {
    await h.stop();
    await proxy.close();
  });

  it('opens the Spot and Futures sockets through the HTTP CONNECT proxy', async () => {
    const spot = collect(h, h.client.trades('BTC/USD.KRAKEN'));
    const futures = collect(h, h.client.trades('PF_XBTUSD.KRAKEN'));
    await until(() => acks('/v2').length === 1 && acks('/ws/v1').length === 1);
    h.sim.clock.advance(10_000);
    await until(() => spot.values.length > 0 && futures.values.length > 0);
    expect(proxy.targets).toEqual([`127.0.0.1:${h.sim.port}`, `127.0.0.1:${h.sim.port}`]);
  });
});
