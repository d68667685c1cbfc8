import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { closeShortcutsHelp } from '@/components/shortcuts-help';
import { setCsrfToken } from '@/lib/api-client';
import { clearToasts } from '@/components/ui/toaster';

// jsdom (27) has <dialog> but none of its methods; this much lets components open and close one.
HTMLDialogElement.prototype.showModal ??= function showModal(this: HTMLDialogElement) {
  this.setAttribute('open', '');
};
HTMLDialogElement.prototype.close ??= function close(this: HTMLDialogElement) {
  this.removeAttribute('open');
};

afterEach(() => {
  cleanup();
  clearToasts();
  closeShortcutsHelp();
  setCsrfToken(null);
  window.sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});
