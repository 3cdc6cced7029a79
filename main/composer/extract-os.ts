/**
 * Operating system, version and codename: "ubuntu 24.04", "Ubuntu24.04", "debian bookworm",
 * "jammy" alone, "fedora 41", "windows server 2022", typos ("ubunut"), and the systems GenOS
 * cannot run (macOS), which become an error or a warning in finalize.
 */
import { findOs, matchVersion } from './catalog.js';
import type { Item } from './lexer.js';
import { isKw, isWord, type Scan } from './scan.js';

const VERSION_WORD = /^v?\d+(?:\.\d+){0,3}$|^[a-z]+(?:[-.]?\d+)*$/;

/** Items that mean the number before them is not a version: units, CPU words, "x". */
function blocksVersion(it: Item | undefined, num: Item): boolean {
  if (!it) return false;
  if (isKw(it, 'countWord')) return it.start === num.end; // "3x", not "debian 12 x3"
  return isKw(it, 'unit') || isKw(it, 'cpuWord') || isKw(it, 'memWord') || isKw(it, 'diskWord');
}

function isCountNoun(it: Item | undefined): boolean {
  return !!it && ((it.k === 'kw' && 'noun' in it.kw && it.kw.noun === true) || isKw(it, 'noun'));
}

/** The version written right after an OS name, if any. */
function versionAfter(scan: Scan, osItem: Item & { k: 'os' }): void {
  const os = findOs(osItem.id)!;
  let j = osItem.idx + 1;
  const lead: Item[] = [];
  // "ubuntu version 22.04", "ubuntu v22.04", "ubuntu: 22.04", "windows server 2022"
  while (
    isWord(scan.at(j), 'version', 'v', 'release', 'ver') ||
    (scan.at(j)?.k === 'key' && (scan.at(j) as { key: string }).key === 'version') ||
    (scan.at(j)?.k === 'op' && (scan.at(j) as { op: string }).op === ':')
  ) {
    lead.push(scan.at(j++)!);
  }
  const v = scan.at(j);
  if (!v || v.used) return;
  if (v.k === 'osver') {
    if (v.id !== os.id) return; // "ubuntu bookworm" is a conflict the OS claims will show
    scan.claim({
      field: 'version',
      value: { os: os.id, version: v.version, typed: v.words.join(' ') },
      words: scan.use(...lead, v),
      pos: v.idx,
      strength: 'strong',
      note: v.typo ? `read "${v.typo}" as ${v.words.join(' ')}` : undefined,
    });
    return;
  }
  let typed: string | null = null;
  if (v.k === 'num' && !blocksVersion(scan.at(j + 1), v)) {
    typed = v.digits ?? (Number.isInteger(v.value) ? String(v.value) : null);
    // "ubuntu 3 containers": a whole number that is no version, before a plural noun, counts.
    const noun = scan.next(j);
    const plural = isCountNoun(noun) && /s$/i.test(noun!.words.join(' '));
    const whole = typed !== null && !typed.includes('.');
    if (whole && !matchVersion(os, typed!) && plural && lead.length === 0) typed = null;
  } else if (
    v.k === 'word' &&
    !v.stop &&
    VERSION_WORD.test(v.w) &&
    matchVersion(os, v.w.replace(/^v(?=\d)/, ''))
  ) {
    typed = v.w;
  } else if (v.k === 'word' && lead.length > 0 && !v.stop) {
    typed = v.w; // "version banana" is an unknown version, said outright
  }
  if (typed === null) return;
  typed = typed.replace(/^v(?=\d)/, '');
  const match = matchVersion(os, typed);
  const note =
    match && match.version !== typed ? `"${typed}" is ${os.name} ${match.version}` : undefined;
  scan.claim({
    field: 'version',
    value: { os: os.id, version: match?.version ?? null, typed },
    words: scan.use(...lead, v),
    pos: v.idx,
    note,
    strength: 'strong',
  });
}

export function extractOs(scan: Scan): void {
  for (const it of scan.items) {
    if (it.used) continue;
    if (it.k === 'os') {
      const os = findOs(it.id)!;
      const note = it.typo ? `read "${it.typo}" as ${os.name}` : undefined;
      if (it.typo) scan.typos++;
      const words = scan.use(it);
      scan.claim({
        field: 'os',
        value: it.desktop ? { id: it.id, desktop: it.desktop } : { id: it.id },
        words,
        pos: it.idx,
        note,
        strength: 'strong',
      });
      if (it.desktop) {
        const note = `${words.join(' ')} comes with ${it.desktop}`;
        scan.claim({
          field: 'desktop',
          value: it.desktop,
          words,
          pos: it.idx,
          note,
          strength: 'strong',
        });
        scan.claim({ field: 'display', value: 'gui', words, pos: it.idx, note, strength: 'weak' });
      }
      versionAfter(scan, it);
    } else if (it.k === 'osver') {
      // A codename alone names the OS too: "jammy" is Ubuntu 22.04.
      const os = findOs(it.id)!;
      if (it.typo) scan.typos++;
      const typed = it.words.join(' ');
      const note = `${it.typo ? `read "${it.typo}" as ${it.words.join(' ')}: ` : ''}"${typed}" is ${os.name} ${it.version}`;
      const words = scan.use(it);
      scan.claim({
        field: 'os',
        value: { id: it.id },
        words,
        pos: it.idx,
        note,
        strength: 'strong',
      });
      scan.claim({
        field: 'version',
        value: { os: it.id, version: it.version, typed },
        words,
        pos: it.idx,
        note,
        strength: 'strong',
      });
    } else if (it.k === 'unsupported') {
      scan.unsupported.push({ reason: it.reason, words: scan.use(it) });
    }
  }
}
