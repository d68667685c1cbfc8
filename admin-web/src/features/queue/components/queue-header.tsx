import { useEffect, useRef } from 'react';
import { openShortcutsHelp } from '@/components/shortcuts-help';
import { formatCount, plural } from '@/lib/format';

export interface QueueHeaderProps {
  /** Pending registrations in all, once the queue has loaded. */
  total: number | undefined;
  selectableCount: number;
  selectedCount: number;
  onSelectAll: () => void;
  onClearSelection: () => void;
  onApproveSelected: () => void;
  onRejectSelected: () => void;
}

/** The queue's title and count, and what can be done to the selection. */
export function QueueHeader({
  total,
  selectableCount,
  selectedCount,
  onSelectAll,
  onClearSelection,
  onApproveSelected,
  onRejectSelected,
}: QueueHeaderProps) {
  const allSelected = selectableCount > 0 && selectedCount === selectableCount;
  const someSelected = selectedCount > 0 && !allSelected;
  const selectAllRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (selectAllRef.current) selectAllRef.current.indeterminate = someSelected;
  }, [someSelected]);

  return (
    <div className="queue-head">
      <div className="queue-title">
        <h1 id="queue-heading">Review queue</h1>
        <p className="muted queue-subtitle">
          {total !== undefined ? `${plural(total, 'registration')} waiting · oldest first` : 'Oldest first'}
        </p>
      </div>
      <div className="bulk-actions" role="group" aria-label="Bulk actions">
        <label className="select-all">
          <input
            ref={selectAllRef}
            type="checkbox"
            checked={allSelected}
            disabled={selectableCount === 0}
            onChange={allSelected ? onClearSelection : onSelectAll}
          />
          Select all {selectableCount > 0 ? formatCount(selectableCount) : ''} shown
        </label>
        <span className="selected-count" aria-live="polite">
          {selectedCount > 0 ? `${formatCount(selectedCount)} selected` : ''}
        </span>
        <button type="button" className="btn btn-approve" disabled={selectedCount === 0} onClick={onApproveSelected}>
          {selectedCount > 0 ? `Approve ${formatCount(selectedCount)} selected` : 'Approve selected'}
        </button>
        <button type="button" className="btn btn-reject" disabled={selectedCount === 0} onClick={onRejectSelected}>
          {selectedCount > 0 ? `Reject ${formatCount(selectedCount)} selected` : 'Reject selected'}
        </button>
        {selectedCount > 0 ? (
          <button type="button" className="btn btn-quiet" onClick={onClearSelection}>
            Clear selection
          </button>
        ) : null}
        <button type="button" className="btn btn-quiet shortcut-hint" onClick={openShortcutsHelp}>
          Shortcuts <kbd>?</kbd>
        </button>
      </div>
    </div>
  );
}
