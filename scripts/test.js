#!/usr/bin/env node
// `npm test`: the unit + integration suite (vitest) and the browser suite (Playwright), one after
// the other (both always run), then one summary line with the counts of both.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// Not test-results/: Playwright empties that folder when it starts.
const reports = path.join(root, '.cache', 'test-reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const extra = process.argv.slice(2);

function run(cmd, args, env = {}) {
  const result = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return result.status ?? 1;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

const vitestJson = path.join(reports, 'vitest.json');
const vitestCode = run(bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
  ...extra,
]);
const playwrightJson = path.join(reports, 'playwright.json');
const playwrightCode = run(bin('playwright'), ['test', '--reporter=list,json'], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson,
});

const v = readJson(vitestJson);
const p = readJson(playwrightJson);
const passed = (v?.numPassedTests ?? 0) + (p?.stats?.expected ?? 0);
const failed = (v?.numFailedTests ?? 0) + (p?.stats?.unexpected ?? 0) + (p?.stats?.flaky ?? 0);
const skipped = (v?.numPendingTests ?? 0) + (v?.numTodoTests ?? 0) + (p?.stats?.skipped ?? 0);
const broken = !v || !p ? ' (a suite did not report: see its output above)' : '';
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped${broken}`);
process.exit(vitestCode || playwrightCode || (broken ? 1 : 0));
