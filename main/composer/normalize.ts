/**
 * Prompt text -> tokens. Normalises what people type (case, accents, full-width forms, smart
 * quotes, stray punctuation) while keeping each token's text as typed, so the explanation can
 * quote the user's own words.
 */

export type TokenKind = 'word' | 'flag' | 'arrow' | 'quote' | 'punct';

export type Token = {
  kind: TokenKind;
  /** Lower-case, accents stripped, apostrophes dropped: what the lexicon matches against. */
  norm: string;
  /** The text as typed (after NFKC). */
  raw: string;
  start: number;
  end: number;
};

// Word characters joined by . : / - _ + @ and apostrophes keep "24.04", "8080:80/udp", "node.js",
// "build-essential", "don't" and "ghcr.io/org/app:1.2@sha256:..." in one piece. Flags ("-p", "--publish")
// only count at the start of a token, which the alternation order guarantees.
const TOKEN_RE =
  /(?<flag>(?<![\p{L}\p{N}])--?[a-z][a-z-]*)|(?<word>[\p{L}\p{N}]+(?:[._:/'’+@-][\p{L}\p{N}]+)*\+*)|(?<arrow>->|=>|→|⇒)|(?<quote>["'`“”‘’«»„])|(?<punct>\S)/giu;

const COMBINING = /\p{M}+/gu;

/** Lower-case ASCII-ish form used for matching. */
export function normWord(text: string): string {
  return text.normalize('NFKD').replace(COMBINING, '').toLowerCase().replace(/['’]/g, '');
}

/** Keys of `key=value` / `key:value` that may be glued to their value ("ram:8g"). */
const GLUED_KEYS = new Set([
  'memory',
  'mem',
  'ram',
  'cpu',
  'cpus',
  'vcpu',
  'vcpus',
  'cores',
  'disk',
  'storage',
  'name',
  'hostname',
  'network',
  'net',
  'count',
  'replicas',
  'os',
  'version',
  'display',
  'backend',
  'port',
  'ports',
  'desktop',
  'apps',
  'ephemeral',
]);

export function tokenize(prompt: string): Token[] {
  const text = prompt.normalize('NFKC');
  const tokens: Token[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const g = m.groups!;
    const raw = m[0];
    const start = m.index;
    const kind: TokenKind = g.flag
      ? 'flag'
      : g.word
        ? 'word'
        : g.arrow
          ? 'arrow'
          : g.quote
            ? 'quote'
            : 'punct';
    const norm = kind === 'word' || kind === 'flag' ? normWord(raw) : raw;
    if (kind === 'word' && norm.length === 0) continue;
    const colon = kind === 'word' ? norm.indexOf(':') : -1;
    if (colon > 0 && GLUED_KEYS.has(norm.slice(0, colon))) {
      // "ram:8g" reads like "ram: 8g".
      const key = raw.slice(0, colon);
      tokens.push({
        kind: 'word',
        norm: norm.slice(0, colon),
        raw: key,
        start,
        end: start + colon,
      });
      tokens.push({
        kind: 'punct',
        norm: ':',
        raw: ':',
        start: start + colon,
        end: start + colon + 1,
      });
      tokens.push({
        kind: 'word',
        norm: norm.slice(colon + 1),
        raw: raw.slice(colon + 1),
        start: start + colon + 1,
        end: start + raw.length,
      });
      continue;
    }
    tokens.push({ kind, norm, raw, start, end: start + raw.length });
  }
  return tokens;
}
