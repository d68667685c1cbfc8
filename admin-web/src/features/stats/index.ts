export {
  adjustPendingCount,
  adjustStatsForDecision,
  noteCountsChanged,
  statsQueryKey,
  usePendingCount,
} from './api/get-stats';
export { StatsSummary } from './components/stats-summary';
