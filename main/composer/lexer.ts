/**
 * Tokens -> items: each item is one meaningful unit (a number, a catalog name, a keyword
 * phrase, a separator, or a word nobody recognised) with the words it was read from.
 */
import type { Token } from './normalize.js';
import type { Keyword } from './keywords.js';
import { STOPWORDS } from './keywords.js';
import {
  FUZZY_TARGETS,
  isKnownPhraseStart,
  isOsWord,
  matchPhrase,
  type Meaning,
} from './lexicon.js';
import { parseNumberAt } from './numbers.js';
import { closest } from './fuzzy.js';
import { table } from './lookup.js';

type Base = { idx: number; words: string[]; used: boolean; start: number; end: number };
export type Item = Base &
  (
    | { k: 'num'; value: number; digits: string | null }
    | { k: 'kw'; kw: Keyword }
    | { k: 'os'; id: string; desktop?: string; typo?: string }
    | { k: 'osver'; id: string; version: string; typo?: string }
    | { k: 'app'; id: string; ambiguous: boolean; alt?: Keyword; typo?: string }
    | { k: 'desktop'; id: string; typo?: string }
    | { k: 'unsupported'; reason: string }
    | { k: 'key'; key: KeyName }
    | { k: 'op'; op: string }
    | { k: 'sep'; sep: string }
    | { k: 'word'; w: string; stop: boolean }
  );

export type KeyName =
  | 'memory'
  | 'cpus'
  | 'disk'
  | 'name'
  | 'ports'
  | 'network'
  | 'display'
  | 'backend'
  | 'os'
  | 'version'
  | 'count'
  | 'desktop'
  | 'apps'
  | 'ephemeral'
  | 'image'
  | 'restart';

const KEYS = table<KeyName>({
  memory: 'memory',
  mem: 'memory',
  ram: 'memory',
  cpu: 'cpus',
  cpus: 'cpus',
  vcpu: 'cpus',
  vcpus: 'cpus',
  cores: 'cpus',
  disk: 'disk',
  storage: 'disk',
  name: 'name',
  hostname: 'name',
  port: 'ports',
  ports: 'ports',
  network: 'network',
  net: 'network',
  networking: 'network',
  display: 'display',
  backend: 'backend',
  os: 'os',
  version: 'version',
  count: 'count',
  replicas: 'count',
  desktop: 'desktop',
  apps: 'apps',
  packages: 'apps',
  ephemeral: 'ephemeral',
  image: 'image',
  restart: 'restart',
});

const SEPARATORS = new Set([',', ';', '.', '!', '?', '(', ')', '[', ']', '{', '}', '|', '\n']);
const SPLIT_SUFFIX = new Set([
  'mb',
  'm',
  'mib',
  'meg',
  'megs',
  'gb',
  'g',
  'gib',
  'gig',
  'gigs',
  'tb',
  't',
  'tib',
  'cpu',
  'cpus',
  'vcpu',
  'vcpus',
  'core',
  'cores',
  'c',
  'x',
  'gbs',
  'mbs',
]);
const GLUED_SIZE = /^(\d+(?:\.\d+)?)([a-z]+)$/;
const GLUED_NAME = /^([a-z]+)(\d+(?:\.\d+)*)$/;

function split(t: Token, at: number): Token[] {
  return [
    { ...t, norm: t.norm.slice(0, at), raw: t.raw.slice(0, at), end: t.start + at },
    { ...t, norm: t.norm.slice(at), raw: t.raw.slice(at), start: t.start + at },
  ];
}

/** "8gb" -> "8" "gb", "2vcpus" -> "2" "vcpus", "ubuntu24.04" -> "ubuntu" "24.04", "x3" -> "x" "3". */
function unglue(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    if (t.kind !== 'word' || t.norm.length !== t.raw.length || isKnownPhraseStart(t.norm)) {
      out.push(t);
      continue;
    }
    const size = GLUED_SIZE.exec(t.norm);
    if (size && SPLIT_SUFFIX.has(size[2]!)) {
      out.push(...split(t, size[1]!.length));
      continue;
    }
    const name = GLUED_NAME.exec(t.norm);
    if (name && (name[1] === 'x' || isOsWord(name[1]!))) {
      out.push(...split(t, name[1]!.length));
      continue;
    }
    out.push(t);
  }
  return out;
}

type DistOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type ItemBody = DistOmit<Item, keyof Base>;

function fromMeaning(m: Meaning, alt: Meaning | undefined, typo?: string): ItemBody {
  switch (m.k) {
    case 'kw':
      return { k: 'kw', kw: m.kw };
    case 'os':
      return m.desktop
        ? { k: 'os', id: m.id, desktop: m.desktop, typo }
        : { k: 'os', id: m.id, typo };
    case 'osver':
      return { k: 'osver', id: m.id, version: m.version, typo };
    case 'app':
      return alt?.k === 'kw'
        ? { k: 'app', id: m.id, ambiguous: m.ambiguous, alt: alt.kw, typo }
        : { k: 'app', id: m.id, ambiguous: m.ambiguous, typo };
    case 'desktop':
      return { k: 'desktop', id: m.id, typo };
    case 'unsupported':
      return { k: 'unsupported', reason: m.reason };
  }
}

// Typos repeat across prompts (and property tests throw long junk words at us): remember answers.
const fuzzyCache = new Map<string, Meaning | null>();
function fuzzy(word: string): { value: Meaning } | null {
  let hit = fuzzyCache.get(word);
  if (hit === undefined) {
    hit = closest(word, FUZZY_TARGETS)?.value ?? null;
    if (fuzzyCache.size > 10_000) fuzzyCache.clear();
    fuzzyCache.set(word, hit);
  }
  return hit ? { value: hit } : null;
}

export function lex(tokensIn: Token[]): Item[] {
  const tokens = unglue(tokensIn);
  const words = tokens.map((t) => t.norm);
  const items: Item[] = [];
  const push = (from: number, len: number, body: ItemBody) => {
    // Filled in place rather than spread: prompts of thousands of items stay in the fast path.
    const item = body as Item;
    const first = tokens[from]!;
    item.idx = items.length;
    item.words = len === 1 ? [first.raw] : tokens.slice(from, from + len).map((t) => t.raw);
    item.used = false;
    item.start = first.start;
    item.end = tokens[from + len - 1]!.end;
    items.push(item);
  };
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (t.kind === 'quote') {
      i++; // quotes only matter around a name, which extractName reads from the text itself
      continue;
    }
    const key = KEYS[t.norm];
    if (key && t.kind === 'word' && next && (next.norm === '=' || next.norm === ':')) {
      // "memory=128m", "name: devbox": the key labels what follows; the '=' carries nothing.
      push(i, 1, { k: 'key', key });
      i += 2;
      continue;
    }
    const phrase = matchPhrase(words, i);
    if (phrase) {
      push(i, phrase.toks.length, fromMeaning(phrase.meanings[0]!, phrase.meanings[1]));
      i += phrase.toks.length;
      continue;
    }
    const num = t.kind === 'word' ? parseNumberAt(words, i) : null;
    if (num) {
      push(i, num.len, { k: 'num', value: num.value, digits: num.digits });
      i += num.len;
      continue;
    }
    if (t.kind === 'punct' || t.kind === 'arrow') {
      push(i++, 1, SEPARATORS.has(t.norm) ? { k: 'sep', sep: t.norm } : { k: 'op', op: t.norm });
      continue;
    }
    if (STOPWORDS.has(t.norm)) {
      push(i++, 1, { k: 'word', w: t.norm, stop: true });
      continue;
    }
    const guess = t.kind === 'word' ? fuzzy(t.norm) : null;
    push(
      i++,
      1,
      guess ? fromMeaning(guess.value, undefined, t.raw) : { k: 'word', w: t.norm, stop: false },
    );
  }
  return items;
}
