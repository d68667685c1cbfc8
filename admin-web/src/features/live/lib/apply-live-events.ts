import type { QueryClient } from '@tanstack/react-query';
import { appendToPending, removeFromPending } from '@/features/queue/api/pending-cache';
import type { RowStateStore } from '@/features/queue/stores/row-state';
import { searchQueryKeyRoot } from '@/features/search/api/search-registrations';
import { statsQueryKey } from '@/features/stats/api/get-stats';
import { applyDecisionToRegistration } from '@/features/users/api/get-registration';
import type { DecidedEvent, PendingUser, Stats } from '@/types/api';

export function applyStaged(queryClient: QueryClient, store: RowStateStore, user: PendingUser): void {
  // A row showing "already decided" must not be duplicated by a late or replayed staging event.
  if (store.hasConflict(user.id)) return;
  appendToPending(queryClient, user);
}

export function applyDecided(queryClient: QueryClient, store: RowStateStore, event: DecidedEvent): void {
  applyDecisionToRegistration(queryClient, event.id, event);
  void queryClient.invalidateQueries({ queryKey: searchQueryKeyRoot, refetchType: 'none' });
  if (store.isHidden(event.id)) {
    // Our own request for this row is in flight; its answer decides what the reviewer sees.
    store.noteDecidedElsewhere(event);
    return;
  }
  if (store.hasConflict(event.id)) return; // keep the "already decided" row until it is dismissed
  removeFromPending(queryClient, [event.id]);
}

export function applyStats(queryClient: QueryClient, stats: Stats): void {
  queryClient.setQueryData(statsQueryKey, stats);
}
