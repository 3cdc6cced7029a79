import { execFileSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertImage } from '../../main/images/convert.js';
import { importImage } from '../../main/images/import.js';
import { inspectImage } from '../../main/images/inspect.js';
import type { DiskFormat, ImageLibrary, ImageProgress } from '../../main/images/types.js';
import { backendAvailable } from '../helpers/backends.js';
import { expectRejects, tempDir } from '../unit/images/fixtures.js';

/** Real qemu-img: the format round trip keeps the bytes; progress; cancel leaves nothing. */

const hasQemuImg = backendAvailable('qemu-img');
const MiB = 1024 * 1024;

let tmp: ReturnType<typeof tempDir>;
let library: ImageLibrary;
beforeAll(() => {
  tmp = tempDir('genos-images-convert-');
  library = { dir: path.join(tmp.dir, 'library') };
});
afterAll(() => tmp.cleanup());

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A raw disk of `size` with random data at a few places and holes between. */
function randomRaw(file: string, size: number, pieces: number[]): void {
  const fd = fs.openSync(file, 'w');
  for (const at of pieces) {
    const buf = randomFillSync(Buffer.alloc(MiB));
    fs.writeSync(fd, buf, 0, buf.length, at);
  }
  fs.ftruncateSync(fd, size);
  fs.closeSync(fd);
}

describe.skipIf(!hasQemuImg)('convertImage with real qemu-img', () => {
  it('qcow2 -> vdi -> vhdx -> vmdk -> raw keeps the bytes, with progress and .sha256 files', async () => {
    const raw = path.join(tmp.dir, 'original.raw');
    randomRaw(raw, 32 * MiB, [0, 5 * MiB + 4096, 31 * MiB]);
    const before = sha256(raw);
    const qcow2 = path.join(tmp.dir, 'start.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
    // The chain starts from a properly imported image, format detected once.
    const imported = await importImage({ source: qcow2, library, mode: 'copy' });
    expect(imported.format).toBe('qcow2');

    let src = imported.path;
    let srcFormat: DiskFormat = 'qcow2';
    for (const to of ['vdi', 'vhdx', 'vmdk', 'raw'] as const) {
      const events: ImageProgress[] = [];
      const out = path.join(tmp.dir, 'chain', `step.${to}`);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      const res = await convertImage({
        source: src,
        sourceFormat: srcFormat,
        output: out,
        outputFormat: to,
        library,
        onProgress: (p) => events.push(p),
      });
      expect(res).toMatchObject({ path: out, format: to, sha256File: `${out}.sha256` });
      expect(res.sha256).toBe(sha256(out));
      // sha256sum itself accepts the file we wrote.
      execFileSync('sha256sum', ['-c', '--quiet', path.basename(res.sha256File)], {
        cwd: path.dirname(out),
      });
      const convert = events.filter((e) => e.stage === 'convert');
      expect(convert[0]).toEqual({ stage: 'convert', done: 0, total: 100 });
      expect(convert.at(-1)).toEqual({ stage: 'convert', done: 100, total: 100 });
      expect(events.at(-1)?.stage).toBe('hash');
      // Each intermediate is what it claims to be, to qemu-img's own probe.
      const info = await inspectImage(out, { library: { dir: tmp.dir } });
      expect(info.format).toBe(to);
      expect(info.virtualSize).toBe(32 * MiB);
      src = out;
      srcFormat = to;
    }
    expect(sha256(src)).toBe(before);
    expect(fs.readdirSync(path.join(tmp.dir, 'chain')).filter((f) => f.startsWith('.'))).toEqual(
      [],
    );
  });

  it('cancel kills qemu-img mid-run and removes the partial output', async () => {
    const raw = path.join(tmp.dir, 'big.raw');
    randomRaw(
      raw,
      64 * MiB,
      Array.from({ length: 64 }, (_, i) => i * MiB),
    );
    const outDir = path.join(tmp.dir, 'cancel');
    fs.mkdirSync(outDir);
    const out = path.join(outDir, 'big.qcow2');
    const ac = new AbortController();
    let partialSeen = 0;
    let abortedAt = 0;
    const p = convertImage({
      source: raw,
      sourceFormat: 'raw',
      output: out,
      outputFormat: 'qcow2',
      compress: true, // zlib on random data: seconds of work, so the cancel lands mid-run
      library: { dir: tmp.dir },
      signal: ac.signal,
      onProgress: (e) => {
        if (e.stage !== 'convert' || e.done === 0 || ac.signal.aborted) return;
        const work = fs.readdirSync(outDir).filter((f) => f.startsWith('.genos-convert-'));
        for (const w of work) partialSeen += fs.statSync(path.join(outDir, w, 'big.qcow2')).size;
        abortedAt = performance.now();
        ac.abort();
      },
    });
    await expectRejects(p, 'CANCELLED');
    expect(abortedAt).toBeGreaterThan(0);
    expect(performance.now() - abortedAt).toBeLessThan(2000);
    expect(partialSeen).toBeGreaterThan(0); // there was a partial file, and now
    expect(fs.readdirSync(outDir)).toEqual([]); // nothing is left: no output, no work dir
  });

  it('refuses to overwrite an existing output, or to convert an image onto itself', async () => {
    const raw = path.join(tmp.dir, 'small.raw');
    randomRaw(raw, 2 * MiB, [0]);
    const taken = path.join(tmp.dir, 'taken.vdi');
    fs.writeFileSync(taken, 'keep me');
    const base = { sourceFormat: 'raw' as const, library: { dir: tmp.dir } };
    await expectRejects(
      convertImage({ ...base, source: raw, output: taken, outputFormat: 'vdi' }),
      'CONFLICT',
      /already exists/,
    );
    expect(fs.readFileSync(taken, 'utf8')).toBe('keep me');
    await expectRejects(
      convertImage({ ...base, source: raw, output: raw, outputFormat: 'raw' }),
      'BAD_ARGS',
      /different file/,
    );
  });
});
