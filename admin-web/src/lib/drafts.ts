import type { z } from 'zod';

/**
 * Unsaved input (a half-typed rejection reason) is written through to sessionStorage as it is typed, so
 * that an expired session, a reload or the trip through /login does not lose it.
 */
const PREFIX = 'regflow.draft.';

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function saveDraft(key: string, value: unknown): void {
  try {
    storage()?.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Quota or privacy mode: the draft is a convenience, never worth an error.
  }
}

export function loadDraft<S extends z.ZodType>(key: string, schema: S): z.output<S> | null {
  const raw = storage()?.getItem(PREFIX + key);
  if (!raw) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function clearDraft(key: string): void {
  storage()?.removeItem(PREFIX + key);
}

export function clearAllDrafts(): void {
  const store = storage();
  if (!store) return;
  const keys: string[] = [];
  for (let i = 0; i < store.length; i += 1) {
    const key = store.key(i);
    if (key?.startsWith(PREFIX)) keys.push(key);
  }
  for (const key of keys) store.removeItem(key);
}
