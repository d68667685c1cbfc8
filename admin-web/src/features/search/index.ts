import { lazy } from 'react';

export { searchQueryKeyRoot } from './api/search-registrations';
export { searchFor, searchParamsSchema } from './components/search-params';

/** Loaded on the first visit to /search, so it stays out of the entry chunk. */
export const SearchPage = lazy(() => import('./components/search-page').then((m) => ({ default: m.SearchPage })));
