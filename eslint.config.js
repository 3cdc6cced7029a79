// One lint setup for the whole repo. The layering rules here are what keep the architecture
// true: the renderer never reaches into main, the contract stays free of Electron and Node, and
// only the shell files in main/shell may import electron.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export const layering = {
  renderer: {
    paths: [
      { name: 'electron', message: 'The renderer talks to main only through window.genos.' },
      ...nodeBuiltins.map((name) => ({
        name,
        message: 'The renderer runs in a browser: no Node.',
      })),
    ],
    patterns: [
      {
        group: ['**/main/**', '**/main', '../../main/*'],
        message:
          'The renderer may not import main; use window.genos (types from preload/contract).',
      },
      {
        regex: '^(\\.\\./)+preload/(?!contract$)',
        message: 'The renderer may import only preload/contract (type-only).',
      },
    ],
  },
  contract: {
    paths: [
      { name: 'electron', message: 'preload/contract.ts is pure TypeScript + zod.' },
      ...nodeBuiltins.map((name) => ({
        name,
        message: 'preload/contract.ts may not import Node.',
      })),
    ],
    patterns: [
      { group: ['**/main/**', '**/renderer/**'], message: 'The contract imports nothing of ours.' },
    ],
  },
  main: {
    paths: [
      {
        name: 'electron',
        message: 'Only main/shell/* may import electron; the core must run under plain Node.',
      },
      {
        name: 'better-sqlite3',
        message: 'Only main/store (and the data dir lock) may touch SQLite; use the Store.',
      },
    ],
    patterns: [{ group: ['**/renderer/**'], message: 'main may not import the renderer.' }],
  },
};
layering.sqlOwners = {
  ...layering.main,
  paths: layering.main.paths.filter((p) => p.name !== 'better-sqlite3'),
};

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', layering.renderer],
    },
  },
  {
    files: ['preload/contract.ts', 'preload/spec.ts', 'preload/compose.ts'],
    rules: { 'no-restricted-imports': ['error', layering.contract] },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/shell/**'],
    rules: { 'no-restricted-imports': ['error', layering.main] },
  },
  {
    files: ['main/store/**/*.ts', 'main/core/data-dir-lock.ts'],
    rules: { 'no-restricted-imports': ['error', layering.sqlOwners] },
  },
  prettier,
);
