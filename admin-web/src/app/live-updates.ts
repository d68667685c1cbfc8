import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { sessionQueryKey } from '@/features/auth';
import { useLiveEvents } from '@/features/live';
import {
  appendToPending,
  isInPending,
  pendingQueryKey,
  removeFromPending,
  useRowStateStore,
  type RowStateStore,
} from '@/features/queue';
import { searchQueryKeyRoot } from '@/features/search';
import { adjustPendingCount, adjustStatsForDecision, noteCountsChanged, statsQueryKey } from '@/features/stats';
import { applyDecisionToRegistration } from '@/features/users';
import type { DecidedEvent, PendingUser, Stats } from '@/types/api';

/*
 * The live stream touches every feature's cache, so it is wired here, above them. Each event updates the
 * queue and the counts at once (so the header and the queue move together), then asks the server for
 * the counts: a delta alone can be wrong, e.g. when an event was already included in a count fetched
 * just before it arrived, or when the decided row was never loaded here.
 */

export function applyStaged(queryClient: QueryClient, store: RowStateStore, user: PendingUser): void {
  // A row showing "already decided" must not be duplicated by a late or replayed staging event.
  if (store.hasConflict(user.id)) return;
  const known = isInPending(queryClient, user.id);
  appendToPending(queryClient, user);
  if (!known) adjustPendingCount(queryClient, +1);
  noteCountsChanged(queryClient);
}

export function applyDecided(queryClient: QueryClient, store: RowStateStore, event: DecidedEvent): void {
  applyDecisionToRegistration(queryClient, event.id, event);
  void queryClient.invalidateQueries({ queryKey: searchQueryKeyRoot, refetchType: 'none' });
  if (store.isHidden(event.id)) {
    // Our own request for this row is in flight (and already counted); its answer decides what the
    // reviewer sees.
    store.noteDecidedElsewhere(event);
  } else if (!store.hasConflict(event.id)) {
    // (A row showing "already decided" stays until it is dismissed.) A row still in the cache was not
    // decided here (ours leave it when the answer comes), so count it. One that is not loaded, or already
    // gone, is left to the refetch below.
    if (removeFromPending(queryClient, [event.id]) > 0) adjustStatsForDecision(queryClient, event.outcome, 1);
  }
  noteCountsChanged(queryClient);
}

export function applyStats(queryClient: QueryClient, stats: Stats): void {
  queryClient.setQueryData(statsQueryKey, stats);
}

/** Keeps the queue, counts and open detail pages current without reloads. */
export function useLiveUpdates(enabled: boolean): void {
  const queryClient = useQueryClient();
  const store = useRowStateStore();
  useLiveEvents(enabled, {
    onStaged: (user) => applyStaged(queryClient, store, user),
    onDecided: (event) => applyDecided(queryClient, store, event),
    onStats: (stats) => applyStats(queryClient, stats),
    onOpen: ({ resumed, connectingSince }) => {
      // Events sent while we were not listening are lost; catch up on anything older than this stream.
      const pendingLoadedAt = queryClient.getQueryState(pendingQueryKey)?.dataUpdatedAt ?? Number.POSITIVE_INFINITY;
      if (resumed || pendingLoadedAt < connectingSince) {
        void queryClient.invalidateQueries({ queryKey: pendingQueryKey });
        void queryClient.invalidateQueries({ queryKey: statsQueryKey });
      }
    },
    // Most often the session expired: re-checking it sends the reviewer to sign-in if so.
    onRefused: () => void queryClient.invalidateQueries({ queryKey: sessionQueryKey }),
  });
}
