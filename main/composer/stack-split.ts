/**
 * Finds the environments of a stack prompt ("a postgres container and an ubuntu vm that uses
 * it"): where one environment ends and the next begins, and which needs which. Reads the same
 * items the composer reads, decides nothing about fields — each part is composed on its own.
 *
 * Conservative by design: a prompt splits only when every part names its own environment (a
 * "vm"/"container" noun that is not negated, or an app or OS that a "uses it" / "connected to"
 * points at), and never when it corrects itself ("actually", "I mean"). Anything else is one
 * environment, composed exactly as before.
 */
import { normWord, tokenize } from './normalize.js';
import { lex, type Item } from './lexer.js';

export type StackPart = {
  /** The prompt's text of this environment, relation words left out. */
  text: string;
  /** Indexes (into the parts) of the parts this one needs running first. */
  requires: number[];
  /** The words that made each requirement, as typed ("that uses it"). */
  relationWords: string[];
};

type Segment = {
  /** The conjunction items before it (", and"): put back when it turns out not to be a part. */
  lead: Item[];
  items: Item[];
  /** The relation words that end this segment and point back at the one before ("that uses it"). */
  backRef: Item[] | null;
  /** This segment began at "connected to" / "which needs": the segment before needs this one. */
  neededBy: Item[] | null;
};

// Verbs of needing, as the tokenizer normalises them; the pronoun that ends a back-reference.
const RELATION_VERBS = [
  'uses',
  'use',
  'using',
  'needs',
  'need',
  'requires',
  'require',
  'connects to',
  'connected to',
  'connecting to',
  'connect to',
  'talks to',
  'talking to',
  'talk to',
  'depends on',
  'depending on',
  'relies on',
  'points at',
  'pointing at',
  'points to',
  'pointing to',
  'linked to',
  'backed by',
  'reads from',
  'writes to',
].map((v) => v.split(' '));
const RELATION_LEADS = new Set(['that', 'which', 'who']);
/** Verbs that say "needs" only after a lead ("that uses"): alone they are too common. */
const NEEDS_LEAD = new Set(['uses', 'use', 'using', 'needs', 'need', 'requires', 'require']);
const PRONOUNS = new Set(['it', 'them']);
/** Conjunctions between environments; "or" is a choice, not a second environment. */
const JOINS = new Set([
  'and',
  '&',
  '+',
  'plus',
  'as well as',
  'along with',
  'together with',
  'and also',
  'with',
]);
const ARTICLES = new Set(['a', 'an', 'the', 'one', 'some']);
/** A cheap first look (a superset of the lexicon's environment nouns and relation verbs). */
const HEAD_HINT = /(?:vms?|virtual[\s-]*machines?|domu|containers?|ctr)(?![\p{L}\p{N}])/giu;
const RELATION_HINT =
  /(?<![\p{L}\p{N}])(?:use|uses|using|needs?|requires?|connect|connects|connected|connecting|talks?|talking|depends|depending|relies|points?|pointing|linked|backed|reads|writes)(?![\p{L}\p{N}])/iu;

const textOf = (it: Item) => (it.k === 'word' ? it.w : it.words.map(normWord).join(' '));

function isHead(it: Item): boolean {
  return it.k === 'kw' && it.kw.t === 'backend' && it.kw.noun === true;
}

/** "nginx:1.27", "ghcr.io/org/app:2": an image reference names what runs. */
function isImageRef(it: Item): boolean {
  if (it.k !== 'word' || it.stop || it.words.length !== 1) return false;
  const w = it.words[0]!;
  return /^[a-z0-9]/i.test(w) && (w.includes(':') || w.includes('/')) && !/\s/.test(w);
}

function namesSomething(it: Item): boolean {
  return it.k === 'os' || it.k === 'osver' || (it.k === 'app' && !it.ambiguous);
}

/** Each item's words as the lexicon matches them, computed once per prompt. */
type Normed = string[][];

/** The flat words of items[from..] (enough for the longest phrase), each with its item. */
function wordsFrom(norm: Normed, from: number) {
  const out: Array<{ word: string; item: number; last: boolean }> = [];
  for (let i = from; i < norm.length && out.length < 6; i++) {
    const words = norm[i]!;
    words.forEach((word, k) => out.push({ word, item: i, last: k === words.length - 1 }));
  }
  return out;
}

const FIRST_WORDS = new Set([...RELATION_LEADS, ...RELATION_VERBS.map((v) => v[0]!)]);

/**
 * A relation phrase starting at item i: "(that|which) uses|needs|connected to ... [it]". Returns
 * the item after it and whether it ends in a pronoun (a back-reference), or null.
 */
function relationAt(norm: Normed, i: number): { end: number; back: boolean } | null {
  if (!FIRST_WORDS.has(norm[i]![0] ?? '')) return null;
  const words = wordsFrom(norm, i);
  const lead = RELATION_LEADS.has(words[0]!.word) ? 1 : 0;
  for (const verb of RELATION_VERBS) {
    if (!verb.every((v, k) => words[lead + k]?.word === v)) continue;
    let end = lead + verb.length - 1;
    const next = words[end + 1];
    const back = !!next && PRONOUNS.has(next.word);
    if (back) end++;
    if (!back && !lead && NEEDS_LEAD.has(verb[0]!)) continue;
    if (!words[end]!.last) continue; // the phrase must end where an item ends
    return { end: words[end]!.item + 1, back };
  }
  return null;
}

