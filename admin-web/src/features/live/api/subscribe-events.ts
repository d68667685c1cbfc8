import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { sessionQueryKey } from '@/features/auth/api/get-session';
import { pendingQueryKey } from '@/features/queue/api/get-pending';
import { useRowStateStore } from '@/features/queue/stores/row-state';
import { statsQueryKey } from '@/features/stats/api/get-stats';
import { buildUrl } from '@/lib/api-client';
import { decidedEventSchema, pendingUserSchema, statsSchema, type DecidedEvent, type PendingUser, type Stats } from '@/types/api';
import { applyDecided, applyStaged, applyStats } from '../lib/apply-live-events';
import { setLiveStatus } from '../lib/live-status';

export const eventsPath = '/admin/events';

export interface LiveEventHandlers {
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
export function subscribeToEvents(handlers: LiveEventHandlers): () => void {
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

const MAX_BACKOFF_MS = 30_000;

/** Keeps the queue, counts and open detail pages current without reloads. */
export function useLiveEvents(enabled: boolean): void {
  const queryClient = useQueryClient();
  const store = useRowStateStore();

  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    let close: (() => void) | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;
    let attempt = 0;
    let disposed = false;

    const connect = () => {
      const startedAt = Date.now();
      setLiveStatus(attempt === 0 ? 'connecting' : 'reconnecting');
      let interrupted = false;
      close = subscribeToEvents({
        onStaged: (user) => applyStaged(queryClient, store, user),
        onDecided: (event) => applyDecided(queryClient, store, event),
        onStats: (stats) => applyStats(queryClient, stats),
        onOpen: () => {
          setLiveStatus('live');
          attempt = 0;
          // Events sent while we were not listening are lost; catch up on anything older than this stream.
          const pendingState = queryClient.getQueryState(pendingQueryKey);
          if (interrupted || (pendingState?.dataUpdatedAt ?? Number.POSITIVE_INFINITY) < startedAt) {
            void queryClient.invalidateQueries({ queryKey: pendingQueryKey });
            void queryClient.invalidateQueries({ queryKey: statsQueryKey });
          }
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
          // Most often the session expired: re-checking it sends the reviewer to sign-in if so.
          void queryClient.invalidateQueries({ queryKey: sessionQueryKey });
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
  }, [enabled, queryClient, store]);
}
