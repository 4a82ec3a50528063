import {
  futuresActionError,
  futuresEnvelopeError,
  isRetryableKrakenError,
  KrakenApiError,
  krakenApiError,
  KrakenDecodeError,
  KrakenRateLimitError,
  KrakenSubscriptionError,
  parseKrakenErrorString,
} from '../src/errors';

describe('parseKrakenErrorString', () => {
  it('splits severity, category, message and detail', () => {
    expect(parseKrakenErrorString('EAPI:Invalid nonce')).toEqual({
      raw: 'EAPI:Invalid nonce',
      severity: 'E',
      category: 'EAPI',
      message: 'Invalid nonce',
    });
    expect(parseKrakenErrorString('EGeneral:Invalid arguments:volume')).toMatchObject({
      category: 'EGeneral',
      message: 'Invalid arguments',
      detail: 'volume',
    });
    expect(parseKrakenErrorString('WGeneral:Deprecated').severity).toBe('W');
  });

  it('normalises the space in EService: Throttled: <ts>', () => {
    expect(parseKrakenErrorString('EService: Throttled: 1688669448')).toMatchObject({
      category: 'EService',
      message: 'Throttled',
      detail: '1688669448',
    });
    expect(isRetryableKrakenError('EService: Throttled: 1688669448')).toBe(true);
  });

  it('keeps text that is not in Kraken form as a general error', () => {
    expect(parseKrakenErrorString('apiLimitExceeded')).toMatchObject({
      category: 'EGeneral',
      message: 'apiLimitExceeded',
    });
  });
});

describe('retryability', () => {
  it.each([
    ['EAPI:Invalid nonce', true],
    ['EAPI:Rate limit exceeded', true],
    ['EService:Unavailable', true],
    ['EGeneral:Internal error:1234', true],
    ['EAPI:Invalid key', false],
    ['EAPI:Invalid signature', false],
    ['EOrder:Insufficient funds', false],
    ['EGeneral:Invalid arguments:volume', false],
    ['apiLimitExceeded', true],
    ['authenticationError', false],
  ])('%s retryable: %s', (raw, retryable) => {
    expect(isRetryableKrakenError(raw)).toBe(retryable);
    expect(krakenApiError([raw]).retryable).toBe(retryable);
  });

  it('builds a rate-limit error for rate-limit strings', () => {
    const err = krakenApiError(['EAPI:Rate limit exceeded'], 'Balance');
    expect(err).toBeInstanceOf(KrakenRateLimitError);
    expect(err).toBeInstanceOf(KrakenApiError);
    expect(err.message).toBe('Balance: EAPI:Rate limit exceeded');
    expect(err.category).toBe('EAPI');
    expect(err.is('EAPI:Rate limit exceeded')).toBe(true);
  });
});

describe('futures error forms', () => {
  it('reads the classic error string', () => {
    const err = futuresEnvelopeError({
      result: 'error',
      serverTime: '2016-02-25T09:45:53.818Z',
      error: 'apiLimitExceeded',
    });
    expect(err).toBeInstanceOf(KrakenRateLimitError);
    expect(err?.reason).toBe('apiLimitExceeded');
  });

  it('reads the errors[] array form with an HTTP status', () => {
    const err = futuresEnvelopeError(
      { status: 'BAD_REQUEST', result: 'error', errors: [{ code: 11, message: 'invalid order type' }] },
      'sendorder',
      400,
    );
    expect(err?.reason).toBe('invalid order type');
    expect(err?.httpStatus).toBe(400);
    expect(err?.retryable).toBe(false);
  });

  it('reads a bare status on a 404 and treats 429 as a rate limit', () => {
    expect(futuresEnvelopeError({ status: 'NOT_FOUND' }, 'x', 404)?.reason).toBe('NOT_FOUND');
    expect(futuresEnvelopeError({}, 'x', 429)).toBeInstanceOf(KrakenRateLimitError);
  });

  it('returns undefined for a success body', () => {
    expect(
      futuresEnvelopeError({ result: 'success', serverTime: '2016-02-25T09:45:53.818Z' }, 'x', 200),
    ).toBeUndefined();
  });

  it('classifies sendStatus values', () => {
    expect(futuresActionError('placed')).toBeUndefined();
    expect(futuresActionError('cancelled')).toBeUndefined();
    expect(futuresActionError('postWouldExecute', 'sendorder')?.reason).toBe('postWouldExecute');
  });
});

describe('other errors', () => {
  it('decode errors name the io-ts paths', () => {
    const err = new KrakenDecodeError('bad AssetPairs', ['result.XXBTZUSD.pair_decimals']);
    expect(err.message).toBe('bad AssetPairs at result.XXBTZUSD.pair_decimals');
    expect(err.name).toBe('KrakenDecodeError');
  });

  it('subscription errors carry Kraken reason', () => {
    const err = new KrakenSubscriptionError('book', 'FOO/BAR', 'Currency pair not supported');
    expect(err.reason).toBe('Currency pair not supported');
    expect(err.message).toBe('subscription to book FOO/BAR refused: Currency pair not supported');
  });
});
