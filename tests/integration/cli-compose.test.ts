/**
 * `genos compose` through the built CLI (node out/main/cli.js compose ...), as a user runs it.
 * Skipped until main/cli.ts routes the command to runCompose (main/cli/compose.ts).
 * GENOS_COMPOSE_CLI may point at another build of the CLI to test.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtCli, repoRoot } from '../helpers/serve-process.js';
import { compose } from '../../main/composer/compose.js';
import { localHost } from '../../main/cli/compose.js';
import { ComposeResult } from '../../preload/compose.js';
import fixture from '../fixtures/composer/examples.json' with { type: 'json' };

const cli = process.env.GENOS_COMPOSE_CLI ?? builtCli;
const wired =
  !!process.env.GENOS_COMPOSE_CLI ||
  fs.readFileSync(path.join(repoRoot, 'main', 'cli.ts'), 'utf8').includes('runCompose');

function run(
  args: string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'compose', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe.skipIf(!wired)('genos compose (built CLI)', () => {
  it('is built', () => {
    expect(fs.existsSync(cli), `${cli} is missing: run npm run build`).toBe(true);
  });

  it('prints a readable summary', async () => {
    const r = await run(['debian 12 container with git and curl, no internet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^debian-12: Debian 12, headless container/);
    expect(r.stdout).toMatch(/apps\s+git, curl/);
    expect(r.stdout).toMatch(/network\s+isolated/);
  });

  it('prints one JSON object with --json, the same as the composer in-process', async () => {
    const prompt = 'alpine container; memory=128m; cpus=1; no network';
    const r = await run(['--json', prompt]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const result = ComposeResult.parse(JSON.parse(r.stdout));
    expect(result).toEqual(compose(prompt, { host: localHost() }));
  });

  it('exits 1 with the reason for an empty or impossible prompt', async () => {
    const empty = await run(['--json', '']);
    expect(empty.code).toBe(1);
    expect(JSON.parse(empty.stdout).error).toMatch(/empty/);
    const mac = await run(['macos ventura vm']);
    expect(mac.code).toBe(1);
    expect(mac.stderr).toContain('macOS');
  });

  it('answers --jsonl: one line per prompt, in order, an error line for a bad one', async () => {
    const prompts = (fixture as { examples: Array<{ prompt: string }> }).examples
      .map((e) => e.prompt)
      .slice(0, 100);
    const lines = prompts.map((prompt) => JSON.stringify({ prompt }));
    lines.splice(50, 0, '{"prompt": oops}');
    const r = await run(['--jsonl'], lines.join('\n') + '\n');
    expect(r.code, r.stderr).toBe(0);
    const answers = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ComposeResult);
    expect(answers).toHaveLength(101);
    expect(answers[50]).toEqual({ error: expect.stringMatching(/^line 51: not JSON/) });
    const rest = [...answers.slice(0, 50), ...answers.slice(51)];
    const host = localHost();
    rest.forEach((answer, i) => expect(answer).toEqual(compose(prompts[i]!, { host })));
  });
});
