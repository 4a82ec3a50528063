export {
  KrakenExecutionClient,
  isOrderEvent,
  type ExecutionEvent,
  type KrakenExecutionClientDeps,
  type LeverageSetting,
} from './KrakenExecutionClient';
export type { FuturesLeveragePreference } from './futuresVenue';
export type { ReportQueryOptions } from './reports';
export { mergeAccountStates } from './reports';
export {
  SUPPORT_MATRIX,
  checkModifyOrder,
  checkSubmitOrder,
  supportRow,
  type ProductSupport,
  type SupportDimension,
  type SupportRow,
} from './supportMatrix';
export { ClientOrderIds } from './clientOrderIds';
export type { InstrumentSource } from './context';
