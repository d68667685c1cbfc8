import { api } from '@/lib/api-client';
import { batchDecisionResponseSchema, type BatchDecisionResponse, type DecisionOutcome } from '@/types/api';

export interface BatchDecisionInput {
  ids: string[];
  outcome: DecisionOutcome;
  reason?: string;
}

export function decideBatch(input: BatchDecisionInput): Promise<BatchDecisionResponse> {
  const reason = input.reason?.trim();
  return api.post(
    '/admin/decisions',
    { ids: input.ids, outcome: input.outcome, ...(reason ? { reason } : {}) },
    batchDecisionResponseSchema,
  );
}
