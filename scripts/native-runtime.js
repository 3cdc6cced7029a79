#!/usr/bin/env node
// Makes the native modules (better-sqlite3, node-pty) load under the runtime about to run.
//
//   node scripts/native-runtime.js node       before tests / `genos serve` (plain Node)
//   node scripts/native-runtime.js electron   before `electron .` / electron-builder
//
// Node and Electron have different ABIs (NODE_MODULE_VERSION), so a .node file built for one
// does not load in the other. This script checks for real, by loading each module in a child
// process of the target runtime. Only when that fails because the binary is built for another
// ABI, or is missing or unreadable, does it fix it: first from a small per-ABI cache of earlier
// good builds (switching back and forth is then instant), else by rebuilding (`npm rebuild` for
// Node, `electron-builder install-app-deps` for Electron). Then it checks again. Any other load
// error is reported as is: a rebuild would not fix it. When everything loads it is a no-op.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NATIVE_MODULES = ['better-sqlite3', 'node-pty'];
export const RUNTIMES = ['node', 'electron'];
export const PROBE_MARKER = '@@genos-native-probe@@';
const PROBE_TIMEOUT_MS = 60_000;
const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// ---------------------------------------------------------------------------------------------
// Pure decision logic (unit-tested in tests/unit/native-runtime.test.ts)

const MISSING_PACKAGE = /Cannot find module '(better-sqlite3|node-pty)'/;
const ABI_MISMATCH = [
  /NODE_MODULE_VERSION/,
  /was compiled against a different Node\.js version/i,
  /Module did not self-register/i,
  /undefined symbol/i, // built against another runtime's headers (Node vs Electron)
];
const MISSING_BINARY = [
  /Could not locate the bindings file/i, // better-sqlite3 (via `bindings`)
  /Failed to load native module: \S+\.node/i, // node-pty
  /Cannot find module '[^']*\.node'/,
  /ENOENT[^\n]*\.node/,
  // An unreadable binary (truncated, garbage, other architecture) is as good as missing.
  /invalid ELF header/i,
  /file too short/i,
  /wrong ELF class/i,
  /ELF load command/i,
  /not a valid Win32 application/i,
  /not a mach-o file/i,
  /incompatible architecture/i,
];

/**
 * What a module's load error means.
 * @param {string} message the error's message (or stack)
 * @returns {'abi-mismatch' | 'missing-binary' | 'missing-package' | 'other'}
 */
export function classifyLoadError(message) {
  const text = String(message ?? '');
  if (MISSING_PACKAGE.test(text)) return 'missing-package';
  if (ABI_MISMATCH.some((re) => re.test(text))) return 'abi-mismatch';
  if (MISSING_BINARY.some((re) => re.test(text))) return 'missing-binary';
  return 'other';
}

/** True when rebuilding the module for the target runtime can fix this load error. */
export function needsRebuild(message) {
  const kind = classifyLoadError(message);
  return kind === 'abi-mismatch' || kind === 'missing-binary';
}

/**
 * Decides what to do from one probe's results.
 * @param {{modules: Record<string, {ok: boolean, message?: string}>}} probe
 * @returns {{action: 'ok'} | {action: 'rebuild' | 'fail', modules: string[],
 *   problems: {module: string, kind: string, message: string}[]}}
 */
export function planFromProbe(probe) {
  const problems = [];
  for (const name of NATIVE_MODULES) {
    const result = probe.modules?.[name];
    if (result?.ok) continue;
    const message = result?.message ?? 'the probe reported nothing for this module';
    problems.push({ module: name, kind: result ? classifyLoadError(message) : 'other', message });
  }
  if (problems.length === 0) return { action: 'ok' };
  const fixable = problems.every((p) => p.kind === 'abi-mismatch' || p.kind === 'missing-binary');
  return { action: fixable ? 'rebuild' : 'fail', modules: problems.map((p) => p.module), problems };
}