function isJoin(it: Item): boolean {
  if (it.k === 'sep') return it.sep === ',' || it.sep === ';';
  return (
    it.k === 'kw' && (it.kw.t === 'listJoin' || it.kw.t === 'listStart') && JOINS.has(textOf(it))
  );
}

/** A head the segment itself negates ("not a vm", "without a container") does not count. */
function liveHead(seg: Item[]): boolean {
  return seg.some((it, i) => {
    if (!isHead(it)) return false;
    for (let j = i - 1; j >= 0; j--) {
      const before = seg[j]!;
      if (before.k === 'kw' && before.kw.t === 'negation') return false;
      if (!(before.k === 'word' && ARTICLES.has(before.w))) break;
    }
    return true;
  });
}

function cutSegments(items: Item[], norm: Normed): Segment[] {
  const segments: Segment[] = [];
  const fresh = (neededBy: Item[] | null = null): Segment => ({
    lead: [],
    items: [],
    backRef: null,
    neededBy,
  });
  let current = fresh();
  const close = (neededBy: Item[] | null = null) => {
    if (current.items.length > 0 || current.backRef) segments.push(current);
    current = fresh(neededBy);
  };
  for (let i = 0; i < items.length;) {
    const it = items[i]!;
    const relation = relationAt(norm, i);
    if (relation) {
      const words = items.slice(i, relation.end);
      if (relation.back) {
        current.backRef = words;
        close();
      } else close(words);
      i = relation.end;
      continue;
    }
    if (isJoin(it)) {
      // ", and" is one boundary: its items lead the next segment, and go back with it.
      if (current.items.length > 0) close();
      current.lead.push(it);
    } else current.items.push(it);
    i++;
  }
  close();
  return segments;
}

/**
 * The parts of a stack prompt, or null when it describes one environment. `text` is the prompt
 * after NFKC (the offsets the items carry point into it).
 */
export function splitStack(text: string): StackPart[] | null {
  // Most prompts name one environment: say so before spending a second lexing on them.
  const heads = text.match(HEAD_HINT)?.length ?? 0;
  if (heads < 2 && !(heads === 1 && RELATION_HINT.test(text))) return null;
  const items = lex(tokenize(text));
  if (items.some((it) => it.k === 'kw' && it.kw.t === 'correction')) return null;
  const norm: Normed = items.map((it) => (it.k === 'word' ? [it.w] : it.words.map(normWord)));
  if (items.filter(isHead).length < 2 && !norm.some((_, i) => relationAt(norm, i))) return null;
  const segments = cutSegments(items, norm);
  if (segments.length < 2) return null;

  // Which segments are environments: a live head, or something named that "uses it" points at.
  // "connected to ..." starts an environment only when what follows says which (a noun).
  // After "with" a noun alone is what the first one holds ("a vm with docker containers").
  const named = (seg: Segment) => seg.items.some(namesSomething) || seg.items.some(isImageRef);
  const ledByWith = (seg: Segment) => seg.lead.some((it) => textOf(it) === 'with');
  const isPart = segments.map(
    (seg, i) =>
      (liveHead(seg.items) && (named(seg) || !ledByWith(seg))) ||
      (!!segments[i + 1]?.backRef && named(seg)),
  );
  if (isPart.filter(Boolean).length < 2) return null;

  // A segment that is not an environment belongs to the one before it ("..., 4 gb"), or to the
  // first one when nothing came before; its words go back into the text as typed.
  type Draft = { items: Item[]; relations: Array<{ to: 'prev' | 'next'; words: Item[] }> };
  const drafts: Draft[] = [];
  let prefix: Item[] = [];
  segments.forEach((seg, i) => {
    const relations: Draft['relations'] = seg.backRef ? [{ to: 'prev', words: seg.backRef }] : [];
    if (isPart[i]) {
      const host = drafts.at(-1);
      if (seg.neededBy && host) host.relations.push({ to: 'next', words: seg.neededBy });
      const lead = prefix.length > 0 ? [...(seg.neededBy ?? []), ...seg.lead] : [];
      drafts.push({ items: [...prefix, ...lead, ...seg.items], relations });
      prefix = [];
      return;
    }
    const text = [...(seg.neededBy ?? []), ...seg.lead, ...seg.items];
    const host = drafts.at(-1);
    if (!host) {
      prefix.push(...text, ...(seg.backRef ?? []));
      return;
    }
    host.items.push(...text);
    host.relations.push(...relations);
  });
  if (drafts.length < 2 || drafts.some((d) => d.items.length === 0)) return null;

  return drafts.map((d, i) => {
    const requires = new Set<number>();
    const relationWords: string[] = [];
    for (const r of d.relations) {
      // "X that uses it" needs the part before; "X connected to Y" needs the part after.
      const target = r.to === 'prev' ? i - 1 : i + 1;
      if (target < 0 || target >= drafts.length) continue;
      requires.add(target);
      relationWords.push(...r.words.flatMap((w) => w.words));
    }
    return { text: joinText(text, d.items), requires: [...requires], relationWords };
  });
}

/** The prompt's own text for these items: contiguous runs kept as typed, runs joined by a space. */
function joinText(text: string, items: Item[]): string {
  const runs: string[] = [];
  let runStart = -1;
  let runEnd = -1;
  let lastIdx = -2;
  for (const it of items) {
    if (it.idx !== lastIdx + 1 && runStart >= 0) {
      runs.push(text.slice(runStart, runEnd));
      runStart = -1;
    }
    if (runStart < 0) runStart = it.start;
    runEnd = it.end;
    lastIdx = it.idx;
  }
  if (runStart >= 0) runs.push(text.slice(runStart, runEnd));
  return runs.join(' ').trim();
}
