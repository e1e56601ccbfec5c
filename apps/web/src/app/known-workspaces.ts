import { useSyncExternalStore } from 'react';

/** A workspace the signed-in person may switch to: their password verified there at sign-in. */
export type KnownWorkspace = { readonly id: string; readonly name: string };

/**
 * The workspaces the last sign-in's password verified in (the sign-in reply's `workspaces`),
 * kept for this tab in sessionStorage: the header's switcher lists them. The password itself is
 * never kept, so switching asks for it again.
 */
const KEY = 'touchpoint.workspaces';
const listeners = new Set<() => void>();
const NONE: readonly KnownWorkspace[] = [];
let cached: { readonly raw: string | null; readonly list: readonly KnownWorkspace[] } = { raw: null, list: NONE };

function read(): readonly KnownWorkspace[] {
  let raw: string | null = null;
  try {
    raw = sessionStorage.getItem(KEY);
  } catch {
    // storage disabled: no switcher
  }
  if (raw !== cached.raw) {
    let list: KnownWorkspace[] = [];
    try {
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      if (Array.isArray(parsed)) list = parsed.filter((w): w is KnownWorkspace => typeof w?.id === 'string' && typeof w?.name === 'string');
    } catch {
      // not ours: start over
    }
    cached = { raw, list };
  }
  return cached.list;
}

/**
 * Remembers the workspaces of a sign-in. `replace` (the sign-in screen: maybe another person)
 * forgets the others; `merge` (a switch, whose password may verify in fewer places) keeps them.
 */
export function rememberWorkspaces(workspaces: readonly KnownWorkspace[] | undefined, mode: 'replace' | 'merge'): void {
  const list = mode === 'merge' ? [...read()] : [];
  for (const w of workspaces ?? []) {
    const at = list.findIndex((known) => known.id === w.id);
    if (at === -1) list.push({ id: w.id, name: w.name });
    else list[at] = { id: w.id, name: w.name };
  }
  try {
    if (list.length === 0) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    // storage disabled: no switcher
  }
  for (const listener of listeners) listener();
}

export function useKnownWorkspaces(): readonly KnownWorkspace[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    read,
    () => NONE,
  );
}
