import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { openShortcutsHelp } from '@/components/shortcuts-help';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState, ErrorState, LoadingState, Spinner } from '@/components/ui/states';
import { useLiveStatus } from '@/features/live';
import { usePendingCount } from '@/features/stats';
import { useShortcut } from '@/lib/hotkeys';
import { formatCount, plural } from '@/lib/format';
import { useWindowedList } from '@/lib/use-windowed-list';
import type { PendingUser } from '@/types/api';
import { usePending } from '../api/get-pending';
import { removeFromPending } from '../api/pending-cache';
import { useDecideRegistrations, type DecisionTarget } from '../api/decide-registrations';
import { markFirstRowsPainted } from '../lib/first-rows-mark';
import { useSelection } from '../hooks/use-selection';
import { useRowState, useRowStateStore } from '../stores/row-state';
import { QueueRow, ROW_HEIGHT_PX } from './queue-row';
import { loadRejectDraft, rejectDraftKey, RejectDialog, type RejectDraft } from './reject-dialog';

const PAGE_PATH = '/';
// Approving this many at once asks first: there is no undo, and "select all" makes it one keystroke.
const CONFIRM_APPROVALS_ABOVE = 25;
// Start fetching the next page this many rows before the end, so scrolling never hits a wall.
const PREFETCH_ROWS = 30;


// Asks the focus effect for whichever row is current after the next render.
const FOCUS_ACTIVE_ROW = '\u0000active';

const toTarget = (row: PendingUser): DecisionTarget => ({ id: row.id, name: row.name });

