export * from './tokenBucket';
export * from './rateLimit';
export * from './retryBackoff';
export * from './paginate';
