import { queryOptions, useQuery, type QueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { statsSchema, type DecisionOutcome, type Stats } from '@/types/api';

export const statsQueryKey = ['stats'] as const;

export function getStats(signal?: AbortSignal): Promise<Stats> {
  return api.get('/admin/stats', statsSchema, { signal });
}

export const statsQueryOptions = () =>
  queryOptions({
    queryKey: statsQueryKey,
    queryFn: ({ signal }) => getStats(signal),
    // Live events push fresh counts; polling is only the safety net for a dropped stream.
    staleTime: 30_000,
    refetchInterval: 60_000,
  });

export function useStats() {
  return useQuery(statsQueryOptions());
}

/** Optimistic count change for decisions; the next `stats` event replaces it with the server's truth. */
export function adjustStatsForDecision(queryClient: QueryClient, outcome: DecisionOutcome, count: number): void {
  queryClient.setQueryData<Stats>(statsQueryKey, (stats) => {
    if (!stats) return stats;
    return {
      pending: Math.max(0, stats.pending - count),
      approvedToday: stats.approvedToday + (outcome === 'approved' ? count : 0),
      rejectedToday: stats.rejectedToday + (outcome === 'rejected' ? count : 0),
    };
  });
}
