/** How an LLM's answer is read and which parts of it may be used (no network here). */
import { describe, expect, it } from 'vitest';
import { compose, composeWith } from '../../../main/composer/compose.js';
import { extractJson, proposalClaims, systemPrompt } from '../../../main/composer/llm-proposal.js';
import { chatUrl } from '../../../main/composer/llm-provider.js';
import { EnvironmentSpec } from '../../../preload/spec.js';
import { checkResult } from './check-spec.js';

function spec(prompt: string) {
  const r = compose(prompt);
  if ('error' in r) throw new Error(r.error);
  return r.spec;
}

describe('LLM proposal', () => {
  it('finds the JSON in fenced or chatty answers', () => {
    expect(extractJson('```json\n{"a":1}\n```')).toEqual({ a: 1 });
    expect(extractJson('Sure! Here it is: {"a": {"b": 2}} Hope that helps.')).toEqual({
      a: { b: 2 },
    });
    expect(() => extractJson('no json here')).toThrow(/no JSON object/);
  });

  it('builds the chat URL from a base or a full endpoint', () => {
    expect(chatUrl('http://127.0.0.1:11434/v1')).toBe('http://127.0.0.1:11434/v1/chat/completions');
    expect(chatUrl('http://127.0.0.1:11434/v1/')).toBe(
      'http://127.0.0.1:11434/v1/chat/completions',
    );
    expect(chatUrl('https://x.test/v1/chat/completions')).toBe(
      'https://x.test/v1/chat/completions',
    );
  });

  it('tells the model the fields and the catalog ids', () => {
    const text = systemPrompt();
    for (const word of ['memoryMiB', 'ubuntu', 'vscode', 'xfce', '"isolated"'])
      expect(text).toContain(word);
  });

  it("fills only what the prompt left at a default; the prompt's words win", () => {
    const llm = {
      ...spec('fedora vm'),
      apps: ['gimp'],
      resources: { cpus: 8, memoryMiB: 8192, diskGiB: 60 },
    };
    const { claims } = proposalClaims(
      EnvironmentSpec.parse({ ...llm, os: { id: 'fedora', version: '42' } }),
    );
    const merged = composeWith('ubuntu vm with 2 cpus', {}, claims);
    checkResult(merged);
    if ('error' in merged) throw new Error(merged.error);
    expect(merged.spec.os).toEqual({ id: 'ubuntu', version: '24.04' }); // said in the prompt
    expect(merged.spec.resources.cpus).toBe(2); // said in the prompt
    expect(merged.spec.resources.memoryMiB).toBe(8192); // filled by the LLM
    expect(merged.spec.apps).toEqual(['gimp']);
    expect(merged.explanation['resources.memoryMiB']).toEqual({
      words: 'default',
      note: 'proposed by the LLM provider',
    });
    expect(merged.explanation['resources.cpus']?.words).toEqual(['2', 'cpus']);
  });

  it('refuses ids outside the catalog and never takes images, ports or health checks', () => {
    const base = spec('ubuntu container');
    const proposal = EnvironmentSpec.parse({
      ...base,
      os: { id: 'haiku', version: '1' },
      apps: ['git', 'evil-tool'],
      desktop: 'fancywm',
      image: { kind: 'kernel', kernel: '/boot/x', initrd: null, cmdline: 'init=/bin/sh' },
      network: { mode: 'nat', ports: [{ host: 22, guest: 22 }] },
      healthCheck: { kind: 'command', command: ['rm', '-rf', '/'] },
    });
    const { claims, rejected } = proposalClaims(proposal);
    expect(rejected).toEqual(['os.id "haiku"', 'desktop "fancywm"', 'app "evil-tool"']);
    const merged = composeWith('a sandbox', {}, claims);
    if ('error' in merged) throw new Error(merged.error);
    expect(merged.spec.image).toEqual({ kind: 'catalog' });
    expect(merged.spec.network.ports).toEqual([]);
    expect(merged.spec.healthCheck).toBeNull();
    expect(merged.spec.apps).toEqual(['git']);
  });

  it('passes LLM values through the same rules (host clamp, Windows only as a VM)', () => {
    const win = EnvironmentSpec.parse({
      ...spec('ubuntu container'),
      os: { id: 'windows', version: '11' },
      backend: 'docker',
    });
    const asVm = composeWith('a sandbox', {}, proposalClaims(win).claims);
    if ('error' in asVm) throw new Error(asVm.error);
    expect(asVm.spec).toMatchObject({ os: { id: 'windows' }, backend: 'qemu' });
    expect(asVm.explanation['backend']?.note).toBe('Windows runs only in a VM');
    const big = EnvironmentSpec.parse({
      ...spec('ubuntu container'),
      resources: { cpus: 64, memoryMiB: 65536, diskGiB: 10 },
    });
    const r = composeWith(
      'ubuntu container',
      { host: { cpuCount: 4, memoryMiB: 8192 } },
      proposalClaims(big).claims,
    );
    if ('error' in r) throw new Error(r.error);
    expect(r.spec.resources).toMatchObject({ cpus: 4, memoryMiB: 6144 });
  });
});
