import { Toaster as SonnerToaster, toast } from 'sonner';

export type ToastTone = 'success' | 'error' | 'info';

const DURATION_MS: Record<ToastTone, number> = { success: 5000, info: 6000, error: 12000 };

/**
 * Shows a notification. The toaster is a polite live region, so confirmations wait their turn; an
 * error's text is a role=alert element, so screen readers interrupt for it.
 */
export function showToast(tone: ToastTone, message: string): void {
  const duration = DURATION_MS[tone];
  if (tone === 'error') toast.error(<span role="alert">{message}</span>, { duration });
  else if (tone === 'success') toast.success(message, { duration });
  else toast.info(message, { duration });
}

export function clearToasts(): void {
  toast.dismiss();
}

export function Toaster() {
  return (
    <SonnerToaster
      position="bottom-right"
      visibleToasts={4}
      expand
      richColors
      closeButton
      toastOptions={{ closeButtonAriaLabel: 'Dismiss notification' }}
    />
  );
}
