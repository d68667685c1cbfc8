import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { searchResponseSchema, type RegistrationStatus, type SearchResponse } from '@/types/api';

export interface SearchParams {
  q: string;
  status: RegistrationStatus | '';
  from: number;
  size: number;
}

export const searchQueryKeyRoot = ['search'] as const;
export const searchQueryKey = (params: SearchParams) => [...searchQueryKeyRoot, params] as const;

export function searchRegistrations(params: SearchParams, signal?: AbortSignal): Promise<SearchResponse> {
  return api.get('/admin/search', searchResponseSchema, {
    query: { q: params.q.trim(), status: params.status, from: params.from, size: params.size },
    signal,
  });
}

export const searchQueryOptions = (params: SearchParams) =>
  queryOptions({
    queryKey: searchQueryKey(params),
    queryFn: ({ signal }) => searchRegistrations(params, signal),
    // Keep the previous page on screen while the next one loads, instead of flashing a spinner.
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });

export function useSearchRegistrations(params: SearchParams) {
  return useQuery(searchQueryOptions(params));
}
