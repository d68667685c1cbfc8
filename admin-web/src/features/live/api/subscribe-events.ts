import { useEffect, useEffectEvent } from 'react';
import { buildUrl } from '@/lib/api-client';
import {
  decidedEventSchema,
  pendingUserSchema,
  statsSchema,
  type DecidedEvent,
  type PendingUser,
  type Stats,
} from '@/types/api';
import { setLiveStatus } from '../lib/live-status';

const eventsPath = '/admin/events';

/** One connection's callbacks; the browser's own reconnects happen underneath. */
interface ConnectionHandlers {
  onStaged: (user: PendingUser) => void;
  onDecided: (event: DecidedEvent) => void;
  onStats: (stats: Stats) => void;
  onOpen: () => void;
  /** Transient drop: the browser reconnects by itself. */
  onInterrupted: () => void;
  /** The server refused the stream (e.g. 401); the browser will not retry. */
  onClosed: () => void;
}

interface Parser<T> {
  safeParse: (value: unknown) => { success: true; data: T } | { success: false };
}

function parse<T>(schema: Parser<T>, raw: string): T | null {
  try {
    const result = schema.safeParse(JSON.parse(raw));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

/** Opens the admin event stream and hands validated events to the handlers. Returns a closer. */
function subscribeToEvents(handlers: ConnectionHandlers): () => void {
  const source = new EventSource(buildUrl(eventsPath));
  const on = <T>(type: string, schema: Parser<T>, handle: (value: T) => void) => {
    source.addEventListener(type, (event) => {
      const value = parse(schema, (event as MessageEvent<string>).data);
      if (value) handle(value);
      else console.warn(`Ignored malformed "${type}" event`);
    });
  };
  on('registration.staged', pendingUserSchema, handlers.onStaged);
  on('registration.decided', decidedEventSchema, handlers.onDecided);
  on('stats', statsSchema, handlers.onStats);
  source.addEventListener('open', () => handlers.onOpen());
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) handlers.onClosed();
    else handlers.onInterrupted();
  });
  return () => source.close();
}

export interface LiveEventHandlers {
  onStaged: (user: PendingUser) => void;
  onDecided: (event: DecidedEvent) => void;
  onStats: (stats: Stats) => void;
  /**
   * The stream is (again) open. Events sent while nobody listened are lost: `resumed` says the stream
   * dropped and came back, `connectingSince` is when this connection was started, so the caller can
   * refetch whatever it loaded before then.
   */
  onOpen: (info: { resumed: boolean; connectingSince: number }) => void;
  /** The server refused the stream; most often the session expired. */
  onRefused: () => void;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Keeps one event stream open while `enabled`: reconnects with backoff when the server refuses it and
 * reports the connection in `useLiveStatus()`. What the events change is the caller's business.
 */
export function useLiveEvents(enabled: boolean, handlers: LiveEventHandlers): void {
  // The latest handlers, without reconnecting when the caller re-renders.
  const onStaged = useEffectEvent(handlers.onStaged);
  const onDecided = useEffectEvent(handlers.onDecided);
  const onStats = useEffectEvent(handlers.onStats);
  const onOpen = useEffectEvent(handlers.onOpen);
  const onRefused = useEffectEvent(handlers.onRefused);

  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    let close: (() => void) | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;
    let attempt = 0;
    let disposed = false;

    const connect = () => {
      const connectingSince = Date.now();
      setLiveStatus(attempt === 0 ? 'connecting' : 'reconnecting');
      let interrupted = false;
      close = subscribeToEvents({
        onStaged: (user) => onStaged(user),
        onDecided: (event) => onDecided(event),
        onStats: (stats) => onStats(stats),
        onOpen: () => {
          setLiveStatus('live');
          attempt = 0;
          onOpen({ resumed: interrupted, connectingSince });
          interrupted = false;
        },
        onInterrupted: () => {
          interrupted = true;
          setLiveStatus('reconnecting');
        },
        onClosed: () => {
          close?.();
          close = null;
          if (disposed) return;
          setLiveStatus('offline');
          onRefused();
          attempt += 1;
          const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 5));
          retryTimer = setTimeout(connect, delay);
        },
      });
    };

    connect();
    return () => {
      disposed = true;
      if (retryTimer) clearTimeout(retryTimer);
      close?.();
      setLiveStatus('offline');
    };
  }, [enabled]);
}
