import { queryOptions, useQuery, type QueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { registrationDetailSchema, type DecisionOutcome, type RegistrationDetail } from '@/types/api';

export const registrationQueryKey = (id: string) => ['registration', id] as const;

export function getRegistration(id: string, signal?: AbortSignal): Promise<RegistrationDetail> {
  return api.get(`/admin/users/${encodeURIComponent(id)}`, registrationDetailSchema, { signal });
}

export const registrationQueryOptions = (id: string) =>
  queryOptions({
    queryKey: registrationQueryKey(id),
    queryFn: ({ signal }) => getRegistration(id, signal),
  });

export function useRegistration(id: string) {
  return useQuery(registrationQueryOptions(id));
}

/** Reflects a decision on an open detail page at once, before (or instead of) a refetch. */
export function applyDecisionToRegistration(
  queryClient: QueryClient,
  id: string,
  decision: {
    outcome: DecisionOutcome;
    decidedBy: string;
    decidedAt: string;
    reason?: string | undefined;
    reasonShared?: boolean | undefined;
  },
): void {
  queryClient.setQueryData<RegistrationDetail>(registrationQueryKey(id), (detail) => {
    if (!detail) return detail;
    return {
      ...detail,
      status: decision.outcome,
      timeline: { ...detail.timeline, decidedAt: decision.decidedAt },
      decision: { ...decision, reason: decision.reason || undefined },
    };
  });
}
