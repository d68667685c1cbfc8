import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { showToast } from '@/components/ui/toaster';
import { sessionQueryKey } from '@/features/auth';
import { searchQueryKeyRoot } from '@/features/search';
import { adjustStatsForDecision, noteCountsChanged } from '@/features/stats';
import { applyDecisionToRegistration, registrationQueryKey } from '@/features/users';
import { api, ApiError, describeError, isApiError } from '@/lib/api-client';
import { clearDraft } from '@/lib/drafts';
import { alreadyDecidedMessage, plural } from '@/lib/format';
import {
  alreadyDecidedSchema,
  batchDecisionResponseSchema,
  decisionResultSchema,
  type BatchDecisionResponse,
  type DecisionOutcome,
  type DecisionResult,
  type Session,
} from '@/types/api';
import { useRowStateStore, type RowNotice, type RowStateStore } from '../stores/row-state';
import { removeFromPending } from './pending-cache';

/*
 * Deciding registrations: POST /admin/users/:id/approve or /reject for one, POST /admin/decisions in
 * chunks for many, behind one mutation hook that removes the rows at once and brings back, with the
 * reason, every one the server refuses.
 */

export interface DecisionTarget {
  id: string;
  name: string;
}

export interface DecideInput {
  targets: DecisionTarget[];
  outcome: DecisionOutcome;
  reason?: string;
  /** The applicant may read the reason in their decision email (sent only with a reason). */
  shareReason?: boolean;
  /** A catalogue reason (rejections). */
  reasonId?: string;
  /** Draft to discard once the decision is settled (kept if the session expired mid-way). */
  draftKey?: string;
}

export interface DecideReport {
  succeeded: Array<{ id: string; decidedBy?: string; decidedAt?: string }>;
  failed: Array<{ id: string; error: ApiError }>;
}

export const decideMutationKey = ['decide'] as const;

// Keeps each batch request small enough for the API's body limit and quick to answer.
const BATCH_CHUNK = 100;

function approveRegistration(id: string): Promise<DecisionResult> {
  return api.post(`/admin/users/${encodeURIComponent(id)}/approve`, {}, decisionResultSchema);
}

/** The reason, and whether it is shared, as the API takes them: nothing without a reason. */
function reasonFields(
  reason?: string,
  shareReason?: boolean,
  reasonId?: string,
): { reasonId?: string; reason?: string; shareReason?: true } {
  const trimmed = reason?.trim();
  const catalogue = reasonId ? { reasonId } : {};
  if (!trimmed) return catalogue;
  return shareReason ? { ...catalogue, reason: trimmed, shareReason: true } : { ...catalogue, reason: trimmed };
}

function rejectRegistration(
  id: string,
  reason?: string,
  shareReason?: boolean,
  reasonId?: string,
): Promise<DecisionResult> {
  return api.post(
    `/admin/users/${encodeURIComponent(id)}/reject`,
    reasonFields(reason, shareReason, reasonId),
    decisionResultSchema,
  );
}

function decideBatch(input: {
  ids: string[];
  outcome: DecisionOutcome;
  reason?: string;
  shareReason?: boolean;
  reasonId?: string;
}): Promise<BatchDecisionResponse> {
  return api.post(
    '/admin/decisions',
    { ids: input.ids, outcome: input.outcome, ...reasonFields(input.reason, input.shareReason, input.reasonId) },
    batchDecisionResponseSchema,
  );
}

function isUnauthorized(error: unknown): boolean {
  return isApiError(error) && error.status === 401;
}

/** One request for one registration, batches for many; refusals are reported per id, not thrown. */
export async function decideRegistrations(input: DecideInput): Promise<DecideReport> {
  const ids = input.targets.map((t) => t.id);
  if (ids.length === 1) {
    const id = ids[0] as string;
    try {
      const result =
        input.outcome === 'approved'
          ? await approveRegistration(id)
          : await rejectRegistration(id, input.reason, input.shareReason, input.reasonId);
      return { succeeded: [{ id, decidedBy: result.decidedBy, decidedAt: result.decidedAt }], failed: [] };
    } catch (error) {
      if (isApiError(error) && !isUnauthorized(error)) return { succeeded: [], failed: [{ id, error }] };
      throw error;
    }
  }

  const report: DecideReport = { succeeded: [], failed: [] };
  for (let start = 0; start < ids.length; start += BATCH_CHUNK) {
    const chunk = ids.slice(start, start + BATCH_CHUNK);
    try {
      const response = await decideBatch({
        ids: chunk,
        outcome: input.outcome,
        ...(input.reason ? { reason: input.reason, shareReason: input.shareReason } : {}),
        ...(input.reasonId ? { reasonId: input.reasonId } : {}),
      });
      const answered = new Set<string>();
      for (const result of response.results) {
        answered.add(result.id);
        if (result.ok) report.succeeded.push({ id: result.id });
        else report.failed.push({ id: result.id, error: ApiError.fromProblem(result.error) });
      }
      for (const id of chunk) {
        if (!answered.has(id)) {
          report.failed.push({
            id,
            error: new ApiError({
              status: 500,
              code: 'BATCH.MISSING_RESULT',
              title: 'No answer for this registration',
            }),
          });
        }
      }
    } catch (error) {
      if (!isApiError(error) || isUnauthorized(error)) throw error;
      // A failed request leaves this chunk and every later one undecided; report them rather than guess.
      for (const id of ids.slice(start)) report.failed.push({ id, error });
      break;
    }
  }
  return report;
}

