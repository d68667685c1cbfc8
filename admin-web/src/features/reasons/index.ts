import { lazy } from 'react';

export { useReasons, type RejectionReason } from './api/reasons';

/** Loaded on the first visit to /reasons (an admin's page), so it stays out of the entry chunk. */
export const ReasonsPage = lazy(() => import('./components/reasons-page').then((m) => ({ default: m.ReasonsPage })));
