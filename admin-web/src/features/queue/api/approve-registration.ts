import { api } from '@/lib/api-client';
import { decisionResultSchema, type DecisionResult } from '@/types/api';

export function approveRegistration(id: string): Promise<DecisionResult> {
  return api.post(`/admin/users/${encodeURIComponent(id)}/approve`, {}, decisionResultSchema);
}