export function QueuePage() {
  const liveStatus = useLiveStatus();
  const pending = usePending({ pollMs: liveStatus === 'live' ? false : 30_000 });
  const queryClient = useQueryClient();
  const rowState = useRowState();
  const rowStore = useRowStateStore();
  const decide = useDecideRegistrations();
  const navigate = useNavigate();
  const memory = rowStore.view;

  const allRows = useMemo(() => pending.data?.pages.flatMap((page) => page.items) ?? [], [pending.data]);
  const rows = useMemo(
    () => (rowState.hidden.size === 0 ? allRows : allRows.filter((row) => !rowState.hidden.has(row.id))),
    [allRows, rowState.hidden],
  );
  const indexById = useMemo(() => new Map(rows.map((row, index) => [row.id, index])), [rows]);
  const selectableIds = useMemo(
    () => rows.filter((row) => rowState.notices.get(row.id)?.kind !== 'conflict').map((row) => row.id),
    [rows, rowState.notices],
  );
  const selection = useSelection(selectableIds);
  // The header's pending count is the one number: deriving the queue's own from the pages' totals let
  // the two disagree whenever a live event or a refetch reached one and not the other.
  const pendingCount = usePendingCount();
  const serverTotal = pending.data?.pages.at(-1)?.total ?? 0;
  const total = pendingCount ?? Math.max(rows.length, serverTotal - (allRows.length - rows.length));

  // --- current row --------------------------------------------------------------------------------
  const [activeId, setActiveId] = useState<string | null>(memory.activeId);
  const lastActiveIndex = useRef(0);
  let activeIndex = activeId === null ? -1 : (indexById.get(activeId) ?? -1);
  // When the current row leaves (decided here or elsewhere), the next one takes its place.
  if (activeIndex === -1 && rows.length > 0) activeIndex = Math.min(lastActiveIndex.current, rows.length - 1);
  const activeRow = activeIndex >= 0 ? rows[activeIndex] : undefined;
  useEffect(() => {
    lastActiveIndex.current = Math.max(0, activeIndex);
    memory.activeId = activeRow?.id ?? null;
  }, [activeIndex, activeRow, memory]);

  // --- windowing ----------------------------------------------------------------------------------
  const [scrollElement, setScrollElement] = useState<HTMLDivElement | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const windowed = useWindowedList(scrollElement, rows.length, ROW_HEIGHT_PX);
  const visibleRows = rows.slice(windowed.start, windowed.end);

  useLayoutEffect(() => {
    if (!scrollElement) return;
    if (memory.scrollTop) scrollElement.scrollTop = memory.scrollTop;
    const remember = () => {
      memory.scrollTop = scrollElement.scrollTop;
    };
    scrollElement.addEventListener('scroll', remember, { passive: true });
    return () => scrollElement.removeEventListener('scroll', remember);
  }, [scrollElement, memory]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage, isError: pendingFailed } = pending;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && !pendingFailed && windowed.end >= rows.length - PREFETCH_ROWS) {
      void fetchNextPage();
    }
  }, [hasNextPage, isFetchingNextPage, pendingFailed, fetchNextPage, windowed.end, rows.length]);

  // --- focus follows the current row when the reviewer drives with the keyboard -----------------------
  const focusRequest = useRef<string | null>(null);
  const listHadFocus = useRef(false);
  useEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const lostFocus = listHadFocus.current && (document.activeElement === document.body || document.activeElement === null);
    const requested = focusRequest.current === FOCUS_ACTIVE_ROW ? (activeRow?.id ?? null) : focusRequest.current;
    const wanted = requested ?? (lostFocus ? (activeRow?.id ?? null) : null);
    if (!wanted) return;
    const element = Array.from(list.querySelectorAll<HTMLElement>('li[data-row-id]')).find((li) => li.dataset.rowId === wanted);
    if (element) {
      element.focus({ preventScroll: true });
      focusRequest.current = null;
    }
  });

  const moveTo = useCallback(
    (index: number) => {
      const target = rows[index];
      if (!target) return;
      setActiveId(target.id);
      focusRequest.current = target.id;
      windowed.scrollToIndex(index);
    },
    [rows, windowed],
  );

  // --- actions ------------------------------------------------------------------------------------
  const [rejectDraft, setRejectDraft] = useState<RejectDraft | null>(() => loadRejectDraft(PAGE_PATH));
  const [confirmApprove, setConfirmApprove] = useState<DecisionTarget[] | null>(null);

  const selectedTargets = useCallback(
    () => rows.filter((row) => selection.selected.has(row.id)).map(toTarget),
    [rows, selection.selected],
  );

  const approve = useCallback(
    (targets: DecisionTarget[]) => {
      if (targets.length === 0) return;
      if (targets.length > CONFIRM_APPROVALS_ABOVE) {
        setConfirmApprove(targets);
        return;
      }
      decide.mutate({ targets, outcome: 'approved' });
    },
    [decide],
  );
  const askReject = useCallback((targets: DecisionTarget[]) => {
    if (targets.length > 0) setRejectDraft({ targets, reason: '' });
  }, []);

  // Row callbacks stay identical across renders so memoized rows only re-render when their own data changes.
  const latest = useRef({ approve, askReject, toggle: selection.toggle });
  latest.current = { approve, askReject, toggle: selection.toggle };
  const onApproveRow = useCallback((row: PendingUser) => latest.current.approve([toTarget(row)]), []);
  const onRejectRow = useCallback((row: PendingUser) => latest.current.askReject([toTarget(row)]), []);
  const onToggle = useCallback((id: string, range: boolean) => latest.current.toggle(id, { range }), []);
  const onActivate = useCallback((id: string) => setActiveId(id), []);
  const onDismiss = useCallback(
    (id: string) => {
      rowStore.setNotice(id, null);
      removeFromPending(queryClient, [id]);
    },
    [rowStore, queryClient],
  );

  /** Keyboard actions apply to the selection when there is one, else to the current row. */
  const keyboardTargets = (): DecisionTarget[] => {
    if (selection.selected.size > 0) return selectedTargets();
    if (!activeRow || rowState.notices.get(activeRow.id)?.kind === 'conflict') return [];
    return [toTarget(activeRow)];
  };

  const dialogOpen = rejectDraft !== null || confirmApprove !== null;
  const enabled = !dialogOpen;
  const openActive = () => {
    if (activeRow) void navigate({ to: '/users/$id', params: { id: activeRow.id } });
  };
  useShortcut('j, down', () => moveTo(Math.min(rows.length - 1, activeIndex + 1)), { enabled });
  useShortcut('k, up', () => moveTo(Math.max(0, activeIndex - 1)), { enabled });
  useShortcut(
    'x',
    () => {
      if (activeRow && selectableIds.includes(activeRow.id)) selection.toggle(activeRow.id);
    },
    { enabled },
  );
  useShortcut('a', () => approve(keyboardTargets()), { enabled });
  useShortcut('r', () => askReject(keyboardTargets()), { enabled });
  useShortcut('o', openActive, { enabled });
  // Enter on a button, link or checkbox keeps its own meaning.
  useShortcut('enter', openActive, { enabled, when: (event) => event.target instanceof HTMLElement && event.target.matches('li.queue-row') });
  useShortcut('escape', selection.clear, { enabled: enabled && selection.selected.size > 0 });

  const confirmReject = (reason: string) => {
    if (!rejectDraft) return;
    const { targets } = rejectDraft;
    setRejectDraft(null);
    // The rejected row is about to vanish; keep keyboard users in the list rather than on <body>.
    focusRequest.current = FOCUS_ACTIVE_ROW;
    decide.mutate({ targets, outcome: 'rejected', ...(reason ? { reason } : {}), draftKey: rejectDraftKey(PAGE_PATH) });
    if (targets.length > 1) selection.clear();
  };

  useEffect(() => {
    document.title = `Queue (${formatCount(total)}) · Regflow Review`;
  }, [total]);

  const hasRows = visibleRows.length > 0;
  useEffect(() => {
    if (hasRows) markFirstRowsPainted();
  }, [hasRows]);

  // --- render -------------------------------------------------------------------------------------
  const selectedCount = selection.selected.size;
  const allSelected = selectableIds.length > 0 && selectedCount === selectableIds.length;
  const someSelected = selectedCount > 0 && !allSelected;
  const selectAllRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (selectAllRef.current) selectAllRef.current.indeterminate = someSelected;
  }, [someSelected]);

  let body: ReactNode;
  if (pending.isPending) {
    body = <LoadingState label="Loading pending registrations…" />;
  } else if (pending.isError && rows.length === 0) {
    body = <ErrorState title="The queue could not be loaded" error={pending.error} onRetry={() => void pending.refetch()} />;
  } else if (rows.length === 0) {
    body = (
      <EmptyState title="All caught up">
        <p>No registrations are waiting for review. New ones appear here as soon as they arrive.</p>
      </EmptyState>
    );
  } else {
    body = null;
  }

  return (
    <section className="queue" aria-labelledby="queue-heading">
      <div className="queue-head">
        <div className="queue-title">
          <h1 id="queue-heading">Review queue</h1>
          <p className="muted queue-subtitle">
            {pending.isSuccess ? `${plural(total, 'registration')} waiting · oldest first` : 'Oldest first'}
          </p>
        </div>
        <div className="bulk-actions" role="group" aria-label="Bulk actions">
          <label className="select-all">
            <input
              ref={selectAllRef}
              type="checkbox"
              checked={allSelected}
              disabled={selectableIds.length === 0}
              onChange={() => (allSelected ? selection.clear() : selection.selectAll())}
            />
            Select all {selectableIds.length > 0 ? formatCount(selectableIds.length) : ''} shown
          </label>
          <span className="selected-count" aria-live="polite">
            {selectedCount > 0 ? `${formatCount(selectedCount)} selected` : ''}
          </span>
          <button
            type="button"
            className="btn btn-approve"
            disabled={selectedCount === 0}
            onClick={() => {
              approve(selectedTargets());
              if (selectedCount <= CONFIRM_APPROVALS_ABOVE) selection.clear();
            }}
          >
            {selectedCount > 0 ? `Approve ${formatCount(selectedCount)} selected` : 'Approve selected'}
          </button>
          <button
            type="button"
            className="btn btn-reject"
            disabled={selectedCount === 0}
            onClick={() => askReject(selectedTargets())}
          >
            {selectedCount > 0 ? `Reject ${formatCount(selectedCount)} selected` : 'Reject selected'}
          </button>
          {selectedCount > 0 ? (
            <button type="button" className="btn btn-quiet" onClick={selection.clear}>
              Clear selection
            </button>
          ) : null}
          <button type="button" className="btn btn-quiet shortcut-hint" onClick={openShortcutsHelp}>
            Shortcuts <kbd>?</kbd>
          </button>
        </div>
      </div>

      {body ?? (
        <>
          <div className="queue-columns" aria-hidden="true">
            <span />
            <span>Name and email</span>
            <span>CPF and phone</span>
            <span>Note</span>
            <span>Signed up</span>
            <span className="align-end">Decision</span>
          </div>
          <div ref={setScrollElement} className="queue-scroll">
            <ul
              ref={listRef}
              role="list"
              className="queue-list"
              aria-label="Pending registrations"
              aria-describedby="queue-keyboard-hint"
              style={{ paddingTop: windowed.paddingTop, paddingBottom: windowed.paddingBottom, ['--row-h' as string]: `${ROW_HEIGHT_PX}px` }}
              onFocus={() => {
                listHadFocus.current = true;
              }}
              onBlur={(event) => {
                const next = event.relatedTarget;
                if (next) {
                  listHadFocus.current = event.currentTarget.contains(next as Node);
                  return;
                }
                // Focus went nowhere: either the reviewer clicked outside (element still there) or the
                // focused row was just decided and removed, in which case the next row should take focus.
                const left = event.target;
                setTimeout(() => {
                  if (left.isConnected) listHadFocus.current = false;
                }, 0);
              }}
            >
              {visibleRows.map((row, offset) => (
                <QueueRow
                  key={row.id}
                  row={row}
                  index={windowed.start + offset}
                  setSize={Math.max(total, rows.length)}
                  selected={selection.selected.has(row.id)}
                  active={row.id === activeRow?.id}
                  notice={rowState.notices.get(row.id)}
                  onToggle={onToggle}
                  onActivate={onActivate}
                  onApprove={onApproveRow}
                  onReject={onRejectRow}
                  onDismiss={onDismiss}
                />
              ))}
            </ul>
            <div className="queue-footer">
              {pending.isFetchingNextPage ? (
                <Spinner label="Loading more…" />
              ) : pending.hasNextPage ? (
                <button type="button" className="btn" onClick={() => void pending.fetchNextPage()}>
                  Load more ({formatCount(Math.max(0, total - rows.length))} not shown yet)
                </button>
              ) : (
                <span className="muted">End of the queue · {plural(rows.length, 'registration')}</span>
              )}
              {pending.isError && rows.length > 0 ? (
                <p role="alert" className="inline-error">
                  Could not refresh the queue.{' '}
                  <button type="button" className="btn-link" onClick={() => void pending.refetch()}>
                    Try again
                  </button>
                </p>
              ) : null}
            </div>
          </div>
          <p id="queue-keyboard-hint" className="sr-only">
            Use j and k to move, x to select, a to approve, r to reject, question mark for all shortcuts.
          </p>
        </>
      )}

      {rejectDraft ? (
        <RejectDialog
          draft={rejectDraft}
          pagePath={PAGE_PATH}
          onCancel={() => setRejectDraft(null)}
          onConfirm={confirmReject}
        />
      ) : null}
      {confirmApprove ? (
        <ConfirmDialog
          title={`Approve ${formatCount(confirmApprove.length)} registrations?`}
          confirmLabel={`Approve ${formatCount(confirmApprove.length)}`}
          tone="approve"
          onCancel={() => setConfirmApprove(null)}
          onConfirm={() => {
            decide.mutate({ targets: confirmApprove, outcome: 'approved' });
            setConfirmApprove(null);
            selection.clear();
          }}
        >
          <p>Each of them gets an account. Approvals cannot be undone from the console.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
