import { observeElementRect, useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useEffect, useImperativeHandle, useLayoutEffect, useRef, useState, type Ref } from 'react';
import type { PendingUser } from '@/types/api';
import type { usePending } from '../api/get-pending';
import { markFirstRowsPainted } from '../lib/first-rows-mark';
import { useRowStateStore, type RowNotice } from '../stores/row-state';
import { QueueFooter } from './queue-footer';
import { QueueRow, ROW_HEIGHT_PX, type QueueRowActions } from './queue-row';

// A pane that is not laid out yet (and jsdom, which never lays out) reports a zero height: render a
// screenful rather than nothing.
const FALLBACK_VIEWPORT_PX = 900;
const OVERSCAN_ROWS = 8;
// Start fetching the next page this many rows before the end, so scrolling never hits a wall.
const PREFETCH_ROWS = 30;
// Asks the focus effect for whichever row is current after the next render.
const FOCUS_ACTIVE_ROW = Symbol('current row');

function observeRectOrFallback(
  instance: Virtualizer<HTMLDivElement, Element>,
  onRect: (rect: { width: number; height: number }) => void,
) {
  return observeElementRect(instance, (rect) =>
    onRect(rect.height > 0 ? rect : { ...rect, height: FALLBACK_VIEWPORT_PX }),
  );
}

/**
 * Scrolls just enough to show row `index`. Rows have one height, so it is two comparisons; the
 * virtualizer's own scrollToIndex clamps to the measured scroll height, which is 0 without layout.
 */
function scrollRowIntoView(element: HTMLElement, index: number) {
  const top = index * ROW_HEIGHT_PX;
  const bottom = top + ROW_HEIGHT_PX;
  const visible = element.clientHeight || FALLBACK_VIEWPORT_PX;
  if (top < element.scrollTop) element.scrollTop = top;
  else if (bottom > element.scrollTop + visible) element.scrollTop = bottom - visible;
}

export interface QueueListHandle {
  /** Scrolls row `index` into view and moves focus to it once it is rendered. */
  reveal: (index: number) => void;
  /** Moves focus to whichever row is current after the next render. */
  focusActiveRow: () => void;
}

export interface QueueListProps {
  ref?: Ref<QueueListHandle>;
  rows: readonly PendingUser[];
  total: number;
  activeId: string | undefined;
  selected: ReadonlySet<string>;
  notices: ReadonlyMap<string, RowNotice>;
  pending: ReturnType<typeof usePending>;
  actions: QueueRowActions;
}

/**
 * The pending registrations, windowed with TanStack Virtual so 10,000 rows cost the same to draw as 30.
 * It keeps its scroll position across visits, fetches the next page before the end is reached, and
 * keeps keyboard focus on the current row while rows come and go.
 */
export function QueueList({ ref, rows, total, activeId, selected, notices, pending, actions }: QueueListProps) {
  const store = useRowStateStore();
  const scrollRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const [initialScrollTop] = useState(() => store.getView().scrollTop);

  // Before the virtualizer reads the offset, so the first window is the remembered one.
  useLayoutEffect(() => {
    if (scrollRef.current && initialScrollTop) scrollRef.current.scrollTop = initialScrollTop;
  }, [initialScrollTop]);

  // The console is not built with React Compiler, which is what this rule protects; the virtualizer
  // re-renders this component itself when the window moves.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT_PX,
    overscan: OVERSCAN_ROWS,
    initialOffset: initialScrollTop,
    initialRect: { width: 0, height: FALLBACK_VIEWPORT_PX },
    observeElementRect: observeRectOrFallback,
    // Re-rendering inside the scroll event is not needed for fixed-height rows.
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const firstItem = items[0];
  const lastItem = items[items.length - 1];
  const paddingTop = firstItem?.start ?? 0;
  const paddingBottom = Math.max(0, virtualizer.getTotalSize() - (lastItem?.end ?? 0));

  const { hasNextPage, isFetchingNextPage, isError, fetchNextPage } = pending;
  const renderedEnd = lastItem ? lastItem.index + 1 : 0;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && !isError && renderedEnd >= rows.length - PREFETCH_ROWS)
      void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, isError, fetchNextPage, renderedEnd, rows.length]);

  const hasRows = items.length > 0;
  useEffect(() => {
    if (hasRows) markFirstRowsPainted();
  }, [hasRows]);

  // --- focus follows the current row when the reviewer drives with the keyboard ---------------------
  const focusRequest = useRef<string | typeof FOCUS_ACTIVE_ROW | null>(null);
  const listHadFocus = useRef(false);
  useEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const lostFocus =
      listHadFocus.current && (document.activeElement === document.body || document.activeElement === null);
    const requested = focusRequest.current === FOCUS_ACTIVE_ROW ? (activeId ?? null) : focusRequest.current;
    const wanted = requested ?? (lostFocus ? (activeId ?? null) : null);
    if (!wanted) return;
    const element = Array.from(list.querySelectorAll<HTMLElement>('li[data-row-id]')).find(
      (li) => li.dataset.rowId === wanted,
    );
    if (element) {
      element.focus({ preventScroll: true });
      focusRequest.current = null;
    }
  });

  useImperativeHandle(
    ref,
    () => ({
      reveal(index) {
        const row = rows[index];
        if (!row || !scrollRef.current) return;
        focusRequest.current = row.id;
        scrollRowIntoView(scrollRef.current, index);
      },
      focusActiveRow() {
        focusRequest.current = FOCUS_ACTIVE_ROW;
      },
    }),
    [rows],
  );

  const setSize = Math.max(total, rows.length);
  return (
    <>
      <div className="queue-columns" aria-hidden="true">
        <span />
        <span>Name and email</span>
        <span>CPF and phone</span>
        <span>Note</span>
        <span>Signed up</span>
        <span className="align-end">Decision</span>
      </div>
      <div
        ref={scrollRef}
        className="queue-scroll"
        onScroll={(event) => store.rememberView({ scrollTop: event.currentTarget.scrollTop })}
      >
        <ul
          ref={listRef}
          role="list"
          className="queue-list"
          aria-label="Pending registrations"
          aria-describedby="queue-keyboard-hint"
          style={{ paddingTop, paddingBottom, ['--row-h' as string]: `${ROW_HEIGHT_PX}px` }}
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
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <QueueRow
                key={row.id}
                row={row}
                index={item.index}
                setSize={setSize}
                selected={selected.has(row.id)}
                active={row.id === activeId}
                notice={notices.get(row.id)}
                actions={actions}
              />
            );
          })}
        </ul>
        <QueueFooter
          shown={rows.length}
          total={total}
          hasNextPage={hasNextPage}
          isFetchingNextPage={isFetchingNextPage}
          failed={isError}
          onLoadMore={() => void fetchNextPage()}
          onRetry={() => void pending.refetch()}
        />
      </div>
      <p id="queue-keyboard-hint" className="sr-only">
        Use j and k to move, x to select, a to approve, r to reject, question mark for all shortcuts.
      </p>
    </>
  );
}
