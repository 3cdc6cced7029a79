/**
 * Numbers as people write them: digits ("8", "1.5"), words ("two", "twenty-four"), and idioms
 * ("a pair of", "a couple of", "a dozen", "half a", "one and a half").
 */
import { table } from './lookup.js';

const SMALL = table<number>({
  zero: 0,
  none: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  single: 1,
  dozen: 12,
});
const TENS = table<number>({
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
});

export type ParsedNumber = {
  value: number;
  /** How many tokens the number spans. */
  len: number;
  /** The digits as typed ("24.04"), for versions and ports; null for number words. */
  digits: string | null;
};

const DIGITS = /^\d{1,12}(?:\.\d{1,6})?$/;

function wordValue(w: string | undefined): number | null {
  if (w === undefined) return null;
  if (w in SMALL && w !== 'none' && w !== 'single') return SMALL[w]!;
  if (w in TENS) return TENS[w]!;
  const hyphen = /^([a-z]+)-([a-z]+)$/.exec(w); // "twenty-four"
  if (hyphen && hyphen[1]! in TENS && hyphen[2]! in SMALL && SMALL[hyphen[2]!]! < 10) {
    return TENS[hyphen[1]!]! + SMALL[hyphen[2]!]!;
  }
  return null;
}

/** Reads a number starting at words[i], or null. `words` are normalised tokens. */
export function parseNumberAt(words: readonly string[], i: number): ParsedNumber | null {
  const w = words[i];
  if (w === undefined) return null;
  const at = (k: number) => words[i + k];

  if (DIGITS.test(w)) {
    const value = Number(w);
    return withHalf({ value, len: 1, digits: w }, words, i);
  }
  if (w === 'a' || w === 'an') {
    if (at(1) === 'pair' || at(1) === 'couple')
      return { value: 2, len: at(2) === 'of' ? 3 : 2, digits: null };
    if (at(1) === 'dozen') return { value: 12, len: 2, digits: null };
    if (at(1) === 'hundred') return { value: 100, len: 2, digits: null };
    if (at(1) === 'single') return { value: 1, len: 2, digits: null };
    if (at(1) === 'half') return { value: 0.5, len: 2, digits: null };
    return null;
  }
  if ((w === 'pair' || w === 'couple') && at(1) === 'of') return { value: 2, len: 2, digits: null };
  if (w === 'half')
    return { value: 0.5, len: at(1) === 'a' || at(1) === 'an' ? 2 : 1, digits: null };
  if (w === 'dozen') return { value: 12, len: 1, digits: null };
  if (w === 'single') return { value: 1, len: 1, digits: null };

  const tens = w in TENS ? TENS[w]! : null;
  if (tens !== null) {
    const unit = at(1) !== undefined && at(1)! in SMALL ? SMALL[at(1)!]! : null;
    if (unit !== null && unit > 0 && unit < 10)
      return withHalf({ value: tens + unit, len: 2, digits: null }, words, i);
    return withHalf({ value: tens, len: 1, digits: null }, words, i);
  }
  const v = wordValue(w);
  if (v === null) return null;
  if (at(1) === 'hundred') return { value: v * 100, len: 2, digits: null };
  return withHalf({ value: v, len: 1, digits: null }, words, i);
}

/** "one and a half", "2 and a half". */
function withHalf(n: ParsedNumber, words: readonly string[], i: number): ParsedNumber {
  const j = i + n.len;
  if (words[j] === 'and' && words[j + 1] === 'a' && words[j + 2] === 'half') {
    return { value: n.value + 0.5, len: n.len + 3, digits: null };
  }
  return n;
}
