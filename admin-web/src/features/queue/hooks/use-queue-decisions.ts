import { useCallback, useState } from 'react';
import { useDecideRegistrations, type DecisionTarget } from '../api/decide-registrations';
import { loadRejectDraft, rejectDraftKey, type RejectChoice, type RejectDraft } from '../components/reject-dialog';

const PAGE_PATH = '/';
// Approving this many at once asks first: there is no undo, and "select all" makes it one keystroke.
const CONFIRM_APPROVALS_ABOVE = 25;

/**
 * The queue's two decisions and the dialogs in between: approving goes at once (after a confirmation
 * for many), rejecting asks for a reason first. A reason being typed survives a trip through sign-in.
 */
export function useQueueDecisions({
  clearSelection,
  keepFocusInList,
}: {
  clearSelection: () => void;
  /** The rejected row is about to vanish: keep keyboard users in the list rather than on <body>. */
  keepFocusInList: () => void;
}) {
  const { mutate } = useDecideRegistrations();
  const [rejectDraft, setRejectDraft] = useState<RejectDraft | null>(() => loadRejectDraft(PAGE_PATH));
  const [approvalToConfirm, setApprovalToConfirm] = useState<DecisionTarget[] | null>(null);

  const approve = useCallback(
    (targets: DecisionTarget[]) => {
      if (targets.length === 0) return;
      if (targets.length > CONFIRM_APPROVALS_ABOVE) {
        setApprovalToConfirm(targets);
        return;
      }
      mutate({ targets, outcome: 'approved' });
    },
    [mutate],
  );

  const askReject = useCallback((targets: DecisionTarget[]) => {
    if (targets.length > 0) setRejectDraft({ targets, reason: '', shareReason: false });
  }, []);

  const confirmReject = ({ reason, shareReason, reasonId }: RejectChoice) => {
    if (!rejectDraft) return;
    const { targets } = rejectDraft;
    setRejectDraft(null);
    keepFocusInList();
    mutate({
      targets,
      outcome: 'rejected',
      ...(reason ? { reason, shareReason } : {}),
      ...(reasonId ? { reasonId } : {}),
      draftKey: rejectDraftKey(PAGE_PATH),
    });
    if (targets.length > 1) clearSelection();
  };

  const confirmApproval = () => {
    if (!approvalToConfirm) return;
    mutate({ targets: approvalToConfirm, outcome: 'approved' });
    setApprovalToConfirm(null);
    clearSelection();
  };

  /** The bulk button: the selection is cleared once the approval is on its way, not while it awaits confirmation. */
  const approveSelected = (targets: DecisionTarget[]) => {
    approve(targets);
    if (targets.length <= CONFIRM_APPROVALS_ABOVE) clearSelection();
  };

  return {
    approve,
    approveSelected,
    askReject,
    dialogOpen: rejectDraft !== null || approvalToConfirm !== null,
    dialogs: {
      pagePath: PAGE_PATH,
      rejectDraft,
      approvalToConfirm,
      cancelReject: () => setRejectDraft(null),
      confirmReject,
      cancelApproval: () => setApprovalToConfirm(null),
      confirmApproval,
    },
  };
}

export type QueueDecisionDialogsState = ReturnType<typeof useQueueDecisions>['dialogs'];
