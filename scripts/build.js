#!/usr/bin/env node
// Builds the three parts: main (Node/Electron, ESM), preload (sandboxed, so one CommonJS file
// with zod bundled in) and the renderer (Vite). Native modules (and dockerode, which pulls in
// optional native ssh parts) stay external so they load from node_modules; pure-JS dependencies
// are bundled, because one parsed file starts far faster than hundreds of module lookups.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const only = process.argv[2]; // optional: main | preload | renderer
const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root };

async function buildMain() {
  await build({
    ...common,
    entryPoints: { cli: 'main/cli.ts', 'electron-main': 'main/shell/electron-main.ts' },
    outdir: 'out/main',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['electron', 'better-sqlite3', 'node-pty', 'dockerode'],
    // Shared code and the lazily imported backends go to chunks: a CLI command or `genos serve`
    // parses only what it starts with.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // Less to parse at start-up; identifiers are kept so stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    banner: {
      // Bundled ESM still meets CommonJS-era code paths in a few dependencies.
      js: "import { createRequire as __genosCreateRequire } from 'node:module'; const require = __genosCreateRequire(import.meta.url);",
    },
  });
}

async function buildPreload() {
  await build({
    ...common,
    entryPoints: { index: 'preload/index.ts' },
    outdir: 'out/preload',
    outExtension: { '.js': '.cjs' },
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron'],
    // zod comes along with the contract; the preload runs once per window load, so keep it lean.
    minify: true,
  });
}

async function buildRenderer() {
  await viteBuild({ configFile: path.join(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
}

const steps = { main: buildMain, preload: buildPreload, renderer: buildRenderer };
const started = Date.now();
for (const [name, step] of Object.entries(steps)) {
  if (!only || only === name) await step();
}
console.log(`genos: built ${only ?? 'main, preload, renderer'} in ${Date.now() - started} ms`);
