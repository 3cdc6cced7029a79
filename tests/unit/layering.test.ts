import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

/** Lints source text as if it lived at `file`, returning the layering violations found. */
async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering rules (eslint.config.js)', () => {
  it('fail when the renderer imports main, Node or electron', async () => {
    expect(
      await layeringErrors(
        'renderer/src/x.ts',
        "import { startCore } from '../../main/core/app-core';\nexport { startCore };\n",
      ),
    ).toHaveLength(1);
    expect(
      await layeringErrors('renderer/src/x.ts', "import fs from 'node:fs';\nexport { fs };\n"),
    ).toHaveLength(1);
    expect(
      await layeringErrors(
        'renderer/src/x.ts',
        "import { ipcRenderer } from 'electron';\nexport { ipcRenderer };\n",
      ),
    ).toHaveLength(1);
    expect(
      await layeringErrors('renderer/src/x.ts', "import '../../preload/index';\n"),
    ).toHaveLength(1);
  });

  it('let the renderer import the contract', async () => {
    expect(
      await layeringErrors(
        'renderer/src/x.ts',
        "import type { HostInfo } from '../../preload/contract';\nexport type { HostInfo };\n",
      ),
    ).toEqual([]);
  });

  it('fail when the contract imports electron or Node', async () => {
    expect(
      await layeringErrors(
        'preload/contract.ts',
        "import { ipcRenderer } from 'electron';\nexport { ipcRenderer };\n",
      ),
    ).toHaveLength(1);
    expect(
      await layeringErrors('preload/contract.ts', "import path from 'path';\nexport { path };\n"),
    ).toHaveLength(1);
    expect(
      await layeringErrors('preload/contract.ts', "import os from 'node:os';\nexport { os };\n"),
    ).toHaveLength(1);
  });

  it('keep electron inside main/shell', async () => {
    const code = "import { app } from 'electron';\nexport { app };\n";
    expect(await layeringErrors('main/core/x.ts', code)).toHaveLength(1);
    expect(await layeringErrors('main/shell/x.ts', code)).toEqual([]);
  });

  it('keep SQLite inside the store', async () => {
    const code = "import Database from 'better-sqlite3';\nexport { Database };\n";
    expect(await layeringErrors('main/api/x.ts', code)).toHaveLength(1);
    expect(await layeringErrors('main/store/x.ts', code)).toEqual([]);
  });

  it('pass on the real tree', async () => {
    const results = await eslint.lintFiles(['main', 'preload', 'renderer']);
    const violations = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === 'no-restricted-imports')
        .map((m) => `${r.filePath}: ${m.message}`),
    );
    expect(violations).toEqual([]);
    // Type-aware lint of the whole tree: ~15 s alone on 2 cores, longer beside the other suites.
  }, 180_000);
});
