import { useCallback, useLayoutEffect, useState } from 'react';

// jsdom and the first paint report a zero-height viewport; render a screenful rather than nothing.
const FALLBACK_VIEWPORT_PX = 900;

export interface WindowedRange {
  start: number;
  end: number;
  paddingTop: number;
  paddingBottom: number;
  scrollToIndex: (index: number) => void;
}

/**
 * Renders only the rows in (and just around) the scroll viewport, so 10,000 pending registrations
 * cost the same to draw as 30. Rows have a fixed height, which keeps the maths exact and scrolling smooth.
 */
export function useWindowedList(
  /** The scrolling element, held in state (callback ref) so the hook notices when it mounts. */
  element: HTMLElement | null,
  count: number,
  rowHeight: number,
  overscan = 8,
): WindowedRange {
  const [viewport, setViewport] = useState({ firstRow: 0, rows: Math.ceil(FALLBACK_VIEWPORT_PX / rowHeight) });

  useLayoutEffect(() => {
    if (!element) return;
    const update = () => {
      const height = element.clientHeight || FALLBACK_VIEWPORT_PX;
      const next = { firstRow: Math.floor(element.scrollTop / rowHeight), rows: Math.ceil(height / rowHeight) + 1 };
      // Only re-render when a row boundary is crossed, not on every scroll pixel.
      setViewport((prev) => (prev.firstRow === next.firstRow && prev.rows === next.rows ? prev : next));
    };
    update();
    element.addEventListener('scroll', update, { passive: true });
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(update);
    observer?.observe(element);
    return () => {
      element.removeEventListener('scroll', update);
      observer?.disconnect();
    };
  }, [element, rowHeight]);

  const start = Math.max(0, Math.min(viewport.firstRow - overscan, count - 1));
  const end = Math.max(start, Math.min(count, viewport.firstRow + viewport.rows + overscan));

  const scrollToIndex = useCallback(
    (index: number) => {
      if (!element) return;
      const top = index * rowHeight;
      const bottom = top + rowHeight;
      const visible = element.clientHeight || FALLBACK_VIEWPORT_PX;
      if (top < element.scrollTop) element.scrollTop = top;
      else if (bottom > element.scrollTop + visible) element.scrollTop = bottom - visible;
    },
    [element, rowHeight],
  );

  return {
    start: count === 0 ? 0 : start,
    end: count === 0 ? 0 : end,
    paddingTop: count === 0 ? 0 : start * rowHeight,
    paddingBottom: count === 0 ? 0 : Math.max(0, (count - end) * rowHeight),
    scrollToIndex,
  };
}
