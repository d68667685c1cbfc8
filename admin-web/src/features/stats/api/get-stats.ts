import { queryOptions, useQuery, type QueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { statsSchema, type DecisionOutcome, type Stats } from '@/types/api';

export const statsQueryKey = ['stats'] as const;

export function getStats(signal?: AbortSignal): Promise<Stats> {
  return api.get('/admin/stats', statsSchema, { signal });
}

/**
 * Bumped whenever the counts are known to have changed on the server or in the cache (a live event, an
 * optimistic decision). A stats request that was already on its way may have been answered before the
 * change: its answer would overwrite the live update (the header said "Pending 9" while the queue, which
 * had applied the event, said 10). Such an answer is discarded and asked again.
 */
let countsGeneration = 0;
// Under a steady stream of events every answer is overtaken; after this many tries keep the answer and
// ask once more, so the request ends and the latest change is still covered.
const MAX_ATTEMPTS = 4;

async function fetchSettledStats(client: QueryClient, signal: AbortSignal): Promise<Stats> {
  for (let attempt = 1; ; attempt += 1) {
    const seen = countsGeneration;
    const stats = await getStats(signal);
    if (seen === countsGeneration) return stats;
    if (attempt >= MAX_ATTEMPTS) {
      setTimeout(() => void client.invalidateQueries({ queryKey: statsQueryKey }), 0);
      return stats;
    }
  }
}

export const statsQueryOptions = () =>
  queryOptions({
    queryKey: statsQueryKey,
    queryFn: ({ signal, client }) => fetchSettledStats(client, signal),
    // Live events refresh the counts; polling is only the safety net for a dropped stream.
    staleTime: 30_000,
    refetchInterval: 60_000,
  });

export function useStats() {
  return useQuery(statsQueryOptions());
}

/** The pending count the whole console shows: the header and the queue read this one number. */
export function usePendingCount(): number | undefined {
  return useStats().data?.pending;
}

/**
 * The counts changed on the server (a live event, a decision settled): fetch them again. A request in
 * flight repeats itself (see `countsGeneration`), so at most one is ever running.
 */
export function noteCountsChanged(queryClient: QueryClient): void {
  countsGeneration += 1;
  const fetching = queryClient.getQueryState(statsQueryKey)?.fetchStatus === 'fetching';
  if (!fetching) void queryClient.invalidateQueries({ queryKey: statsQueryKey });
}

function updateStats(queryClient: QueryClient, update: (stats: Stats) => Stats): void {
  countsGeneration += 1;
  queryClient.setQueryData<Stats>(statsQueryKey, (stats) => (stats ? update(stats) : stats));
}

/** Optimistic count change for a decision, shown at once; the refetch that follows confirms it. */
export function adjustStatsForDecision(queryClient: QueryClient, outcome: DecisionOutcome, count: number): void {
  updateStats(queryClient, (stats) => ({
    pending: Math.max(0, stats.pending - count),
    approvedToday: stats.approvedToday + (outcome === 'approved' ? count : 0),
    rejectedToday: stats.rejectedToday + (outcome === 'rejected' ? count : 0),
  }));
}

/** A registration joined the queue. */
export function adjustPendingCount(queryClient: QueryClient, delta: number): void {
  updateStats(queryClient, (stats) => ({ ...stats, pending: Math.max(0, stats.pending + delta) }));
}
