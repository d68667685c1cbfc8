import { useLiveStatus } from '../lib/live-status';

const TEXT = {
  live: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
} as const;

const TITLE = {
  live: 'The queue and counts update as registrations arrive and are decided.',
  connecting: 'Connecting to live updates.',
  reconnecting: 'Live updates were interrupted; reconnecting. The queue refreshes when they resume.',
  offline: 'Live updates are off; the queue refreshes every 30 seconds.',
} as const;

export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span className={`live live-${status}`} title={TITLE[status]}>
      <span className="live-dot" aria-hidden="true" />
      <span>{TEXT[status]}</span>
    </span>
  );
}
