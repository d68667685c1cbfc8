import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '@/lib/api-client';

export const rejectionReasonSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** What the applicant reads, when shared. */
  text: z.string(),
  shared: z.boolean(),
  retiredAt: z
    .string()
    .nullish()
    .transform((v) => v ?? undefined),
});
export type RejectionReason = z.infer<typeof rejectionReasonSchema>;
const reasonListSchema = z.object({ items: z.array(rejectionReasonSchema) });

export const reasonsQueryKey = (includeRetired: boolean) => ['reasons', includeRetired ? 'all' : 'active'] as const;

export const reasonsQueryOptions = (includeRetired = false) =>
  queryOptions({
    queryKey: reasonsQueryKey(includeRetired),
    queryFn: async ({ signal }) =>
      (
        await api.get('/admin/reasons', reasonListSchema, {
          signal,
          query: includeRetired ? { include: 'retired' } : {},
        })
      ).items,
    staleTime: 60_000,
  });

/** The catalogue; retired reasons only when asked for (the admin page). */
export function useReasons(includeRetired = false) {
  return useQuery(reasonsQueryOptions(includeRetired));
}

export interface ReasonFields {
  label: string;
  text: string;
  shared: boolean;
}

export function useCreateReason() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fields: ReasonFields) => api.post('/admin/reasons', fields, rejectionReasonSchema),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['reasons'] }),
  });
}

export function useUpdateReason() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...changes }: Partial<ReasonFields> & { id: string; retired?: boolean }) =>
      api.patch(`/admin/reasons/${encodeURIComponent(id)}`, changes, rejectionReasonSchema),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['reasons'] }),
  });
}
