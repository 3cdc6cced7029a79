/**
 * Earlier prompts, oldest first, kept in localStorage: capped and without duplicates (a prompt
 * used again moves to the newest place). Up and Down walk them in the prompt box.
 */
export const HISTORY_KEY = 'genos.compose.history';
export const HISTORY_LIMIT = 50;

type ReadStorage = Pick<Storage, 'getItem'>;
type WriteStorage = Pick<Storage, 'setItem'>;

export function withEntry(history: readonly string[], prompt: string, limit = HISTORY_LIMIT) {
  const entry = prompt.trim();
  if (!entry) return [...history];
  return [...history.filter((h) => h !== entry), entry].slice(-limit);
}

export function loadHistory(storage: ReadStorage | undefined): string[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(HISTORY_KEY) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    const entries = parsed.filter((e): e is string => typeof e === 'string' && e.trim() !== '');
    return [...new Set(entries)].slice(-HISTORY_LIMIT);
  } catch {
    return [];
  }
}

export function saveHistory(storage: WriteStorage | undefined, history: readonly string[]) {
  try {
    storage?.setItem(HISTORY_KEY, JSON.stringify(history));
  } catch {
    // Storage full or denied: the history just lives as long as the page.
  }
}

/** Where Up/Down have got to: an index into the history, and the text typed before walking. */
export type HistoryWalk = { index: number | null; draft: string };
export const NOT_WALKING: HistoryWalk = { index: null, draft: '' };

/**
 * One step through the history: -1 is older (Up), +1 newer (Down). Past the newest entry the
 * text typed before walking comes back. Null when there is nowhere to go.
 */
export function stepHistory(
  history: readonly string[],
  walk: HistoryWalk,
  current: string,
  direction: -1 | 1,
): { walk: HistoryWalk; text: string } | null {
  if (direction === -1) {
    if (history.length === 0) return null;
    if (walk.index === null) {
      const index = history.length - 1;
      return { walk: { index, draft: current }, text: history[index]! };
    }
    if (walk.index === 0) return null;
    const index = walk.index - 1;
    return { walk: { ...walk, index }, text: history[index]! };
  }
  if (walk.index === null) return null;
  if (walk.index >= history.length - 1) return { walk: NOT_WALKING, text: walk.draft };
  const index = walk.index + 1;
  return { walk: { ...walk, index }, text: history[index]! };
}

/** The page's storage, when there is one (not under Node in unit tests). */
export function browserStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
