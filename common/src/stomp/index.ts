export { StompSession, parseStompUrl, type IncomingMessage, type SubscribeOptions } from './session';
