/**
 * `genos serve` cold start to the first byte of the UI, and its idle RSS, against a bare Node
 * HTTP server started the same way in the same run.
 * Run: node --import tsx scripts/bench/serve-bench.ts   (after npm run build)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { builtCli } from '../../tests/helpers/serve-process.js';
import { ms, summarize, verdict } from './bench-util.js';

const RUNS = 10;

function firstByte(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.once('data', () => {
          res.destroy();
          resolve();
        });
      })
      .on('error', reject);
  });
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Spawns argv, reads the port from its first stdout line, fetches '/', returns ms and the child. */
async function coldStart(argv: string[], portOf: (line: string) => number) {
  const started = performance.now();
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) =>
    readline.createInterface({ input: child.stdout! }).once('line', resolve),
  );
  await firstByte(portOf(line));
  return { elapsed: performance.now() - started, child };
}

const bare = `require('http').createServer((q, s) => s.end('<!doctype html>')).listen(0, '127.0.0.1', function () { console.log(this.address().port) })`;

const genosTimes: number[] = [];
const bareTimes: number[] = [];
let genosRss = 0;
let bareRss = 0;
for (let i = 0; i < RUNS; i++) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-bench-'));
  const g = await coldStart(
    [builtCli, 'serve', '--port', '0', '--json', '--data-dir', dataDir],
    (l) => JSON.parse(l).port,
  );
  genosTimes.push(g.elapsed);
  const b = await coldStart(['-e', bare], Number);
  bareTimes.push(b.elapsed);
  if (i === RUNS - 1) {
    await new Promise((r) => setTimeout(r, 2000)); // idle: after start-up work has settled
    genosRss = rssMiB(g.child.pid!);
    bareRss = rssMiB(b.child.pid!);
  }
  g.child.kill('SIGTERM');
  b.child.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
const g = summarize(genosTimes);
const b = summarize(bareTimes);
console.log(
  `serve cold start to first UI byte (${RUNS} runs): p50 ${ms(g.p50)}, max ${ms(g.max)} — ${verdict(g.p50, 500)} ms`,
);
console.log(
  `bare node http server:                     p50 ${ms(b.p50)}, max ${ms(b.max)}; ratio ${(g.p50 / b.p50).toFixed(2)}x`,
);
console.log(
  `idle RSS: genos serve ${genosRss.toFixed(1)} MiB (${verdict(genosRss, 120)} MB), bare node ${bareRss.toFixed(1)} MiB`,
);
