/**
 * Composer figures: time per prompt over the fixture set (p50/p99, target p99 < 5 ms), and the
 * CLI's cold start for `genos compose --jsonl` over 100 prompts, against a bare `node -e` that
 * reads the same lines and writes JSON lines, spawned the same way in the same run.
 * Run: node --import tsx scripts/bench/composer-bench.ts   (after npm run build)
 * GENOS_COMPOSE_CLI=path/to/cli.js benches another build of the CLI.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { compose } from '../../main/composer/compose.js';
import { builtCli } from '../../tests/helpers/serve-process.js';
import fixture from '../../tests/fixtures/composer/examples.json' with { type: 'json' };
import { ms, summarize, verdict } from './bench-util.js';

const REPS = 50;
const CLI_RUNS = 10;
const TARGET_P99_MS = 5;
const prompts = (fixture as { examples: Array<{ prompt: string }> }).examples.map((e) => e.prompt);

function benchCompose(): void {
  for (let i = 0; i < 5; i++) for (const p of prompts) compose(p); // warm the JIT
  const samples: number[] = [];
  const perPrompt: Array<{ prompt: string; p50: number }> = [];
  for (const p of prompts) {
    const mine: number[] = [];
    for (let r = 0; r < REPS; r++) {
      const t0 = performance.now();
      compose(p);
      mine.push(performance.now() - t0);
    }
    samples.push(...mine);
    perPrompt.push({ prompt: p, p50: summarize(mine).p50 });
  }
  const s = summarize(samples);
  console.log(
    `compose: ${prompts.length} fixture prompts x ${REPS}: p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)} ` +
      `(${verdict(s.p99, TARGET_P99_MS)})`,
  );
  // Ranked by their own median: a single GC pause says nothing about a prompt.
  const slowest = perPrompt.sort((a, b) => b.p50 - a.p50).slice(0, 3);
  for (const x of slowest)
    console.log(`  slowest prompt, p50 ${ms(x.p50)}: ${JSON.stringify(x.prompt)}`);
  const long = 'ubuntu vm with firefox, 4 cpus, 8gb ram, -p 8080:80, '.repeat(75).slice(0, 4000);
  const longTimes = Array.from({ length: 100 }, () => {
    const t0 = performance.now();
    compose(long);
    return performance.now() - t0;
  });
  const l = summarize(longTimes);
  console.log(`compose: a 4000-character prompt: p50 ${ms(l.p50)}, p99 ${ms(l.p99)}`);
}

function timeRun(
  argv: string[],
  input: string,
): Promise<{ ms: number; code: number | null; lines: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ ms: performance.now() - t0, code, lines: out.split('\n').filter(Boolean).length }),
    );
    child.stdin.end(input);
  });
}

// The floor: a Node process that reads JSON lines and writes one JSON line for each.
const BASELINE = `const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (l) => { if (!l.trim()) return; let p; try { p = JSON.parse(l).prompt } catch { p = null }
  process.stdout.write(JSON.stringify({ echo: p }) + '\\n') });`;

async function benchCli(): Promise<void> {
  const cli = process.env.GENOS_COMPOSE_CLI ?? builtCli;
  const input =
    prompts
      .slice(0, 100)
      .map((prompt) => JSON.stringify({ prompt }))
      .join('\n') + '\n';
  if (!fs.existsSync(cli)) {
    console.log(`cli: skipped: ${cli} is missing (npm run build)`);
    return;
  }
  const probe = await timeRun([cli, 'compose', '--jsonl'], input);
  if (probe.code !== 0 || probe.lines !== 100) {
    console.log(
      `cli: skipped: "genos compose --jsonl" is not wired into ${cli} yet (exit ${probe.code})`,
    );
    return;
  }
  const genos: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    genos.push((await timeRun([cli, 'compose', '--jsonl'], input)).ms);
    bare.push((await timeRun(['-e', BASELINE], input)).ms);
  }
  const g = summarize(genos);
  const b = summarize(bare);
  console.log(
    `cli: compose --jsonl, 100 prompts, cold start to exit (${CLI_RUNS} runs): p50 ${ms(g.p50)}, max ${ms(g.max)}`,
  );
  console.log(
    `cli: baseline node -e (read lines, write JSON lines): p50 ${ms(b.p50)}, max ${ms(b.max)}`,
  );
  console.log(`cli: ratio genos/baseline at p50: ${(g.p50 / b.p50).toFixed(2)}x`);
}

benchCompose();
await benchCli();
