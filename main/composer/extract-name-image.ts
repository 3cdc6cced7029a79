/**
 * Names ("called devbox", "named web1", "name=lab") and container image references
 * ("nginx:1.27", "image ghcr.io/org/app:2"). Both run first: whatever they take (even a word
 * that is also an OS name, as in "a vm called ubuntu") is not read again.
 */
import { OSES, matchVersion } from './catalog.js';
import type { Item } from './lexer.js';
import { isKw, isWord, type Scan } from './scan.js';

const MAX_NAME = 63;

/** Any text -> an EnvironmentName-shaped slug, or null when nothing usable remains. */
export function slugify(text: string): string | null {
  const slug = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, MAX_NAME)
    .replace(/-+$/, '');
  return slug.length > 0 ? slug : null;
}

const NOT_NAMEABLE = new Set<Item['k']>(['sep', 'op', 'key', 'unsupported']);
// After the verb: an optional "=", "it" or "as", then a quoted name that may hold spaces.
const QUOTED = /^\s*(?:[=:]\s*)?(?:(?:it|as|is)\s+)?["'`“‘«„]([^"'`”’»“‘\n]{1,63})["'`”’»“]/i;

export function extractName(scan: Scan): void {
  for (const it of scan.items) {
    if (it.used || !(isKw(it, 'nameVerb') || (it.k === 'key' && it.key === 'name'))) continue;
    const quoted = QUOTED.exec(scan.text.slice(it.end));
    let parts: Item[];
    let text: string;
    if (quoted) {
      const from = it.end + quoted.index;
      const to = it.end + quoted[0].length;
      parts = scan.items.filter((p) => p.start > it.start && p.start >= from && p.end <= to);
      text = quoted[1]!.trim();
    } else {
      let j = it.idx + 1;
      while (scan.at(j)?.k === 'op' || isWord(scan.at(j), 'it', 'is', 'as')) j++;
      const first = scan.at(j);
      if (!first || first.used || NOT_NAMEABLE.has(first.k) || (first.k === 'word' && first.stop))
        continue;
      parts = scan.items.slice(it.idx + 1, j + 1);
      text = first.words.join('-');
    }
    const name = slugify(text);
    if (!name) continue;
    const words = scan.use(it, ...parts);
    const note = name !== text.toLowerCase() ? `"${text}" made into a valid name` : undefined;
    scan.claim({ field: 'name', value: name, words, pos: it.idx, note, strength: 'strong' });
  }
}

// registry/namespace/name[:tag][@sha256:digest], lower case as Docker requires.
const REF_RE = new RegExp(
  '^(?:(?:localhost|[a-z0-9-]+(?:\\.[a-z0-9-]+)+)(?::\\d{1,5})?/)?' + // registry host
    '[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*' + // path
    '(?::[a-z0-9_][a-z0-9._-]{0,127})?(?:@sha256:[a-f0-9]{64})?$', // tag, digest
);

function repoAndTag(ref: string): { repo: string; tag: string | null } {
  const noDigest = ref.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  if (colon > slash) return { repo: noDigest.slice(0, colon), tag: noDigest.slice(colon + 1) };
  return { repo: noDigest, tag: null };
}

/** Repositories are lower case (Docker refuses others); tags keep their case. */
function normalizeRef(raw: string): string {
  const { repo, tag } = repoAndTag(raw);
  const digest = raw.includes('@') ? raw.slice(raw.indexOf('@')).toLowerCase() : '';
  return `${repo.toLowerCase()}${tag === null ? '' : `:${tag}`}${digest}`;
}

function claimRef(scan: Scan, ref: string, items: Item[]): void {
  const words = scan.use(...items);
  const pos = items[0]!.idx;
  if (!claimCatalogOs(scan, ref, words, pos)) {
    scan.claim({
      field: 'image',
      value: { kind: 'container-image', ref },
      words,
      pos,
      strength: 'strong',
    });
  }
  scan.claim({
    field: 'backend',
    value: 'docker',
    words,
    pos,
    note: 'a container image runs in a container',
    strength: 'weak',
  });
}

/**
 * A catalog OS image ("ubuntu:24.04", "debian") is the catalog entry, not a custom image; a
 * pinned digest is kept as asked. Claims the OS (and version) and says whether it was one.
 */
function claimCatalogOs(scan: Scan, ref: string, words: string[], pos: number): boolean {
  if (ref.includes('@')) return false;
  const { repo, tag } = repoAndTag(ref);
  for (const os of OSES) {
    for (const v of os.versions) {
      if (!v.containerImage) continue;
      const cat = repoAndTag(v.containerImage);
      if (
        cat.repo !== repo &&
        cat.repo !== `docker.io/library/${repo}` &&
        `docker.io/library/${cat.repo}` !== repo
      )
        continue;
      const version = tag === null || tag === 'latest' ? null : (matchVersion(os, tag) ?? null);
      if (tag !== null && tag !== 'latest' && !version) continue;
      scan.claim({
        field: 'os',
        value: { id: os.id },
        words,
        pos,
        note: `the catalog's ${os.name} image`,
        strength: 'strong',
      });
      if (version) {
        scan.claim({
          field: 'version',
          value: { os: os.id, version: version.version, typed: tag! },
          words,
          pos,
          strength: 'strong',
        });
      }
      return true;
    }
  }
  return false;
}

export function extractImage(scan: Scan): void {
  for (const it of scan.items) {
    if (it.used) continue;
    const labelled = isKw(it, 'imageWord') || (it.k === 'key' && it.key === 'image');
    if (labelled) {
      let j = it.idx + 1;
      while (scan.at(j)?.k === 'op') j++;
      const value = scan.at(j);
      if (!value || value.used || value.words.length !== 1) continue;
      const ref = normalizeRef(value.words[0]!);
      if (REF_RE.test(ref.toLowerCase())) claimRef(scan, ref, scan.items.slice(it.idx, j + 1));
      continue;
    }
    // Unlabelled, a reference must look like one: a tag or a path, and not "8080:80".
    if (it.k !== 'word' || it.stop || it.words.length !== 1) continue;
    const ref = normalizeRef(it.words[0]!);
    if (!(ref.includes('/') || ref.includes(':')) || !REF_RE.test(ref.toLowerCase())) continue;
    // "ubuntu/debian" is a choice, not an image: untagged paths need a registry host.
    if (!ref.includes(':') && !ref.split('/')[0]!.includes('.')) continue;
    claimRef(scan, ref, [it]);
  }
}
