import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// scripts/native-runtime.js is plain JS (it must run before anything is built), so it has no
// type declarations: import it through a non-literal specifier and give it its type here.
type Kind = 'abi-mismatch' | 'missing-binary' | 'missing-package' | 'other';
type ProbeResult = { modules: Record<string, { ok: boolean; message?: string }> };
type Plan =
  | { action: 'ok' }
  | {
      action: 'rebuild' | 'fail';
      modules: string[];
      problems: { module: string; kind: Kind; message: string }[];
    };
interface NativeRuntime {
  NATIVE_MODULES: string[];
  PROBE_MARKER: string;
  classifyLoadError(message: string): Kind;
  needsRebuild(message: string): boolean;
  planFromProbe(probe: ProbeResult): Plan;
  rebuildCommand(
    runtime: 'node' | 'electron',
    modules: string[],
    ctx: { execPath: string; npmExecPath?: string; npmCli?: string; electronBuilderCli?: string },
  ): { command: string; args: string[] };
  rebuildEnv(
    runtime: 'node' | 'electron',
    env: Record<string, string | undefined>,
    nodeHeadersDir: string | undefined,
  ): Record<string, string | undefined>;
  headersVersion(nodeVersionH: string): string | undefined;
  parseProbeOutput(stdout: string): unknown;
  electronBinary(
    electronDir: string,
    env?: Record<string, string | undefined>,
  ): { path: string } | { missing: string };
}

const script = fileURLToPath(new URL('../../scripts/native-runtime.js', import.meta.url));
const specifier: string = '../../scripts/native-runtime.js';
const nr = (await import(/* @vite-ignore */ specifier)) as NativeRuntime;

// Real messages, as Node, `bindings` and node-pty print them.
const ABI_NODE =
  "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\n" +
  'was compiled against a different Node.js version using\n' +
  'NODE_MODULE_VERSION 140. This version of Node.js requires\n' +
  'NODE_MODULE_VERSION 115. Please try re-compiling or re-installing\n' +
  'the module (for instance, using `npm rebuild` or `npm install`).';
const NO_BINDINGS =
  'Could not locate the bindings file. Tried:\n' +
  ' → /app/node_modules/better-sqlite3/build/better_sqlite3.node\n' +
  ' → /app/node_modules/better-sqlite3/build/Release/better_sqlite3.node';
const NO_PTY =
  'Failed to load native module: pty.node, checked: build/Release, build/Debug, ' +
  "prebuilds/linux-x64: Error: Cannot find module '../prebuilds/linux-x64//pty.node'";
const GARBAGE =
  '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node: invalid ELF header';
const NO_PACKAGE = "Cannot find module 'better-sqlite3'\nRequire stack:\n- /app/package.json";

describe('classifyLoadError', () => {
  it.each([
    [ABI_NODE, 'abi-mismatch'],
    ['Module did not self-register: /app/build/Release/better_sqlite3.node.', 'abi-mismatch'],
    [
      '/app/build/Release/better_sqlite3.node: undefined symbol: _ZN2v87Isolate7GetDataEv',
      'abi-mismatch',
    ],
    [NO_BINDINGS, 'missing-binary'],
    [NO_PTY, 'missing-binary'],
    [GARBAGE, 'missing-binary'],
    ['/app/build/Release/pty.node: file too short', 'missing-binary'],
    ['/app/build/Release/pty.node: wrong ELF class: ELFCLASS32', 'missing-binary'],
    [NO_PACKAGE, 'missing-package'],
    ["Cannot find module 'node-pty'", 'missing-package'],
    ['SqliteError: unable to open database file', 'other'],
    ['libsqlite3.so.0: cannot open shared object file: No such file or directory', 'other'],
    ['', 'other'],
  ])('%#: classifies %j', (message, kind) => {
    expect(nr.classifyLoadError(message)).toBe(kind);
  });

  it('rebuilds only for an ABI mismatch or a missing/unreadable binary', () => {
    expect(nr.needsRebuild(ABI_NODE)).toBe(true);
    expect(nr.needsRebuild(NO_BINDINGS)).toBe(true);
    expect(nr.needsRebuild(GARBAGE)).toBe(true);
    expect(nr.needsRebuild(NO_PACKAGE)).toBe(false);
    expect(nr.needsRebuild('TypeError: Database is not a constructor')).toBe(false);
  });
});

describe('planFromProbe', () => {
  const ok = { ok: true };

  it('does nothing when every module loads', () => {
    expect(nr.planFromProbe({ modules: { 'better-sqlite3': ok, 'node-pty': ok } })).toEqual({
      action: 'ok',
    });
  });

  it('rebuilds just the modules built for another ABI', () => {
    const plan = nr.planFromProbe({
      modules: { 'better-sqlite3': { ok: false, message: ABI_NODE }, 'node-pty': ok },
    });
    expect(plan).toMatchObject({ action: 'rebuild', modules: ['better-sqlite3'] });
  });

  it('rebuilds both when both are missing', () => {
    const plan = nr.planFromProbe({
      modules: {
        'better-sqlite3': { ok: false, message: NO_BINDINGS },
        'node-pty': { ok: false, message: NO_PTY },
      },
    });
    expect(plan).toMatchObject({ action: 'rebuild', modules: ['better-sqlite3', 'node-pty'] });
  });

  it('fails instead of rebuilding when a rebuild cannot fix one of the errors', () => {
    const plan = nr.planFromProbe({
      modules: {
        'better-sqlite3': { ok: false, message: ABI_NODE },
        'node-pty': { ok: false, message: "Cannot find module 'node-pty'" },
      },
    });
    expect(plan.action).toBe('fail');
    if (plan.action !== 'ok') {
      expect(plan.problems.map((p) => p.kind)).toEqual(['abi-mismatch', 'missing-package']);
    }
  });

  it('fails when the probe did not report a module at all', () => {
    const plan = nr.planFromProbe({ modules: { 'better-sqlite3': ok } });
    expect(plan).toMatchObject({ action: 'fail', modules: ['node-pty'] });
  });
});

