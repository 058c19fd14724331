export * from './codec';
export * from './errors';
export * from './frames';
export * from './mux';
export * from './stream';
export * from './api';
export * from './ids';
