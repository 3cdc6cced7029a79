/**
 * The working state of one compose: the items read from the prompt, the claims extractors make
 * about fields (each with the words behind it), and the warnings and errors found on the way.
 */
import type { Backend, ImageSource, NetworkMode, PortForward } from '../../preload/spec.js';
import type { Item } from './lexer.js';

type ClaimBody =
  | { field: 'name'; value: string }
  | { field: 'backend'; value: Backend }
  | { field: 'os'; value: { id: string; desktop?: string } }
  /** `version` null: the typed text matched no catalog version. */
  | { field: 'version'; value: { os: string; version: string | null; typed: string } }
  | { field: 'cpus'; value: number }
  | { field: 'memoryMiB'; value: number }
  | { field: 'diskGiB'; value: number }
  | { field: 'count'; value: number }
  | { field: 'network'; value: NetworkMode }
  | { field: 'port'; value: PortForward }
  | { field: 'display'; value: 'gui' | 'headless' }
  | { field: 'desktop'; value: string }
  | { field: 'app'; value: { id: string; remove: boolean } }
  | { field: 'ephemeral'; value: boolean }
  | { field: 'image'; value: ImageSource }
  | { field: 'restartPolicy'; value: 'never' | 'on-failure' | 'always' };

export type ClaimField = ClaimBody['field'];

export type Claim = ClaimBody & {
  words: string[];
  /** Where in the prompt (item index): later claims win. */
  pos: number;
  note?: string;
  /**
   * 'weak': implied, not said ("firefox" implies a display); 'llm': proposed by the LLM
   * provider. Both only fill a field that the prompt's own words left open.
   */
  strength: 'strong' | 'weak' | 'llm';
};

export type ClaimOf<F extends ClaimField> = Extract<Claim, { field: F }>;

export class Scan {
  readonly claims: Claim[] = [];
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  /** Item positions of "actually", "instead", ...: a later claim there corrects, not conflicts. */
  readonly corrections: number[];
  readonly unsupported: Array<{ reason: string; words: string[] }> = [];
  stack: string[] | null = null;
  typos = 0;

  constructor(
    readonly items: Item[],
    /** The prompt after NFKC: item offsets point into it. */
    readonly text: string,
  ) {
    // Known up front, so every extractor can tell a correction from a contradiction.
    this.corrections = items
      .filter((it) => it.k === 'kw' && it.kw.t === 'correction')
      .map((it) => it.idx);
  }

  claim(c: Claim): void {
    this.claims.push(c);
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  fail(message: string): void {
    if (!this.errors.includes(message)) this.errors.push(message);
  }

  use(...items: Array<Item | undefined>): string[] {
    const words: string[] = [];
    for (const it of items) {
      if (!it) continue;
      it.used = true;
      words.push(...it.words);
    }
    return words;
  }

  at(i: number): Item | undefined {
    return this.items[i];
  }

  /** The next item after i that is not one of the skipped stopwords. */
  next(i: number, skip: ReadonlySet<string> = ARTICLES): Item | undefined {
    for (let j = i + 1; j < this.items.length; j++) {
      const it = this.items[j]!;
      if (!(it.k === 'word' && it.stop && skip.has(it.w))) return it;
    }
    return undefined;
  }

  prev(i: number, skip: ReadonlySet<string> = ARTICLES): Item | undefined {
    for (let j = i - 1; j >= 0; j--) {
      const it = this.items[j]!;
      if (!(it.k === 'word' && it.stop && skip.has(it.w))) return it;
    }
    return undefined;
  }

  claimsFor<F extends ClaimField>(field: F): Array<ClaimOf<F>> {
    return this.claims.filter((c): c is ClaimOf<F> => c.field === field);
  }
}

export const ARTICLES: ReadonlySet<string> = new Set(['a', 'an', 'the', 'some', 'any']);
/** Small words allowed between a label and its number: "a disk of 20 GB", "with 2 of cpus". */
export const FILLER: ReadonlySet<string> = new Set([
  'a',
  'an',
  'the',
  'of',
  'with',
  'at',
  'is',
  'be',
  'to',
  'about',
  'around',
  'least',
  'most',
  'max',
  'maximum',
  'min',
  'minimum',
  'approximately',
  'roughly',
  'up',
]);

export function isKw<T extends Item>(it: T | undefined, t: string): boolean {
  return it?.k === 'kw' && it.kw.t === t;
}

export function isWord(it: Item | undefined, ...w: string[]): boolean {
  return it?.k === 'word' && w.includes(it.w);
}
