import { Link } from '@tanstack/react-router';
import { memo, type ChangeEvent, type MouseEvent } from 'react';
import {
  alreadyDecidedMessage,
  formatCpf,
  formatDateTime,
  formatPhone,
  formatShortDateTime,
  formatWaited,
} from '@/lib/format';
import { useNow } from '@/lib/use-now';
import type { PendingUser } from '@/types/api';
import type { RowNotice } from '../stores/row-state';

export const ROW_HEIGHT_PX = 88;

const HOUR = 3_600_000;

/** What a row can do; one stable object, so a memoized row re-renders only when its own data changes. */
export interface QueueRowActions {
  /** `range`: Shift was held, so every row from the last one toggled is toggled too. */
  toggle: (id: string, range: boolean) => void;
  activate: (id: string) => void;
  approve: (row: PendingUser) => void;
  reject: (row: PendingUser) => void;
  dismiss: (id: string) => void;
}

export interface QueueRowProps {
  row: PendingUser;
  index: number;
  setSize: number;
  selected: boolean;
  active: boolean;
  notice: RowNotice | undefined;
  actions: QueueRowActions;
}

function noticeText(notice: RowNotice): string {
  return notice.kind === 'conflict'
    ? alreadyDecidedMessage(notice)
    : `Could not ${notice.attempted === 'approved' ? 'approve' : 'reject'}: ${notice.message}`;
}

function waitLevel(ms: number): string {
  if (ms >= 24 * HOUR) return 'waited-long';
  if (ms >= 4 * HOUR) return 'waited-mid';
  return '';
}

export const QueueRow = memo(function QueueRow({
  row,
  index,
  setSize,
  selected,
  active,
  notice,
  actions,
}: QueueRowProps) {
  const now = useNow();
  const waitedMs = now - Date.parse(row.registeredAt);
  const nameId = `queue-row-${row.id}-name`;
  const conflict = notice?.kind === 'conflict' ? notice : null;

  const onCheckbox = (event: ChangeEvent<HTMLInputElement>) => {
    const native = event.nativeEvent as Partial<globalThis.MouseEvent>;
    actions.toggle(row.id, native.shiftKey === true);
  };
  const onRowClick = (event: MouseEvent<HTMLLIElement>) => {
    // Clicking text to select it should not steal focus; only mark the row current.
    if (!(event.target as HTMLElement).closest('a,button,input')) actions.activate(row.id);
  };

  return (
    <li
      data-row-id={row.id}
      className={[
        'queue-row',
        active ? 'is-active' : '',
        selected ? 'is-selected' : '',
        notice ? `has-${notice.kind}` : '',
      ]
        .filter(Boolean)
        .join(' ')}
      aria-posinset={index + 1}
      aria-setsize={setSize}
      aria-labelledby={nameId}
      aria-current={active ? 'true' : undefined}
      tabIndex={active ? 0 : -1}
      onClick={onRowClick}
      onFocus={() => actions.activate(row.id)}
    >
      <div className="cell cell-select">
        <input
          type="checkbox"
          checked={selected}
          disabled={conflict !== null}
          onChange={onCheckbox}
          aria-label={`Select ${row.name}`}
        />
      </div>
      <div className="cell cell-person">
        <Link id={nameId} to="/users/$id" params={{ id: row.id }} className="row-name">
          {row.name}
        </Link>
        <span className="row-email">{row.email}</span>
      </div>
      <div className="cell cell-ids">
        <span className="row-id-line">
          <span className="field-label">CPF</span>{' '}
          {row.cpf ? <span className="tabular">{formatCpf(row.cpf)}</span> : <span className="muted">none</span>}
        </span>
        <span className="row-id-line">
          <span className="field-label">Phone</span>{' '}
          {row.phone ? <span className="tabular">{formatPhone(row.phone)}</span> : <span className="muted">none</span>}
        </span>
      </div>
      <div className="cell cell-note">
        {notice ? (
          <p className={`row-notice notice-${notice.kind}`} title={noticeText(notice)}>
            {noticeText(notice)}
          </p>
        ) : row.note ? (
          <p className="row-note" title={row.note}>
            <span className="sr-only">Note: </span>
            {row.note}
          </p>
        ) : (
          <span className="muted">No note</span>
        )}
      </div>
      <div className="cell cell-time">
        <span>
          <span className="sr-only">Signed up </span>
          <time dateTime={row.registeredAt} title={`Signed up ${formatDateTime(row.registeredAt)}`}>
            {formatShortDateTime(row.registeredAt, now)}
          </time>
        </span>
        <span className={`waited ${waitLevel(waitedMs)}`}>waited {formatWaited(waitedMs)}</span>
      </div>
      <div className="cell cell-actions">
        {conflict ? (
          <button
            type="button"
            className="btn btn-quiet"
            onClick={() => actions.dismiss(row.id)}
            aria-label={`Dismiss ${row.name}`}
          >
            Dismiss
          </button>
        ) : (
          <>
            <button
              type="button"
              className="btn btn-approve"
              onClick={() => actions.approve(row)}
              aria-label={`Approve ${row.name}`}
            >
              Approve
            </button>
            <button
              type="button"
              className="btn btn-reject"
              onClick={() => actions.reject(row)}
              aria-label={`Reject ${row.name}`}
            >
              Reject
            </button>
          </>
        )}
      </div>
    </li>
  );
});
