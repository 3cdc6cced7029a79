/**
 * Stack prompts (tests/fixtures/composer/stacks.json): one prompt, several environments with
 * `requires` between them. And the other side: a prompt that names one environment composes
 * exactly as the one-environment composer always did.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import fixture from '../../fixtures/composer/stacks.json' with { type: 'json' };
import examples from '../../fixtures/composer/examples.json' with { type: 'json' };
import { compose, composeWith } from '../../../main/composer/compose.js';
import { lex } from '../../../main/composer/lexer.js';
import { tokenize } from '../../../main/composer/normalize.js';
import { checkResult } from './check-spec.js';

type Expected = Record<string, unknown>;
type StackExample = {
  prompt: string;
  warningMatches?: string;
  environments: Expected[];
};
const stacks = (fixture as { stacks: StackExample[] }).stacks;
const singles = (fixture as { single: string[] }).single;

function get(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

/** The one-environment composer, as compose() was before stacks. */
const composeOne = (prompt: string) => composeWith(prompt, {}, []);

/** Environment nouns in the prompt ("vm", "containers", ...). */
function nouns(prompt: string): number {
  return lex(tokenize(prompt)).filter((it) => it.k === 'kw' && it.kw.t === 'backend' && it.kw.noun)
    .length;
}

describe('stack prompts', () => {
  it('has the issue prompt and more', () => {
    expect(stacks.some((s) => s.prompt === 'a postgres container and an ubuntu vm that uses it'));
    expect(stacks.length).toBeGreaterThanOrEqual(10);
  });

  it.each(stacks.map((s) => [s.prompt, s] as const))('%j', (_prompt, example) => {
    const result = compose(example.prompt);
    checkResult(result);
    if ('error' in result) throw new Error(result.error);
    const envs = result.environments ?? [];
    const where = JSON.stringify(result.environments?.map((e) => [e.spec.name, e.text]));
    expect(envs, where).toHaveLength(example.environments.length);
    expect(result.warnings[0]).toMatch(`A stack of ${envs.length} environments`);
    if (example.warningMatches)
      expect(result.warnings.join('\n')).toContain(example.warningMatches);
    example.environments.forEach((want, i) => {
      const env = envs[i]!;
      for (const [key, value] of Object.entries(want)) {
        if (key === 'requiresWords') expect(env.explanation.requires?.words, where).toEqual(value);
        else if (key === 'nameNote')
          expect(env.explanation.name?.note ?? '', where).toContain(value as string);
        else expect(get(env.spec, key), `${key} of environment ${i + 1}: ${where}`).toEqual(value);
      }
      // Every part says where it came from, in the prompt's own words.
      expect(example.prompt.normalize('NFKC')).toContain(env.text.split(' ')[0]);
      if (env.spec.requires.length === 0) expect(env.explanation.requires?.words).toBe('default');
    });
  });

  it('keeps prompts that name one environment to one environment', () => {
    for (const prompt of singles) {
      const result = compose(prompt);
      checkResult(result);
      expect(result, prompt).toEqual(composeOne(prompt));
      expect(result).not.toHaveProperty('environments');
    }
  });

  it('says which part could not be composed', () => {
    const result = compose('a postgres container and a windows 95 vm that uses it');
    if (!('error' in result)) return; // the catalog may learn windows 95 one day
    expect(result.error).toMatch(/environment 2 \("a windows 95 vm"\)/);
  });
});

describe('every single-environment prompt composes as before', () => {
  it('holds for every example of the one-environment corpus', () => {
    for (const example of (examples as { examples: Array<{ prompt: string }> }).examples) {
      if (example.prompt === 'a postgres container and an ubuntu vm that uses it') continue;
      expect(compose(example.prompt), example.prompt).toEqual(composeOne(example.prompt));
    }
  });

  const WORDS = [
    'ubuntu',
    'debian 12',
    'alpine',
    'postgres',
    'nginx',
    'redis',
    'firefox',
    'vm',
    'container',
    'a',
    'an',
    'the',
    'and',
    'with',
    'or',
    'plus',
    'not',
    'no',
    'actually',
    'that uses it',
    'which needs it',
    'connected to',
    'depends on',
    'using',
    'it',
    '4 gb',
    '2 cpus',
    'offline',
    'called web',
  ];
  const SEPS = [' ', ', ', '; ', ' and ', ' with '];
  const prompts = fc
    .array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...SEPS)), {
      minLength: 1,
      maxLength: 14,
    })
    .map((parts) =>
      parts
        .map(([w, sep]) => w + sep)
        .join('')
        .trim(),
    );

  it('holds for generated prompts with at most one environment noun and no stack words', () => {
    fc.assert(
      fc.property(prompts, (prompt) => {
        const before = composeOne(prompt);
        const single =
          nouns(prompt) <= 1 &&
          !('error' in before && false) &&
          !('warnings' in before && before.warnings.some((w) => w.includes('(a stack)')));
        if (!single) return;
        expect(compose(prompt)).toEqual(before);
      }),
      { numRuns: 1500, seed: 7 },
    );
  });

  it('any prompt: a stack result is well formed, and is deterministic', () => {
    fc.assert(
      fc.property(prompts, (prompt) => {
        const result = compose(prompt);
        checkResult(result);
        expect(compose(prompt)).toEqual(result);
      }),
      { numRuns: 800, seed: 11 },
    );
  });
});