/**
 * The argv that rebuilds the modules for a runtime (spawned without a shell).
 * @param {'node' | 'electron'} runtime
 * @param {string[]} modules the modules that failed to load
 * @param {{execPath: string, npmExecPath?: string, npmCli?: string, electronBuilderCli?: string}} ctx
 * @returns {{command: string, args: string[]}}
 */
export function rebuildCommand(runtime, modules, ctx) {
  if (runtime === 'electron') {
    // @electron/rebuild (via electron-builder) rebuilds every native dependency for Electron.
    if (ctx.electronBuilderCli) {
      return { command: ctx.execPath, args: [ctx.electronBuilderCli, 'install-app-deps'] };
    }
    return { command: 'npx', args: ['--no-install', 'electron-builder', 'install-app-deps'] };
  }
  const names = modules.length > 0 ? modules : NATIVE_MODULES;
  const npmCli = [ctx.npmExecPath, ctx.npmCli].find((p) => p && /npm-cli\.[cm]?js$/.test(p));
  if (npmCli) return { command: ctx.execPath, args: [npmCli, 'rebuild', ...names] };
  return { command: 'npm', args: ['rebuild', ...names] };
}

/**
 * The environment for the rebuild. For Electron, drop any nodedir (npm exports .npmrc's to the
 * scripts it runs): node-gyp would build against Node's headers, for the wrong ABI. For Node,
 * offer the local headers of this very Node when npm has none configured, so an offline
 * rebuild does not try to download them.
 * @param {'node' | 'electron'} runtime
 * @param {Record<string, string | undefined>} env
 * @param {string | undefined} nodeHeadersDir a prefix holding include/node for this Node
 */
export function rebuildEnv(runtime, env, nodeHeadersDir) {
  const out = { ...env };
  const nodedirKeys = Object.keys(out).filter((k) => k.toLowerCase() === 'npm_config_nodedir');
  if (runtime === 'electron') {
    for (const k of nodedirKeys) delete out[k];
  } else if (nodedirKeys.length === 0 && nodeHeadersDir) {
    out.npm_config_nodedir = nodeHeadersDir;
  }
  return out;
}

/** Reads the Node version that headers declare (include/node/node_version.h), e.g. '20.20.2'. */
export function headersVersion(nodeVersionH) {
  const get = (part) => nodeVersionH.match(new RegExp(`#define NODE_${part}_VERSION (\\d+)`))?.[1];
  const [major, minor, patch] = [get('MAJOR'), get('MINOR'), get('PATCH')];
  return major && minor && patch ? `${major}.${minor}.${patch}` : undefined;
}

/** Extracts the probe's JSON from a child's stdout; null when the child never got there. */
export function parseProbeOutput(stdout) {
  const line = String(stdout ?? '')
    .split('\n')
    .find((l) => l.startsWith(PROBE_MARKER));
  if (!line) return null;
  try {
    return JSON.parse(line.slice(PROBE_MARKER.length));
  } catch {
    return null;
  }
}

/**
 * The Electron executable, as the `electron` package would return it, but without its side
 * effect: requiring `electron` tries to download a missing binary, which hangs offline.
 * @returns {{path: string} | {missing: string}}
 */
export function electronBinary(electronDir, env = process.env) {
  let relative;
  try {
    relative = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim();
  } catch {
    relative = undefined;
  }
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    return fs.existsSync(p) ? { path: p } : { missing: p };
  }
  if (!relative) return { missing: path.join(electronDir, 'path.txt') };
  const p = path.join(electronDir, 'dist', relative);
  return fs.existsSync(p) ? { path: p } : { missing: p };
}

// ---------------------------------------------------------------------------------------------
// Effects: probing, caching and rebuilding

