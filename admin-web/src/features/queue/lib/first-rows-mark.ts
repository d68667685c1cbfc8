/**
 * A Performance API mark set once per page load, after the first frame that shows queue rows has been
 * painted. Its `startTime` is milliseconds since navigation start, so the browser suite reads the
 * navigation → first screen time from it (admin-web/e2e/queue-10k.spec.ts) without timing from outside.
 */
export const QUEUE_FIRST_ROWS_MARK = 'regflow:queue-first-rows';

let marked = false;

export function markFirstRowsPainted(): void {
  if (marked || typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  marked = true;
  const mark = () => performance.mark(QUEUE_FIRST_ROWS_MARK);
  // A frame callback runs just before that frame is painted; a task queued from it runs after the paint.
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(mark, 0));
  else mark();
}
