/**
 * What a command runs against: the embedded KrakenSimulator (default) or Kraken itself (`--live`), as a
 * TradingNode with one data client.
 */
import type { KrakenDataClientOptions } from '../config/config';
import type { KrakenLogger } from '../config/logger';
import { KRAKEN, type KrakenProductType } from '../model/identifiers';
import { KrakenLiveDataClientFactory } from '../node/factories';
import { TradingNode } from '../node/TradingNode';
import { KrakenSimulator, type KrakenSimulatorOptions } from '../sim/simulator';

export interface Target {
  /** `the embedded KrakenSimulator (seed 7)` or `Kraken (live)`. */
  readonly label: string;
  readonly node: TradingNode;
  readonly sim?: KrakenSimulator;
  /** Stops the node, then the simulator. */
  close(): Promise<void>;
}

export interface TargetOptions {
  readonly live: boolean;
  readonly seed: number;
  readonly productTypes: readonly KrakenProductType[];
  readonly logger: KrakenLogger;
  readonly sim?: KrakenSimulatorOptions;
}

/** Starts the simulator (unless live), then a node with one data client for the product types; instruments loaded. */
export async function openTarget(options: TargetOptions): Promise<Target> {
  const sim = options.live ? undefined : await KrakenSimulator.start({ seed: options.seed, ...options.sim });
  const base: KrakenDataClientOptions = sim ? sim.config() : {};
  const node = new TradingNode({
    dataClients: {
      [KRAKEN]: {
        ...base,
        productTypes: options.productTypes,
        logger: options.logger,
        updateInstrumentsIntervalMins: null,
      },
    },
    logger: options.logger,
  });
  node.addDataClientFactory(KRAKEN, KrakenLiveDataClientFactory);
  const close = async () => {
    await node.stop();
    await sim?.stop();
  };
  try {
    await node.start();
  } catch (err) {
    await close();
    throw err;
  }
  return {
    label: sim ? `the embedded KrakenSimulator (seed ${options.seed})` : 'Kraken (live)',
    node,
    ...(sim ? { sim } : {}),
    close,
  };
}

/** `spot`, `futures` or `all` (default) as product types. */
export function productTypesOf(value: string | undefined): KrakenProductType[] | undefined {
  switch ((value ?? 'all').toLowerCase()) {
    case 'all':
      return ['SPOT', 'FUTURES'];
    case 'spot':
      return ['SPOT'];
    case 'futures':
      return ['FUTURES'];
    default:
      return undefined;
  }
}
