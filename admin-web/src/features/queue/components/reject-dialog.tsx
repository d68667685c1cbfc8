import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { z } from 'zod';
import { Dialog } from '@/components/ui/dialog';
import { useReasons } from '@/features/reasons';
import { clearDraft, loadDraft, saveDraft } from '@/lib/drafts';

export const REASON_MAX = 500;

const rejectDraftSchema = z.object({
  targets: z.array(z.object({ id: z.string(), name: z.string() })).min(1),
  reason: z.string().max(REASON_MAX),
  /** The applicant may read the reason in their decision email; absent (older drafts too) means not. */
  shareReason: z.boolean().optional(),
  /** A reason from the catalogue (admins manage it on /reasons). */
  reasonId: z.string().optional(),
});
export type RejectDraft = z.infer<typeof rejectDraftSchema>;

/** One draft slot per page, so coming back to that page after signing in reopens the dialog. */
export const rejectDraftKey = (pagePath: string) => `reject:${pagePath}`;

export function loadRejectDraft(pagePath: string): RejectDraft | null {
  return loadDraft(rejectDraftKey(pagePath), rejectDraftSchema);
}

/** What the dialog confirms: the trimmed reason, and whether the applicant may read it (only with a reason). */
export interface RejectChoice {
  reason: string;
  shareReason: boolean;
  reasonId?: string;
}

export interface RejectDialogProps {
  draft: RejectDraft;
  pagePath: string;
  onCancel: () => void;
  onConfirm: (choice: RejectChoice) => void;
}

export function RejectDialog({ draft, pagePath, onCancel, onConfirm }: RejectDialogProps) {
  const [reason, setReason] = useState(draft.reason);
  const [shareReason, setShareReason] = useState(draft.shareReason ?? false);
  const [catalogueId, setCatalogueId] = useState(draft.reasonId ?? '');
  const catalogue = useReasons();
  const chosen = catalogue.data?.find((r) => r.id === catalogueId);
  const catalogueSelectId = useId();
  const catalogueHintId = useId();
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const reasonId = useId();
  const hintId = useId();
  const shareHintId = useId();
  const key = rejectDraftKey(pagePath);
  const { targets } = draft;

  useEffect(() => {
    saveDraft(key, { targets, reason, shareReason, reasonId: catalogueId || undefined } satisfies RejectDraft);
  }, [key, targets, reason, shareReason, catalogueId]);

  const cancel = () => {
    clearDraft(key);
    onCancel();
  };
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const trimmed = reason.trim();
    onConfirm({
      reason: trimmed,
      shareReason: shareReason && trimmed !== '',
      ...(chosen ? { reasonId: chosen.id } : {}),
    });
  };
  const onTextareaKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit();
  };

  const first = targets[0];
  const title = targets.length === 1 && first ? `Reject ${first.name}` : `Reject ${targets.length} registrations`;

  return (
    <Dialog
      title={title}
      onClose={cancel}
      initialFocusRef={reasonRef}
      description={
        targets.length > 1 ? (
          <p>
            {targets
              .slice(0, 5)
              .map((t) => t.name)
              .join(', ')}
            {targets.length > 5 ? ` and ${targets.length - 5} more` : ''} will be rejected. The reason is recorded with
            each decision.
          </p>
        ) : (
          <p>The reason is recorded with the decision and shown on the registration's page.</p>
        )
      }
    >
      <form onSubmit={submit} className="dialog-form">
        <div className="field">
          <label htmlFor={catalogueSelectId}>
            Catalogue reason <span className="muted">(optional)</span>
          </label>
          <select
            id={catalogueSelectId}
            value={catalogueId}
            onChange={(e) => setCatalogueId(e.target.value)}
            aria-describedby={catalogueHintId}
          >
            <option value="">None</option>
            {catalogue.data?.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
          <p id={catalogueHintId} className="field-hint">
            {chosen
              ? `${chosen.shared ? 'The applicant reads' : 'Not shared with the applicant'}: “${chosen.text}”`
              : catalogue.isError
                ? 'The catalogue could not be loaded; a free-text reason still works.'
                : 'Admins manage the catalogue on the Reasons page.'}
          </p>
        </div>
        <div className="field">
          <label htmlFor={reasonId}>
            Reason, in your words <span className="muted">(optional)</span>
          </label>
          <textarea
            id={reasonId}
            ref={reasonRef}
            rows={4}
            maxLength={REASON_MAX}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            onKeyDown={onTextareaKeyDown}
            aria-describedby={hintId}
          />
          <p id={hintId} className="field-hint">
            {reason.length}/{REASON_MAX} characters · Ctrl+Enter rejects
          </p>
        </div>
        <div className="field field-checkbox">
          <label>
            <input
              type="checkbox"
              checked={shareReason}
              disabled={reason.trim() === ''}
              onChange={(e) => setShareReason(e.target.checked)}
              aria-describedby={shareHintId}
            />{' '}
            Share the reason with the applicant
          </label>
          <p id={shareHintId} className="field-hint">
            {targets.length > 1 ? 'Each applicant' : 'The applicant'} gets an email about the decision; it quotes your
            words only when this is ticked (a catalogue reason's text follows the catalogue's own setting).
          </p>
        </div>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={cancel}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger">
            {targets.length > 1 ? `Reject ${targets.length}` : 'Reject'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
