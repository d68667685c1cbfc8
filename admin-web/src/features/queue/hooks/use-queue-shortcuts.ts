import { useShortcut } from '@/lib/hotkeys';

export interface QueueShortcutActions {
  next: () => void;
  previous: () => void;
  toggleSelected: () => void;
  approve: () => void;
  reject: () => void;
  open: () => void;
  clearSelection: () => void;
  hasSelection: boolean;
}

/** The queue's keys (listed for reviewers in components/shortcuts-help.tsx); off while a dialog is open. */
export function useQueueShortcuts(actions: QueueShortcutActions, enabled: boolean): void {
  useShortcut('j, down', actions.next, { enabled });
  useShortcut('k, up', actions.previous, { enabled });
  useShortcut('x', actions.toggleSelected, { enabled });
  useShortcut('a', actions.approve, { enabled });
  useShortcut('r', actions.reject, { enabled });
  useShortcut('o', actions.open, { enabled });
  // Enter on a button, link or checkbox keeps its own meaning.
  useShortcut('enter', actions.open, {
    enabled,
    when: (event) => event.target instanceof HTMLElement && event.target.matches('li.queue-row'),
  });
  useShortcut('escape', actions.clearSelection, { enabled: enabled && actions.hasSelection });
}