function probeSource(root) {
  return `
const req = require('node:module').createRequire(${JSON.stringify(path.join(root, 'package.json'))});
const out = { abi: process.versions.modules, electron: process.versions.electron || null,
  version: process.version, modules: {} };
const checks = {
  'better-sqlite3': () => {
    const Database = req('better-sqlite3');
    const db = new Database(':memory:');
    try { db.prepare('select 1 as one').get(); } finally { db.close(); }
  },
  'node-pty': () => { req('node-pty'); },
};
for (const name of ${JSON.stringify(NATIVE_MODULES)}) {
  try { checks[name](); out.modules[name] = { ok: true }; }
  catch (e) { out.modules[name] = { ok: false, code: e && e.code, message: String((e && e.message) || e) }; }
}
process.stdout.write(${JSON.stringify(PROBE_MARKER)} + JSON.stringify(out) + '\\n');
`;
}

function probe(runtime, exe) {
  const env = { ...process.env };
  if (runtime === 'electron') env.ELECTRON_RUN_AS_NODE = '1';
  const res = spawnSync(exe, ['-e', probeSource(ROOT)], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: PROBE_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const parsed = parseProbeOutput(res.stdout);
  if (parsed) return parsed;
  const why = res.error ? res.error.message : `exit code ${res.status ?? res.signal}`;
  const stderr = String(res.stderr ?? '')
    .trim()
    .split('\n')
    .slice(-15)
    .join('\n');
  fail(`could not run ${runtime} (${exe}) to check the native modules: ${why}\n${stderr}`);
}

function moduleDir(name) {
  const req = createRequire(path.join(ROOT, 'package.json'));
  return path.dirname(req.resolve(`${name}/package.json`));
}

function moduleVersion(name) {
  return JSON.parse(fs.readFileSync(path.join(moduleDir(name), 'package.json'), 'utf8')).version;
}

/** Cache of known-good binaries: node_modules/.cache/genos-native/<runtime>-abi<N>-<os>-<arch>/. */
function cacheDir(runtime, result, name) {
  const key = `${runtime}-abi${result.abi}-${process.platform}-${process.arch}`;
  const mod = `${name}@${moduleVersion(name)}`;
  return path.join(ROOT, 'node_modules', '.cache', 'genos-native', key, mod);
}

function stash(runtime, result, replace = false) {
  try {
    for (const name of NATIVE_MODULES) {
      const target = cacheDir(runtime, result, name);
      const release = path.join(moduleDir(name), 'build', 'Release');
      if (!fs.existsSync(release) || (fs.existsSync(target) && !replace)) continue;
      const tmp = `${target}.tmp-${process.pid}`;
      fs.mkdirSync(tmp, { recursive: true });
      for (const f of fs.readdirSync(release).filter((n) => n.endsWith('.node'))) {
        fs.copyFileSync(path.join(release, f), path.join(tmp, f));
      }
      fs.rmSync(target, { recursive: true, force: true });
      fs.renameSync(tmp, target);
    }
  } catch {
    // The cache only saves time; never fail a run over it.
  }
}

function restore(runtime, result, modules) {
  let restored = false;
  for (const name of modules) {
    const source = cacheDir(runtime, result, name);
    if (!fs.existsSync(source)) continue;
    const release = path.join(moduleDir(name), 'build', 'Release');
    fs.mkdirSync(release, { recursive: true });
    for (const f of fs.readdirSync(source))
      fs.copyFileSync(path.join(source, f), path.join(release, f));
    restored = true;
  }
  return restored;
}

function localNodeHeaders() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  try {
    const h = fs.readFileSync(path.join(prefix, 'include', 'node', 'node_version.h'), 'utf8');
    return headersVersion(h) === process.versions.node ? prefix : undefined;
  } catch {
    return undefined;
  }
}

function findNpmCli() {
  const dir = path.dirname(process.execPath);
  return [
    path.join(dir, 'node_modules', 'npm', 'bin', 'npm-cli.js'), // Windows layout
    path.join(dir, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'), // Unix layout
  ].find((p) => fs.existsSync(p));
}

function findElectronBuilderCli() {
  try {
    const dir = moduleDir('electron-builder');
    const bin = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).bin;
    const cli = typeof bin === 'string' ? bin : bin?.['electron-builder'];
    return cli ? path.join(dir, cli) : undefined;
  } catch {
    return undefined;
  }
}

