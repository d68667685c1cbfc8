import { useSyncExternalStore } from 'react';
import { Dialog } from './ui/dialog';

let open = false;
const listeners = new Set<() => void>();
function setOpen(next: boolean) {
  open = next;
  for (const listener of listeners) listener();
}
export const openShortcutsHelp = () => setOpen(true);
export const closeShortcutsHelp = () => setOpen(false);

export function useShortcutsHelpOpen(): boolean {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => open,
    () => open,
  );
}

const GROUPS: Array<{ title: string; keys: Array<[string[], string]> }> = [
  {
    title: 'Review queue',
    keys: [
      [['j', '↓'], 'Next registration'],
      [['k', '↑'], 'Previous registration'],
      [['x'], 'Select or unselect the current registration'],
      [['a'], 'Approve the selected registrations, or the current one'],
      [['r'], 'Reject the selected registrations, or the current one (asks for a reason)'],
      [['o', 'Enter'], 'Open the current registration'],
      [['Esc'], 'Clear the selection'],
    ],
  },
  {
    title: 'Anywhere',
    keys: [
      [['/'], 'Focus search'],
      [['?'], 'Show this help'],
    ],
  },
];

export function ShortcutsHelpDialog() {
  const isOpen = useShortcutsHelpOpen();
  if (!isOpen) return null;
  return (
    <Dialog
      title="Keyboard shortcuts"
      onClose={closeShortcutsHelp}
      description="Shortcuts never fire while you are typing in a field."
    >
      {GROUPS.map((group) => (
        <section key={group.title} className="shortcut-group" aria-label={group.title}>
          <h3>{group.title}</h3>
          <dl className="shortcut-list">
            {group.keys.map(([keys, what]) => (
              <div key={what} className="shortcut">
                <dt>
                  {keys.map((key, i) => (
                    <span key={key}>
                      {i > 0 ? <span className="muted"> or </span> : null}
                      <kbd>{key}</kbd>
                    </span>
                  ))}
                </dt>
                <dd>{what}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={closeShortcutsHelp}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
