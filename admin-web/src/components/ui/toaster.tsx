import { dismissToast, useToasts } from '@/lib/toast';

/**
 * Two live regions: errors interrupt (role=alert), confirmations wait their turn (role=status).
 * Both regions are always in the DOM so screen readers notice additions.
 */
export function Toaster() {
  const toasts = useToasts();
  const errors = toasts.filter((t) => t.tone === 'error');
  const others = toasts.filter((t) => t.tone !== 'error');
  const render = (list: typeof toasts) =>
    list.map((toast) => (
      <div key={toast.id} className={`toast toast-${toast.tone}`}>
        <span className="toast-message">{toast.message}</span>
        <button type="button" className="toast-close" onClick={() => dismissToast(toast.id)} aria-label="Dismiss notification">
          ×
        </button>
      </div>
    ));
  return (
    <div className="toaster">
      <div role="alert" aria-live="assertive" className="toast-stack">
        {render(errors)}
      </div>
      <div role="status" aria-live="polite" className="toast-stack">
        {render(others)}
      </div>
    </div>
  );
}
