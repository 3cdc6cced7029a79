import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ComposeResult, Explanation } from '../../../preload/contract';
import { useComposeDraftStore } from '../../../renderer/src/state/compose-draft-store';
import { NOT_WALKING } from '../../../renderer/src/state/compose-history';
import { useComposeStore } from '../../../renderer/src/state/compose-store';
import { installFakeBridge, removeFakeBridge } from './fake-bridge';
import { baseSpec } from '../../helpers/spec-fixture';
import { image } from './fixtures';

const base = baseSpec({
  name: 'alpine',
  backend: 'docker',
  os: { id: 'alpine', version: null },
  resources: { cpus: 1, memoryMiB: 512, diskGiB: 10 },
  network: { mode: 'nat', ports: [] },
});

/** A composer that reads "N cpus" and "M mb" and explains them, like the real one. */
function fakeCompose({ prompt }: { prompt: string }): { result: ComposeResult } {
  if (!prompt.trim()) return { result: { error: 'The prompt is empty.' } };
  const cpus = /(\d+) cpus/.exec(prompt);
  const memory = /(\d+) mb/.exec(prompt);
  const explanation: Explanation = {
    'resources.cpus': cpus ? { words: [cpus[1]!, 'cpus'] } : { words: 'default' },
    'resources.memoryMiB': memory ? { words: [memory[1]!, 'mb'] } : { words: 'default' },
  };
  const spec = {
    ...base,
    name: prompt.includes('vm') ? 'a-vm' : 'alpine',
    resources: {
      ...base.resources,
      cpus: cpus ? Number(cpus[1]) : 1,
      memoryMiB: memory ? Number(memory[1]) : 512,
    },
  };
  return { result: { spec, warnings: [], confidence: 1, explanation } };
}

const state = () => useComposeStore.getState();

beforeEach(() => {
  useComposeStore.setState({
    prompt: '',
    result: null,
    composing: false,
    callError: null,
    recipe: null,
    recipeError: null,
    edits: {},
    history: [],
    walk: NOT_WALKING,
  });
  useComposeDraftStore.getState().clear();
});
afterEach(removeFakeBridge);

describe('compose store', () => {
  it('asks nothing for an empty prompt while typing, and shows the error on Enter', async () => {
    const log = installFakeBridge({ compose: fakeCompose });
    state().typed('   ');
    await state().compose();
    expect(log).toEqual([]);
    expect(state().result).toBeNull();
    await state().compose({ explicit: true });
    expect(state().result).toEqual({ error: 'The prompt is empty.' });
  });

  it('keeps only the newest answer when replies arrive out of order', async () => {
    const waiting: (() => void)[] = [];
    installFakeBridge({
      compose: (args: { prompt: string }) =>
        new Promise((resolve) => waiting.push(() => resolve(fakeCompose(args)))),
    });
    state().typed('2 cpus');
    const first = state().compose();
    state().typed('4 cpus');
    const second = state().compose();
    waiting[1]!();
    await second;
    waiting[0]!();
    await first;
    const result = state().result;
    expect(result && 'spec' in result && result.spec.resources.cpus).toBe(4);
  });

  it('keeps an edit until the prompt’s words for its field change', async () => {
    installFakeBridge({ compose: fakeCompose });
    state().typed('alpine 2 cpus');
    await state().compose();
    state().edit('memory', 256);
    state().typed('alpine 4 cpus');
    await state().compose();
    expect(state().edits.memory?.value).toBe(256);
    state().typed('alpine 4 cpus 1024 mb');
    await state().compose();
    expect(state().edits.memory).toBeUndefined();
    state().edit('cpus', 8);
    state().reset('cpus');
    expect(state().edits).toEqual({});
  });

  it('reads the prompt as a VM’s description when starting from an image', async () => {
    const log = installFakeBridge({ compose: fakeCompose });
    useComposeDraftStore.getState().startFromImage(image({ id: 'img1', name: 'disk' }));
    await state().compose();
    state().typed(' 2 cpus');
    await state().compose();
    expect(log).toEqual([
      { name: 'compose', args: { prompt: 'vm, ' } },
      { name: 'compose', args: { prompt: 'vm, 2 cpus' } },
    ]);
    expect(state().result).toMatchObject({ spec: { name: 'a-vm', resources: { cpus: 2 } } });
  });

  it('opens a recipe: its prompt and environments replace the composed spec', async () => {
    const recipe = { genosRecipe: 1, prompt: 'from the file', environments: [base] };
    const log = installFakeBridge({ compose: fakeCompose, readRecipe: () => ({ result: recipe }) });
    useComposeDraftStore.getState().startFromImage(image({ id: 'img1' }));
    state().typed('2 cpus');
    await state().compose();
    state().edit('cpus', 3);
    await expect(state().openRecipe('web.yaml', 'text')).resolves.toBe(true);
    expect(log.at(-1)).toEqual({
      name: 'readRecipe',
      args: { fileName: 'web.yaml', text: 'text' },
    });
    expect(state()).toMatchObject({
      prompt: 'from the file',
      recipe: { fileName: 'web.yaml', specs: [base] },
      result: null,
      edits: {},
    });
    expect(useComposeDraftStore.getState().fromImage).toBeNull();

    // Closed: back to composing its prompt.
    state().closeRecipe();
    expect(state().recipe).toBeNull();
    await vi.waitFor(() => expect(state().result).toMatchObject({ spec: { name: 'alpine' } }));
    expect(log.at(-1)).toEqual({ name: 'compose', args: { prompt: 'from the file' } });
  });

  it('shows why a recipe could not be read, and refuses a huge file before reading it', async () => {
    installFakeBridge({
      readRecipe: () => ({ error: { code: 'BAD_ARGS', message: 'x.json: environments.0.name' } }),
    });
    await expect(state().openRecipe('x.json', '{}')).resolves.toBe(false);
    expect(state().recipeError).toEqual({
      fileName: 'x.json',
      error: { code: 'BAD_ARGS', message: 'x.json: environments.0.name' },
    });
    const huge = new File([new Uint8Array(2 * 1024 * 1024)], 'big.yaml');
    await expect(state().openRecipeFile(huge)).resolves.toBe(false);
    expect(state().recipeError?.error.message).toMatch(/at most 1024 KiB/);
  });

  it('remembers prompts and walks them', () => {
    state().remember('one');
    state().remember('two');
    state().typed('draft');
    expect(state().recall(-1)).toBe(true);
    expect(state().prompt).toBe('two');
    expect(state().recall(-1)).toBe(true);
    expect(state().recall(-1)).toBe(false);
    expect(state().prompt).toBe('one');
    state().recall(1);
    state().recall(1);
    expect(state().prompt).toBe('draft');
  });
});
