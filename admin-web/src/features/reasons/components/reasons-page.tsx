import { useEffect, useId, useState, type FormEvent } from 'react';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { describeError } from '@/lib/api-client';
import { useCreateReason, useReasons, useUpdateReason, type ReasonFields, type RejectionReason } from '../api/reasons';

/** Admins manage the catalogue of rejection reasons that the reject dialogs offer. */
export function ReasonsPage() {
  const query = useReasons(true);
  const create = useCreateReason();
  const [formKey, setFormKey] = useState(0);

  useEffect(() => {
    document.title = 'Rejection reasons · Regflow Review';
  }, []);

  return (
    <div className="page">
      <h1>Rejection reasons</h1>
      <p className="muted">
        Reviewers pick these when they reject. The applicant&apos;s email quotes a reason&apos;s text only when it is
        shared. Retired reasons are offered no more; past decisions keep the text they were made with.
      </p>
      <section aria-labelledby="new-reason" className="panel">
        <h2 id="new-reason">New reason</h2>
        <ReasonForm
          key={formKey}
          submitLabel="Add reason"
          pending={create.isPending}
          error={create.error}
          onSubmit={(fields) => create.mutate(fields, { onSuccess: () => setFormKey((k) => k + 1) })}
        />
      </section>
      {query.isPending ? (
        <LoadingState label="Loading reasons…" />
      ) : query.isError ? (
        <ErrorState title="The reasons could not be loaded" error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <ul className="reasons-list" aria-label="Reasons">
          {query.data.map((reason) => (
            <ReasonItem key={reason.id} reason={reason} />
          ))}
        </ul>
      )}
    </div>
  );
}

function ReasonItem({ reason }: { reason: RejectionReason }) {
  const [editing, setEditing] = useState(false);
  const update = useUpdateReason();
  return (
    <li className="panel reason-item" aria-label={reason.label}>
      {editing ? (
        <ReasonForm
          initial={reason}
          submitLabel="Save reason"
          pending={update.isPending}
          error={update.error}
          onCancel={() => setEditing(false)}
          onSubmit={(fields) => update.mutate({ id: reason.id, ...fields }, { onSuccess: () => setEditing(false) })}
        />
      ) : (
        <>
          <p>
            <strong>{reason.label}</strong>{' '}
            <span className="muted small">
              {reason.shared ? 'shared with the applicant' : 'not shared'}
              {reason.retiredAt ? ' · retired' : ''}
            </span>
          </p>
          <p className="prewrap">{reason.text}</p>
          {update.error ? (
            <p role="alert" className="form-error small">
              {describeError(update.error)}
            </p>
          ) : null}
          <div className="note-actions">
            <button type="button" className="btn" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button
              type="button"
              className="btn"
              disabled={update.isPending}
              onClick={() => update.mutate({ id: reason.id, retired: !reason.retiredAt })}
            >
              {reason.retiredAt ? 'Restore' : 'Retire'}
            </button>
          </div>
        </>
      )}
    </li>
  );
}

function ReasonForm(props: {
  initial?: ReasonFields;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (fields: ReasonFields) => void;
  onCancel?: () => void;
}) {
  const id = useId();
  const [label, setLabel] = useState(props.initial?.label ?? '');
  const [text, setText] = useState(props.initial?.text ?? '');
  const [shared, setShared] = useState(props.initial?.shared ?? true);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (label.trim() && text.trim()) props.onSubmit({ label: label.trim(), text: text.trim(), shared });
  };
  return (
    <form className="note-form" onSubmit={submit}>
      <label htmlFor={`${id}-label`} className="field-label">
        Label
      </label>
      <input id={`${id}-label`} value={label} maxLength={80} onChange={(e) => setLabel(e.target.value)} />
      <label htmlFor={`${id}-text`} className="field-label">
        Text for the applicant
      </label>
      <textarea id={`${id}-text`} rows={3} value={text} maxLength={500} onChange={(e) => setText(e.target.value)} />
      <label>
        <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> Shared with the
        applicant
      </label>
      {props.error ? (
        <p role="alert" className="form-error small">
          {describeError(props.error)}
        </p>
      ) : null}
      <div className="note-actions">
        <button type="submit" className="btn btn-primary" disabled={props.pending || !label.trim() || !text.trim()}>
          {props.submitLabel}
        </button>
        {props.onCancel ? (
          <button type="button" className="btn" onClick={props.onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
