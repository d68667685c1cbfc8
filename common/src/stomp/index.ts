export { StompSession, parseStompUrl, type IncomingMessage, type SubscribeOptions, type StompHooks } from './session';
