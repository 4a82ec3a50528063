export * from './tokenBucket';
export * from './rateLimit';
export * from './retryBackoff';
export * from './paginate';
export * from './bufferBars';
export * from './aggregateBars';
export * from './orderBook';
