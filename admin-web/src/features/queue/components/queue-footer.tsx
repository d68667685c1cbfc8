import { Spinner } from '@/components/ui/states';
import { formatCount, plural } from '@/lib/format';

export interface QueueFooterProps {
  shown: number;
  total: number;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  failed: boolean;
  onLoadMore: () => void;
  onRetry: () => void;
}

/** Under the last row: more is loading, can be loaded, or this is the end; and a failed refresh. */
export function QueueFooter({
  shown,
  total,
  hasNextPage,
  isFetchingNextPage,
  failed,
  onLoadMore,
  onRetry,
}: QueueFooterProps) {
  return (
    <div className="queue-footer">
      {isFetchingNextPage ? (
        <Spinner label="Loading more…" />
      ) : hasNextPage ? (
        <button type="button" className="btn" onClick={onLoadMore}>
          Load more ({formatCount(Math.max(0, total - shown))} not shown yet)
        </button>
      ) : (
        <span className="muted">End of the queue · {plural(shown, 'registration')}</span>
      )}
      {failed ? (
        <p role="alert" className="inline-error">
          Could not refresh the queue.{' '}
          <button type="button" className="btn-link" onClick={onRetry}>
            Try again
          </button>
        </p>
      ) : null}
    </div>
  );
}
