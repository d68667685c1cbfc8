import { infiniteQueryOptions, useInfiniteQuery, type InfiniteData } from '@tanstack/react-query';
import { env } from '@/config/env';
import { api } from '@/lib/api-client';
import { pendingPageSchema, type PendingPage } from '@/types/api';

export const pendingQueryKey = ['pending'] as const;
export type PendingData = InfiniteData<PendingPage, string | null>;

export function getPending(params: {
  cursor: string | null;
  limit: number;
  signal?: AbortSignal;
}): Promise<PendingPage> {
  return api.get('/admin/pending', pendingPageSchema, {
    query: { limit: params.limit, cursor: params.cursor },
    signal: params.signal,
  });
}

export const pendingQueryOptions = (options: { pollMs?: number | false } = {}) =>
  infiniteQueryOptions({
    queryKey: pendingQueryKey,
    queryFn: ({ pageParam, signal }) => getPending({ cursor: pageParam, limit: env.pendingPageSize, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
    // The live stream keeps this fresh; refetching every loaded page on focus would be wasteful.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    refetchInterval: options.pollMs ?? false,
  });

/** Oldest first. `pollMs` is the fallback when the live stream is down. */
export function usePending(options: { pollMs?: number | false } = {}) {
  return useInfiniteQuery(pendingQueryOptions(options));
}
