import { useCallback, useMemo, useRef, useState } from 'react';

export interface Selection {
  /** Selected ids that are still selectable; rows that left the queue drop out on their own. */
  selected: ReadonlySet<string>;
  isSelected: (id: string) => boolean;
  /** Shift (`range`) extends from the last toggled row to this one, like a file manager. */
  toggle: (id: string, options?: { range?: boolean }) => void;
  selectAll: () => void;
  clear: () => void;
}

export function useSelection(orderedIds: readonly string[]): Selection {
  const [raw, setRaw] = useState<ReadonlySet<string>>(() => new Set());
  const anchor = useRef<string | null>(null);

  const selected = useMemo(() => {
    if (raw.size === 0) return raw;
    const present = new Set(orderedIds);
    const kept = new Set([...raw].filter((id) => present.has(id)));
    return kept.size === raw.size ? raw : kept;
  }, [raw, orderedIds]);

  const toggle = useCallback(
    (id: string, options: { range?: boolean } = {}) => {
      const anchorIndex = options.range && anchor.current ? orderedIds.indexOf(anchor.current) : -1;
      const index = orderedIds.indexOf(id);
      setRaw((current) => {
        const next = new Set(current);
        const select = !current.has(id);
        if (anchorIndex >= 0 && index >= 0) {
          const [from, to] = anchorIndex < index ? [anchorIndex, index] : [index, anchorIndex];
          for (const rangeId of orderedIds.slice(from, to + 1)) {
            if (select) next.add(rangeId);
            else next.delete(rangeId);
          }
        } else if (select) {
          next.add(id);
        } else {
          next.delete(id);
        }
        return next;
      });
      anchor.current = id;
    },
    [orderedIds],
  );

  const selectAll = useCallback(() => setRaw(new Set(orderedIds)), [orderedIds]);
  const clear = useCallback(() => {
    anchor.current = null;
    setRaw(new Set());
  }, []);
  const isSelected = useCallback((id: string) => selected.has(id), [selected]);

  return { selected, isSelected, toggle, selectAll, clear };
}
