// The server's event stream: the connection, its status and the header's indicator. What the events
// change in the console is decided by the caller (src/app/live-updates.ts).
export { useLiveEvents, type LiveEventHandlers } from './api/subscribe-events';
export { LiveIndicator } from './components/live-indicator';
export { useLiveStatus, type LiveStatus } from './lib/live-status';
