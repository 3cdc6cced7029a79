/**
 * One phrase index over everything a prompt can name: catalog OSes (and their codenames),
 * apps, desktops, unsupported systems, and the fixed keywords. Built once at module load;
 * matching is longest phrase first, so "vs code" beats "code" and "no internet" beats "internet".
 */
import type { Keyword } from './keywords.js';
import { KEYWORD_PHRASES } from './keywords.js';
import { APPS, DESKTOPS, OSES, OS_CATALOG } from './catalog.js';
import type { FuzzyTarget } from './fuzzy.js';

export type Meaning =
  | { k: 'kw'; kw: Keyword }
  | { k: 'os'; id: string; desktop?: string }
  | { k: 'osver'; id: string; version: string }
  | { k: 'app'; id: string; ambiguous: boolean }
  | { k: 'desktop'; id: string }
  | { k: 'unsupported'; reason: string };

export type Phrase = { toks: string[]; meanings: Meaning[] };

const index = new Map<string, Phrase[]>();

function add(text: string, meaning: Meaning): void {
  const toks = text.split(' ');
  const list = index.get(toks[0]!) ?? [];
  const same = list.find((p) => p.toks.join(' ') === text);
  if (same) same.meanings.push(meaning);
  else list.push({ toks, meanings: [meaning] });
  index.set(toks[0]!, list);
}

// Catalog meanings go in first, so where a phrase is both (e.g. "docker") the catalog reading
// is the first meaning and the keyword the fallback.
for (const os of OSES) {
  for (const alias of os.aliases) {
    const desktop = os.aliasDesktops?.[alias];
    add(alias, desktop ? { k: 'os', id: os.id, desktop } : { k: 'os', id: os.id });
  }
  for (const v of os.versions)
    for (const c of v.codenames) add(c, { k: 'osver', id: os.id, version: v.version });
}
for (const u of OS_CATALOG.unsupported)
  for (const a of u.aliases) add(a, { k: 'unsupported', reason: u.reason });
for (const app of APPS) {
  for (const alias of app.aliases) {
    add(alias, { k: 'app', id: app.id, ambiguous: app.ambiguousAliases?.includes(alias) ?? false });
  }
}
for (const d of DESKTOPS) for (const a of d.aliases) add(a, { k: 'desktop', id: d.id });
for (const [phrase, kw] of KEYWORD_PHRASES) add(phrase, { k: 'kw', kw });
for (const list of index.values()) list.sort((a, b) => b.toks.length - a.toks.length);

/** The longest phrase that starts at words[i], or null. */
export function matchPhrase(words: readonly string[], i: number): Phrase | null {
  const candidates = index.get(words[i]!);
  if (!candidates) return null;
  for (const p of candidates) {
    let ok = true;
    for (let k = 1; k < p.toks.length; k++) {
      if (words[i + k] !== p.toks[k]) {
        ok = false;
        break;
      }
    }
    if (ok) return p;
  }
  return null;
}

const osWords = new Set(OSES.flatMap((o) => o.aliases.filter((a) => !a.includes(' '))));

/** Whether the word alone names an OS ("ubuntu"), so "ubuntu24.04" may be split after it. */
export function isOsWord(word: string): boolean {
  return osWords.has(word);
}

export function isKnownPhraseStart(word: string): boolean {
  return index.has(word);
}

/** Single-word catalog names that a typo may stand for, with how far off it may be. */
export const FUZZY_TARGETS: ReadonlyArray<FuzzyTarget<Meaning>> = [
  ...OSES.flatMap((os) =>
    os.aliases
      .filter((a) => !a.includes(' ') && a.length >= 5)
      .map((a) => ({
        text: a,
        maxDistance: a.length >= 9 ? 2 : 1,
        value: { k: 'os', id: os.id } as Meaning,
      })),
  ),
  ...OSES.flatMap((os) =>
    os.versions.flatMap((v) =>
      v.codenames
        .filter((c) => !c.includes(' ') && c.length >= 6)
        .map((c) => ({
          text: c,
          maxDistance: 1,
          value: { k: 'osver', id: os.id, version: v.version } as Meaning,
        })),
    ),
  ),
  ...APPS.flatMap((app) =>
    app.aliases
      .filter((a) => !a.includes(' ') && a.length >= 6 && !app.ambiguousAliases?.includes(a))
      .map((a) => ({
        text: a,
        maxDistance: 1,
        value: { k: 'app', id: app.id, ambiguous: false } as Meaning,
      })),
  ),
  ...DESKTOPS.flatMap((d) =>
    d.aliases
      .filter((a) => !a.includes(' ') && a.length >= 6)
      .map((a) => ({ text: a, maxDistance: 1, value: { k: 'desktop', id: d.id } as Meaning })),
  ),
];
