/**
 * Every example in tests/fixtures/composer/examples.json: the issue's own, and many more
 * (typos, codenames, corrections, number words, units, ports, network and display intents,
 * names, lifetimes, hostile text). Each lists only the fields that must hold.
 */
import { describe, expect, it } from 'vitest';
import fixture from '../../fixtures/composer/examples.json' with { type: 'json' };
import { compose, type ComposeOptions } from '../../../main/composer/compose.js';
import { checkResult } from './check-spec.js';

type Example = { prompt: string; source: string; expect: Record<string, unknown> };
const examples = (fixture as { examples: Example[] }).examples;

const OPTION_KEYS = new Set(['host', 'defaults']);

function get(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

function withTcp(ports: Array<Record<string, unknown>>) {
  return ports.map((p) => ({ protocol: 'tcp', ...p }));
}

function matches(texts: string[], needle: string): boolean {
  return texts.some((t) => t.toLowerCase().includes(needle.toLowerCase()));
}

describe('composer examples', () => {
  it('has the issue examples and many more', () => {
    expect(examples.filter((e) => e.source === 'issue')).toHaveLength(17);
    expect(examples.length).toBeGreaterThanOrEqual(250);
  });

  it.each(examples.map((e) => [e.prompt, e] as const))('%j', (_prompt, example) => {
    const opts: ComposeOptions = {};
    if (example.expect.host) opts.host = example.expect.host as ComposeOptions['host'];
    if (example.expect.defaults)
      opts.defaults = example.expect.defaults as ComposeOptions['defaults'];
    const result = compose(example.prompt, opts);
    checkResult(result);
    const errorText = 'error' in result ? result.error : null;
    const warnings = 'error' in result ? [] : result.warnings;
    for (const [key, want] of Object.entries(example.expect)) {
      if (OPTION_KEYS.has(key)) continue;
      const where = `${key} for ${JSON.stringify(example.prompt)}: ${JSON.stringify(result)}`;
      if (key === 'error') {
        expect(errorText, where).not.toBeNull();
        expect(matches([errorText!], want as string), where).toBe(true);
        continue;
      }
      if (key === 'errorOrWarning') {
        expect(
          matches([...(errorText ? [errorText] : []), ...warnings], want as string),
          where,
        ).toBe(true);
        continue;
      }
      expect(errorText, where).toBeNull();
      if ('error' in result) continue;
      const { spec, explanation } = result;
      if (key === 'warningMatches') expect(matches(warnings, want as string), where).toBe(true);
      else if (key === 'noWarningMatches')
        expect(matches(warnings, want as string), where).toBe(false);
      else if (key === 'appsInclude')
        expect(spec.apps, where).toEqual(expect.arrayContaining(want as string[]));
      else if (key === 'network.mode.not') expect(spec.network.mode, where).not.toBe(want);
      else if (key === 'network.ports')
        expect(spec.network.ports, where).toEqual(withTcp(want as Array<Record<string, unknown>>));
      else if (key === 'explainDefault') {
        for (const path of want as string[])
          expect(explanation[path]?.words, `${where} (${path})`).toBe('default');
      } else if (key === 'explainNote') {
        for (const [path, note] of Object.entries(want as Record<string, string>)) {
          expect(explanation[path]?.note ?? '', where).toContain(note);
        }
      } else if (key === 'noField')
        continue; // covered by checkResult for every example
      else expect(get(spec, key), where).toEqual(want);
    }
  });
});
