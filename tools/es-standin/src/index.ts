export { startEsStandin, ES_VERSION, type EsStandin, type EsStandinOptions } from './server';
