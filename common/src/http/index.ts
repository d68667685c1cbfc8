export * from './problem';
export * from './error-handler';
export * from './server';
export * from './health';
export * from './metrics';
export * from './correlation';
export * from './run-service';
