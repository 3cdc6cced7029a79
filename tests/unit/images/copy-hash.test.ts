import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyWithHash } from '../../../main/images/copy.js';
import { CHUNK, sha256File, writeSha256File } from '../../../main/images/hash.js';
import type { ImageProgress } from '../../../main/images/types.js';
import { expectRejects, tempDir } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('genos-copy-');
});
afterEach(() => tmp.cleanup());

/** A sparse file: data, a long hole, data, and a hole at the end. */
function sparseFile(name: string): { file: string; sha256: string; size: number } {
  const file = path.join(tmp.dir, name);
  const size = 6 * CHUNK + 12345;
  const fd = fs.openSync(file, 'w');
  const a = Buffer.alloc(CHUNK + 100, 0x5a);
  const b = Buffer.from('the middle');
  fs.writeSync(fd, a, 0, a.length, 0);
  fs.writeSync(fd, b, 0, b.length, 4 * CHUNK + 7);
  fs.ftruncateSync(fd, size);
  fs.closeSync(fd);
  const sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  return { file, sha256, size };
}

describe('copyWithHash', () => {
  it('copies the bytes, hashes them, keeps holes, and reports progress', async () => {
    const src = sparseFile('src.img');
    const dest = path.join(tmp.dir, 'dest.img');
    const events: ImageProgress[] = [];
    const res = await copyWithHash(src.file, dest, { onProgress: (p) => events.push(p) });
    expect(res).toEqual({ bytes: src.size, sha256: src.sha256 });
    expect(fs.readFileSync(dest).equals(fs.readFileSync(src.file))).toBe(true);
    // Only the 64 KiB blocks with data were written: far fewer than the length.
    expect(fs.statSync(dest).blocks * 512).toBeLessThanOrEqual(CHUNK + 3 * 65536);
    expect(events.at(-1)).toEqual({ stage: 'copy', done: src.size, total: src.size });
    expect(events.every((e, i) => i === 0 || e.done >= events[i - 1]!.done)).toBe(true);
  });

  it('never overwrites an existing destination', async () => {
    const src = sparseFile('src.img');
    const dest = path.join(tmp.dir, 'taken');
    fs.writeFileSync(dest, 'mine');
    await expect(copyWithHash(src.file, dest)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fs.readFileSync(dest, 'utf8')).toBe('mine');
  });

  it('cancel stops the copy and removes the partial file', async () => {
    const src = sparseFile('src.img');
    const dest = path.join(tmp.dir, 'dest.img');
    const ac = new AbortController();
    const p = copyWithHash(src.file, dest, {
      signal: ac.signal,
      onProgress: () => ac.abort(),
    });
    await expectRejects(p, 'CANCELLED', /Copying .* was cancelled/);
    expect(fs.existsSync(dest)).toBe(false);
  });

  it('a missing source is NOT_FOUND', async () => {
    await expectRejects(
      copyWithHash(path.join(tmp.dir, 'nope'), path.join(tmp.dir, 'x')),
      'NOT_FOUND',
    );
    expect(fs.existsSync(path.join(tmp.dir, 'x'))).toBe(false);
  });
});

describe('sha256File / writeSha256File', () => {
  it('matches a one-shot hash and writes sha256sum format', async () => {
    const src = sparseFile('s.img');
    const hex = await sha256File(src.file);
    expect(hex).toBe(src.sha256);
    const out = await writeSha256File(src.file, hex);
    expect(fs.readFileSync(out, 'utf8')).toBe(`${hex}  s.img\n`);
  });

  it('can be cancelled', async () => {
    const src = sparseFile('s.img');
    const ac = new AbortController();
    ac.abort();
    await expectRejects(sha256File(src.file, { signal: ac.signal }), 'CANCELLED');
  });
});
