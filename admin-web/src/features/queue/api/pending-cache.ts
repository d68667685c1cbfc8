import type { QueryClient } from '@tanstack/react-query';
import type { PendingUser } from '@/types/api';
import { pendingQueryKey, type PendingData } from './get-pending';

type Change = { kind: 'remove'; ids: string[] } | { kind: 'append'; user: PendingUser };

/**
 * Changes made to the cached queue while a fetch of it is on its way. An infinite query builds its answer
 * on the pages it had when the fetch started, so a row decided meanwhile would come back and a row staged
 * meanwhile would vanish. Both operations are idempotent per id, so they are applied again on the answer.
 */
const changesDuringFetch = new WeakMap<QueryClient, Change[]>();

function remember(queryClient: QueryClient, change: Change): void {
  const cache = queryClient.getQueryCache();
  const query = cache.find({ queryKey: pendingQueryKey, exact: true });
  if (!query || query.state.fetchStatus === 'idle') return;
  const pending = changesDuringFetch.get(queryClient);
  if (pending) {
    pending.push(change);
    return;
  }
  const changes = [change];
  changesDuringFetch.set(queryClient, changes);
  const unsubscribe = cache.subscribe((event) => {
    if (event.query !== query || event.type !== 'updated' || query.state.fetchStatus !== 'idle') return;
    unsubscribe();
    changesDuringFetch.delete(queryClient);
    for (const c of changes) {
      if (c.kind === 'remove') removeFromPending(queryClient, c.ids);
      else appendToPending(queryClient, c.user);
    }
  });
}

/** Drops rows from the cached queue (decided here or elsewhere). Returns how many were present. */
export function removeFromPending(queryClient: QueryClient, ids: Iterable<string>): number {
  const drop = new Set(ids);
  remember(queryClient, { kind: 'remove', ids: [...drop] });
  let removed = 0;
  queryClient.setQueryData<PendingData>(pendingQueryKey, (data) => {
    if (!data) return data;
    const pages = data.pages.map((page) => {
      const items = page.items.filter((item) => !drop.has(item.id));
      removed += page.items.length - items.length;
      return items.length === page.items.length ? page : { ...page, items };
    });
    if (removed === 0) return data;
    return { ...data, pages: pages.map((page) => ({ ...page, total: Math.max(0, page.total - removed) })) };
  });
  return removed;
}

/**
 * Adds a newly staged registration. The queue is oldest first, so it belongs at the end: appended when
 * the last page is loaded, otherwise it will arrive with a later page and only the total changes.
 */
export function appendToPending(queryClient: QueryClient, user: PendingUser): boolean {
  remember(queryClient, { kind: 'append', user });
  let appended = false;
  queryClient.setQueryData<PendingData>(pendingQueryKey, (data) => {
    if (!data || data.pages.length === 0) return data;
    if (data.pages.some((page) => page.items.some((item) => item.id === user.id))) return data;
    const lastIndex = data.pages.length - 1;
    const atEnd = data.pages[lastIndex]?.nextCursor === null;
    appended = atEnd;
    return {
      ...data,
      pages: data.pages.map((page, index) => ({
        ...page,
        total: page.total + 1,
        items: atEnd && index === lastIndex ? [...page.items, user] : page.items,
      })),
    };
  });
  return appended;
}

export function isInPending(queryClient: QueryClient, id: string): boolean {
  const data = queryClient.getQueryData<PendingData>(pendingQueryKey);
  return data?.pages.some((page) => page.items.some((item) => item.id === id)) ?? false;
}
