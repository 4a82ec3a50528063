export * from './identifiers';
export * from './instruments';
export * from './data';
export * from './orders';
export * from './events';
export * from './reports';
export * from './decimal';