describe('rebuildCommand', () => {
  const execPath = '/usr/bin/node';

  it('runs the npm that started us, through node, with an argv array', () => {
    const npmExecPath = '/usr/lib/node_modules/npm/bin/npm-cli.js';
    expect(nr.rebuildCommand('node', ['better-sqlite3'], { execPath, npmExecPath })).toEqual({
      command: execPath,
      args: [npmExecPath, 'rebuild', 'better-sqlite3'],
    });
  });

  it('ignores a non-npm npm_execpath and falls back to the npm beside node, then to npm', () => {
    const npmCli = '/opt/node/lib/node_modules/npm/bin/npm-cli.js';
    const pnpm = '/usr/lib/node_modules/pnpm/bin/pnpm.cjs';
    expect(nr.rebuildCommand('node', [], { execPath, npmExecPath: pnpm, npmCli })).toEqual({
      command: execPath,
      args: [npmCli, 'rebuild', ...nr.NATIVE_MODULES],
    });
    expect(nr.rebuildCommand('node', ['node-pty'], { execPath })).toEqual({
      command: 'npm',
      args: ['rebuild', 'node-pty'],
    });
  });

  it('uses electron-builder install-app-deps for Electron', () => {
    const electronBuilderCli = '/app/node_modules/electron-builder/cli.js';
    expect(
      nr.rebuildCommand('electron', ['better-sqlite3'], { execPath, electronBuilderCli }),
    ).toEqual({ command: execPath, args: [electronBuilderCli, 'install-app-deps'] });
    expect(nr.rebuildCommand('electron', [], { execPath }).args).toEqual([
      '--no-install',
      'electron-builder',
      'install-app-deps',
    ]);
  });
});

describe('rebuildEnv', () => {
  it('never lets an inherited nodedir point an Electron rebuild at Node headers', () => {
    const env = { PATH: '/bin', npm_config_nodedir: '/usr', NPM_CONFIG_NODEDIR: '/usr' };
    expect(nr.rebuildEnv('electron', env, '/usr')).toEqual({ PATH: '/bin' });
  });

  it("offers this Node's own headers to an offline Node rebuild, without overriding npm", () => {
    expect(nr.rebuildEnv('node', { PATH: '/bin' }, '/usr')).toEqual({
      PATH: '/bin',
      npm_config_nodedir: '/usr',
    });
    expect(nr.rebuildEnv('node', { npm_config_nodedir: '/opt/node' }, '/usr')).toEqual({
      npm_config_nodedir: '/opt/node',
    });
    expect(nr.rebuildEnv('node', { PATH: '/bin' }, undefined)).toEqual({ PATH: '/bin' });
  });

  it('reads the version that node_version.h declares', () => {
    const h = [
      '#define NODE_MAJOR_VERSION 20',
      '#define NODE_MINOR_VERSION 20',
      '#define NODE_PATCH_VERSION 2',
    ].join('\n');
    expect(nr.headersVersion(h)).toBe('20.20.2');
    expect(nr.headersVersion('#define NODE_MAJOR_VERSION 20')).toBeUndefined();
  });
});

describe('parseProbeOutput', () => {
  it('finds the marked line among other output', () => {
    const json = JSON.stringify({ abi: '115', modules: {} });
    expect(nr.parseProbeOutput(`warning: noise\n${nr.PROBE_MARKER}${json}\n`)).toEqual({
      abi: '115',
      modules: {},
    });
  });

  it('returns null when the child died before reporting', () => {
    expect(nr.parseProbeOutput('Segmentation fault\n')).toBeNull();
    expect(nr.parseProbeOutput(`${nr.PROBE_MARKER}{truncated`)).toBeNull();
  });
});

describe('electronBinary and the CLI', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-native-runtime-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the binary the electron package points at, without requiring the package', () => {
    const dir = tmp();
    expect(nr.electronBinary(dir, {})).toEqual({ missing: path.join(dir, 'path.txt') });
    fs.writeFileSync(path.join(dir, 'path.txt'), 'electron');
    expect(nr.electronBinary(dir, {})).toEqual({ missing: path.join(dir, 'dist', 'electron') });
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'dist', 'electron'), '');
    expect(nr.electronBinary(dir, {})).toEqual({ path: path.join(dir, 'dist', 'electron') });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH', () => {
    const dir = tmp();
    const dist = tmp();
    fs.writeFileSync(path.join(dist, 'electron'), '');
    expect(nr.electronBinary(dir, { ELECTRON_OVERRIDE_DIST_PATH: dist })).toEqual({
      path: path.join(dist, 'electron'),
    });
  });

  it('prints its usage for an unknown runtime', () => {
    const res = spawnSync(process.execPath, [script, 'bun'], { encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('usage: node scripts/native-runtime.js node|electron');
  });

  it('says how to get Electron when its binary was never downloaded', () => {
    const env = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: tmp() };
    const res = spawnSync(process.execPath, [script, 'electron'], { encoding: 'utf8', env });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('Electron is not downloaded');
    expect(res.stderr).toContain('node node_modules/electron/install.js');
  });
});
