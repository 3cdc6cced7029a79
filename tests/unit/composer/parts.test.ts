/** The composer's small parts: tokenizer, numbers, typo distance, lexicon, explanation order. */
import { describe, expect, it } from 'vitest';
import { normWord, tokenize } from '../../../main/composer/normalize.js';
import { parseNumberAt } from '../../../main/composer/numbers.js';
import { boundedDistance, closest } from '../../../main/composer/fuzzy.js';
import { lex } from '../../../main/composer/lexer.js';
import { matchPhrase } from '../../../main/composer/lexicon.js';
import { slugify } from '../../../main/composer/extract-name-image.js';
import { compose } from '../../../main/composer/compose.js';
import { FIELD_PATHS } from '../../../main/composer/explain.js';

const norms = (text: string) => tokenize(text).map((t) => t.norm);

describe('tokenize', () => {
  it('keeps versions, ports, image refs and hyphenated words whole', () => {
    expect(norms('ubuntu 24.04 -p 8080:80/udp ghcr.io/a/b:1 build-essential node.js')).toEqual([
      'ubuntu',
      '24.04',
      '-p',
      '8080:80/udp',
      'ghcr.io/a/b:1',
      'build-essential',
      'node.js',
    ]);
  });

  it('lower-cases, strips accents and apostrophes, folds full-width forms', () => {
    expect(norms("Débian ＵＢＵＮＴＵ I'd")).toEqual(['debian', 'ubuntu', 'id']);
    expect(normWord('Ĉontainer')).toBe('container');
  });

  it('splits glued keys but not image tags, and keeps offsets into the text', () => {
    expect(norms('ram:8g ubuntu:24.04')).toEqual(['ram', ':', '8g', 'ubuntu:24.04']);
    const text = 'a  vm';
    const [a, vm] = tokenize(text);
    expect(text.slice(vm!.start, vm!.end)).toBe('vm');
    expect(a!.raw).toBe('a');
  });

  it('marks flags, arrows and quotes', () => {
    expect(tokenize('-p 1->2 "x"').map((t) => t.kind)).toEqual([
      'flag',
      'word',
      'arrow',
      'word',
      'quote',
      'word',
      'quote',
    ]);
  });
});

describe('numbers', () => {
  const n = (text: string) => parseNumberAt(text.split(' '), 0);
  it.each([
    ['8', 8],
    ['1.5', 1.5],
    ['two', 2],
    ['ten', 10],
    ['twenty four', 24],
    ['twenty-four', 24],
    ['a pair of', 2],
    ['a couple of', 2],
    ['a dozen', 12],
    ['half a', 0.5],
    ['one and a half', 1.5],
    ['a hundred', 100],
    ['three hundred', 300],
    ['zero', 0],
  ])('%s -> %d', (text, value) => {
    expect(n(text)?.value).toBe(value);
  });

  it('reads no number in plain words', () => {
    expect(n('a')).toBeNull();
    expect(n('none')).toBeNull();
    expect(n('ubuntu')).toBeNull();
  });

  it('keeps the digits as typed for versions', () => {
    expect(n('24.04')).toEqual({ value: 24.04, len: 1, digits: '24.04' });
  });
});

describe('typo distance', () => {
  it('counts a swap as one edit', () => {
    expect(boundedDistance('ubunut', 'ubuntu', 2)).toBe(1);
    expect(boundedDistance('debain', 'debian', 2)).toBe(1);
    expect(boundedDistance('fedorra', 'fedora', 2)).toBe(1);
    expect(boundedDistance('kitten', 'sitting', 5)).toBe(3);
  });

  it('stops early past the bound', () => {
    expect(boundedDistance('abcdefgh', 'zyxwvuts', 1)).toBe(2);
    expect(boundedDistance('a', 'abcdef', 2)).toBe(3);
  });

  it('leaves short words and ordinary words alone', () => {
    const targets = [{ text: 'windows', maxDistance: 1, value: 'windows' }];
    expect(closest('window', targets)).toBeNull();
    expect(closest('winds', targets)).toBeNull();
    expect(closest('windoes', targets)?.value).toBe('windows');
  });
});

describe('lexicon and lexer', () => {
  it('prefers the longest phrase', () => {
    expect(matchPhrase(['vs', 'code', 'and'], 0)?.toks).toEqual(['vs', 'code']);
    expect(matchPhrase(['no', 'internet'], 0)?.meanings[0]).toEqual({
      k: 'kw',
      kw: { t: 'network', v: 'isolated' },
    });
  });

  it('splits "8gb" and "ubuntu24.04" but not "web1"', () => {
    const kinds = lex(tokenize('8gb ubuntu24.04 web1')).map((i) => i.k);
    expect(kinds).toEqual(['num', 'kw', 'os', 'num', 'word']);
  });

  it('remembers the typed words of a typo', () => {
    const [item] = lex(tokenize('Ubunut'));
    expect(item).toMatchObject({ k: 'os', id: 'ubuntu', typo: 'Ubunut', words: ['Ubunut'] });
  });
});

describe('names', () => {
  it('slugifies anything into a valid name or nothing', () => {
    expect(slugify('Dev Box!')).toBe('dev-box');
    expect(slugify('$(rm -rf /)')).toBe('rm-rf');
    expect(slugify('---')).toBeNull();
    expect(slugify('x'.repeat(100))).toHaveLength(63);
    expect(slugify('ünïcødé')).toBe('unic-de'); // ø has no ASCII decomposition
  });
});

describe('explanation', () => {
  it('explains every field, in spec order, with the words as typed', () => {
    const r = compose('Ubuntu 24.04 Desktop with VS Code, 8GB RAM');
    if ('error' in r) throw new Error(r.error);
    expect(Object.keys(r.explanation)).toEqual([...FIELD_PATHS]);
    expect(r.explanation['os.id']).toEqual({ words: ['Ubuntu'] });
    expect(r.explanation['apps']?.words).toEqual(['VS', 'Code']);
    expect(r.explanation['resources.memoryMiB']?.words).toEqual(['8', 'GB', 'RAM']);
    expect(r.explanation['resources.cpus']).toEqual({
      words: 'default',
      note: '4 CPUs for a desktop VM',
    });
  });

  it('says a desktop VM gets more memory than a headless container, and why', () => {
    const vm = compose('ubuntu desktop vm');
    const ct = compose('ubuntu container');
    if ('error' in vm || 'error' in ct) throw new Error('unexpected error');
    expect(vm.spec.resources.memoryMiB).toBeGreaterThan(ct.spec.resources.memoryMiB);
    expect(vm.explanation['resources.memoryMiB']?.note).toContain('desktop VM');
    expect(ct.explanation['resources.memoryMiB']?.note).toContain('headless container');
  });

  it('lowers confidence for guesses: no OS named, typos, warnings', () => {
    const sure = compose('debian 12 container with git');
    const guess = compose('container with git');
    const typo = compose('debain 12 contianer with git');
    if ('error' in sure || 'error' in guess || 'error' in typo) throw new Error('unexpected error');
    expect(sure.confidence).toBe(1);
    expect(guess.confidence).toBeLessThan(sure.confidence);
    expect(typo.confidence).toBeLessThan(sure.confidence);
  });
});
