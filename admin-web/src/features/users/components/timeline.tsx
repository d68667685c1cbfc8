import type { ReactNode } from 'react';
import { formatDateTimeSeconds, formatStep, millisBetween } from '@/lib/format';
import type { RegistrationDetail } from '@/types/api';

interface Step {
  key: string;
  label: string;
  at: string | undefined;
  explanation: string;
  extra?: ReactNode;
  /** A reviewer's note: placed by its time among the steps, not counted in the gaps between them. */
  isNote?: boolean;
}

function decisionStep(detail: RegistrationDetail): Step {
  const { decision, status, timeline } = detail;
  if (decision) {
    return {
      key: 'decided',
      label:
        decision.outcome === 'approved' ? `Approved by ${decision.decidedBy}` : `Rejected by ${decision.decidedBy}`,
      at: decision.decidedAt || timeline.decidedAt,
      explanation: decision.outcome === 'approved' ? 'Account created.' : 'No account was created.',
      extra:
        decision.reason || decision.catalogueReason ? (
          <>
            {decision.catalogueReason ? (
              <blockquote className="timeline-reason">
                <span className="field-label">{decision.catalogueReason.label}</span> {decision.catalogueReason.text}
                <span className="muted small">
                  {' '}
                  ({decision.catalogueReason.shared ? 'shared with the applicant' : 'not shared with the applicant'})
                </span>
              </blockquote>
            ) : null}
            {decision.reason ? reasonQuote(decision.reason, decision.reasonShared) : null}
          </>
        ) : decision.outcome === 'rejected' ? (
          <p className="muted small">No reason was given.</p>
        ) : null,
    };
  }
  if (status === 'unconfirmed' || status === 'expired') {
    return {
      key: 'decided',
      label: status === 'expired' ? 'Expired' : 'Email not confirmed yet',
      at: undefined,
      explanation:
        status === 'expired'
          ? 'The applicant never confirmed their email; the registration was discarded.'
          : 'Waiting for the applicant to follow the link in the confirmation email.',
    };
  }
  if (status === 'duplicate') {
    return {
      key: 'decided',
      label: 'Marked as duplicate',
      at: timeline.decidedAt,
      explanation: 'The email or CPF was already registered.',
    };
  }
  return { key: 'decided', label: 'Decision', at: timeline.decidedAt, explanation: 'Waiting for a reviewer.' };
}

function reasonQuote(reason: string, shared: boolean | undefined) {
  return (
    <blockquote className="timeline-reason">
      <span className="field-label">Reason</span> {reason}
      {shared !== undefined ? (
        <span className="muted small"> ({shared ? 'shared with the applicant' : 'not shared with the applicant'})</span>
      ) : null}
    </blockquote>
  );
}

export function Timeline({ detail }: { detail: RegistrationDetail }) {
  const { timeline } = detail;
  const steps: Step[] = [
    { key: 'received', label: 'Received', at: timeline.receivedAt, explanation: 'Sign-up accepted by the access API.' },
    { key: 'indexed', label: 'Indexed', at: timeline.indexedAt, explanation: 'Searchable by name, email and CPF.' },
    { key: 'queued', label: 'Queued', at: timeline.queuedAt, explanation: 'Sent to the review queue.' },
    { key: 'staged', label: 'Staged', at: timeline.stagedAt, explanation: 'Shown to reviewers.' },
    decisionStep(detail),
  ];
  const notes: Step[] = detail.notes.map((note) => ({
    key: `note-${note.id}`,
    label: `Note by ${note.author}`,
    at: note.createdAt,
    explanation: note.editedAt ? 'Edited by its author.' : 'Internal to reviewers.',
    extra: <blockquote className="timeline-reason prewrap">{note.body}</blockquote>,
    isNote: true,
  }));
  // Steps that happened, in time order with the notes among them; the ones still to come stay last.
  const done = [...steps.filter((s) => s.at), ...notes].sort((a, b) => Date.parse(a.at!) - Date.parse(b.at!));
  const items = [...done, ...steps.filter((s) => !s.at)];
  let previous: string | undefined;
  return (
    <ol className="timeline">
      {items.map((step) => {
        const gap = step.isNote ? null : millisBetween(previous, step.at);
        if (step.at && !step.isNote) previous = step.at;
        return (
          <li
            key={step.key}
            className={`timeline-step ${step.at ? 'is-done' : 'is-waiting'} step-${step.isNote ? 'note' : step.key}`}
          >
            <span className="timeline-dot" aria-hidden="true" />
            <div className="timeline-body">
              <p className="timeline-label">
                <strong>{step.label}</strong>
                {step.at ? (
                  <>
                    {' '}
                    <time dateTime={step.at}>{formatDateTimeSeconds(step.at)}</time>
                    {gap !== null && step.key !== 'received' ? (
                      <span className="timeline-gap"> {formatStep(gap)}</span>
                    ) : null}
                  </>
                ) : (
                  <span className="muted"> — not yet</span>
                )}
              </p>
              <p className="muted small">{step.explanation}</p>
              {step.extra}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
