import { createContext, use, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { DecidedEvent, DecisionOutcome } from '@/types/api';

export type RowNotice =
  | { kind: 'conflict'; outcome: string; decidedBy: string; decidedAt: string }
  | { kind: 'error'; attempted: DecisionOutcome; message: string };

export interface RowStateSnapshot {
  /** Rows removed optimistically while their decision is in flight. */
  hidden: ReadonlySet<string>;
  /** Why a row came back: someone else decided first, or the server refused. */
  notices: ReadonlyMap<string, RowNotice>;
}

export interface QueueView {
  scrollTop: number;
  activeId: string | null;
}

/**
 * Client-only state layered over the cached queue. Hiding (rather than deleting) in-flight rows means a
 * refused decision restores the row exactly where it was, and a refetch cannot resurrect it meanwhile.
 */
export function createRowStateStore() {
  let snapshot: RowStateSnapshot = { hidden: new Set(), notices: new Map() };
  const listeners = new Set<() => void>();
  // Live "decided" events for rows we are deciding ourselves; consulted when our request settles.
  const decidedElsewhere = new Map<string, DecidedEvent>();

  const commit = (next: RowStateSnapshot) => {
    snapshot = next;
    for (const listener of listeners) listener();
  };

  // Where the reviewer was in the list, so a trip to a detail page and back lands in the same spot.
  let view: QueueView = { scrollTop: 0, activeId: null };

  return {
    getView: (): QueueView => view,
    rememberView(patch: Partial<QueueView>) {
      view = { ...view, ...patch };
    },
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSnapshot: () => snapshot,
    hide(ids: readonly string[]) {
      const hidden = new Set(snapshot.hidden);
      const notices = new Map(snapshot.notices);
      for (const id of ids) {
        hidden.add(id);
        notices.delete(id);
      }
      commit({ hidden, notices });
    },
    reveal(ids: readonly string[]) {
      if (!ids.some((id) => snapshot.hidden.has(id))) return;
      const hidden = new Set(snapshot.hidden);
      for (const id of ids) hidden.delete(id);
      commit({ ...snapshot, hidden });
    },
    setNotice(id: string, notice: RowNotice | null) {
      const notices = new Map(snapshot.notices);
      if (notice) notices.set(id, notice);
      else if (!notices.delete(id)) return;
      commit({ ...snapshot, notices });
    },
    isHidden: (id: string) => snapshot.hidden.has(id),
    hasConflict: (id: string) => snapshot.notices.get(id)?.kind === 'conflict',
    noteDecidedElsewhere(event: DecidedEvent) {
      decidedElsewhere.set(event.id, event);
    },
    takeDecidedElsewhere(id: string): DecidedEvent | undefined {
      const event = decidedElsewhere.get(id);
      decidedElsewhere.delete(id);
      return event;
    },
  };
}

export type RowStateStore = ReturnType<typeof createRowStateStore>;

const RowStateContext = createContext<RowStateStore | null>(null);

export function RowStateProvider({ children, store }: { children: ReactNode; store?: RowStateStore }) {
  const [value] = useState(() => store ?? createRowStateStore());
  return <RowStateContext value={value}>{children}</RowStateContext>;
}

export function useRowStateStore(): RowStateStore {
  const store = use(RowStateContext);
  if (!store) throw new Error('useRowStateStore must be used inside <RowStateProvider>');
  return store;
}

export function useRowState(): RowStateSnapshot {
  const store = useRowStateStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
