import { formatCount } from '@/lib/format';
import { useStats } from '../api/get-stats';

export function StatsSummary() {
  const stats = useStats();
  const value = (n: number | undefined) => (n === undefined ? '–' : formatCount(n));
  return (
    <ul className="stats" aria-label="Review counts" aria-busy={stats.isPending}>
      <li className="stat stat-pending">
        <span className="stat-label">Pending</span> <span className="stat-value">{value(stats.data?.pending)}</span>
      </li>
      <li className="stat stat-approved">
        <span className="stat-label">Approved today</span>{' '}
        <span className="stat-value">{value(stats.data?.approvedToday)}</span>
      </li>
      <li className="stat stat-rejected">
        <span className="stat-label">Rejected today</span>{' '}
        <span className="stat-value">{value(stats.data?.rejectedToday)}</span>
      </li>
      {stats.isError ? (
        <li className="stat stat-error" title="Counts could not be loaded">
          <span className="sr-only">Counts could not be loaded</span>!
        </li>
      ) : null}
    </ul>
  );
}
