import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import { builtCli } from './serve-process.js';

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** Runs the built `genos` CLI to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [builtCli, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `genos import FILE --reference` into a data dir, as a suite's set-up before serve starts. */
export async function importByReference(
  dataDir: string,
  file: string,
  format: 'iso' | 'qcow2',
  name: string,
): Promise<void> {
  const imported = await runCli([
    'import',
    file,
    '--reference',
    '--format',
    format,
    '--name',
    name,
    '--data-dir',
    dataDir,
  ]);
  expect(imported.code, imported.stderr).toBe(0);
}

/** The ids of the environments in a data dir, as `genos ls --json` lists them. */
export async function cliEnvironmentIds(dataDir: string): Promise<string[]> {
  const listed = await runCli(['ls', '--json', '--data-dir', dataDir]);
  return (JSON.parse(listed.stdout || '[]') as Array<{ id: string }>).map((env) => env.id);
}