function conflictNotice(error: ApiError, store: RowStateStore, id: string): RowNotice | null {
  const seen = store.takeDecidedElsewhere(id);
  if (error.status === 409 || error.code === 'REGISTRATION.ALREADY_DECIDED') {
    const info = alreadyDecidedSchema.safeParse(error.extra);
    if (info.success) return { kind: 'conflict', ...info.data };
    if (seen) return { kind: 'conflict', outcome: seen.outcome, decidedBy: seen.decidedBy, decidedAt: seen.decidedAt };
    return { kind: 'conflict', outcome: 'decided', decidedBy: 'another reviewer', decidedAt: '' };
  }
  // The request failed for another reason, but the live stream already told us the outcome.
  if (seen) return { kind: 'conflict', outcome: seen.outcome, decidedBy: seen.decidedBy, decidedAt: seen.decidedAt };
  return null;
}

function summarize(report: DecideReport, input: DecideInput, notices: Map<string, RowNotice>) {
  const verb = input.outcome === 'approved' ? 'Approved' : 'Rejected';
  const infinitive = input.outcome === 'approved' ? 'approve' : 'reject';
  const nameOf = new Map(input.targets.map((t) => [t.id, t.name]));
  const ok = report.succeeded.length;
  if (ok > 0) {
    const what =
      ok === 1 ? (nameOf.get(report.succeeded[0]?.id ?? '') ?? '1 registration') : plural(ok, 'registration');
    showToast('success', `${verb} ${what}.`);
  }
  const failed = report.failed;
  if (failed.length === 1) {
    const failure = failed[0];
    if (!failure) return;
    const name = nameOf.get(failure.id) ?? 'this registration';
    const notice = notices.get(failure.id);
    const why = notice?.kind === 'conflict' ? `${alreadyDecidedMessage(notice)}.` : describeError(failure.error);
    showToast('error', `Could not ${infinitive} ${name}. ${why}`);
  } else if (failed.length > 1) {
    showToast(
      'error',
      `${plural(failed.length, 'registration')} could not be ${input.outcome}; they are back in the queue with the reason.`,
    );
  }
}

/**
 * Approve or reject one or many registrations with optimistic removal: rows leave the queue at once and
 * come back, with the reason, for every id the server refuses.
 */
export function useDecideRegistrations() {
  const queryClient = useQueryClient();
  const store = useRowStateStore();

  return useMutation<DecideReport, unknown, DecideInput>({
    mutationKey: decideMutationKey,
    mutationFn: decideRegistrations,
    onMutate: (input) => {
      const ids = input.targets.map((t) => t.id);
      store.hide(ids);
      adjustStatsForDecision(queryClient, input.outcome, ids.length);
    },
    onSuccess: (report, input) => settle(queryClient, store, report, input),
    onError: (error, input) => {
      const ids = input.targets.map((t) => t.id);
      store.reveal(ids);
      noteCountsChanged(queryClient);
      if (isUnauthorized(error)) return;
      if (input.draftKey) clearDraft(input.draftKey);
      const message = describeError(error);
      for (const id of ids) store.setNotice(id, { kind: 'error', attempted: input.outcome, message });
      showToast('error', `Could not ${input.outcome === 'approved' ? 'approve' : 'reject'}: ${message}`);
    },
  });
}

function settle(queryClient: QueryClient, store: RowStateStore, report: DecideReport, input: DecideInput) {
  if (input.draftKey) clearDraft(input.draftKey);
  const me = queryClient.getQueryData<Session | null>(sessionQueryKey)?.email ?? 'you';
  const now = new Date().toISOString();

  const succeededIds = report.succeeded.map((s) => s.id);
  removeFromPending(queryClient, succeededIds);
  store.reveal(succeededIds);
  for (const success of report.succeeded) {
    store.takeDecidedElsewhere(success.id);
    applyDecisionToRegistration(queryClient, success.id, {
      outcome: input.outcome,
      decidedBy: success.decidedBy ?? me,
      decidedAt: success.decidedAt ?? now,
      reason: input.reason?.trim() || undefined,
      reasonShared: input.reason?.trim() ? input.shareReason === true : undefined,
    });
  }

  const notices = new Map<string, RowNotice>();
  for (const failure of report.failed) {
    const conflict = conflictNotice(failure.error, store, failure.id);
    if (conflict) {
      notices.set(failure.id, conflict);
    } else if (failure.error.status === 404) {
      removeFromPending(queryClient, [failure.id]);
    } else {
      notices.set(failure.id, { kind: 'error', attempted: input.outcome, message: describeError(failure.error) });
    }
  }
  for (const [id, notice] of notices) store.setNotice(id, notice);
  store.reveal(report.failed.map((f) => f.id));

  // A count fetched while the request was on its way may predate it; ask again now that it is settled.
  noteCountsChanged(queryClient);
  for (const id of [...succeededIds, ...report.failed.map((f) => f.id)]) {
    void queryClient.invalidateQueries({ queryKey: registrationQueryKey(id) });
  }
  // Search results are a snapshot; mark them stale without refetching pages nobody is looking at.
  void queryClient.invalidateQueries({ queryKey: searchQueryKeyRoot, refetchType: 'none' });
  summarize(report, input, notices);
}
