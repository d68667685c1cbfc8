export * from './contracts/registration';
export * from './config';
export * from './logger';
export * from './errors';
export { newId } from './ids';
