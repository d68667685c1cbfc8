import { useEffect, useMemo } from 'react';
import { useLiveStatus } from '@/features/live';
import { usePendingCount } from '@/features/stats';
import { usePending } from '../api/get-pending';
import { useRowState } from '../stores/row-state';

// While the live stream is down, the queue asks for itself this often.
const FALLBACK_POLL_MS = 30_000;

/**
 * What the queue shows: every loaded page minus the rows whose decision is in flight, which of them can
 * be selected (not the ones showing "already decided"), and how many are pending in all.
 */
export function useQueueRows() {
  const liveStatus = useLiveStatus();
  const pending = usePending({ pollMs: liveStatus === 'live' ? false : FALLBACK_POLL_MS });
  const { hidden, notices } = useRowState();

  const allRows = useMemo(() => pending.data?.pages.flatMap((page) => page.items) ?? [], [pending.data]);
  const rows = useMemo(
    () => (hidden.size === 0 ? allRows : allRows.filter((row) => !hidden.has(row.id))),
    [allRows, hidden],
  );
  const selectableIds = useMemo(
    () => rows.filter((row) => notices.get(row.id)?.kind !== 'conflict').map((row) => row.id),
    [rows, notices],
  );

  // The header's pending count is the one number: deriving the queue's own from the pages' totals let
  // the two disagree whenever a live event or a refetch reached one and not the other.
  const pendingCount = usePendingCount();
  const serverTotal = pending.data?.pages.at(-1)?.total ?? 0;
  const total = pendingCount ?? Math.max(rows.length, serverTotal - (allRows.length - rows.length));

  // Everything loaded has left (e.g. a whole page decided at once) but the server has more: fetch it.
  // With rows on screen, the list fetches the next page as the reviewer nears the end.
  const { hasNextPage, isFetchingNextPage, isError, fetchNextPage } = pending;
  const empty = rows.length === 0;
  useEffect(() => {
    if (empty && hasNextPage && !isFetchingNextPage && !isError) void fetchNextPage();
  }, [empty, hasNextPage, isFetchingNextPage, isError, fetchNextPage]);

  return { pending, rows, notices, selectableIds, total };
}
