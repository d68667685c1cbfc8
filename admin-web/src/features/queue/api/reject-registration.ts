import { api } from '@/lib/api-client';
import { decisionResultSchema, type DecisionResult } from '@/types/api';

export function rejectRegistration(id: string, reason?: string): Promise<DecisionResult> {
  const trimmed = reason?.trim();
  return api.post(`/admin/users/${encodeURIComponent(id)}/reject`, trimmed ? { reason: trimmed } : {}, decisionResultSchema);
}
