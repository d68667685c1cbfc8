import { useCallback, useEffect, useMemo, useState } from 'react';
import type { PendingUser } from '@/types/api';
import { useRowStateStore } from '../stores/row-state';

/**
 * The current row, which the keyboard moves and acts on. When it leaves the queue (decided here or
 * elsewhere) the row that takes its place becomes current. It is remembered across visits to the queue.
 */
export function useActiveRow(rows: readonly PendingUser[]) {
  const store = useRowStateStore();
  const [cursor, setCursor] = useState(() => ({ id: store.getView().activeId, index: 0 }));
  const indexById = useMemo(() => new Map(rows.map((row, index) => [row.id, index])), [rows]);

  const found = cursor.id === null ? undefined : indexById.get(cursor.id);
  // Keep up with where the current row is, so that when it leaves, its place is known.
  if (found !== undefined && found !== cursor.index) setCursor({ id: cursor.id, index: found });
  const index = found ?? (rows.length > 0 ? Math.min(cursor.index, rows.length - 1) : -1);
  const row = index >= 0 ? rows[index] : undefined;

  useEffect(() => store.rememberView({ activeId: row?.id ?? null }), [store, row]);

  // Stable, so memoized rows do not re-render when another row becomes current.
  const setActiveId = useCallback((id: string) => setCursor((current) => ({ id, index: current.index })), []);
  return { index, row, setActiveId };
}
