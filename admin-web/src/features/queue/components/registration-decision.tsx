import { useState } from 'react';
import { alreadyDecidedMessage } from '@/lib/format';
import type { RegistrationDetail } from '@/types/api';
import { useDecideRegistrations } from '../api/decide-registrations';
import { useRowState } from '../stores/row-state';
import { loadRejectDraft, rejectDraftKey, RejectDialog, type RejectDraft } from './reject-dialog';

/**
 * The decision on one registration's page: why the last attempt failed, Approve and Reject…, and the
 * reason dialog. The same flow as the queue's, so a decision here updates the queue and the counts too.
 */
export function RegistrationDecision({ detail }: { detail: RegistrationDetail }) {
  const { registration, status } = detail;
  const { id } = registration;
  const pagePath = `/users/${encodeURIComponent(id)}`;
  const decide = useDecideRegistrations();
  const notice = useRowState().notices.get(id);
  const [rejectDraft, setRejectDraft] = useState<RejectDraft | null>(() => loadRejectDraft(pagePath));
  const target = { id, name: registration.name };
  const deciding = decide.isPending && decide.variables?.targets.some((t) => t.id === id);

  return (
    <>
      {notice ? (
        <div role="alert" className={`callout callout-${notice.kind === 'conflict' ? 'warning' : 'error'}`}>
          {notice.kind === 'conflict'
            ? `${alreadyDecidedMessage(notice)}.`
            : `Could not ${notice.attempted === 'approved' ? 'approve' : 'reject'}: ${notice.message}`}
        </div>
      ) : null}

      {status === 'pending' ? (
        <div className="detail-actions" role="group" aria-label="Decision">
          <button
            type="button"
            className="btn btn-approve"
            disabled={deciding}
            onClick={() => decide.mutate({ targets: [target], outcome: 'approved' })}
          >
            {deciding && decide.variables?.outcome === 'approved' ? 'Approving…' : 'Approve'}
          </button>
          <button
            type="button"
            className="btn btn-reject"
            disabled={deciding}
            onClick={() => setRejectDraft({ targets: [target], reason: '', shareReason: false })}
          >
            {deciding && decide.variables?.outcome === 'rejected' ? 'Rejecting…' : 'Reject…'}
          </button>
        </div>
      ) : null}

      {rejectDraft ? (
        <RejectDialog
          draft={rejectDraft}
          pagePath={pagePath}
          onCancel={() => setRejectDraft(null)}
          onConfirm={({ reason, shareReason, reasonId }) => {
            setRejectDraft(null);
            decide.mutate({
              targets: rejectDraft.targets,
              outcome: 'rejected',
              ...(reason ? { reason, shareReason } : {}),
              ...(reasonId ? { reasonId } : {}),
              draftKey: rejectDraftKey(pagePath),
            });
          }}
        />
      ) : null}
    </>
  );
}
