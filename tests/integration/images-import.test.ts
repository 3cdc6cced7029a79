import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importImage } from '../../main/images/import.js';
import { inspectImage } from '../../main/images/inspect.js';
import { createOverlay } from '../../main/images/overlay.js';
import { resizeImage } from '../../main/images/resize.js';
import type { ImageLibrary, ImageProgress } from '../../main/images/types.js';
import { backendAvailable } from '../helpers/backends.js';
import { expectRejects, tempDir } from '../unit/images/fixtures.js';

/** Import by copy and by reference, overlays, resize: real qemu-img, files in a temp dir. */

const hasQemuImg = backendAvailable('qemu-img');
const MiB = 1024 * 1024;

let tmp: ReturnType<typeof tempDir>;
let library: ImageLibrary;
let incoming: string;
beforeAll(() => {
  tmp = tempDir('genos-images-import-');
  library = { dir: path.join(tmp.dir, 'library') };
  incoming = path.join(tmp.dir, 'incoming');
  fs.mkdirSync(incoming);
});
afterAll(() => tmp.cleanup());

const run = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });
const sha256sum = (file: string) => run('sha256sum', file).split(' ')[0];

function qcow2WithData(name: string, sizeMiB: number): string {
  const raw = path.join(incoming, `${name}.raw`);
  const buf = randomFillSync(Buffer.alloc(sizeMiB * MiB));
  fs.writeFileSync(raw, buf);
  const out = path.join(incoming, `${name}.qcow2`);
  run('qemu-img', 'convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, out);
  fs.rmSync(raw);
  return out;
}

describe.skipIf(!hasQemuImg)('importImage, real qemu-img', () => {
  it('by copy: the library holds a copy named by id, hashed, with progress; the source is untouched', async () => {
    const src = qcow2WithData('debian', 24);
    const srcSum = sha256sum(src);
    const events: ImageProgress[] = [];
    const rec = await importImage({
      source: src,
      library,
      mode: 'copy',
      name: 'Debian test',
      onProgress: (p) => events.push(p),
    });
    expect(rec).toMatchObject({
      name: 'Debian test',
      format: 'qcow2',
      virtualSize: 24 * MiB,
      source: src,
      sha256: srcSum,
      mode: 'copy',
    });
    expect(rec.id).toMatch(/^[0-9a-f]{12}$/);
    expect(rec.path).toBe(path.join(library.dir, `${rec.id}.qcow2`));
    expect(sha256sum(rec.path)).toBe(srcSum);
    expect(rec.actualSize).toBeGreaterThan(0);
    expect(rec.info.detectedBy).toBe('probed');
    const size = fs.statSync(src).size;
    expect(events.at(-1)).toEqual({ stage: 'copy', done: size, total: size });
    expect(fs.readdirSync(library.dir)).toEqual([`${rec.id}.qcow2`]);
  });

  it('by reference: the file stays where it is; the hash is optional', async () => {
    const src = qcow2WithData('ref', 4);
    const rec = await importImage({ source: src, library, mode: 'reference', id: 'ref-1' });
    expect(rec).toMatchObject({
      id: 'ref-1',
      path: src,
      mode: 'reference',
      sha256: sha256sum(src),
    });
    const noHash = await importImage({ source: src, library, mode: 'reference', hash: false });
    expect(noHash.sha256).toBeNull();
  });

  it('cancel during the copy leaves nothing in the library', async () => {
    const src = qcow2WithData('cancelme', 48);
    const before = fs.existsSync(library.dir) ? fs.readdirSync(library.dir) : [];
    const ac = new AbortController();
    await expectRejects(
      importImage({
        source: src,
        library,
        mode: 'copy',
        signal: ac.signal,
        onProgress: (p) => {
          if (p.stage === 'copy' && p.done > 0 && p.done < p.total) ac.abort();
        },
      }),
      'CANCELLED',
    );
    expect(fs.readdirSync(library.dir)).toEqual(before);
  });
});

describe.skipIf(!hasQemuImg)('createOverlay, real qemu-img', () => {
  it('writes go to the overlay; the base stays byte-for-byte and mtime pristine', async () => {
    const base = await importImage({
      source: qcow2WithData('base', 8),
      library,
      mode: 'copy',
    });
    const baseSum = sha256sum(base.path);
    const baseMtime = fs.statSync(base.path).mtimeMs;
    const overlay = path.join(tmp.dir, 'envs', 'env-1', 'disk.qcow2');
    const res = await createOverlay({
      base: base.path,
      baseFormat: base.format,
      overlay,
      library,
    });
    expect(res).toEqual({
      path: overlay,
      format: 'qcow2',
      backingFile: base.path,
      backingFormat: 'qcow2',
    });

    // What qemu sees: a qcow2 whose backing is the base, format stated.
    const info = JSON.parse(
      run('qemu-img', 'info', '--output=json', '-f', 'qcow2', overlay),
    ) as Record<string, unknown>;
    expect(info['backing-filename']).toBe(base.path);
    expect(info['backing-filename-format']).toBe('qcow2');
    // The overlay passes GenOS's own checks (its backing is in the library).
    const checked = await inspectImage(overlay, { library, format: 'qcow2' });
    expect(checked.refs).toEqual([base.path]);

    // A guest write, through qemu-io, lands in the overlay only.
    run('qemu-io', '-f', 'qcow2', '-c', 'write -P 0xab 0 64k', overlay);
    const read = run('qemu-io', '-f', 'qcow2', '-c', 'read -P 0xab 0 64k', overlay);
    expect(read).toContain('read 65536/65536 bytes');
    expect(sha256sum(base.path)).toBe(baseSum);
    expect(fs.statSync(base.path).mtimeMs).toBe(baseMtime);

    await expectRejects(
      createOverlay({ base: base.path, baseFormat: 'qcow2', overlay, library }),
      'CONFLICT',
      /never overwritten/,
    );
  });

  it('refuses a base outside the library, and an ISO base', async () => {
    const outside = qcow2WithData('outside', 1);
    await expectRejects(
      createOverlay({
        base: outside,
        baseFormat: 'qcow2',
        overlay: path.join(tmp.dir, 'o1.qcow2'),
        library,
      }),
      'BAD_ARGS',
      /not in the image library/,
    );
    await expectRejects(
      createOverlay({
        base: outside,
        baseFormat: 'iso',
        overlay: path.join(tmp.dir, 'o2.qcow2'),
        library,
      }),
      'BAD_ARGS',
      /CD-ROM/,
    );
  });
});

describe.skipIf(!hasQemuImg)('resizeImage, real qemu-img', () => {
  it('grows qcow2 and raw; shrinking needs allowShrink; other formats are unsupported', async () => {
    const q = path.join(library.dir, 'grow.qcow2');
    fs.mkdirSync(library.dir, { recursive: true });
    run('qemu-img', 'create', '-q', '-f', 'qcow2', q, '8M');
    expect(await resizeImage({ path: q, format: 'qcow2', size: 16 * MiB, library })).toEqual({
      virtualSize: 16 * MiB,
    });
    expect((await inspectImage(q, { library, format: 'qcow2' })).virtualSize).toBe(16 * MiB);
    await expectRejects(
      resizeImage({ path: q, format: 'qcow2', size: 4 * MiB, library }),
      'BAD_ARGS',
      /cut off data/,
    );
    await resizeImage({ path: q, format: 'qcow2', size: 4 * MiB, library, allowShrink: true });
    expect((await inspectImage(q, { library, format: 'qcow2' })).virtualSize).toBe(4 * MiB);

    const r = path.join(library.dir, 'grow.img');
    fs.writeFileSync(r, Buffer.alloc(MiB));
    await resizeImage({ path: r, format: 'raw', size: 3 * MiB, library });
    expect(fs.statSync(r).size).toBe(3 * MiB);

    await expectRejects(
      resizeImage({ path: r, format: 'vdi', size: 3 * MiB, library }),
      'UNSUPPORTED',
      /cannot resize vdi/,
    );
    await expectRejects(
      resizeImage({ path: q, format: 'qcow2', size: 2 ** 50, library }),
      'BAD_ARGS',
      /beyond the image size limit/,
    );
  });
});
