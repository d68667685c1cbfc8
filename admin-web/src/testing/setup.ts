import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { closeShortcutsHelp } from '@/components/shortcuts-help';
import { setCsrfToken } from '@/lib/api-client';
import { clearToasts } from '@/lib/toast';

afterEach(() => {
  cleanup();
  clearToasts();
  closeShortcutsHelp();
  setCsrfToken(null);
  window.sessionStorage.clear();
  window.history.replaceState(null, '', '/');
  document.getElementById('root')?.removeAttribute('inert');
});
