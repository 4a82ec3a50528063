export * from './KrakenInstrumentProvider';
