export * from './contracts/registration';
export * from './config';
export * from './logger';
export * from './errors';
export * from './retry';
export * from './rules/cpf';
export * from './rules/text';
export { newId } from './ids';
export * from './rules/confirmation-token';
