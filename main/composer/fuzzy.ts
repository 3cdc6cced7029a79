/**
 * Typo tolerance: optimal string alignment distance (Levenshtein plus adjacent swaps, so
 * "ubunut" and "debain" are one edit away), with an upper bound so that long words that are
 * nowhere near any catalog name cost almost nothing.
 */

/** The OSA distance between a and b, or max + 1 as soon as it must exceed max. */
export function boundedDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, prev2[j - 2]! + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

export type FuzzyTarget<T> = { text: string; maxDistance: number; value: T };

/** Ordinary words that sit one edit from a catalog name and must not be read as it. */
const NOT_TYPOS = new Set([
  'window',
  'windowed',
  'rocks',
  'rocket',
  'median',
  'medium',
  'docket',
  'pocket',
  'locker',
  'blended',
  'blends',
  'pythonic',
  'curly',
  'rusty',
  'gimpy',
  'minty',
  'alpines',
  'server',
  'serves',
  'served',
  'centre',
  'center',
  'fedoras',
  'trust',
  'crust',
  'trusty',
  'arches',
]);

/**
 * The closest target within its own allowed distance; ties go to the earlier target, so the
 * result does not depend on anything but the inputs.
 */
export function closest<T>(
  word: string,
  targets: ReadonlyArray<FuzzyTarget<T>>,
): FuzzyTarget<T> | null {
  if (word.length < 5 || NOT_TYPOS.has(word) || /\d/.test(word)) return null;
  let best: FuzzyTarget<T> | null = null;
  let bestDistance = Infinity;
  for (const t of targets) {
    const d = boundedDistance(word, t.text, t.maxDistance);
    if (d <= t.maxDistance && d < bestDistance) {
      best = t;
      bestDistance = d;
      if (d === 1) break;
    }
  }
  return best;
}
