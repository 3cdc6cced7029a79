/** runCompose (genos compose) with in-memory streams; the built CLI is tested in integration. */
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { answerLine, runCompose } from '../../../main/cli/compose.js';
import { ComposeResult } from '../../../preload/compose.js';

async function run(args: { prompt: string | null; json?: boolean; jsonl?: boolean }, stdin = '') {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (d) => (outText += String(d)));
  err.on('data', (d) => (errText += String(d)));
  const code = await runCompose(
    { prompt: args.prompt, json: args.json ?? false, jsonl: args.jsonl ?? false },
    { stdin: Readable.from([stdin]), out, err },
    {}, // no host clamping: the answers must not depend on this machine
  );
  return { code, out: outText, err: errText };
}

describe('genos compose', () => {
  it('prints a readable summary by default', async () => {
    const r = await run({ prompt: 'Ubuntu 24.04 desktop with Firefox, 8GB RAM' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ubuntu-24-04: Ubuntu 24\.04, desktop VM/);
    expect(r.out).toMatch(/memory\s+8192 MiB\s+from "8 GB RAM"/);
    expect(r.out).toMatch(/cpus\s+4\s+default: 4 CPUs for a desktop VM/);
  });

  it('prints one JSON object with --json', async () => {
    const r = await run({ prompt: 'alpine container; memory=128m', json: true });
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = ComposeResult.parse(JSON.parse(lines[0]!));
    expect(result).toMatchObject({ spec: { os: { id: 'alpine' }, resources: { memoryMiB: 128 } } });
  });

  it('exits 1 with the reason when no spec can be made', async () => {
    expect(await run({ prompt: '', json: true })).toMatchObject({
      code: 1,
      out: expect.stringContaining('"error"'),
    });
    const human = await run({ prompt: 'macos ventura vm' });
    expect(human.code).toBe(1);
    expect(human.err).toContain('macOS');
    expect((await run({ prompt: null })).code).toBe(1);
  });

  it('answers --jsonl line by line, in order, going on after a bad line', async () => {
    const input = [
      JSON.stringify({ prompt: 'debian 12 container' }),
      'not json',
      JSON.stringify({ prompt: 42 }),
      '',
      JSON.stringify({ prompt: '' }),
      JSON.stringify({ prompt: 'three fedora 41 containers' }),
    ].join('\n');
    const r = await run({ prompt: null, jsonl: true }, input);
    expect(r.code).toBe(0);
    const answers = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(answers).toHaveLength(5);
    expect(answers[0].spec.os).toEqual({ id: 'debian', version: '12' });
    expect(answers[1].error).toMatch(/line 2: not JSON/);
    expect(answers[2].error).toMatch(/line 3: expected \{"prompt"/);
    expect(answers[3].error).toMatch(/empty/);
    expect(answers[4].spec.count).toBe(3);
    for (const a of answers) expect(ComposeResult.safeParse(a).success).toBe(true);
  });

  it('refuses a prompt argument together with --jsonl', async () => {
    expect((await run({ prompt: 'x', jsonl: true })).code).toBe(2);
  });

  it('answers a single line the same way the stream does', () => {
    expect(JSON.parse(answerLine('[]', 7)).error).toMatch(/line 7/);
    expect(JSON.parse(answerLine('{"prompt":"ubuntu"}', 1)).spec.os.id).toBe('ubuntu');
  });
});
