/**
 * Disk-image figures, each against the plain tools on the same file in the same run:
 *  - import by copy (copy + SHA-256 in one pass + qemu-img info/check) vs `cp` then `sha256sum`
 *    then `sync` of the copy (GenOS fsyncs the copy before it is recorded, so the baseline does too);
 *  - convert qcow2 -> raw through convertImage vs the bare `qemu-img convert`; convertImage also
 *    hashes the output and writes <out>.sha256, so its convert phase is shown separately.
 * The source is random (incompressible, no holes) and in the page cache for both sides.
 * Run: node --import tsx scripts/bench/images-bench.ts   (GENOS_BENCH_IMAGE_MIB=512 by default)
 */
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { convertImage } from '../../main/images/convert.js';
import { importImage } from '../../main/images/import.js';

const MIB = Number(process.env.GENOS_BENCH_IMAGE_MIB ?? 512);
const REPS = Number(process.env.GENOS_BENCH_REPS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function mbps(ms: number): string {
  return `${((MIB / ms) * 1000).toFixed(0)} MiB/s`;
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function line(label: string, ms: number, extra = ''): void {
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms  ${mbps(ms).padStart(10)}${extra}`,
  );
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-images-bench-'));
  try {
    const src = path.join(tmp, 'source.raw');
    const fd = fs.openSync(src, 'w');
    const block = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < MIB / 16; i++) fs.writeSync(fd, randomFillSync(block));
    fs.closeSync(fd);
    console.log(`source: ${MIB} MiB of random data, ${REPS} runs each, medians`);

    // --- import by copy ------------------------------------------------------------------------
    const genos: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const library = { dir: path.join(tmp, `lib-${i}`) };
      genos.push(
        await timed(() => importImage({ source: src, library, mode: 'copy', format: 'raw' })),
      );
      const dst = path.join(tmp, `cp-${i}.raw`);
      base.push(
        await timed(() => {
          execFileSync('cp', [src, dst]);
          execFileSync('sha256sum', [dst], { stdio: 'ignore' });
          execFileSync('sync', [dst]);
        }),
      );
      fs.rmSync(library.dir, { recursive: true });
      fs.rmSync(dst);
    }
    const g = median(genos);
    const b = median(base);
    line('importImage (copy + sha256 + inspect)', g);
    line('cp + sha256sum + sync (baseline)', b, `   ratio ${(g / b).toFixed(2)}x`);

    // --- convert qcow2 -> raw ------------------------------------------------------------------
    const qcow2 = path.join(tmp, 'source.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', src, qcow2]);
    const full: number[] = [];
    const phase: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const out = path.join(tmp, `conv-${i}.raw`);
      let hashStart = 0;
      const t0 = performance.now();
      await convertImage({
        source: qcow2,
        sourceFormat: 'qcow2',
        output: out,
        outputFormat: 'raw',
        library: { dir: tmp },
        onProgress: (p) => {
          if (p.stage === 'hash' && hashStart === 0) hashStart = performance.now();
        },
      });
      full.push(performance.now() - t0);
      phase.push(hashStart - t0);
      fs.rmSync(out);
      fs.rmSync(`${out}.sha256`);
      const bareOut = path.join(tmp, `bare-${i}.raw`);
      bare.push(
        await timed(() =>
          execFileSync('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', qcow2, bareOut]),
        ),
      );
      fs.rmSync(bareOut);
    }
    const c = median(phase);
    const q = median(bare);
    line('convertImage qcow2->raw, convert phase', c);
    line('bare qemu-img convert qcow2->raw', q, `   overhead ${(c - q).toFixed(0)} ms`);
    line('convertImage incl. sha256 + .sha256 file', median(full));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
