/** Recipe files: save, load, and errors that name the file and what is wrong. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compose } from '../../../main/composer/compose.js';
import {
  loadRecipe,
  makeRecipe,
  parseRecipe,
  RecipeError,
  saveRecipe,
} from '../../../main/composer/recipe.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-recipe-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function specOf(prompt: string) {
  const r = compose(prompt);
  if ('error' in r) throw new Error(r.error);
  return r.spec;
}

async function failure(p: Promise<unknown>): Promise<RecipeError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RecipeError);
  return err as RecipeError;
}

describe('recipes', () => {
  it('round-trips environments and the prompt that made them', async () => {
    const prompt = 'debian 12 container with git, no internet';
    const recipe = makeRecipe([specOf(prompt), specOf('alpine vm 256mb')], prompt);
    const file = path.join(dir, 'lab.json');
    await saveRecipe(file, recipe);
    const loaded = await loadRecipe(file);
    expect(loaded).toEqual(recipe);
    expect(loaded.prompt).toBe(prompt);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).genosRecipe).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(['lab.json']); // no temp file left behind
  });

  it('fills schema defaults on load (a hand-written recipe may leave hardening out)', async () => {
    const { hardening: _h, ...spec } = specOf('alpine container');
    const file = path.join(dir, 'short.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ genosRecipe: 1, environments: [{ ...spec, hardening: {} }] }),
    );
    const loaded = await loadRecipe(file);
    expect(loaded.environments[0]!.hardening).toEqual({
      readOnlyRoot: false,
      capAdd: [],
      noNewPrivileges: true,
      pidsLimit: 512,
    });
  });

  it('says when the file is missing', async () => {
    const err = await failure(loadRecipe(path.join(dir, 'nope.json')));
    expect(err.reason).toBe('not-found');
    expect(err.message).toContain('nope.json does not exist');
  });

  it('says when the file is not JSON', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{ genosRecipe: 1,');
    const err = await failure(loadRecipe(file));
    expect(err.reason).toBe('syntax');
    expect(err.message).toContain('is not valid JSON');
  });

  it('says which version it reads', async () => {
    const file = path.join(dir, 'v2.json');
    fs.writeFileSync(file, JSON.stringify({ genosRecipe: 2, environments: [] }));
    const err = await failure(loadRecipe(file));
    expect(err.reason).toBe('version');
    expect(err.message).toMatch(/is version 2; this GenOS reads recipe version 1/);
    expect(() => parseRecipe({ environments: [] })).toThrow(/has no "genosRecipe" field/);
    expect(() => parseRecipe([1, 2])).toThrow(/a recipe is an object/);
  });

  it('names the path of each schema error', async () => {
    const spec = specOf('ubuntu vm');
    const file = path.join(dir, 'wrong.json');
    const broken = { ...spec, resources: { ...spec.resources, cpus: 0 }, name: 'Bad Name!' };
    fs.writeFileSync(file, JSON.stringify({ genosRecipe: 1, environments: [spec, broken] }));
    const err = await failure(loadRecipe(file));
    expect(err.reason).toBe('schema');
    expect(err.message).toContain('environments.1.resources.cpus');
    expect(err.message).toContain('environments.1.name');
  });

  it('refuses an empty recipe, stray fields and oversized files', async () => {
    expect(() => parseRecipe({ genosRecipe: 1, environments: [] })).toThrow(/environments/);
    expect(() =>
      parseRecipe({ genosRecipe: 1, environments: [specOf('ubuntu')], extra: 1 }),
    ).toThrow(/extra|Unrecognized/i);
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, ' '.repeat(1024 * 1024 + 1));
    expect((await failure(loadRecipe(big))).reason).toBe('too-large');
  });

  it('round-trips YAML, refuses an alias bomb, and refuses to save a bad recipe', async () => {
    const yaml = path.join(dir, 'lab.yaml');
    const recipe = makeRecipe([specOf('ubuntu')], 'an ubuntu box');
    await saveRecipe(yaml, recipe);
    expect(fs.readFileSync(yaml, 'utf8')).toContain('genosRecipe: 1');
    expect(await loadRecipe(yaml)).toEqual(recipe);
    const bomb = path.join(dir, 'bomb.yml');
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(10)
          .fill(i === 1 ? '*a' : `*${'b'.repeat(i - 1)}`)
          .join(',')}]`,
      );
    fs.writeFileSync(bomb, lines.join('\n') + '\n');
    expect((await failure(loadRecipe(bomb))).reason).toBe('syntax');
    expect((await failure(saveRecipe(path.join(dir, 'x.txt'), recipe))).reason).toBe('format');
    const bad = { genosRecipe: 1 as const, environments: [{ ...specOf('ubuntu'), count: 0 }] };
    expect((await failure(saveRecipe(path.join(dir, 'x.json'), bad))).reason).toBe('schema');
    expect(fs.existsSync(path.join(dir, 'x.json'))).toBe(false);
  });
});
