import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type Core } from '../../main/core/app-core.js';

describe('recipes through the API (what the UI uses to open and save them)', () => {
  let core: Core;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-recipes-'));
  const call = (name: string, args: unknown) =>
    core.dispatch(name, args, { transport: 'in-process', trusted: true });

  beforeAll(async () => {
    core = await startCore({ dataDir, mode: 'cli', ownerSocket: false });
  });
  afterAll(async () => {
    await core.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('composes, writes YAML, and reads it back to the same specs', async () => {
    const composed = (
      await call('compose', { prompt: 'debian 12 container with git, no internet' })
    ).result as {
      spec: { name: string; os: { id: string } };
    };
    expect(composed.spec.os.id).toBe('debian');
    const written = await call('writeRecipe', {
      fileName: 'lab.yaml',
      prompt: 'debian lab',
      environments: [composed.spec],
    });
    const text = (written.result as { text: string }).text;
    expect(text).toContain('genosRecipe: 1');
    const read = await call('readRecipe', { fileName: 'lab.yaml', text });
    expect(read.result).toEqual({
      genosRecipe: 1,
      prompt: 'debian lab',
      environments: [composed.spec],
    });
  });

  it('says what is wrong with a broken recipe, as BAD_ARGS', async () => {
    const notJson = await call('readRecipe', { fileName: 'x.json', text: '{nope' });
    expect(notJson.error).toMatchObject({
      code: 'BAD_ARGS',
      message: expect.stringContaining('x.json is not valid JSON'),
    });
    const wrong = await call('readRecipe', {
      fileName: 'x.json',
      text: '{"genosRecipe": 1, "environments": [{"name": "x"}]}',
    });
    expect(wrong.error?.code).toBe('BAD_ARGS');
    expect(wrong.error?.message).toMatch(/environments/);
    const bomb =
      'a: &a [1,1,1,1,1,1,1,1,1,1]\n' +
      Array.from(
        { length: 12 },
        (_, i) =>
          `b${i}: &b${i} [${Array(10)
            .fill(i ? `*b${i - 1}` : '*a')
            .join(',')}]`,
      ).join('\n');
    expect((await call('readRecipe', { fileName: 'bomb.yml', text: bomb })).error?.code).toBe(
      'BAD_ARGS',
    );
  });
});
