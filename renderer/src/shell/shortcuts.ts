import type { RouteId } from './routes';

/** `g` then one of these letters switches page. */
export const GO_KEYS: Readonly<Record<string, RouteId>> = {
  c: 'compose',
  e: 'environments',
  i: 'images',
  h: 'host',
  s: 'settings',
};

/** How long the second key of a `g` chord may wait. */
export const CHORD_TIMEOUT_MS = 1500;

/** `keys` pressed one after the other (`then`), or either of them (`or`). */
export type ShortcutHelp = { keys: string[]; joiner?: 'then' | 'or'; action: string };
export type ShortcutGroup = { title: string; shortcuts: ShortcutHelp[] };

/** Everything the help overlay lists; the handlers below and in the pages implement it. */
export const SHORTCUT_GROUPS: readonly ShortcutGroup[] = [
  {
    title: 'Anywhere',
    shortcuts: [
      { keys: ['g', 'c'], action: 'Go to Compose' },
      { keys: ['g', 'e'], action: 'Go to Environments' },
      { keys: ['g', 'i'], action: 'Go to Images' },
      { keys: ['g', 'h'], action: 'Go to Host' },
      { keys: ['g', 's'], action: 'Go to Settings' },
      { keys: ['?'], action: 'Show this help' },
      { keys: ['Esc'], action: 'Close a dialog, the help or the task tray' },
    ],
  },
  {
    title: 'Environments list (when it has the focus)',
    shortcuts: [
      { keys: ['↑', '↓'], joiner: 'or', action: 'Move the selection' },
      { keys: ['Home', 'End'], joiner: 'or', action: 'First or last environment' },
      { keys: ['Enter'], action: 'Open the selected environment' },
      { keys: ['s'], action: 'Start it' },
      { keys: ['x'], action: 'Stop it' },
      { keys: ['r'], action: 'Restart it' },
      { keys: ['p'], action: 'Pause it, or resume it when paused' },
      { keys: ['Delete'], action: 'Delete it (asks first)' },
    ],
  },
];

export type KeyInput = {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** The key went to a text field, which keeps its keys. */
  typing: boolean;
  /** A modal dialog is open: it has the keyboard. */
  modalOpen: boolean;
};

export type GlobalCommand = { kind: 'go'; route: RouteId } | { kind: 'help' } | { kind: 'chord' };

/**
 * The app-wide keys as a small state machine (the pending `g`), kept apart from the DOM so it
 * can be tested. Returns what to do, or null when the key is not ours and should pass on.
 */
export function createGlobalKeys(now: () => number = Date.now) {
  let chordAt: number | null = null;
  return (input: KeyInput): GlobalCommand | null => {
    if (input.ctrlKey || input.metaKey || input.altKey || input.typing || input.modalOpen) {
      chordAt = null;
      return null;
    }
    const pending = chordAt !== null && now() - chordAt <= CHORD_TIMEOUT_MS;
    chordAt = null;
    if (pending) {
      const route = GO_KEYS[input.key.toLowerCase()];
      if (route) return { kind: 'go', route };
    }
    if (input.key === 'g') {
      chordAt = now();
      return { kind: 'chord' };
    }
    if (input.key === '?') return { kind: 'help' };
    return null;
  };
}
