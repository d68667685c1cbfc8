import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { formatCount } from '@/lib/format';
import type { QueueDecisionDialogsState } from '../hooks/use-queue-decisions';
import { RejectDialog } from './reject-dialog';

/** Whichever question the queue is asking: a reason for rejecting, or "approve all of these?". */
export function QueueDecisionDialogs({ dialogs }: { dialogs: QueueDecisionDialogsState }) {
  const { rejectDraft, approvalToConfirm } = dialogs;
  return (
    <>
      {rejectDraft ? (
        <RejectDialog
          draft={rejectDraft}
          pagePath={dialogs.pagePath}
          onCancel={dialogs.cancelReject}
          onConfirm={dialogs.confirmReject}
        />
      ) : null}
      {approvalToConfirm ? (
        <ConfirmDialog
          title={`Approve ${formatCount(approvalToConfirm.length)} registrations?`}
          confirmLabel={`Approve ${formatCount(approvalToConfirm.length)}`}
          tone="approve"
          onCancel={dialogs.cancelApproval}
          onConfirm={dialogs.confirmApproval}
        >
          <p>Each of them gets an account. Approvals cannot be undone from the console.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
