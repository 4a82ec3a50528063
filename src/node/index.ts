/** TradingNode and the Kraken client factories. */
export { TradingNode, TRADING_NODE_DEFAULTS, type TradingNodeConfig, type TradingNodeState } from './TradingNode';
export {
  KrakenLiveDataClientFactory,
  KrakenLiveExecClientFactory,
  type ClientFactoryContext,
  type DataClientFactory,
  type ExecClientFactory,
} from './factories';
export {
  KrakenCredentialsError,
  checkCredentials,
  checkTradingPermission,
  credentialEnvVars,
  type CredentialsProblem,
} from './credentials';
export { KrakenHttpStacks, type KrakenHttpStack } from './sharedHttp';
