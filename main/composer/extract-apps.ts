/**
 * Apps and desktops: "with Firefox and VS Code", "without vim", "gnome". Aliases that are
 * everyday words ("go", "code", "node", "docker") count only inside a list of apps; "docker"
 * outside one is the backend.
 */
import { findApp } from './catalog.js';
import type { Item } from './lexer.js';
import { isKw, type Scan } from './scan.js';

function isListLink(it: Item | undefined): boolean {
  return !!it && ((it.k === 'sep' && it.sep === ',') || isKw(it, 'listJoin'));
}

/** Whether an ambiguous alias sits among apps: after "with"/"install", or next to another app. */
function inList(scan: Scan, it: Item): boolean {
  const prev = scan.prev(it.idx);
  if (prev && (isKw(prev, 'listStart') || (prev.k === 'key' && prev.key === 'apps'))) return true;
  if (prev && isListLink(prev)) {
    const before = scan.prev(prev.idx);
    if (before && (before.k === 'app' || isKw(before, 'listStart'))) return true;
  }
  if (prev?.k === 'app' && !prev.ambiguous) return true;
  const next = scan.next(it.idx);
  if (next && isListLink(next)) {
    const after = scan.next(next.idx);
    if (after?.k === 'app' && !after.ambiguous) return true;
  }
  return false;
}

/** "without firefox", "no vim or emacs": a negation before the app, or before its list. */
function negated(scan: Scan, it: Item, removed: Set<number>): boolean {
  const prev = scan.prev(it.idx);
  if (prev && isKw(prev, 'negation')) return true;
  if (prev && isListLink(prev)) {
    const before = scan.prev(prev.idx);
    return !!before && removed.has(before.idx);
  }
  return false;
}

export function extractApps(scan: Scan): void {
  const removed = new Set<number>();
  for (const it of scan.items) {
    if (it.used || it.k !== 'app') continue;
    if (it.ambiguous && !inList(scan, it)) continue; // left for the keyword pass (or ignored)
    const app = findApp(it.id)!;
    const remove = negated(scan, it, removed);
    const neg = remove ? scan.prev(it.idx) : undefined;
    const words = scan.use(remove && neg && isKw(neg, 'negation') ? neg : undefined, it);
    if (remove) removed.add(it.idx);
    if (it.typo) scan.typos++;
    const note = it.typo ? `read "${it.typo}" as ${app.name}` : undefined;
    scan.claim({
      field: 'app',
      value: { id: app.id, remove },
      words,
      pos: it.idx,
      note,
      strength: 'strong',
    });
    // "postgres 16", "node 20", "python 3.12": versions of apps are not picked yet; say so.
    const version = scan.at(it.idx + 1);
    if (!remove && version?.k === 'num' && !version.used && version.digits !== null) {
      scan.use(version);
      scan.warn(
        `App versions are not chosen yet: "${it.words.join(' ')} ${version.digits}" installs the OS's own ${app.name} package.`,
      );
    }
    if (app.gui && !remove) {
      scan.claim({
        field: 'display',
        value: 'gui',
        words,
        pos: it.idx,
        note: `${app.name} is a GUI app`,
        strength: 'weak',
      });
    }
  }
}

export function extractDesktops(scan: Scan): void {
  for (const it of scan.items) {
    if (it.used || it.k !== 'desktop') continue;
    const prev = scan.prev(it.idx);
    if (prev && isKw(prev, 'negation')) {
      scan.use(prev, it); // "no gnome": nothing to set, but it was understood
      continue;
    }
    if (it.typo) scan.typos++;
    const words = scan.use(it);
    const note = it.typo ? `read "${it.typo}" as ${it.id}` : undefined;
    scan.claim({ field: 'desktop', value: it.id, words, pos: it.idx, note, strength: 'strong' });
    scan.claim({
      field: 'display',
      value: 'gui',
      words,
      pos: it.idx,
      note: 'a desktop environment needs a display',
      strength: 'strong',
    });
  }
}
