/**
 * How many: "three fedora 41 containers", "a pair of ubuntu vms", "2x alpine", "count=3",
 * "one container with both". A number counts when the thing it counts follows it, past the OS,
 * version and adjectives that may sit between.
 */
import type { Item } from './lexer.js';
import { isKw, type Scan } from './scan.js';

const MAX_GAP = 5;

function isNoun(it: Item): boolean {
  return (it.k === 'kw' && 'noun' in it.kw && it.kw.noun === true) || isKw(it, 'noun');
}

/** What may stand between a count and its noun: "three [small debian 12 headless] vms". */
function canSitBetween(it: Item): boolean {
  if (it.k === 'word') return /^[a-z][a-z-]*$/.test(it.w);
  if (it.k === 'os' || it.k === 'osver' || it.k === 'desktop') return true;
  if (it.k === 'num') return it.used; // a version already read
  if (it.k === 'kw')
    return ['ephemeral', 'display', 'network', 'backend'].includes(it.kw.t) && !isNoun(it);
  return it.k === 'op' && it.op === '-';
}

function claimCount(scan: Scan, n: Item & { k: 'num' }, items: Item[]): void {
  const words = scan.use(n, ...items);
  const value = n.value;
  const note = Number.isInteger(value) ? undefined : `${value} is not a whole count`;
  scan.claim({
    field: 'count',
    value: Number.isInteger(value) ? value : Math.floor(value),
    words,
    pos: n.idx,
    note,
    strength: 'strong',
  });
}

export function extractCount(scan: Scan): void {
  for (const it of scan.items) {
    if (it.used) continue;
    // "count=3", "count 3", "replicas: 2"
    if (
      (it.k === 'key' && it.key === 'count') ||
      (isKw(it, 'countWord') && it.words[0]!.toLowerCase() === 'count')
    ) {
      const n = scan.next(it.idx);
      if (n?.k === 'num' && !n.used) claimCount(scan, n, [it]);
      continue;
    }
    if (it.k !== 'num' || it.value < 0 || it.digits?.includes('.')) continue;
    const after = scan.at(it.idx + 1);
    // "3x ubuntu", "3 x alpine", "3 times" — but in "12 x3" the x belongs to the 3
    const xOfNext =
      after?.end !== undefined &&
      scan.at(it.idx + 2)?.k === 'num' &&
      scan.at(it.idx + 2)!.start === after.end;
    if (
      after &&
      isKw(after, 'countWord') &&
      after.words[0]!.toLowerCase() !== 'count' &&
      !xOfNext
    ) {
      claimCount(scan, it, [after]);
      continue;
    }
    const before = scan.at(it.idx - 1);
    if (before && isKw(before, 'countWord') && before.words[0]!.toLowerCase() === 'x') {
      claimCount(scan, it, [before]); // "ubuntu x3"
      continue;
    }
    for (let j = it.idx + 1; j <= it.idx + MAX_GAP && j < scan.items.length; j++) {
      const cand = scan.at(j)!;
      if (isNoun(cand)) {
        // "16 container" is not a count ("postgres 16 container"); "3 vms" and "one vm" are.
        const plural = /s$/i.test(cand.words[cand.words.length - 1]!);
        if (plural || it.value === 1 || it.digits === null) claimCount(scan, it, []);
        break;
      }
      if (!canSitBetween(cand)) break;
    }
  }
}
