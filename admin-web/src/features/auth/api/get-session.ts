import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, isApiError, setCsrfToken } from '@/lib/api-client';
import { sessionSchema, type Session } from '@/types/api';

export const sessionQueryKey = ['session'] as const;

/** Resolves to null when signed out: here a 401 is an answer, not an expired session. */
export async function getSession(signal?: AbortSignal): Promise<Session | null> {
  try {
    const session = await api.get('/admin/session', sessionSchema, { signal, redirectOn401: false });
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (isApiError(error) && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export const sessionQueryOptions = () =>
  queryOptions({
    queryKey: sessionQueryKey,
    queryFn: ({ signal }) => getSession(signal),
    staleTime: 5 * 60_000,
    refetchOnWindowFocus: true,
  });

export function useSession() {
  return useQuery(sessionQueryOptions());
}