function describe(runtime, result) {
  return runtime === 'electron'
    ? `Electron ${result.electron ?? '(unknown version)'} (ABI ${result.abi})`
    : `Node ${result.version} (ABI ${result.abi})`;
}

function report(problems) {
  return problems
    .map(
      (p) => `  - ${p.module} [${p.kind}]: ${p.message.split('\n').slice(0, 4).join('\n      ')}`,
    )
    .join('\n');
}

const REBUILD_HINTS = {
  node:
    '  Native modules build from source with python3, make and a C++ compiler (g++); offline,\n' +
    "  node-gyp also needs this Node's headers (include/node; on Debian: npm config set nodedir /usr).",
  electron:
    '  Rebuilding for Electron downloads its headers (or a prebuilt binary): it needs internet,\n' +
    '  plus python3, make and a C++ compiler (g++).',
};

function log(message) {
  console.log(`native-runtime: ${message}`);
}

function fail(message) {
  console.error(`native-runtime: ${message}`);
  process.exit(1);
}

function resolveRuntime(runtime) {
  if (runtime === 'node') return process.execPath;
  let electronDir;
  try {
    electronDir = moduleDir('electron');
  } catch {
    fail('the `electron` package is not installed. Run `npm install` first.');
  }
  const bin = electronBinary(electronDir);
  if ('path' in bin) return bin.path;
  fail(
    `Electron is not downloaded (${path.relative(ROOT, bin.missing) || bin.missing} is missing).\n` +
      '  That is expected after an install with ELECTRON_SKIP_BINARY_DOWNLOAD=1 (as on CI).\n' +
      '  With internet access, fetch it with:  node node_modules/electron/install.js\n' +
      '  `npm test` and `genos serve` run on plain Node and do not need it.',
  );
}

export function main(runtime) {
  if (!RUNTIMES.includes(runtime)) {
    console.error('usage: node scripts/native-runtime.js node|electron');
    process.exit(2);
  }
  const started = Date.now();
  const took = () => `${Date.now() - started} ms`;
  const all = NATIVE_MODULES.join(', ');
  const exe = resolveRuntime(runtime);
  const first = probe(runtime, exe);
  const plan = planFromProbe(first);
  if (plan.action === 'ok') {
    stash(runtime, first);
    return log(`${all} load under ${describe(runtime, first)} (${took()})`);
  }
  const problems = report(plan.problems);
  if (plan.action === 'fail') {
    fail(`${all} do not all load under ${describe(runtime, first)}, and a rebuild would not fix it:
${problems}\n  Try a clean \`npm install\`.`);
  }
  log(`${plan.modules.join(', ')} cannot load under ${describe(runtime, first)}:\n${problems}`);

  if (restore(runtime, first, plan.modules) && planFromProbe(probe(runtime, exe)).action === 'ok') {
    return log(
      `restored earlier ${runtime} builds from node_modules/.cache/genos-native (${took()})`,
    );
  }

  const { command, args } = rebuildCommand(runtime, plan.modules, {
    execPath: process.execPath,
    npmExecPath: process.env.npm_execpath,
    npmCli: findNpmCli(),
    electronBuilderCli: findElectronBuilderCli(),
  });
  log(`rebuilding for ${runtime}: ${[command, ...args].join(' ')}`);
  const env = rebuildEnv(runtime, process.env, localNodeHeaders());
  const res = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env });
  if (res.error || res.status !== 0) {
    const why = res.error ? res.error.message : `exit code ${res.status ?? res.signal}`;
    fail(`the rebuild failed (${why}).\n${REBUILD_HINTS[runtime]}`);
  }
  const after = probe(runtime, exe);
  const final = planFromProbe(after);
  if (final.action !== 'ok') {
    fail(`still broken after the rebuild, under ${describe(runtime, after)}:
${report(final.problems)}`);
  }
  stash(runtime, after, true);
  log(`rebuilt; ${all} now load under ${describe(runtime, after)} (${took()})`);
}

function isEntryPoint() {
  try {
    return import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1] ?? '')).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) main(process.argv[2]);
