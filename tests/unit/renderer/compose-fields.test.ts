import { describe, expect, it } from 'vitest';
import type { ComposeSuccess, Explanation } from '../../../preload/contract';
import {
  fieldText,
  parseFieldText,
  parseImage,
  parseOs,
} from '../../../renderer/src/state/compose-field-editors';
import {
  FIELD_IDS,
  fieldOrigin,
  readField,
  showField,
  wordsKey,
  writeField,
} from '../../../renderer/src/state/compose-fields';
import {
  HISTORY_KEY,
  HISTORY_LIMIT,
  NOT_WALKING,
  loadHistory,
  stepHistory,
  withEntry,
} from '../../../renderer/src/state/compose-history';
import {
  isRecipeFileName,
  recipeFileNameProblem,
} from '../../../renderer/src/state/compose-recipe';
import { applyEdits, composedView, keepEdits } from '../../../renderer/src/state/compose-spec';
import type { Edits } from '../../../renderer/src/state/compose-spec';
import { baseSpec } from '../../helpers/spec-fixture';

const spec = baseSpec({
  name: 'ubuntu-22-04',
  os: { id: 'ubuntu', version: '22.04' },
  resources: { cpus: 2, memoryMiB: 2048, diskGiB: 20 },
  network: { mode: 'nat', ports: [{ host: 2222, guest: 22 }] },
});

const explanation: Explanation = {
  backend: { words: ['vm'] },
  'os.id': { words: ['ubuntu'] },
  'os.version': { words: ['jammy'] },
  'resources.cpus': { words: ['2', 'vcpus'] },
  'resources.memoryMiB': { words: 'default', note: '2048 MiB: the usual size for a headless VM' },
};

describe('compose fields', () => {
  it('reads and writes every field without touching the others', () => {
    for (const id of FIELD_IDS) {
      const same = writeField(spec, id, readField(spec, id));
      expect(same).toEqual(spec);
    }
    const edited = writeField(spec, 'memory', 512);
    expect(edited.resources).toEqual({ cpus: 2, memoryMiB: 512, diskGiB: 20 });
    expect(writeField(spec, 'network', 'none').network.ports).toEqual(spec.network.ports);
  });

  it('shows values in words, and the words (or the default) that set them', () => {
    expect(showField(spec, 'os')).toBe('ubuntu 22.04');
    expect(showField(spec, 'ports')).toBe('2222 → 22');
    expect(
      showField({ ...spec, image: { kind: 'library', imageId: 'abc' } }, 'image', () => 'disk'),
    ).toBe('library: disk');
    expect(fieldOrigin(explanation, 'os')).toEqual({
      kind: 'words',
      words: 'ubuntu jammy',
      note: null,
    });
    const clamped = {
      'resources.cpus': { words: ['4', 'cpus'], note: "clamped from 4 to the host's 2" },
    };
    expect(fieldOrigin(clamped, 'cpus')).toEqual({
      kind: 'words',
      words: '4 cpus',
      note: "clamped from 4 to the host's 2",
    });
    expect(fieldOrigin(explanation, 'memory')).toEqual({
      kind: 'default',
      note: '2048 MiB: the usual size for a headless VM',
    });
    expect(fieldOrigin(null, 'memory')).toEqual({ kind: 'unknown' });
  });

  it('parses editor text, refusing what the schema would refuse', () => {
    expect(parseFieldText('memory', ' 512 ')).toEqual({ ok: true, value: 512 });
    expect(parseFieldText('memory', '8')).toMatchObject({ ok: false });
    expect(parseFieldText('cpus', '1.5')).toMatchObject({ ok: false });
    expect(parseFieldText('ephemeral', 'yes')).toEqual({ ok: true, value: true });
    expect(parseFieldText('backend', 'vmware')).toMatchObject({ ok: false });
    expect(parseFieldText('name', 'Bad Name')).toMatchObject({ ok: false });
    expect(parseFieldText('apps', 'git, python git')).toEqual({
      ok: true,
      value: ['git', 'python'],
    });
    expect(parseFieldText('ports', '2222:22, 8080:80/udp 9000')).toEqual({
      ok: true,
      value: [
        { host: 2222, guest: 22, protocol: 'tcp' },
        { host: 8080, guest: 80, protocol: 'udp' },
        { host: 9000, guest: 9000, protocol: 'tcp' },
      ],
    });
    expect(parseFieldText('ports', '70000:22')).toMatchObject({ ok: false });
    expect(parseFieldText('ports', '')).toEqual({ ok: true, value: [] });
    expect(fieldText(spec, 'ports')).toBe('2222:22');
    expect(parseOs('Debian', '')).toEqual({ ok: true, value: { id: 'debian', version: null } });
    expect(parseImage('library', 'img1', '', spec.image)).toEqual({
      ok: true,
      value: { kind: 'library', imageId: 'img1' },
    });
    expect(parseImage('container-image', '', 'has space', spec.image)).toMatchObject({
      ok: false,
    });
  });

  it('names recipe files by the formats the server reads', () => {
    expect(isRecipeFileName('web.YAML')).toBe(true);
    expect(isRecipeFileName('web.json')).toBe(true);
    expect(isRecipeFileName('disk.qcow2')).toBe(false);
    expect(recipeFileNameProblem('web.yml')).toBeNull();
    expect(recipeFileNameProblem('web.txt')).toMatch(/\.yaml/);
    expect(recipeFileNameProblem('../web.yaml')).toMatch(/path/);
  });
});

