import type { QueryClient } from '@tanstack/react-query';
import { appendToPending, isInPending, removeFromPending } from '@/features/queue/api/pending-cache';
import type { RowStateStore } from '@/features/queue/stores/row-state';
import { searchQueryKeyRoot } from '@/features/search/api/search-registrations';
import { adjustPendingCount, adjustStatsForDecision, noteCountsChanged, statsQueryKey } from '@/features/stats/api/get-stats';
import { applyDecisionToRegistration } from '@/features/users/api/get-registration';
import type { DecidedEvent, PendingUser, Stats } from '@/types/api';

/*
 * Each event updates the queue and the counts at once (so the header and the queue move together), then
 * asks the server for the counts: a delta alone can be wrong, e.g. when an event was already included in
 * a count fetched just before it arrived, or when the decided row was never loaded here.
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
    // Our own request for this row is in flight (and already counted); its answer decides what the reviewer sees.
    store.noteDecidedElsewhere(event);
  } else if (!store.hasConflict(event.id)) {
    // (A row showing "already decided" stays until it is dismissed.) A row still in the cache was not decided here (ours leave it when the answer comes), so count it.
    // One that is not loaded, or already gone, is left to the refetch below.
    if (removeFromPending(queryClient, [event.id]) > 0) adjustStatsForDecision(queryClient, event.outcome, 1);
  }
  noteCountsChanged(queryClient);
}

export function applyStats(queryClient: QueryClient, stats: Stats): void {
  queryClient.setQueryData(statsQueryKey, stats);
}
