import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useEffect, useMemo, useRef } from 'react';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { formatCount } from '@/lib/format';
import type { PendingUser } from '@/types/api';
import type { DecisionTarget } from '../api/decide-registrations';
import { removeFromPending } from '../api/pending-cache';
import { useActiveRow } from '../hooks/use-active-row';
import { useQueueDecisions } from '../hooks/use-queue-decisions';
import { useQueueRows } from '../hooks/use-queue-rows';
import { useQueueShortcuts } from '../hooks/use-queue-shortcuts';
import { useSelection } from '../hooks/use-selection';
import { useRowStateStore } from '../stores/row-state';
import { QueueDecisionDialogs } from './queue-decision-dialogs';
import { QueueHeader } from './queue-header';
import { QueueList, type QueueListHandle } from './queue-list';
import type { QueueRowActions } from './queue-row';

const toTarget = (row: PendingUser): DecisionTarget => ({ id: row.id, name: row.name });

/** The landing page: pending registrations, oldest first, decided one by one or in bulk, by mouse or keyboard. */
export function QueuePage() {
  const { pending, rows, notices, selectableIds, total } = useQueueRows();
  const selection = useSelection(selectableIds);
  const active = useActiveRow(rows);
  const list = useRef<QueueListHandle>(null);
  const decisions = useQueueDecisions({
    clearSelection: selection.clear,
    keepFocusInList: () => list.current?.focusActiveRow(),
  });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const store = useRowStateStore();

  const selectedTargets = () => rows.filter((row) => selection.selected.has(row.id)).map(toTarget);
  /** Keyboard actions apply to the selection when there is one, else to the current row. */
  const keyboardTargets = (): DecisionTarget[] => {
    if (selection.selected.size > 0) return selectedTargets();
    if (!active.row || notices.get(active.row.id)?.kind === 'conflict') return [];
    return [toTarget(active.row)];
  };
  const moveTo = (index: number) => {
    const target = rows[index];
    if (!target) return;
    active.setActiveId(target.id);
    list.current?.reveal(index);
  };

  useQueueShortcuts(
    {
      next: () => moveTo(Math.min(rows.length - 1, active.index + 1)),
      previous: () => moveTo(Math.max(0, active.index - 1)),
      toggleSelected: () => {
        if (active.row && selectableIds.includes(active.row.id)) selection.toggle(active.row.id);
      },
      approve: () => decisions.approve(keyboardTargets()),
      reject: () => decisions.askReject(keyboardTargets()),
      open: () => {
        if (active.row) void navigate({ to: '/users/$id', params: { id: active.row.id } });
      },
      clearSelection: selection.clear,
      hasSelection: selection.selected.size > 0,
    },
    !decisions.dialogOpen,
  );

  const { toggle } = selection;
  const { setActiveId } = active;
  const { approve, askReject } = decisions;
  const rowActions = useMemo<QueueRowActions>(
    () => ({
      toggle: (id, range) => toggle(id, { range }),
      activate: setActiveId,
      approve: (row) => approve([toTarget(row)]),
      reject: (row) => askReject([toTarget(row)]),
      dismiss: (id) => {
        store.setNotice(id, null);
        removeFromPending(queryClient, [id]);
      },
    }),
    [toggle, setActiveId, approve, askReject, store, queryClient],
  );

  useEffect(() => {
    document.title = `Queue (${formatCount(total)}) · Regflow Review`;
  }, [total]);

  return (
    <section className="queue" aria-labelledby="queue-heading">
      <QueueHeader
        total={pending.isSuccess ? total : undefined}
        selectableCount={selectableIds.length}
        selectedCount={selection.selected.size}
        onSelectAll={selection.selectAll}
        onClearSelection={selection.clear}
        onApproveSelected={() => decisions.approveSelected(selectedTargets())}
        onRejectSelected={() => decisions.askReject(selectedTargets())}
      />
      {pending.isPending ? (
        <LoadingState label="Loading pending registrations…" />
      ) : pending.isError && rows.length === 0 ? (
        <ErrorState
          title="The queue could not be loaded"
          error={pending.error}
          onRetry={() => void pending.refetch()}
        />
      ) : rows.length === 0 ? (
        <EmptyState title="All caught up">
          <p>No registrations are waiting for review. New ones appear here as soon as they arrive.</p>
        </EmptyState>
      ) : (
        <QueueList
          ref={list}
          rows={rows}
          total={total}
          activeId={active.row?.id}
          selected={selection.selected}
          notices={notices}
          pending={pending}
          actions={rowActions}
        />
      )}
      <QueueDecisionDialogs dialogs={decisions.dialogs} />
    </section>
  );
}