describe('compose edits', () => {
  const success = (words: Explanation): ComposeSuccess => ({
    spec,
    warnings: [],
    confidence: 1,
    explanation: words,
  });

  it('holds an edit while the prompt says the same about its field, and drops it after', () => {
    const edits: Edits = { memory: { value: 512, wordsKey: wordsKey(explanation, 'memory') } };
    expect(applyEdits(spec, edits).resources.memoryMiB).toBe(512);
    // Other words changed (cpus): the memory edit stays.
    const moreCpus = { ...explanation, 'resources.cpus': { words: ['4', 'cpus'] } };
    expect(keepEdits(edits, moreCpus)).toEqual(edits);
    // The prompt now says something about memory: the prompt wins.
    const saysMemory = { ...explanation, 'resources.memoryMiB': { words: ['4', 'GB'] } };
    expect(keepEdits(edits, saysMemory)).toEqual({});
  });

  it('starts from a library image as a VM, under the user’s edits', () => {
    const edits: Edits = { cpus: { value: 4, wordsKey: 'none' } };
    const view = composedView({
      result: success(explanation),
      recipe: null,
      edits,
      startingImage: { id: 'img1', name: 'disk' },
    });
    expect(view.source).toBe('prompt');
    expect(view.specs[0]).toMatchObject({
      backend: 'qemu',
      image: { kind: 'library', imageId: 'img1' },
      resources: { cpus: 4 },
    });
    expect(view.unedited?.resources.cpus).toBe(2);
    expect(view.problems).toEqual([]);
  });

  it('shows a recipe instead of the prompt; several environments are listed unedited', () => {
    const one = composedView({
      result: success(explanation),
      recipe: { specs: [{ ...spec, name: 'web' }] },
      edits: {},
      startingImage: { id: 'img1', name: 'disk' },
    });
    expect(one).toMatchObject({ source: 'recipe', explanation: null });
    expect(one.specs[0]?.image).toEqual({ kind: 'catalog' });
    const two = composedView({
      result: null,
      recipe: { specs: [spec, { ...spec, name: 'b' }] },
      edits: { cpus: { value: 8, wordsKey: 'none' } },
      startingImage: null,
    });
    expect(two.specs.map((s) => s.resources.cpus)).toEqual([2, 2]);
    expect(
      composedView({ result: { error: 'no' }, recipe: null, edits: {}, startingImage: null }),
    ).toMatchObject({ source: 'none', specs: [] });
  });

  it('reports a spec the schema refuses, by path', () => {
    const view = composedView({
      result: success(explanation),
      recipe: null,
      edits: { name: { value: 'Not OK', wordsKey: 'none' } },
      startingImage: null,
    });
    expect(view.problems[0]).toMatch(/^name: /);
  });
});

describe('compose history', () => {
  it('keeps prompts deduplicated, newest last, capped', () => {
    expect(withEntry(['a', 'b'], ' a ')).toEqual(['b', 'a']);
    expect(withEntry(['a'], '   ')).toEqual(['a']);
    const many = Array.from({ length: HISTORY_LIMIT }, (_, i) => `p${i}`);
    const next = withEntry(many, 'new');
    expect(next).toHaveLength(HISTORY_LIMIT);
    expect(next.at(-1)).toBe('new');
    expect(next[0]).toBe('p1');
  });

  it('reads back only what it wrote, ignoring junk', () => {
    const storage = (value: string | null) => ({
      getItem: (key: string) => (key === HISTORY_KEY ? value : null),
    });
    expect(loadHistory(storage('["a","b",3,"a",""]'))).toEqual(['a', 'b']);
    expect(loadHistory(storage('{not json'))).toEqual([]);
    expect(loadHistory(storage(null))).toEqual([]);
    expect(loadHistory(undefined)).toEqual([]);
  });

  it('walks older with Up, newer with Down, and gives back what was typed', () => {
    const history = ['one', 'two'];
    const up1 = stepHistory(history, NOT_WALKING, 'typing', -1)!;
    expect(up1.text).toBe('two');
    const up2 = stepHistory(history, up1.walk, up1.text, -1)!;
    expect(up2.text).toBe('one');
    expect(stepHistory(history, up2.walk, up2.text, -1)).toBeNull();
    const down1 = stepHistory(history, up2.walk, up2.text, 1)!;
    expect(down1.text).toBe('two');
    const down2 = stepHistory(history, down1.walk, down1.text, 1)!;
    expect(down2).toEqual({ walk: NOT_WALKING, text: 'typing' });
    expect(stepHistory(history, NOT_WALKING, 'x', 1)).toBeNull();
    expect(stepHistory([], NOT_WALKING, 'x', -1)).toBeNull();
  });
});
