import { useEffect, useRef } from 'react';

const TEXT_INPUT_TYPES = new Set([
  'text', 'search', 'email', 'password', 'number', 'tel', 'url', 'date', 'datetime-local', 'month', 'time', 'week',
]);

/** True when a keystroke belongs to the user's typing, never to a shortcut. */
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

/** A handler returns false to leave the key to the browser (e.g. Enter on a focused button). */
export type HotkeyMap = Record<string, (event: KeyboardEvent) => boolean | void>;

/**
 * Document-level shortcuts keyed by `KeyboardEvent.key` ("j", "ArrowDown", "?", "/"). They stay silent
 * while the user types, while a modal is open, and when a modifier other than Shift is held (so browser
 * shortcuts such as Ctrl+R keep working).
 */
export function useHotkeys(map: HotkeyMap, enabled = true): void {
  const latest = useRef(map);
  latest.current = map;

  useEffect(() => {
    if (!enabled) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTypingTarget(event.target) || isModalOpen()) return;
      const handler = latest.current[event.key];
      if (!handler) return;
      if (handler(event) !== false) event.preventDefault();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [enabled]);
}
