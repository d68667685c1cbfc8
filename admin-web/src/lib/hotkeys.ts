import { useHotkeys } from 'react-hotkeys-hook';

const TEXT_INPUT_TYPES = new Set([
  'text',
  'search',
  'email',
  'password',
  'number',
  'tel',
  'url',
  'date',
  'datetime-local',
  'month',
  'time',
  'week',
]);

/** True when a keystroke belongs to the user's typing, never to a shortcut (a focused checkbox is not typing). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return TEXT_INPUT_TYPES.has(target.type);
  return target.closest('[contenteditable="true"]') !== null;
}

export function isModalOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}

function isForTheBrowser(event: KeyboardEvent): boolean {
  return event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey || event.altKey;
}

export interface ShortcutOptions {
  enabled?: boolean;
  /** Narrows the shortcut to some keystrokes, e.g. Enter only on a row. */
  when?: (event: KeyboardEvent) => boolean;
}

/**
 * A console shortcut: react-hotkeys-hook with the console's rules. `keys` are what the key types
 * ("j, down", "?"), whatever the keyboard layout and Shift. Shortcuts stay silent while the reviewer
 * types, while a dialog is open, and with Ctrl, Alt or Meta held, so browser shortcuts keep working.
 */
export function useShortcut(
  keys: string,
  action: (event: KeyboardEvent) => void,
  { enabled = true, when }: ShortcutOptions = {},
): void {
  useHotkeys(keys, action, {
    enabled,
    useKey: true,
    ignoreModifiers: true,
    // Typing is judged by isTypingTarget rather than by tag name, so a focused checkbox still takes shortcuts.
    enableOnFormTags: true,
    preventDefault: true,
    ignoreEventWhen: (event) =>
      isForTheBrowser(event) || isTypingTarget(event.target) || isModalOpen() || (when ? !when(event) : false),
  });
}
